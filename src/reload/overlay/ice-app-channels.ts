/**
 * Application channels over a PeerNetwork's ICE links (overlay-types.ts IceCapability): the
 * AppChannelNetwork of a WebRTC peer. RFC 6940 §6.5.2.2: on an AppAttach request a peer "SHOULD
 * process the request and generate its own response with a AppAttachAns. It should then begin ICE
 * checks. When a peer receives an AppAttach response, it SHOULD parse the response and begin its
 * own ICE checks." So each AppAttach gathers and connects a peer connection of its own; its ICE
 * fields travel in the AppAttachReq/Ans and the DTLS fingerprint in our 0xC001 extension of the
 * signed message (ice-attach-fields.ts, as for Attach), which binds the channel to the signer.
 *
 * Fast path (ARCHITECTURE.md "SIP": "where a link to the callee's peer already exists, the
 * AppAttach'd SIP channel is a second data channel on that peer connection (no new ICE round)"):
 * with `existing`, an AppAttach to a peer we share a peer connection with carries no candidates,
 * and the channel is a data channel labelled `app-<Application-ID>` on that connection. Such a
 * channel comes unbidden (a peer that merely shares a peer connection with us, an Attach or a
 * finger, can open one), so it goes up as `unbidden` and our answer says how long it is expected:
 * the AppAttachService takes one per AppAttach it answered (RFC 7904 §5.1) and closes the rest.
 */
import { nodeIdKey } from '../forwarding/index.js';
import type { AppAttachIce, AppChannel, AppChannelNetwork } from '../links/app-channel.js';
import { appChannelLabel, applicationOfLabel, dataChannelAppChannel, type DataChannelLike } from '../links/data-channel-app-channel.js';
import { linkAppChannel } from '../links/link-app-channel.js';
import type { AbortOptions, Clock, Timer } from '../runtime/components.js';
import { ReloadError } from '../runtime/reload-error.js';
import type { NodeId } from '../wire/ids.js';
import { attachFromIce, iceFromAttach } from './ice-attach-fields.js';
import type { IceCapability, IceOffer } from './overlay-types.js';

/** Extra data channels on the peer connection of an existing overlay link. */
export interface ExistingConnections {
  /** The peer connection shared with `nodeId`, if there is one that can open channels. */
  connectionTo(nodeId: NodeId): { openChannel(label: string, options?: AbortOptions): Promise<DataChannelLike> } | undefined;
  /** Channels peers open on shared connections (all labels; the ones named `app-N` go up as unbidden). */
  onChannel(listener: (nodeId: NodeId, channel: DataChannelLike) => void): void;
}

export interface IceAppChannelsDeps {
  readonly ice: IceCapability;
  readonly clock: Clock;
  readonly existing?: ExistingConnections;
}

export interface IceAppChannelsInit {
  /** Applications accepted; default [5060]. */
  readonly applications?: readonly number[];
  /**
   * How long one AppAttach is waited on (ms): a gathered offer for its AppAttachAns before it is
   * released, and an answer on a shared connection for its channel; default 30 000.
   */
  readonly attachLifetimeMs?: number;
}

const EMPTY = new Uint8Array(0);

export function createIceAppChannels(deps: IceAppChannelsDeps, init: IceAppChannelsInit = {}): AppChannelNetwork {
  const accepted = new Set(init.applications ?? [5060]);
  const lifetimeMs = init.attachLifetimeMs ?? 30_000;
  const pending = new Map<string, { offer: IceOffer; timer: Timer }>();
  const live = new Set<AppChannel>();
  let inbound: ((ch: AppChannel, unbidden: boolean) => void) | undefined;
  let closed = false;
  const key = (n: NodeId, a: number) => `${nodeIdKey(n)}/${a}`;
  const refuse = (application: number) => {
    if (!accepted.has(application) || closed) throw ReloadError.of('Error_Not_Found', `application ${application} is not served here`);
  };
  const track = (ch: AppChannel): AppChannel => {
    live.add(ch);
    ch.onClose(() => live.delete(ch));
    return ch;
  };
  const fields = (p: Parameters<typeof attachFromIce>[0]): AppAttachIce => {
    const { value, extensions } = attachFromIce(p, 'passive', false);
    return { ufrag: value.ufrag, password: value.password, candidates: value.candidates, extensions };
  };
  const parameters = (f: AppAttachIce) => {
    const p = iceFromAttach({ ufrag: f.ufrag, password: f.password, candidates: f.candidates, role: EMPTY, sendUpdate: false }, f.extensions ?? []);
    if (!p) throw ReloadError.of('Error_Invalid_Message', 'the AppAttach has no candidates or no DTLS fingerprint');
    return p;
  };
  const reuse = (f: AppAttachIce) => f.candidates.length === 0 && (f.extensions ?? []).length === 0;

  deps.existing?.onChannel((nodeId, dc) => {
    const application = applicationOfLabel(dc.label);
    if (application === undefined) return;
    if (!accepted.has(application) || closed || !inbound) {
      dc.close();
      return;
    }
    inbound(track(dataChannelAppChannel(dc, nodeId, application)), true);
  });

  return {
    async offer(remote, application) {
      refuse(application);
      if (deps.existing?.connectionTo(remote)) return { ufrag: EMPTY, password: EMPTY, candidates: [] };
      const offer = await deps.ice.offer();
      const k = key(remote, application);
      const old = pending.get(k);
      if (old) {
        old.timer.cancel();
        old.offer.cancel();
      }
      const timer = deps.clock.setTimer(lifetimeMs, () => {
        if (pending.get(k)?.offer !== offer) return;
        pending.delete(k);
        offer.cancel();
      });
      pending.set(k, { offer, timer });
      return fields(offer.local);
    },
    async answer(remote, application, request) {
      refuse(application);
      if (reuse(request)) {
        // The requester shares a peer connection with us: its channel comes on that connection,
        // unbidden (onChannel above), expected for the AppAttach's lifetime.
        if (!deps.existing?.connectionTo(remote)) throw ReloadError.of('Error_Invalid_Message', 'an AppAttach without candidates, and no connection to reuse');
        return { local: { ufrag: EMPTY, password: EMPTY, candidates: [] }, cancel: () => {}, expectMs: lifetimeMs };
      }
      const answer = await deps.ice.answer(remote, parameters(request));
      let local: AppAttachIce;
      try {
        local = fields(answer.local);
      } catch (e) {
        // Our fields do not fit an AppAttachAns: no requester can complete this answer.
        answer.cancel();
        throw e;
      }
      answer.link.then(
        (link) => (closed || !inbound ? link.close() : inbound(track(linkAppChannel(link, remote, application)), false)),
        () => {},
      );
      return { local, cancel: () => answer.cancel() };
    },
    async open(remote, application, answer, options) {
      refuse(application);
      if (reuse(answer)) {
        const connection = deps.existing?.connectionTo(remote);
        if (!connection) throw ReloadError.of('Error_Invalid_Message', 'the AppAttachAns has no candidates, and there is no connection to reuse');
        return track(dataChannelAppChannel(await connection.openChannel(appChannelLabel(application), options), remote, application));
      }
      const k = key(remote, application);
      const mine = pending.get(k);
      if (!mine) throw new Error(`no AppAttach offer to ${nodeIdKey(remote)} is waiting`);
      pending.delete(k);
      mine.timer.cancel();
      // The answer's signer (the AppAttachService checked it is `remote`) vouches for its fingerprint.
      return track(linkAppChannel(await mine.offer.complete(remote, parameters(answer), options), remote, application));
    },
    onInbound(listener) {
      inbound = listener;
    },
    close() {
      closed = true;
      for (const { offer, timer } of pending.values()) {
        timer.cancel();
        offer.cancel();
      }
      pending.clear();
      for (const ch of [...live]) ch.close();
    },
  };
}
