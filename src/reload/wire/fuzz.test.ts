/**
 * Mutation fuzz of the wire decoders (style.md §8): every mutated input either decodes or raises
 * DecodeError, and nothing decoded exceeds the allocation bound. Deterministic: fixed seeds.
 * `npm run bench:fuzz` runs the same fuzzer for 1,000,000 inputs.
 */
import { describe, expect, it } from 'vitest';
import { DecodeError } from './codec/decode-error.js';
import { fromHex } from './codec/hex.js';
import { FUZZ_FIXTURES } from './testing/fuzz-fixtures.js';
import { checkInput, FuzzRandom, formatFuzzReport, mutate, runFuzz, type FuzzTarget } from './testing/fuzz.js';
import { reloadFuzzTargets, splitFragments } from './testing/fuzz-targets.js';
import { sampleMessages } from './testing/message-samples.js';

const SEED = 0x5eed;
const INPUTS = 100_000;
const targets = reloadFuzzTargets(sampleMessages(SEED), { seed: SEED });
const target = (name: string): FuzzTarget => {
  const t = targets.find((x) => x.name === name);
  if (!t) throw new Error(`no target ${name}`);
  return t;
};

describe('fuzz: kept fixtures', () => {
  it.each(FUZZ_FIXTURES.map((f) => [f.target, f.note, f.hex] as const))('%s: %s', (name, _note, hex) => {
    const bytes = fromHex(hex);
    expect(bytes).toBeDefined();
    expect(checkInput(target(name), bytes ?? new Uint8Array(0))).not.toMatchObject({ result: 'failure' });
  });
});

describe('fuzz: corpus', () => {
  it('every target has a corpus whose entries decode', () => {
    for (const t of targets) {
      expect(t.corpus.length, t.name).toBeGreaterThan(0);
      for (const e of t.corpus) expect(checkInput(t, e.bytes), t.name).toEqual({ result: 'ok' });
    }
  });

  it('reassembler inputs split back into their fragments', () => {
    for (const e of target('reassembler').corpus) expect(splitFragments(e.bytes).length).toBeGreaterThan(1);
  });

  it('every truncation of every message and body is rejected with DecodeError', () => {
    let n = 0;
    for (const t of [target('reload-message'), target('message-body')]) {
      for (const e of t.corpus) {
        for (let cut = 0; cut < e.bytes.length; cut++) {
          const outcome = checkInput(t, e.bytes.subarray(0, cut));
          // A body may legitimately end early only for codes with an empty/optional tail; it must never fail.
          expect(outcome.result, `${t.name} cut at ${cut}`).not.toBe('failure');
          if (t.name === 'reload-message') expect(outcome.result).toBe('rejected');
          n++;
        }
      }
    }
    expect(n).toBeGreaterThan(10_000);
  });
});

describe('fuzz: the fuzzer', () => {
  it('is deterministic for a seed', () => {
    const a = runFuzz(targets, { seed: 7, count: 2000 });
    const b = runFuzz(targets, { seed: 7, count: 2000 });
    expect(a).toEqual(b);
  });

  it('reports other exceptions and over-allocation as failures, with the input', () => {
    const bad: FuzzTarget = {
      name: 'bad',
      corpus: [{ bytes: new Uint8Array([1, 2, 3, 4]) }],
      run: (input) => {
        if (input[0] === 1) throw new DecodeError({ path: 'X', structure: 'X', field: 'x', offset: 0, reason: 'no' });
        if (input.length > 4) return [new Uint8Array(10_000)];
        throw new TypeError('boom');
      },
    };
    const r = runFuzz([bad], { seed: 1, count: 500, keepFailures: 3 });
    expect(r.failures).toBeGreaterThan(0);
    expect(r.rejected).toBeGreaterThan(0);
    expect(r.failureSamples).toHaveLength(3);
    expect(r.failureSamples.map((f) => f.error).join('\n')).toMatch(/TypeError: boom|allocation/);
    expect(r.rejectedByStructure[0]?.[0]).toBe('X');
  });

  it('mutates copies, never the corpus', () => {
    const e = target('reload-message').corpus[0]!;
    const before = e.bytes.slice();
    const rng = new FuzzRandom(3);
    for (let i = 0; i < 200; i++) mutate(e, rng, () => e);
    expect(e.bytes).toEqual(before);
  });
});

describe('fuzz: mutated inputs', () => {
  it(`${INPUTS.toLocaleString('en')} mutated inputs decode or raise only DecodeError`, () => {
    const report = runFuzz(targets, { seed: SEED, count: INPUTS, now: () => performance.now() });
    console.log(formatFuzzReport(report));
    for (const f of report.failureSamples) console.log(`FAILURE ${f.target} [${f.mutations.join(', ')}] ${f.error}\n  ${f.hex}`);
    expect(report.failures).toBe(0);
    expect(report.total).toBe(INPUTS);
    expect(report.ok).toBeGreaterThan(0);
    expect(report.rejected).toBeGreaterThan(0);
    for (const [name, c] of Object.entries(report.byTarget)) {
      expect(c.ok, name).toBeGreaterThan(0);
      expect(c.rejected, name).toBeGreaterThan(0);
    }
  });
});
