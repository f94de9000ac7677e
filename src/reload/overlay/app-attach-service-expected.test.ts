/**
 * The AppAttachService's rule for channels that come unbidden (an `app-N` data channel on a peer
 * connection we share, a link to our memory application address): RFC 7904 §5.1 sets the SIP
 * connection up with AppAttach (RFC 6940 §6.5.2), so such a channel is taken only while an
 * AppAttach from its Node-ID that we answered waits for it, one per AppAttach, for the lifetime
 * the network's answer gave (AppAttachAnswer.expectMs). The networks' own tests check it with
 * each of them (ice-app-channels-shared.test.ts, memory-app-channels.test.ts).
 */
import { describe, expect, it } from 'vitest';
import type { AppChannel, AppChannelNetwork } from '../links/app-channel.js';
import { ManualClock } from '../testing/manual-clock.js';
import type { NodeId } from '../wire/ids.js';
import { ApplicationId } from '../wire/methods/app-attach.js';
import { answeringAppAttachService } from './testing/answering-app-attach.js';

const SIP = ApplicationId.SIP;
const BOB = new Uint8Array(16).fill(2);
const MALLORY = new Uint8Array(16).fill(7);
const LIFETIME_MS = 30_000;
const FIELDS = { ufrag: new Uint8Array(1), password: new Uint8Array(1), candidates: [] };

/** A network whose answers expect a channel for `expectMs` (undefined: the channel comes on the answer's own connection). */
function network(expectMs: number | undefined) {
  let inbound: ((ch: AppChannel, unbidden: boolean) => void) | undefined;
  const net: AppChannelNetwork = {
    offer: () => Promise.reject(new Error('not used')),
    answer: async () => ({ local: FIELDS, cancel: () => {}, ...(expectMs === undefined ? {} : { expectMs }) }),
    open: () => Promise.reject(new Error('not used')),
    onInbound: (l) => void (inbound = l),
    close: () => {},
  };
  /** Play a channel from `from` coming in; true when the service kept it open. */
  const comes = (from: NodeId, unbidden: boolean): boolean => {
    let state: 'open' | 'closed' = 'open';
    const ch: AppChannel = { id: 'x', remoteNodeId: from, application: SIP, get state() { return state; }, send: () => true, onMessage: () => () => {}, onClose: () => () => {}, close: () => void (state = 'closed') };
    inbound!(ch, unbidden);
    return ch.state === 'open';
  };
  return { net, comes };
}

interface Row {
  readonly case: string;
  /** Expectation the network's answer gives (ms). */
  readonly expectMs?: number;
  /** AppAttaches from these Node-IDs answered (and sent), in order. */
  readonly answered: readonly NodeId[];
  /** The last AppAttachAns did not go (Reply.unsent). */
  readonly unsent?: boolean;
  /** Time passing before the channels come. */
  readonly waitMs?: number;
  /** Channels that come, unbidden unless said: [from, taken]. */
  readonly channels: readonly (readonly [NodeId, boolean, 'own connection'?])[];
}

const rows: Row[] = [
  { case: 'one channel is taken per AppAttach answered; a second is refused', expectMs: LIFETIME_MS, answered: [BOB], channels: [[BOB, true], [BOB, false]] },
  { case: 'none is taken when no AppAttach was answered', expectMs: LIFETIME_MS, answered: [], channels: [[BOB, false]] },
  { case: 'one from another Node-ID is refused, and leaves the answered one waiting', expectMs: LIFETIME_MS, answered: [BOB], channels: [[MALLORY, false], [BOB, true]] },
  { case: 'one just inside the lifetime is taken', expectMs: LIFETIME_MS, answered: [BOB], waitMs: LIFETIME_MS - 1, channels: [[BOB, true]] },
  { case: 'one after the lifetime is refused', expectMs: LIFETIME_MS, answered: [BOB], waitMs: LIFETIME_MS, channels: [[BOB, false]] },
  { case: 'an Infinity lifetime waits past any time', expectMs: Infinity, answered: [BOB], waitMs: 100 * LIFETIME_MS, channels: [[BOB, true]] },
  { case: 'one for an AppAttachAns that did not go is refused', expectMs: LIFETIME_MS, answered: [BOB], unsent: true, channels: [[BOB, false]] },
  { case: 'two AppAttaches answered from one peer wait as one (the newer replaces the older)', expectMs: LIFETIME_MS, answered: [BOB, BOB], channels: [[BOB, true], [BOB, false]] },
  { case: 'an answer on its own connection expects none: an unbidden one is refused, its own is taken', answered: [BOB], channels: [[BOB, false], [BOB, true, 'own connection']] },
];

describe('AppAttachService: unbidden channels only for an AppAttach answered (RFC 7904 §5.1)', () => {
  it.each(rows)('$case', async (row) => {
    const clock = new ManualClock();
    const { net, comes } = network(row.expectMs);
    const { appAttachFrom } = answeringAppAttachService(net, clock);
    for (const [i, from] of row.answered.entries()) {
      const reply = await appAttachFrom(from, FIELDS);
      if (row.unsent && i === row.answered.length - 1) reply.unsent?.(new Error('not sent'));
    }
    clock.advance(row.waitMs ?? 0);
    expect(row.channels.map(([from, , own]) => comes(from, own === undefined))).toEqual(row.channels.map(([, taken]) => taken));
  });
});
