/**
 * RFC 6940 §7.4.2 Fetch, §7.4.3 Stat and §7.4.4 Find, answered from what this peer holds.
 */
import type { Hasher } from '../runtime/components.js';
import type { ResourceId } from '../wire/ids.js';
import { HashAlgorithm } from '../wire/security-block.js';
import { ARRAY_LAST_INDEX, type FetchAns, type FetchReq, type ModelSpecifier, type StoredDataSpecifier } from '../wire/storage/fetch.js';
import type { FindAns, FindReq } from '../wire/storage/find.js';
import type { MetaData, MetaDataValue, StatAns, StatReq, StoredMetaData } from '../wire/storage/stat.js';
import { dataValueOf, syntheticNonexistentSignature, type DataValue, type StoredData, type StoredDataValue } from '../wire/storage/stored-data.js';
import type { KindDefinition, KindTable } from './kind-table.js';
import type { ResponsibilityOracle } from './responsibility-oracle.js';
import { hexKey, ringFrom } from './ring-range.js';
import type { StorageBackend } from './storage-backend.js';
import { storageError, unknownKindError } from './storage-errors.js';
import type { StorageLimits } from './storage-limits.js';
import { recordKeyOf, recordKeyTag, type StoredRecord } from './stored-record.js';

export interface ReadEnvironment {
  readonly backend: StorageBackend;
  /** Milliseconds since 1970, the scale of StoredRecord's times (DataStoreDeps.epochClock). */
  readonly epochClock: () => number;
  readonly hasher: Pick<Hasher, 'sha256'>;
  readonly kinds: KindTable;
  readonly responsibility: Pick<ResponsibilityOracle, 'isResponsible'>;
  readonly limits: StorageLimits;
}

const EMPTY: DataValue = { exists: false, value: new Uint8Array(0) };

/** One answered value: a stored record, or the address of a synthesized non-existent one. */
type Selected = { readonly record: StoredRecord } | { readonly missing: StoredDataValue };

/** The Kinds of the specifiers, each known and specified in its own model. */
function checkSpecifiers(env: ReadEnvironment, specifiers: readonly StoredDataSpecifier[]): KindDefinition[] {
  // §7.4.2.1: "Implementations SHOULD reject requests corresponding to unknown Kinds"; §7.4.1.2 lists them all.
  const unknown = specifiers.filter((s) => !env.kinds.get(s.kind)).map((s) => s.kind);
  if (unknown.length > 0) throw unknownKindError(unknown);
  return specifiers.map((s) => {
    const def = env.kinds.get(s.kind) as KindDefinition;
    if (s.modelSpecifier.model !== def.dataModel) {
      throw storageError('Error_Invalid_Message', `a ${s.modelSpecifier.model} specifier for Kind 0x${s.kind.toString(16)}, whose data model is ${def.dataModel}`);
    }
    if (s.modelSpecifier.model === 'array') checkRanges(s.modelSpecifier.indices);
    return def;
  });
}

/** §7.4.2.1: "The first integer MUST be less than or equal to the second ... they MUST NOT overlap." */
function checkRanges(ranges: readonly { first: number; last: number }[]): void {
  const sorted = [...ranges].sort((a, b) => a.first - b.first);
  sorted.forEach((r, i) => {
    if (r.first > r.last) throw storageError('Error_Invalid_Message', `ArrayRange first ${r.first} is after last ${r.last}`);
    const prev = sorted[i - 1];
    if (prev && r.first <= prev.last) throw storageError('Error_Invalid_Message', `ArrayRanges [${prev.first}, ${prev.last}] and [${r.first}, ${r.last}] overlap`);
  });
}

/** The values a specifier selects among the live records (key order). */
function select(spec: ModelSpecifier, live: readonly StoredRecord[], budget: { left: number }): Selected[] {
  const take = (n: number) => {
    budget.left -= n;
    if (budget.left < 0) throw storageError('Error_Response_Too_Large', 'the answer would hold more values than this peer returns at once');
  };
  switch (spec.model) {
    case 'single': {
      take(1);
      const r = live[0];
      // §7.4.2.2: "A nonexistent value (i.e., one which the node has no knowledge of) is represented by a synthetic value".
      return [r ? { record: r } : { missing: { model: 'single', singleValueEntry: EMPTY } }];
    }
    case 'dictionary': {
      // §7.4.2.1: "If no keys are specified, then this is a wildcard fetch and all key-value pairs are returned."
      if (spec.keys.length === 0) {
        take(live.length);
        return live.map((record) => ({ record }));
      }
      take(spec.keys.length);
      const byKey = new Map(live.map((r) => [recordKeyTag(recordKeyOf(r.data.value)), r]));
      return spec.keys.map((key): Selected => {
        const r = byKey.get(recordKeyTag({ model: 'dictionary', key }));
        return r ? { record: r } : { missing: { model: 'dictionary', dictionaryEntry: { key, value: EMPTY } } };
      });
    }
    case 'array': {
      const byIndex = new Map<number, StoredRecord>();
      let final = -1;
      for (const r of live) {
        if (r.data.value.model !== 'array') continue;
        byIndex.set(r.data.value.arrayEntry.index, r);
        final = Math.max(final, r.data.value.arrayEntry.index);
      }
      const out: Selected[] = [];
      // The first index not yet answered: the ranges do not overlap as sent (checkRanges), but once
      // 0xffffffff names the final element they may (§7.4.2.1 "they MUST NOT overlap"): [0, 5] and
      // [0xffffffff, 0xffffffff] both hold an array's final index 3. Each index is answered once.
      let next = 0;
      for (const range of [...spec.indices].sort((a, b) => a.first - b.first)) {
        // §7.4.2.1: "0xffffffff is used to indicate the final element".
        const first = Math.max(next, range.first === ARRAY_LAST_INDEX ? final : range.first);
        const last = range.last === ARRAY_LAST_INDEX ? final : range.last;
        if (first < 0 || first > last) continue;
        next = last + 1;
        take(last - first + 1);
        for (let i = first; i <= last; i++) {
          const r = byIndex.get(i);
          // §7.2.2: arrays are sparse; a fetch of an index that holds nothing returns exists = False.
          out.push(r ? { record: r } : { missing: { model: 'array', arrayEntry: { index: i, value: EMPTY } } });
        }
      }
      return out;
    }
  }
}

/** Seconds a record has left (its lifetime counted from when it arrived, §7). */
function remainingLifetime(r: StoredRecord, now: number): number {
  return Math.max(0, Math.min(0xffffffff, Math.ceil((r.expiresAt - now) / 1000)));
}

interface KindAnswer {
  readonly kind: number;
  readonly generation: bigint;
  readonly selected: readonly Selected[];
}

async function answerSpecifiers(env: ReadEnvironment, resource: ResourceId, specifiers: readonly StoredDataSpecifier[]): Promise<KindAnswer[]> {
  checkSpecifiers(env, specifiers);
  const now = env.epochClock();
  const budget = { left: env.limits.maxFetchValues };
  const answers: KindAnswer[] = [];
  for (const spec of specifiers) {
    const state = await env.backend.kindState(resource, spec.kind);
    const live = state.records.filter((r) => r.expiresAt > now);
    // OUR CHOICE (the RFC is silent on a location whose values expired): it answers 0, "no data", not
    // its kept counter, so a fetcher holding that counter is sent the (synthesized) values: what it
    // saw is gone. The next Store still goes on from the kept counter (store-operation.ts).
    const generation = live.length > 0 ? state.generation : 0n;
    // §7.4.2.1: "If the generation counter in the request matches the stored counter, then the storing peer returns a response with no StoredData values."
    // A requester's 0 means "not set" (it "may be set to zero"), so it matches nothing.
    const unchanged = spec.generation !== 0n && spec.generation === generation;
    answers.push({ kind: spec.kind, generation, selected: unchanged ? [] : select(spec.modelSpecifier, live, budget) });
  }
  return answers;
}

/** RFC 6940 §7.4.2 Fetch, and the records answered. Lifetimes are what remains of each value's lifetime. */
export async function fetchValues(env: ReadEnvironment, req: FetchReq): Promise<{ answer: FetchAns; records: StoredRecord[] }> {
  const answers = await answerSpecifiers(env, req.resource, req.specifiers);
  const now = env.epochClock();
  const records = answers.flatMap((a) => a.selected.flatMap((s) => ('record' in s ? [s.record] : [])));
  const answer: FetchAns = {
    // §7.4.2.2: "There MUST be one FetchKindResponse element for each Kind-ID in the request."
    kindResponses: answers.map((a) => ({
      kind: a.kind,
      generation: a.generation,
      values: a.selected.map((s): StoredData =>
        'record' in s
          ? { ...s.record.data, lifetime: remainingLifetime(s.record, now) }
          : // §7.4.2.2: identity none, algorithm {0, 0}, empty signature (rfc6940-readings #12).
            { storageTime: 0n, lifetime: 0, value: s.missing, signature: syntheticNonexistentSignature() },
      ),
    })),
  };
  return { answer, records };
}

/** RFC 6940 §7.4.3.2 MetaData; the digest covers the value "including its 4 leading length bytes". */
async function metaData(hasher: Pick<Hasher, 'sha256'>, v: DataValue, synthetic: boolean): Promise<MetaData> {
  if (synthetic) return { exists: false, valueLength: 0, hashAlgorithm: HashAlgorithm.none, hashValue: new Uint8Array(0) };
  const input = new Uint8Array(4 + v.value.length);
  new DataView(input.buffer).setUint32(0, v.value.length);
  input.set(v.value, 4);
  return { exists: v.exists, valueLength: v.value.length, hashAlgorithm: HashAlgorithm.sha256, hashValue: await hasher.sha256(input) };
}

async function storedMetaData(hasher: Pick<Hasher, 'sha256'>, s: Selected, now: number): Promise<StoredMetaData> {
  const value = 'record' in s ? s.record.data.value : s.missing;
  const meta = await metaData(hasher, dataValueOf(value), !('record' in s));
  const metadata: MetaDataValue =
    value.model === 'single'
      ? { model: 'single', singleValueEntry: meta }
      : value.model === 'array'
        ? { model: 'array', arrayEntry: { index: value.arrayEntry.index, value: meta } }
        : { model: 'dictionary', dictionaryEntry: { key: value.dictionaryEntry.key, value: meta } };
  return 'record' in s
    ? { storageTime: s.record.data.storageTime, lifetime: remainingLifetime(s.record, now), metadata }
    : { storageTime: 0n, lifetime: 0, metadata };
}

/** RFC 6940 §7.4.3 Stat: what Fetch would return, as metadata with SHA-256 digests. */
export async function statValues(env: ReadEnvironment, req: StatReq): Promise<StatAns> {
  const answers = await answerSpecifiers(env, req.resource, req.specifiers);
  const now = env.epochClock();
  return {
    kindResponses: await Promise.all(
      answers.map(async (a) => ({ kind: a.kind, generation: a.generation, values: await Promise.all(a.selected.map((s) => storedMetaData(env.hasher, s, now))) })),
    ),
  };
}

/**
 * RFC 6940 §7.4.4 Find: per Kind, the Resource-ID this peer holds live values of that is closest
 * to the requested one going clockwise, the requested id included ("walk the Overlay Instance by
 * iteratively fetching R_n+1=nearest(1 + R_n)"), wrapping round the ring; "0" (all-zero bytes of
 * the requested id's length) when there is none or the Kind is unknown.
 */
export async function findResources(env: ReadEnvironment, req: FindReq): Promise<FindAns> {
  // §7.4.4.1: "Each value MUST appear only once. Otherwise, the request MUST be rejected with an error."
  const seen = new Set<number>();
  for (const k of req.kinds) {
    if (seen.has(k)) throw storageError('Error_Invalid_Message', `Kind 0x${k.toString(16)} appears twice in the FindReq`);
    seen.add(k);
  }
  // §7.4.4.2: "If the processing peer is not responsible for the specified Resource-ID, it SHOULD return an Error_Not_Found error code."
  if (!env.responsibility.isResponsible(req.resource)) throw storageError('Error_Not_Found', `this peer is not responsible for ${hexKey(req.resource)}`);
  const now = env.epochClock();
  const zero = new Uint8Array(req.resource.length);
  const results = await Promise.all(
    req.kinds.map(async (kind) => {
      if (!env.kinds.get(kind)) return { kind, closest: zero };
      const [closest] = await env.backend.resources({ range: ringFrom(req.resource), kind, aliveAt: now, limit: 1 });
      return { kind, closest: closest ?? zero };
    }),
  );
  return { results };
}
