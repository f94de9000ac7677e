/**
 * Alice's OverlaySocket over fake SIP channels (fake-sip-apps.ts), on a virtual clock, with the UA
 * played by the test as JsSIP would drive the socket: what goes up is in `up`, and helpers for the
 * calls each way.
 */
import { webCryptoRandom } from '../../platform/web-crypto.js';
import { ManualClock } from '../../reload/testing/manual-clock.js';
import { buildGruu } from '../../usages/sip/index.js';
import { OverlaySocket, type OverlaySocketDeps, type OverlaySocketInit } from '../overlay-socket.js';
import type { SipMessage } from '../sip-message.js';
import { TRANSACTION_LIFETIME_MS } from '../sip-timers.js';
import { fakeSipApps, type FakeSipPeer } from './fake-sip-apps.js';
import { parsed, sipRequest as request, sipResponse as answer } from './sip-messages.js';

/** The overlay's domain, and alice's Node-ID (RFC 7904 §3.4, §6). */
export const DOMAIN = 'chordphone.test';
export const SELF = new Uint8Array(16).fill(0xaa);
export const ALICE = `sip:alice@${DOMAIN}`;
export const ALICE_GRUU = buildGruu(ALICE, SELF);
/** 64*T1, JsSIP's Timer B and F (sip-timers.ts). */
export const LIFETIME_MS = TRANSACTION_LIFETIME_MS;

export type SocketWorld = ReturnType<typeof world>;

/** Alice's socket over fake channels, on a virtual clock. */
export function world(init: Partial<OverlaySocketInit> = {}) {
  const clock = new ManualClock();
  const { apps, peer, slowAttach } = fakeSipApps(DOMAIN);
  const overlay: OverlaySocketDeps['overlay'] = { nodeId: SELF, fetch: () => Promise.reject(new Error('no lookups in this test')) };
  const socket = new OverlaySocket({ apps, overlay, clock, random: webCryptoRandom }, { domain: DOMAIN, ...init });
  const up: SipMessage[] = [];
  socket.ondata = (text) => up.push(parsed(text));
  socket.connect();
  clock.advance(0);
  return { clock, socket, up, peer, slowAttach };
}

/** Let promise chains run (the socket's routing, JsSIP's session's offer and answer): rounds of setImmediate, not timers. */
export const flush = async (): Promise<void> => {
  for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
};

/** What went up to the UA, as 'METHOD' or 'status METHOD'. */
export const upLines = (up: SipMessage[]) => up.map((m) => (m.kind === 'request' ? m.method : `${m.status} ${m.method}`));

/** dave calls alice: the INVITE comes in on dave's channel; alice's UA answers 180 and, unless `ring`, 200 (tag `at`). */
export function incomingCall(w: SocketWorld, dave: FakeSipPeer, callId: string, ring = false): SipMessage {
  dave.ch.deliver(request('INVITE', ALICE_GRUU, { from: dave.aor, fromTag: 'dt', to: ALICE, callId, cseq: 1, branch: `z9hG4bK${callId}`, contact: dave.gruu }));
  const invite = w.up.find((m) => m.callId === callId && m.method === 'INVITE')!;
  w.socket.send(answer(invite, 180, 'at', ALICE_GRUU));
  if (!ring) w.socket.send(answer(invite, 200, 'at', ALICE_GRUU));
  return invite;
}

/** dave's request `method` within the dialog `callId` (dave's tag 'dt', alice's 'at'), delivered on its channel. */
export function daveSends(dave: FakeSipPeer, method: string, callId: string, cseq: number, headers: readonly (readonly [string, string])[] = []): void {
  dave.ch.deliver(request(method, ALICE_GRUU, { from: dave.aor, fromTag: 'dt', to: ALICE, toTag: 'at', callId, cseq, branch: `z9hG4bKd${callId}${cseq}`, contact: dave.gruu, headers }));
}

/**
 * alice's UA sends request `method` to `to`'s GRUU (alice's tag 'at'; within a dialog with `toTag`,
 * the peer's tag, e.g. 'dt'); once routed, what went out on `to`'s channel (undefined when nothing
 * did, as for a request still being routed, whatever the type says).
 */
export async function aliceSends(
  w: SocketWorld,
  to: FakeSipPeer,
  method: string,
  callId: string,
  cseq: number,
  more: { readonly toTag?: string; readonly headers?: readonly (readonly [string, string])[] } = {},
): Promise<SipMessage> {
  w.socket.send(request(method, to.gruu, { from: ALICE, fromTag: 'at', to: to.aor, callId, cseq, branch: `z9hG4bK${callId}${cseq}`, contact: ALICE_GRUU, ...more }));
  await flush();
  return to.ch.sent.find((m) => m.kind === 'request' && m.callId === callId && m.cseq === cseq)!;
}

/** alice calls `to` (a GRUU): the INVITE goes out on its channel. */
export function outgoingInvite(w: SocketWorld, to: FakeSipPeer, callId: string): Promise<SipMessage> {
  return aliceSends(w, to, 'INVITE', callId, 1);
}
