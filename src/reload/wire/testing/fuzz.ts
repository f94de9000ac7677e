/**
 * A seeded mutation fuzzer for the wire decoders (style.md §8: "mutated bytes raise only
 * DecodeError"). Pure and deterministic: its own PRNG (mulberry32), no Math.random, no clock
 * unless one is passed in for timing. The RELOAD targets and their corpora are in
 * `fuzz-targets.ts`; failing inputs are kept in `fuzz-fixtures.ts`.
 *
 * Each input is a valid corpus entry with 1..5 mutations: bit flips, byte replacement, truncation
 * (at random points, inside and right after length prefixes, at region ends), insertion and
 * duplication of bytes, deletion, splicing two entries, enum fields set to other known values, and
 * length fields pushed to extremes (0, 1, max, max-1, ±1, the bytes that remain) both at the
 * known length offsets of the entry and at random 1..4-byte windows. After an insertion or
 * deletion the enclosing known length fields are often fixed up, so that the outer checks pass
 * and the mutation reaches the decoders inside.
 *
 * An input passes when the target decodes it, or throws DecodeError (or a subclass). Anything
 * else thrown is a failure, and so is a decoded value larger than the allocation bound.
 */
import { DecodeError } from '../codec/decode-error.js';
import { toHex } from '../codec/hex.js';

// ---------------------------------------------------------------- PRNG

/** mulberry32: a small seeded 32-bit PRNG (deterministic across platforms). */
export class FuzzRandom {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0;
  }
  /** Next uint32. */
  u32(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }
  /** Integer in 0..n-1 (n ≥ 1). */
  int(n: number): number {
    return n <= 1 ? 0 : Math.floor((this.u32() / 0x100000000) * n);
  }
  /** Integer in lo..hi inclusive. */
  range(lo: number, hi: number): number {
    return lo + this.int(hi - lo + 1);
  }
  chance(p: number): boolean {
    return this.u32() / 0x100000000 < p;
  }
  pick<T>(items: readonly T[]): T {
    const v = items[this.int(items.length)];
    if (v === undefined) throw new Error('pick from an empty list');
    return v;
  }
}

// ---------------------------------------------------------------- targets

/** Byte width of an integer field. */
export type FieldWidth = 1 | 2 | 3 | 4;

/**
 * Where an entry has a known field worth aiming at:
 * - `length`: a big-endian length whose value is `end - start` (a vector prefix has
 *   `start = offset + width`; the forwarding header's `length` has `start` = the message start);
 * - `enum`: a code field with meaningful alternative `values` (message_code, extension type).
 */
export type FieldHint =
  | { readonly kind: 'length'; readonly offset: number; readonly width: FieldWidth; readonly start: number; readonly end: number }
  | { readonly kind: 'enum'; readonly offset: number; readonly width: FieldWidth; readonly values: readonly number[] };

/** One valid input and its known fields. */
export interface CorpusEntry {
  readonly bytes: Uint8Array;
  readonly fields?: readonly FieldHint[];
}

/** A decoder under test. */
export interface FuzzTarget {
  readonly name: string;
  /** Relative share of the inputs (default 1). */
  readonly weight?: number;
  readonly corpus: readonly CorpusEntry[];
  /**
   * Decode `input`. Returns the decoded values, each checked separately against the allocation
   * bound; throws DecodeError to reject the input.
   */
  run(input: Uint8Array): readonly unknown[];
}

// ---------------------------------------------------------------- allocation bound

/** Constant allowance of the allocation bound (small fixed-size structures, empty lists). */
export const ALLOCATION_SLACK = 64;

/** Union tags of the wire types (`kind`, `model`, `name`, `status`): constant strings, not decoded data. */
const DISCRIMINANTS = new Set(['kind', 'model', 'name', 'status']);

/**
 * What a decoded value holds that grows with the input: bytes of every Uint8Array, characters of
 * every decoded string (union tags excluded), and one per array element (numbers, bigints and
 * booleans count 0).
 */
export function decodedSize(value: unknown): number {
  if (value instanceof Uint8Array) return value.byteLength;
  if (typeof value === 'string') return value.length;
  if (Array.isArray(value)) {
    let n = value.length;
    for (const v of value) n += decodedSize(v);
    return n;
  }
  if (value !== null && typeof value === 'object') {
    let n = 0;
    for (const [k, v] of Object.entries(value)) if (!(typeof v === 'string' && DISCRIMINANTS.has(k))) n += decodedSize(v);
    return n;
  }
  return 0;
}

/**
 * The allocation bound for an input of `n` bytes: n plus one per 16 bytes (a list of 16-byte
 * Node-IDs has no per-element prefix, so each element adds one array slot for 16 input bytes)
 * plus ALLOCATION_SLACK. A length field that made a decoder allocate beyond its input breaks it.
 */
export function allocationBound(n: number): number {
  return n + Math.ceil(n / 16) + ALLOCATION_SLACK;
}

/** How one input fared. */
export type FuzzOutcome =
  | { readonly result: 'ok' }
  | { readonly result: 'rejected'; readonly structure: string; readonly error: DecodeError }
  | { readonly result: 'failure'; readonly error: string };

/** Run one input through a target and classify the result. */
export function checkInput(target: FuzzTarget, input: Uint8Array): FuzzOutcome {
  let values: readonly unknown[];
  try {
    values = target.run(input);
  } catch (e) {
    if (e instanceof DecodeError) return { result: 'rejected', structure: e.structure, error: e };
    const error = e instanceof Error ? `${e.name}: ${e.message}` : `non-Error thrown: ${String(e)}`;
    return { result: 'failure', error };
  }
  const bound = allocationBound(input.length);
  for (const v of values) {
    const size = decodedSize(v);
    if (size > bound) return { result: 'failure', error: `allocation: decoded value holds ${size} (bytes + array elements) for a ${input.length}-byte input (bound ${bound})` };
  }
  return { result: 'ok' };
}

// ---------------------------------------------------------------- mutations

interface Work {
  bytes: Uint8Array;
  fields: FieldHint[];
}

const MAX_FOR_WIDTH: Record<FieldWidth, number> = { 1: 0xff, 2: 0xffff, 3: 0xffffff, 4: 0xffffffff };
const INTERESTING_BYTES = [0x00, 0x01, 0x02, 0x03, 0x7f, 0x80, 0x81, 0xfe, 0xff];

function readBE(b: Uint8Array, at: number, width: FieldWidth): number {
  let v = 0;
  for (let i = 0; i < width; i++) v = v * 256 + (b[at + i] ?? 0);
  return v;
}

function writeBE(b: Uint8Array, at: number, width: FieldWidth, value: number): void {
  let v = value;
  for (let i = width - 1; i >= 0; i--) {
    if (at + i < b.length) b[at + i] = v % 256;
    v = Math.floor(v / 256);
  }
}

/** Replace `del` bytes at `pos` by `ins`, keeping hints in place and fixing up enclosing lengths (`fix`). */
function edit(w: Work, rng: FuzzRandom, pos: number, del: number, ins: Uint8Array): void {
  const delta = ins.length - del;
  const out = new Uint8Array(w.bytes.length + delta);
  out.set(w.bytes.subarray(0, pos));
  out.set(ins, pos);
  out.set(w.bytes.subarray(pos + del), pos + ins.length);
  const fixMode = rng.int(10); // 0..2 none, 3..7 all enclosing, 8..9 each with probability 1/2
  const fields: FieldHint[] = [];
  for (const f of w.fields) {
    if (f.offset + f.width > pos && f.offset < pos + del) continue; // the field itself was cut
    const offset = f.offset >= pos + del ? f.offset + delta : f.offset;
    if (f.kind === 'enum') {
      fields.push({ ...f, offset });
      continue;
    }
    const start = f.start >= pos + del ? f.start + delta : f.start;
    const encloses = f.start <= pos && pos + del <= f.end;
    const end = encloses || f.end >= pos + del ? f.end + delta : Math.min(f.end, pos);
    const moved = { ...f, offset, start, end };
    fields.push(moved);
    if (encloses && fixMode >= 3 && (fixMode <= 7 || rng.chance(0.5)) && end - start >= 0 && end - start <= MAX_FOR_WIDTH[f.width]) {
      writeBE(out, offset, f.width, end - start);
    }
  }
  w.bytes = out;
  w.fields = fields;
}

function randomBytes(rng: FuzzRandom, n: number): Uint8Array {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = rng.chance(0.3) ? rng.pick(INTERESTING_BYTES) : rng.int(256);
  return b;
}

/** A position worth cutting or inserting at: random, or at/inside/after a known field. */
function interestingPosition(w: Work, rng: FuzzRandom): number {
  const len = w.bytes.length;
  const f = w.fields.length > 0 && rng.chance(0.6) ? rng.pick(w.fields) : undefined;
  if (!f) return rng.chance(0.2) ? rng.int(Math.min(len, 48) + 1) : rng.int(len + 1);
  const choices = [f.offset, f.offset + rng.int(f.width), f.offset + f.width];
  if (f.kind === 'length') choices.push(f.end, f.end - 1, f.start + rng.int(Math.max(1, f.end - f.start)));
  return Math.max(0, Math.min(len, rng.pick(choices)));
}

function extremeValues(rng: FuzzRandom, width: FieldWidth, current: number, remaining: number): number[] {
  const max = MAX_FOR_WIDTH[width];
  return [0, 1, max, max - 1, current + 1, current - 1, remaining, remaining + 1, remaining - 1, Math.floor(max / 2) + 1, rng.int(max + 1), current * 2]
    .map((v) => Math.max(0, Math.min(max, v)));
}

type Mutation = (w: Work, rng: FuzzRandom, other: () => CorpusEntry) => string;

const MUTATIONS: readonly (readonly [number, Mutation])[] = [
  [3, (w, rng) => {
    const n = rng.range(1, 4);
    for (let i = 0; i < n && w.bytes.length > 0; i++) {
      const at = rng.int(w.bytes.length);
      w.bytes[at] = (w.bytes[at] ?? 0) ^ (1 << rng.int(8));
    }
    return 'bitflip';
  }],
  [3, (w, rng) => {
    const n = rng.range(1, 4);
    for (let i = 0; i < n && w.bytes.length > 0; i++) w.bytes[rng.int(w.bytes.length)] = rng.chance(0.5) ? rng.pick(INTERESTING_BYTES) : rng.int(256);
    return 'byte';
  }],
  [3, (w, rng) => {
    const at = rng.chance(0.1) ? Math.max(0, w.bytes.length - 1) : interestingPosition(w, rng);
    edit(w, rng, at, w.bytes.length - at, new Uint8Array(0));
    return `truncate@${at}`;
  }],
  [2, (w, rng) => {
    const at = interestingPosition(w, rng);
    edit(w, rng, at, 0, randomBytes(rng, rng.chance(0.5) ? 1 : rng.range(2, 16)));
    return `insert@${at}`;
  }],
  [2, (w, rng) => {
    if (w.bytes.length === 0) return 'duplicate(none)';
    const from = rng.int(w.bytes.length);
    const n = Math.min(w.bytes.length - from, rng.chance(0.5) ? rng.range(1, 4) : rng.range(1, 64));
    const at = rng.chance(0.5) ? from + n : interestingPosition(w, rng);
    edit(w, rng, at, 0, w.bytes.slice(from, from + n));
    return `duplicate@${at}`;
  }],
  [2, (w, rng) => {
    const at = interestingPosition(w, rng);
    edit(w, rng, at, Math.min(w.bytes.length - at, rng.chance(0.5) ? 1 : rng.range(2, 32)), new Uint8Array(0));
    return `delete@${at}`;
  }],
  [5, (w, rng) => {
    const known = w.fields.filter((f): f is Extract<FieldHint, { kind: 'length' }> => f.kind === 'length');
    const f = known.length > 0 && rng.chance(0.6) ? rng.pick(known) : undefined;
    const width = f ? f.width : (rng.range(1, 4) as FieldWidth);
    const at = f ? f.offset : rng.int(Math.max(1, w.bytes.length - width + 1));
    if (at + width > w.bytes.length) return 'length(none)';
    const remaining = w.bytes.length - (f ? f.start : at + width);
    const value = rng.pick(extremeValues(rng, width, readBE(w.bytes, at, width), remaining));
    writeBE(w.bytes, at, width, value);
    return `length${f ? '' : '?'}@${at}/${width}=${value}`;
  }],
  [1, (w, rng) => {
    const enums = w.fields.filter((f): f is Extract<FieldHint, { kind: 'enum' }> => f.kind === 'enum');
    if (enums.length === 0) return 'enum(none)';
    const f = rng.pick(enums);
    const value = rng.chance(0.8) ? rng.pick(f.values) : rng.int(MAX_FOR_WIDTH[f.width] + 1);
    writeBE(w.bytes, f.offset, f.width, value);
    return `enum@${f.offset}=${value}`;
  }],
  [1, (w, rng, other) => {
    const b = other().bytes;
    const at = rng.int(w.bytes.length + 1);
    const from = rng.int(b.length + 1);
    const tail = b.slice(from);
    w.fields = w.fields.filter((f) => f.offset + f.width <= at);
    const out = new Uint8Array(at + tail.length);
    out.set(w.bytes.subarray(0, at));
    out.set(tail, at);
    w.bytes = out;
    return `splice@${at}`;
  }],
];

const MUTATION_TOTAL = MUTATIONS.reduce((s, [weight]) => s + weight, 0);

function pickMutation(rng: FuzzRandom): Mutation {
  let x = rng.int(MUTATION_TOTAL);
  for (const [weight, m] of MUTATIONS) {
    if (x < weight) return m;
    x -= weight;
  }
  return MUTATIONS[0]![1];
}

/** Mutate a copy of `entry` (1..5 mutations); returns the bytes and the names of the mutations. */
export function mutate(entry: CorpusEntry, rng: FuzzRandom, other: () => CorpusEntry): { bytes: Uint8Array; mutations: string[] } {
  const w: Work = { bytes: entry.bytes.slice(), fields: [...(entry.fields ?? [])] };
  const r = rng.int(20);
  const count = r < 12 ? 1 : r < 17 ? 2 : rng.range(3, 5);
  const mutations: string[] = [];
  for (let i = 0; i < count; i++) mutations.push(pickMutation(rng)(w, rng, other));
  return { bytes: w.bytes, mutations };
}

// ---------------------------------------------------------------- runner

/** Options for `runFuzz`. */
export interface FuzzOptions {
  readonly seed: number;
  /** Number of mutated inputs. */
  readonly count: number;
  /** Clock in ms (e.g. `performance.now`) for the time per input; without it times are 0. */
  readonly now?: () => number;
  /** Failures whose input is kept in the report (default 5). */
  readonly keepFailures?: number;
}

/** A failing input. */
export interface FuzzFailure {
  readonly target: string;
  readonly hex: string;
  readonly error: string;
  readonly mutations: readonly string[];
}

/** Counts of one target (or all). */
export interface FuzzCounts {
  total: number;
  ok: number;
  rejected: number;
  failures: number;
}

export interface FuzzReport extends FuzzCounts {
  readonly byTarget: Readonly<Record<string, FuzzCounts>>;
  /** DecodeErrors by structure name, most frequent first (top 10). */
  readonly rejectedByStructure: readonly (readonly [string, number])[];
  readonly failureSamples: readonly FuzzFailure[];
  readonly maxMs: number;
  /** The input that took longest (only with a clock). */
  readonly slowest?: { readonly target: string; readonly hex: string; readonly ms: number };
  readonly meanMs: number;
  /** Total time spent in the targets (ms). */
  readonly totalMs: number;
}

/** Run `count` mutated inputs over the targets (weighted), deterministically for `seed`. */
export function runFuzz(targets: readonly FuzzTarget[], options: FuzzOptions): FuzzReport {
  const rng = new FuzzRandom(options.seed);
  const keep = options.keepFailures ?? 5;
  const live = targets.filter((t) => t.corpus.length > 0);
  const weights = live.map((t) => t.weight ?? 1);
  const weightTotal = weights.reduce((a, b) => a + b, 0);
  const all: FuzzCounts = { total: 0, ok: 0, rejected: 0, failures: 0 };
  const byTarget: Record<string, FuzzCounts> = {};
  for (const t of live) byTarget[t.name] = { total: 0, ok: 0, rejected: 0, failures: 0 };
  const structures = new Map<string, number>();
  const failureSamples: FuzzFailure[] = [];
  let maxMs = 0;
  let totalMs = 0;
  let slowest: { target: string; bytes: Uint8Array; ms: number } | undefined;
  for (let i = 0; i < options.count; i++) {
    let x = rng.u32() / 0x100000000 * weightTotal;
    let ti = 0;
    while (ti < live.length - 1 && x >= (weights[ti] ?? 0)) x -= weights[ti++] ?? 0;
    const target = live[ti]!;
    const entry = target.corpus[rng.int(target.corpus.length)]!;
    const { bytes, mutations } = mutate(entry, rng, () => target.corpus[rng.int(target.corpus.length)]!);
    const t0 = options.now?.() ?? 0;
    const outcome = checkInput(target, bytes);
    const ms = (options.now?.() ?? 0) - t0;
    totalMs += ms;
    if (ms > maxMs) {
      maxMs = ms;
      slowest = { target: target.name, bytes, ms };
    }
    const counts = byTarget[target.name]!;
    all.total++;
    counts.total++;
    if (outcome.result === 'ok') {
      all.ok++;
      counts.ok++;
    } else if (outcome.result === 'rejected') {
      all.rejected++;
      counts.rejected++;
      structures.set(outcome.structure, (structures.get(outcome.structure) ?? 0) + 1);
    } else {
      all.failures++;
      counts.failures++;
      if (failureSamples.length < keep) failureSamples.push({ target: target.name, hex: toHex(bytes), error: outcome.error, mutations });
    }
  }
  const rejectedByStructure = [...structures].sort((a, b) => b[1] - a[1]).slice(0, 10);
  const meanMs = all.total ? totalMs / all.total : 0;
  const slow = slowest ? { slowest: { target: slowest.target, hex: toHex(slowest.bytes), ms: slowest.ms } } : {};
  return { ...all, byTarget, rejectedByStructure, failureSamples, maxMs, ...slow, meanMs, totalMs };
}

/** One line for logs: counts, top rejecting structures and times. */
export function formatFuzzReport(r: FuzzReport): string {
  const top = r.rejectedByStructure.map(([s, n]) => `${s}:${n}`).join(' ');
  return (
    `fuzz: ${r.total} inputs, ${r.ok} decoded, ${r.rejected} rejected (DecodeError), ${r.failures} failures; ` +
    `per input mean ${(r.meanMs * 1000).toFixed(1)} µs, max ${r.maxMs.toFixed(2)} ms${r.slowest ? ` (${r.slowest.target})` : ''}; top rejections: ${top}`
  );
}
