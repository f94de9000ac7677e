/**
 * The answering side of Attach (RFC 6940 §6.5.1.2): what this peer does with an Attach it
 * receives. AttachService (attach-service.ts) registers `handle` for attach_req and is the
 * originating side; both share the link table's one link per peer (one-link-per-peer.ts) and
 * this peer's own Attaches in progress (own-attaches.ts), which decide whether a received Attach
 * is refused with Error_In_Progress or processed.
 *
 * Following the roles of §6.5.1.1 ("active" for the answerer, RFC 4145), this peer makes the link:
 * without ICE it opens a link to the requester's host candidate (after the answer is on its way);
 * over ICE (`PeerNetwork.ice`) it answers with its ICE parameters and DTLS fingerprint, and the
 * link comes when the requester's checks and DTLS succeed. Each processed Attach's Crossing is told
 * once how its link went (own-attaches.ts), and a requester that asked for it gets the §6.4.2.3
 * Update once the link is up.
 */
import type { Forwarding } from '../forwarding/index.js';
import { nodeIdKey } from '../forwarding/index.js';
import { formatAddress } from '../links/host-candidate.js';
import { carriesFrames, probeWaitMs } from '../links/link-check.js';
import type { Link } from '../links/link.js';
import type { Logger, Random } from '../runtime/components.js';
import { ReloadError } from '../runtime/reload-error.js';
import { replyHolding, type IncomingRequest, type Reply } from '../transport/index.js';
import { bytesEqual, toHex } from '../wire/codec/hex.js';
import type { NodeId } from '../wire/ids.js';
import type { AttachReqAns, IceCandidate } from '../wire/methods/attach.js';
import { attachFromIce, attachWithoutIce, iceFromAttach } from './ice-attach-fields.js';
import type { OneLinkPerPeer } from './one-link-per-peer.js';
import type { IceCapability, PeerNetwork } from './overlay-types.js';
import type { Crossing, OwnAttaches } from './own-attaches.js';

export interface AttachAnswererDeps {
  readonly self: NodeId;
  readonly random: Random;
  readonly forwarding: Pick<Forwarding, 'isUsable' | 'getLink'>;
  readonly network: PeerNetwork;
  readonly links: OneLinkPerPeer;
  readonly own: OwnAttaches;
  /** Our host candidate (networks without ICE). */
  readonly candidate: IceCandidate | undefined;
  /** The AttachService is closed: Attaches are answered, and no link is made. */
  readonly closed: () => boolean;
  readonly log: Logger;
}

const utf8 = new TextEncoder();

export class AttachAnswerer {
  private readonly updateListeners = new Set<(nodeId: NodeId) => void>();

  constructor(private readonly deps: AttachAnswererDeps) {}

  /** §6.4.2.3: `listener` is asked to send an Update to a requester whose Attach asked for one, once its link is up. */
  onUpdateRequested(listener: (nodeId: NodeId) => void): () => void {
    this.updateListeners.add(listener);
    return () => this.updateListeners.delete(listener);
  }

  /** §6.5.1.2 processing of a received Attach. */
  handle(req: IncomingRequest<'attach_req'>): Reply<'attach_ans'> | Promise<Reply<'attach_ans'>> {
    const { self, network, own } = this.deps;
    const requester = req.sender.nodeId;
    const ice = network.ice;
    if (bytesEqual(requester, self) || this.deps.closed()) {
      // An Attach routed to ourselves (e.g. §11.4's to our own Node-ID + 1 while alone): no link to make.
      return ice ? { value: { ufrag: utf8.encode('self'), password: utf8.encode('self'), role: utf8.encode('active'), candidates: [], sendUpdate: false } } : { value: this.hostAttach() };
    }
    // RFC 6940 §6.5.1.2: an Attach of ours to the requester is in progress (own-attaches.ts).
    const crossing = own.admit(requester, self);
    if (crossing === 'refuse') throw ReloadError.of('Error_In_Progress', 'an Attach to you is in progress');
    if (ice) {
      return this.handleIce(ice, req, crossing).catch((e: unknown) => {
        crossing.done(e);
        throw e;
      });
    }
    const address = candidateAddress(req.value);
    if (!address && !this.deps.forwarding.isUsable(requester)) {
      const e = ReloadError.of('Error_Invalid_Message', 'no candidate this peer can reach');
      crossing.done(e);
      throw e;
    }
    // We are "active": open the link to the requester (after this answer is on its way).
    void this.openTo(requester, address, req.value.sendUpdate, crossing);
    return { value: this.hostAttach() };
  }

  /** Our AttachAns without ICE (attachWithoutIce). */
  private hostAttach(): AttachReqAns {
    return attachWithoutIce(this.deps.random, this.deps.candidate, 'active', false);
  }

  /**
   * §6.5.1.2 over ICE: answer with our parameters; the link comes when the requester's checks and
   * DTLS succeed. `crossing` is told once that link is installed or cannot be (not when the answer
   * goes: ours waiting for this Attach's link keep waiting while it may still come).
   */
  private async handleIce(ice: IceCapability, req: IncomingRequest<'attach_req'>, crossing: Crossing): Promise<Reply<'attach_ans'>> {
    const { forwarding, links, log } = this.deps;
    const requester = req.sender.nodeId;
    const remote = iceFromAttach(req.value, req.extensions);
    if (!remote) throw ReloadError.of('Error_Invalid_Message', 'the Attach carries no DTLS fingerprint');
    const answer = await ice.answer(requester, remote);
    // The answer holds a peer connection (and its PeerConnectionBudget slot) until its channel
    // opens or the connect timeout is over, and only the requester, once it has this AttachAns,
    // can complete it: when the AttachAns cannot be built, or the transport does not send it
    // (Reply.unsent: too large for max_response_length, RFC 6940 §6.3.2, say), it is cancelled at once.
    let cancelled = false;
    const reply = replyHolding<'attach_ans'>(
      log,
      (reason) => {
        crossing.done(reason);
        cancelled = true;
        answer.cancel();
        log.debug('the AttachAns did not go; its ICE answer is cancelled', { peer: nodeIdKey(requester), error: String(reason) });
      },
      () => attachFromIce(answer.local, 'active', false),
    );
    let updated = false;
    const update = () => {
      // §6.4.2.3: send an Update "after completion of the corresponding ICE check and TLS connection".
      if (updated || !req.value.sendUpdate || !forwarding.isUsable(requester)) return;
      updated = true;
      this.requestUpdate(requester);
    };
    // A requester that has a link to us already uses it and lets this offer lapse (AttachService.attachIce):
    // the connection exists, so the Update goes now.
    update();
    void answer.link.then(
      (link: Link) => {
        // Told once installed (in the table, or retired while the held link is checked), before
        // the Update, whose listeners cannot change this Attach's outcome.
        try {
          links.install(requester, link, { iceKey: toHex(remote.ufrag) + toHex(remote.password) });
        } catch (e) {
          crossing.done(e);
          log.debug('the data channel an Attach asked for could not be installed', { peer: nodeIdKey(requester), error: String(e) });
          return;
        }
        crossing.done();
        update();
      },
      (e: unknown) => {
        crossing.done(e);
        // A cancelled answer's link fails because the cancel closed it: logged as cancelled above.
        if (!cancelled) log.debug('the data channel an Attach asked for did not open', { peer: nodeIdKey(requester), error: String(e) });
      },
    );
    return reply;
  }

  /** Without ICE: the link the requester's Attach asks for; `crossing` is told how it went. */
  private async openTo(requester: NodeId, address: string | undefined, sendUpdate: boolean, crossing: Crossing): Promise<void> {
    if (!(await this.linkTo(requester, address, crossing))) return;
    // §6.4.2.3: "it MUST send an Update message back to the sender of the Attach request after
    // completion of the corresponding ICE check and TLS connection".
    if (sendUpdate && this.deps.forwarding.isUsable(requester)) this.requestUpdate(requester);
  }

  /** openTo's link: whether it is in place; `crossing` is told, once the link is installed or failed. */
  private async linkTo(requester: NodeId, address: string | undefined, crossing: Crossing): Promise<boolean> {
    const { forwarding, network, links } = this.deps;
    try {
      // The requester may Attach over a link we hold: an Attach to a Resource-ID goes out whatever
      // links exist (finger search, the join's Attach to the admitting peer), and one to our
      // Node-ID when its end of the link stopped carrying frames. OUR CHOICE: the held link is
      // probed (link-check.ts) only when this end has reason to doubt it: not `open` here, a frame
      // of ours unacked, or nothing heard on it, for longer than a probe's wait. A link we doubt
      // and that stays silent is replaced (OneLinkPerPeer's rule 2 makes both ends agree on the new one).
      // A link broken only towards the requester while we send nothing on it escapes us here; the
      // requester's end finds it dead (§6.6.5) and a later Attach repairs it.
      const held = forwarding.isUsable(requester) ? forwarding.getLink(requester) : undefined;
      if (address && (!held || (!held.heardWithin(probeWaitMs(held)) && !(await carriesFrames(held))))) {
        const link = await network.linkFactory.open(address);
        const id = network.authenticate(link);
        if (!id || !bytesEqual(id, requester)) {
          link.close();
          throw new Error(`${address} is not bound to the Node-ID that sent the Attach`);
        }
        // Rule 2's verdict on `held` is in already.
        links.install(id, link, { outbound: true, silent: held });
      }
    } catch (e) {
      crossing.done(e);
      this.deps.log.debug('could not open the link an Attach asked for', { peer: nodeIdKey(requester), error: String(e) });
      return false;
    }
    crossing.done();
    return true;
  }

  /** The Update listeners (§6.4.2.3); one that throws is logged, the others still run. */
  private requestUpdate(requester: NodeId): void {
    for (const l of [...this.updateListeners]) {
      try {
        l(requester);
      } catch (e) {
        this.deps.log.warn('an Update listener threw', { peer: nodeIdKey(requester), error: String(e) });
      }
    }
  }
}

/** The first of the requester's candidates that is an address we can open a link to. */
function candidateAddress(a: AttachReqAns): string | undefined {
  for (const c of a.candidates) {
    const address = formatAddress(c.addrPort);
    if (address) return address;
  }
  return undefined;
}
