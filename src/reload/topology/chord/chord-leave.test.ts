/**
 * A peer's Leave (RFC 6940 §10.9, chord-topology.ts `leave`) while its own storage backend does not
 * answer: the hand-over of its data before the Leave is bounded, the Leave still goes out and the
 * peer closes. Against the simulator's composition (real Chord, storage and replication) on the
 * virtual clock.
 */
import { describe, expect, it } from 'vitest';
import { captureMessages } from '../../../sim/testing/capture-messages.js';
import { buildChordOverlay } from '../../../sim/chord-overlay.js';
import type { Logger } from '../../runtime/components.js';
import { createMemoryBackend, type StorageBackend } from '../../storage/index.js';
import { withMethods } from '../../storage/testing/with-methods.js';

const utf8 = new TextEncoder();

/** The warnings logged, with their fields (every peer shares the logger). */
function warnings(): { logger: Logger; lines: { message: string; fields?: Record<string, unknown> }[] } {
  const lines: { message: string; fields?: Record<string, unknown> }[] = [];
  const none = () => {};
  return { lines, logger: { debug: none, info: none, error: none, warn: (message, fields) => lines.push({ message, ...(fields ? { fields } : {}) }), debugEnabled: false } };
}

const LEAVER = 2;

/**
 * Six peers with twelve records stored and replicated; the third peer's reads (the hand-over's
 * listing and snapshots) never settle once `stick()` is called.
 */
async function overlayWithStuckLeaver() {
  let stuck = false;
  const never = new Promise<never>(() => {});
  const stuckable = (real: StorageBackend): StorageBackend =>
    withMethods(real, {
      resources: (query) => (stuck ? never : real.resources(query)),
      kinds: (id) => (stuck ? never : real.kinds(id)),
      kindState: (id, kind) => (stuck ? never : real.kindState(id, kind)),
      get: (id, kind, key) => (stuck ? never : real.get(id, kind, key)),
    });
  const { logger, lines } = warnings();
  const o = await buildChordOverlay({ peers: 6, seed: 41, logger, storage: (i) => (i === LEAVER ? stuckable(createMemoryBackend()) : createMemoryBackend()) });
  const names = Array.from({ length: 12 }, (_, i) => `held-${i}`);
  for (const [i, n] of names.entries()) expect((await o.clock.run(o.store(o.live()[i % o.live().length]!, n, utf8.encode(n)))).ok).toBe(true);
  await o.settle(2_000);
  const leaver = o.peers[LEAVER]!;
  const msgs = captureMessages(o);
  const stick = () => (stuck = true);
  /** The Leave went to its neighbours, the peer is gone, and every record is still found (§10.4). */
  const leftWithoutLoss = async () => {
    expect(msgs.filter((m) => m.from === leaver.address && m.name === 'leave_req').length).toBeGreaterThan(0);
    expect(leaver.finalState ?? leaver.peer.status().state).toBe('left');
    await o.settle(5_000);
    const from = o.live().find((p) => p !== leaver)!;
    for (const n of names) expect((await o.clock.run(o.fetch(from, n))).value).toEqual(utf8.encode(n));
  };
  const handOverWarnings = () => lines.filter((l) => l.message.startsWith('hand-over before leaving'));
  return { o, leaver, stick, leftWithoutLoss, handOverWarnings };
}

describe('leaving while the own storage backend never answers (RFC 6940 §10.9)', () => {
  it('the hand-over gives up on the virtual clock, the Leave is still sent, the peer closes, it is logged, and no record is lost', async () => {
    const { o, leaver, stick, leftWithoutLoss, handOverWarnings } = await overlayWithStuckLeaver();
    stick();
    await o.clock.run(o.leave(leaver), 60_000);
    expect(handOverWarnings().map((l) => [l.message, l.fields?.outcome, l.fields?.waitedMs])).toEqual([['hand-over before leaving timed out', 'timed out', 5_000]]);
    await leftWithoutLoss();
    o.close();
  }, 60_000);

  it("the caller's abort ends the wait for the hand-over at once, and the Leave is still sent", async () => {
    const { o, leaver, stick, leftWithoutLoss, handOverWarnings } = await overlayWithStuckLeaver();
    stick();
    const caller = new AbortController();
    o.clock.setTimer(1_000, () => caller.abort());
    const started = o.clock.now();
    await o.clock.run(leaver.peer.leave({ signal: caller.signal }), 60_000);
    // Said as it happened: the caller aborted, no 5 s were waited.
    expect(handOverWarnings().map((l) => [l.message, l.fields?.outcome, l.fields?.waitedMs])).toEqual([['hand-over before leaving cut short: the caller aborted', 'aborted', undefined]]);
    // Cut at the abort, not at the 5 s bound; and no wait for the LeaveAns after it.
    expect(o.clock.now() - started).toBe(1_000);
    await leftWithoutLoss();
    o.close();
  }, 60_000);

  it('with the caller\'s signal aborted up front, the Leaves are still sent and nothing is waited for', async () => {
    const { o, leaver, stick, leftWithoutLoss, handOverWarnings } = await overlayWithStuckLeaver();
    stick();
    const caller = new AbortController();
    caller.abort();
    const started = o.clock.now();
    await o.clock.run(leaver.peer.leave({ signal: caller.signal }), 60_000);
    expect(o.clock.now() - started).toBe(0);
    expect(handOverWarnings().map((l) => l.fields?.outcome)).toEqual(['aborted']);
    await leftWithoutLoss();
    o.close();
  }, 60_000);
});
