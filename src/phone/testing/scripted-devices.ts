/**
 * OverlaySocket over a real overlay with scripted devices, for a whole test file: beforeAll builds
 * the overlay and alice's socket (what it passes up is kept in `up`), then `setup` registers the
 * devices; afterAll closes both. A device is a peer whose SIP channels record what came in, and
 * that answers as the test says (`respond`). The caller side is the socket itself, as JsSIP would
 * drive it.
 */
import { afterAll, beforeAll } from 'vitest';
import { systemClock } from '../../platform/system-clock.js';
import { webCryptoRandom } from '../../platform/web-crypto.js';
import type { AppChannel } from '../../reload/links/app-channel.js';
import { ApplicationId } from '../../reload/wire/methods/app-attach.js';
import { buildGruu, SipRegistrar } from '../../usages/sip/index.js';
import { buildSipOverlay, type SipOverlay, type SipOverlayPeer } from '../../usages/sip/testing/sip-overlay-fixture.js';
import { OverlaySocket } from '../overlay-socket.js';
import type { SipMessage } from '../sip-message.js';
import { parsed, sipRequest, sipResponse } from './sip-messages.js';

/** A scripted device: what it received, and the channel it came on. */
export interface Device {
  readonly peer: SipOverlayPeer;
  readonly got: { m: SipMessage; ch: AppChannel }[];
  readonly gruu: string;
}

export interface ScriptedDevices {
  readonly f: SipOverlay;
  readonly alice: SipOverlayPeer;
  /** Alice's socket, connected. */
  readonly socket: OverlaySocket;
  /** What alice's socket passed up to its UA. */
  readonly up: SipMessage[];
  /** A device of `name` (on a new peer when `fresh`), registered. */
  device(name: string, fresh?: boolean): Promise<Device>;
  /** The devices of `name` made so far, in order. */
  devices(name: string): Device[];
  /** Alice's request `method` (default INVITE) to `to` (From tag `atag`, CSeq 7, Contact her GRUU). */
  invite(to: string, branch: string, callId: string, method?: string): string;
  /** Device `d` answers request `req` (Contact its GRUU) on the channel it came on. */
  respond(d: Device, req: SipMessage, status: number, reason: string, tag: string): void;
  /** The responses to call `callId` that went up, as `status method`. */
  upStatuses(callId: string): string[];
}

/** Requests `method` device `d` received. */
export const received = (d: Device, method: string): SipMessage[] => d.got.filter((g) => g.m.kind === 'request' && g.m.method === method).map((g) => g.m);

/** The request `method` of call `callId` that device `d` received. */
export const receivedOf = (d: Device, method: string, callId: string): SipMessage[] => received(d, method).filter((m) => m.callId === callId);

/** `users` on a SIP overlay of `peers`, alice's socket, then `setup` (devices) within beforeAll. */
export function scriptedDevices(init: { readonly peers: number; readonly users: readonly string[] }, setup: (s: ScriptedDevices) => Promise<void>): ScriptedDevices {
  let built: { f: SipOverlay; alice: SipOverlayPeer; socket: OverlaySocket } | undefined;
  const up: SipMessage[] = [];
  const byName = new Map<string, Device[]>();
  const world = () => {
    if (!built) throw new Error('the overlay is built in beforeAll');
    return built;
  };
  const s: ScriptedDevices = {
    get f() {
      return world().f;
    },
    get alice() {
      return world().alice;
    },
    get socket() {
      return world().socket;
    },
    up,
    async device(name, fresh = false) {
      const { f } = world();
      const peer = fresh ? await f.addUser(name) : f.user(name);
      const d: Device = { peer, got: [], gruu: buildGruu(`sip:${name}@${f.domain}`, peer.nodeId) };
      peer.apps.onChannel(ApplicationId.SIP, (ch) => ch.onMessage((data) => d.got.push({ m: parsed(String(data)), ch })));
      await new SipRegistrar({ overlay: peer.peer, clock: systemClock }, { aor: `sip:${name}@${f.domain}` }).register();
      byName.set(name, [...(byName.get(name) ?? []), d]);
      return d;
    },
    devices: (name) => byName.get(name) ?? [],
    invite(to, branch, callId, method = 'INVITE') {
      const { f, alice } = world();
      const aor = `sip:alice@${f.domain}`;
      return sipRequest(method, to, { via: 'alice.invalid', from: aor, fromTag: 'atag', to, callId, cseq: 7, branch, contact: buildGruu(aor, alice.nodeId) });
    },
    respond(d, req, status, reason, tag) {
      const entry = d.got.find((g) => g.m === req);
      if (!entry) throw new Error(`${req.method} ${req.callId} did not reach this device`);
      entry.ch.send(sipResponse(req, status, tag, d.gruu, reason));
    },
    upStatuses: (callId) => up.filter((m) => m.callId === callId && m.kind === 'response').map((m) => `${m.status} ${m.method}`),
  };
  beforeAll(async () => {
    const f = await buildSipOverlay({ peers: init.peers, users: [...init.users] });
    const alice = f.user('alice');
    const socket = new OverlaySocket({ apps: alice.apps, overlay: alice.peer, clock: systemClock, random: webCryptoRandom }, { domain: f.domain });
    socket.ondata = (text) => up.push(parsed(text));
    socket.connect();
    built = { f, alice, socket };
    await setup(s);
  }, 60_000);
  afterAll(() => {
    built?.socket.close();
    built?.f.close();
  });
  return s;
}
