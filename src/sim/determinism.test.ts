/**
 * Issue 3: "seeded randomness (same seed, same result)". A simulated overlay whose signatures go
 * through real asynchronous work (as real X.509 identities do: WebCrypto on a thread pool, tracked
 * by the VirtualClock) must come out the same however the host schedules that work. Here each
 * signature and verification finishes after a few real macrotasks, a different number in each run
 * (standing in for a loaded machine's thread pool finishing them in another order), and the
 * fingerprint of the run (every peer's neighbour lists, the network's frame count, timers run)
 * must not change.
 */
import { describe, expect, it } from 'vitest';
import type { Signature } from '../reload/wire/security-block.js';
import { toHex } from '../reload/wire/codec/hex.js';
import { createChordOverlay, type ChordOverlay, type SimIdentity } from './chord-overlay.js';
import { FastSigner, FastVerifier } from './fast-signer.js';
import { SeededRandom } from './seeded-random.js';
import { VirtualClock } from './virtual-clock.js';

/** Resolve after `hops` real macrotasks (setImmediate), outside the job queue the clock drains. */
const realDelay = (hops: number): Promise<void> => (hops <= 0 ? Promise.resolve() : new Promise((r) => setImmediate(() => void realDelay(hops - 1).then(r))));

/** A fast identity whose operations finish after `delay()` real macrotasks, tracked by `clock`. */
function slowIdentity(clock: VirtualClock, index: number, delay: () => number): SimIdentity {
  const idRandom = new SeededRandom(1000 + index);
  const signer = new FastSigner(idRandom.bytes(16), `peer${index}@sim.chordphone.invalid`);
  const verifier = new FastVerifier();
  return {
    signer: {
      nodeId: signer.nodeId,
      userName: signer.userName,
      certificates: () => signer.certificates(),
      identity: () => signer.identity(),
      sign: (input) => clock.track(realDelay(delay()).then((): Signature => signer.sign(input))),
    },
    verifier: { verify: (input, signature, certificates, options) => clock.track(realDelay(delay()).then(() => verifier.verify(input, signature, certificates, options))) },
  };
}

function fingerprint(o: ChordOverlay): string {
  const lists = o.live().map((p) => {
    const s = p.peer.status();
    return `${p.address} ${s.predecessors.map(toHex).join(',')} | ${s.successors.map(toHex).join(',')}`;
  });
  return [`frames ${o.network.stats().frames}, timers ${o.clock.timersRun}`, ...lists.sort()].join('\n');
}

/** 24 peers joining 4 at a time, a third killed, 6 more joining, 90 s of repair. */
async function churnRun(delayPattern: (call: number) => number): Promise<string> {
  const clock = new VirtualClock();
  let call = 0;
  const delay = () => delayPattern(call++);
  const o = createChordOverlay({ seed: 33, clock, identity: (i) => slowIdentity(clock, i, delay) });
  await clock.run(o.addPeers(24, 4));
  await o.settle(5_000);
  const live = o.live();
  for (let k = 0; k < 8; k++) o.kill(live[o.random.int(live.length)]!);
  await clock.run(o.addPeers(6, 3));
  await o.settle(90_000);
  const f = fingerprint(o);
  o.close();
  return f;
}

describe('a simulated run does not depend on how the host schedules real asynchronous work', () => {
  it('same seed, same code: same neighbour lists, frames and timers whatever order tracked signatures finish in', async () => {
    const immediate = await churnRun(() => 0);
    const uneven = await churnRun((n) => (n * 7) % 4);
    const reversed = await churnRun((n) => 3 - ((n * 5) % 4));
    expect(immediate.split('\n').length).toBeGreaterThan(20);
    expect(uneven).toBe(immediate);
    expect(reversed).toBe(immediate);
  }, 120_000);
});
