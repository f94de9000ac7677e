/**
 * RFC 6940 §7.4.1 Store, the checks and their order:
 *   1. shape: each Kind once (§7.4.1.1), all Kinds known (Error_Unknown_Kind listing all,
 *      §7.4.1.2), values in the Kind's data model, replica stores with nonzero generation;
 *      no {0,0} / identity-none signature (Error_Forbidden); max-size and max-count as far as
 *      the request alone shows (Error_Data_Too_Large);
 *   2. responsibility (§7.4.1.1): original stores only at the responsible peer, replica stores
 *      only from a plausible peer;
 *   3. every StoredData signature verified (Error_Forbidden), its signer authorized by the
 *      Kind's policy and, for original stores, the StoreReq's signer too (§7.3), and the value
 *      passing the usage's KindRules (RFC 7904 §3.3 AoR namespaces);
 *   4. under the Resource-ID's lock, against what is stored: generation counter (original
 *      stores), storage_time (Error_Data_Too_Old), max-count, per-user and total limits;
 *   5. one atomic backend write, generation counters increased (original) or copied (replica),
 *      with the certificates that verified the values (§6.3.4, held-certificates.ts), refused if
 *      they would take more than StorageLimits.maxCertificateBytes (checked by the write).
 */
import type { AbortOptions, Hasher } from '../runtime/components.js';
import { ReloadError } from '../runtime/reload-error.js';
import type { Verifier, VerifiedSigner } from '../security/signer.js';
import { encodeWith } from '../wire/codec/writer.js';
import type { ResourceId } from '../wire/ids.js';
import { ErrorCode } from '../wire/message-codes.js';
import { SignatureAlgorithm, SignerIdentityType, writeSignature, type GenericCertificate, type Signature } from '../wire/security-block.js';
import { storedDataSignatureInput } from '../wire/storage/stored-data-signature-input.js';
import { ARRAY_APPEND_INDEX, dataValueOf, writeStoredDataValue, type StoredData } from '../wire/storage/stored-data.js';
import type { StoreAns, StoreKindData, StoreReq } from '../wire/storage/store.js';
import { kindRuleRefusal, memoizedHash, type AccessPolicy, type KindRule } from './access-control.js';
import { certificateHasher, type HeldCertificate } from './held-certificates.js';
import type { KindDefinition, KindTable } from './kind-table.js';
import type { ResourceIdHash } from './resource-id-hash.js';
import type { ResponsibilityOracle } from './responsibility-oracle.js';
import { hexKey } from './ring-range.js';
import { CertificateLimitError, MAX_GENERATION, type GenerationUpdate, type StorageBackend, type WriteBatch } from './storage-backend.js';
import { generationTooLowError, storageError, unknownKindError } from './storage-errors.js';
import type { StorageLimits } from './storage-limits.js';
import { recordKeyOf, recordKeyTag, storedDataSize, type RecordRef, type StoredRecord } from './stored-record.js';

/** What the Store pipeline uses. */
export interface StoreEnvironment {
  readonly backend: StorageBackend;
  /** Milliseconds since 1970, the scale of StoredRecord's times (DataStoreDeps.epochClock). */
  readonly epochClock: () => number;
  readonly verifier: Verifier;
  /** SHA-256, naming the held certificates (HeldCertificate). */
  readonly hasher: Pick<Hasher, 'sha256'>;
  readonly hash: ResourceIdHash;
  readonly kinds: KindTable;
  readonly policies: ReadonlyMap<string, AccessPolicy>;
  /** The usages' further conditions on a Kind's values (KindRule). */
  readonly kindRules: readonly KindRule[];
  readonly responsibility: Pick<ResponsibilityOracle, 'isResponsible' | 'acceptsReplicaFrom' | 'replicaSet'>;
  readonly limits: StorageLimits;
}

/** Who sent a StoreReq, as the transport verified it (§6.3.4), and the certificates it carried. */
export interface StoreContext {
  /** The StoreReq's signer: for original stores it must satisfy the policy too (§7.3); for replica stores it is the sending peer. */
  readonly requester: VerifiedSigner;
  /** The message's SecurityBlock certificates, to verify the StoredData signatures with. */
  readonly certificates: readonly GenericCertificate[];
}

/** A successful Store: the answer and the records written (for replication, §10.4). */
export interface StoreResult {
  readonly answer: StoreAns;
  readonly stored: readonly StoredRecord[];
}

/**
 * `original`: replica_number 0. `replica`: replica_number > 0 (§7.4.1.1: generation copied, not
 * checked). `absorb`: newer values taken from another peer's FetchAns while healing (§7.4.1.1
 * "fetch the newer data ... and use that to replace its own copy"): older values are skipped.
 */
export type StoreMode = 'original' | 'replica' | 'absorb';

/** One Kind's values with their verified signers. */
export interface VerifiedKindData {
  readonly definition: KindDefinition;
  readonly generation: bigint;
  readonly values: readonly StoredData[];
  readonly signers: readonly VerifiedSigner[];
  /** For each value, the certificates that verified it (its signer's, VerifiedSigner.certificates), to keep with it (§6.3.4). */
  readonly certificates: readonly (readonly HeldCertificate[])[];
}

/** RFC 6940 §7.4.1.1: identity `none` or algorithm {0, 0} marks synthesized data only. */
export function isAnonymousSignature(s: Signature): boolean {
  return s.identity.identityType === SignerIdentityType.none || (s.algorithm.hash === 0 && s.algorithm.signature === SignatureAlgorithm.anonymous);
}

/** Step 1: what the request alone shows. Returns each Kind's definition. */
export function checkStoreShape(env: StoreEnvironment, req: StoreReq): KindDefinition[] {
  const seen = new Set<number>();
  const unknown: number[] = [];
  for (const k of req.kindData) {
    // §7.4.1.1: "The same Kind-ID MUST NOT be used twice in a given store request."
    if (seen.has(k.kind)) throw storageError('Error_Invalid_Message', `Kind 0x${k.kind.toString(16)} appears twice in the StoreReq`);
    seen.add(k.kind);
    if (!env.kinds.get(k.kind)) unknown.push(k.kind);
  }
  // §7.4.1.1 "Implementations MUST reject requests corresponding to unknown Kinds"; §7.4.1.2 lists them all.
  if (unknown.length > 0) throw unknownKindError(unknown);
  return req.kindData.map((k) => {
    const definition = env.kinds.get(k.kind) as KindDefinition;
    const name = definition.name ?? `0x${k.kind.toString(16)}`;
    // §7.4.1.1: "Replica Stores MUST NOT use a generation counter of 0."
    if (req.replicaNumber > 0 && k.generationCounter === 0n) throw storageError('Error_Invalid_Message', `replica Store of Kind ${name} with generation counter 0`);
    const keys = new Set<string>();
    for (const d of k.values) {
      if (d.value.model !== definition.dataModel) throw storageError('Error_Invalid_Message', `a ${d.value.model} value for Kind ${name}, whose data model is ${definition.dataModel}`);
      // §7.4.1.1: data signed with identity none or {0, 0} "MUST be rejected with an Error_forbidden error".
      if (isAnonymousSignature(d.signature)) throw storageError('Error_Forbidden', `a value of Kind ${name} carries the anonymous signature of synthesized data`);
      // §7.4.1.2: too large for the Kind's limit (§11.1 max-size: "maximum size of individual values").
      const size = dataValueOf(d.value).value.length;
      if (size > definition.maxSize) throw storageError('Error_Data_Too_Large', `a ${size}-byte value of Kind ${name} exceeds max-size ${definition.maxSize}`);
      keys.add(d.value.model === 'array' && d.value.arrayEntry.index === ARRAY_APPEND_INDEX ? `append${keys.size}` : recordKeyTag(recordKeyOf(d.value)));
    }
    // Every distinct key of the request will hold a value afterwards: more than max-count can never fit.
    if (keys.size > definition.maxCount) throw storageError('Error_Data_Too_Large', `${keys.size} values of Kind ${name} exceed max-count ${definition.maxCount}`);
    return definition;
  });
}

/** Step 2 (§7.4.1.1). */
export function checkResponsibility(env: StoreEnvironment, req: StoreReq, requester: VerifiedSigner): void {
  if (req.replicaNumber === 0) {
    // "The peer MUST check that it is responsible for the resource if the replica number is zero; if it is not, the peer must reject the request."
    if (!env.responsibility.isResponsible(req.resource)) throw storageError('Error_Not_Found', 'this peer is not responsible for the Resource-ID');
  } else if (!env.responsibility.acceptsReplicaFrom(req.resource, requester.nodeId)) {
    throw storageError('Error_Forbidden', `replica Store from ${hexKey(requester.nodeId)}, which is not a plausible source for this Resource-ID`);
  }
}

/**
 * Step 3: verify each value's signature (§7.1) and check its signer — and, for original
 * stores, the StoreReq's signer — against the Kind's access control policy (§7.3) and the usages'
 * KindRules. A rule's refusal fails the whole request, unless `onRuleRefusal` is given: then the
 * refused value is left out and reported, and a Kind left without values is dropped.
 */
export async function verifyAndAuthorize(
  env: StoreEnvironment,
  resource: ResourceId,
  kindData: readonly Pick<StoreKindData, 'kind' | 'generationCounter' | 'values'>[],
  definitions: readonly KindDefinition[],
  certificates: readonly GenericCertificate[],
  requester: VerifiedSigner | undefined,
  options?: AbortOptions,
  onRuleRefusal?: (refusal: string) => void,
): Promise<VerifiedKindData[]> {
  const hash = memoizedHash(env.hash);
  const held = certificateHasher(env.hasher);
  const verified = await Promise.all(
    kindData.map(async (k, i) => {
      const definition = definitions[i] as KindDefinition;
      const policy = env.policies.get(definition.accessControl);
      if (!policy) throw storageError('Error_Forbidden', `no access control policy ${definition.accessControl} for Kind 0x${k.kind.toString(16)}`);
      const checked = await Promise.all(
        k.values.map(async (d) => {
          const signer = await verifyValue(env.verifier, resource, k.kind, d, certificates, options);
          for (const who of requester ? [signer, requester] : [signer]) {
            const refusal = await policy.check({ resourceId: resource, kind: definition, value: d.value, signer: who }, hash);
            if (refusal !== undefined) throw storageError('Error_Forbidden', who === signer ? refusal : `StoreReq signer: ${refusal}`);
          }
          // The value's signer is the one the rules judge (RFC 7904 §3.3: the certificate's user
          // name is the AoR); for an original store the policy has just tied the StoreReq's signer
          // to the same Resource-ID. RFC 7904 §3.3: "If any of these checks fail, the request MUST
          // be rejected with an Error_Forbidden error."
          const ruled = kindRuleRefusal(env.kindRules, { resourceId: resource, kind: definition, value: d.value, signer });
          if (ruled !== undefined) {
            if (!onRuleRefusal) throw storageError('Error_Forbidden', ruled);
            onRuleRefusal(ruled);
            return undefined;
          }
          return { d, signer };
        }),
      );
      const kept = checked.filter((c) => c !== undefined);
      const signers = kept.map((c) => c.signer);
      return { definition, generation: k.generationCounter, values: kept.map((c) => c.d), signers, certificates: await Promise.all(signers.map((s) => held(s.certificates ?? []))) };
    }),
  );
  return verified.filter((k, i) => k.values.length > 0 || kindData[i]?.values.length === 0);
}

async function verifyValue(
  verifier: Verifier,
  resource: ResourceId,
  kind: number,
  d: StoredData,
  certificates: readonly GenericCertificate[],
  options?: AbortOptions,
): Promise<VerifiedSigner> {
  const input = storedDataSignatureInput(resource, kind, d.storageTime, d.value, d.signature.identity);
  try {
    return await verifier.verify(input, d.signature, certificates, options);
  } catch (e) {
    // §7.4.1.1: "If this check fails, the request MUST be rejected with an Error_Forbidden error."
    if (e instanceof ReloadError && e.code === ErrorCode.Error_Forbidden) throw e;
    if (e instanceof Error && e.name === 'AbortError') throw e;
    throw storageError('Error_Forbidden', `the signature of a value of Kind 0x${kind.toString(16)} does not verify: ${e instanceof Error ? e.message : String(e)}`);
  }
}

/** Same value and signature (a store repeated with the same storage_time, e.g. a re-sent replica). */
function sameValue(a: StoredData, b: StoredData): boolean {
  const bytes = (d: StoredData) =>
    encodeWith((w) => {
      writeStoredDataValue(w, d.value);
      writeSignature(w, d.signature);
    });
  const x = bytes(a);
  const y = bytes(b);
  return x.length === y.length && x.every((v, i) => v === y[i]);
}

/** One list for every record that keeps no certificate (the simulator's millions of values). */
const NO_CERTIFICATES: readonly string[] = Object.freeze([]);

interface Delta {
  count: number;
  bytes: number;
}

/** Step 4 and 5: check against the stored state, then write atomically. Call under the resource's lock. */
export async function applyStore(env: StoreEnvironment, resource: ResourceId, kindData: readonly VerifiedKindData[], mode: StoreMode, replicas: readonly Uint8Array[]): Promise<StoreResult> {
  const now = env.epochClock();
  const states = await Promise.all(kindData.map((k) => env.backend.kindState(resource, k.definition.id)));
  const live = states.map((s) => s.records.filter((r) => r.expiresAt > now));
  // The counter a location without live values answers with is 0, as Fetch reports it (read-operations.ts);
  // its next one follows the kept counter (`state.generation`, StorageBackend; the floor once forgotten), never restarting at 1.
  const current = states.map((s, i) => ((live[i] as StoredRecord[]).length > 0 ? s.generation : 0n));

  // §7.4.1.1: "if the generation counter is nonzero, it equals the current value"; §7.4.1.2: fail the entire request.
  if (mode === 'original' && kindData.some((k, i) => k.generation !== 0n && k.generation !== current[i])) {
    throw generationTooLowError({ kindResponses: kindData.map((k, i) => ({ kind: k.definition.id, generationCounter: current[i] as bigint, replicas: [] })) });
  }

  const deletes: RecordRef[] = [];
  const puts: StoredRecord[] = [];
  const generations: GenerationUpdate[] = [];
  const users = new Map<string, Delta>();
  const total: Delta = { count: 0, bytes: 0 };
  const charge = (user: string, count: number, bytes: number) => {
    const d = users.get(user) ?? { count: 0, bytes: 0 };
    d.count += count;
    d.bytes += bytes;
    users.set(user, d);
    total.count += count;
    total.bytes += bytes;
  };
  const responseGenerations: bigint[] = [];
  /** The certificates of the verified values, by hash: those the puts name go in the batch. */
  const offered = new Map<string, HeldCertificate>();

  kindData.forEach((k, i) => {
    const def = k.definition;
    const name = def.name ?? `0x${def.id.toString(16)}`;
    const state = states[i] as (typeof states)[number];
    for (const r of state.records) {
      if (r.expiresAt > now) continue;
      deletes.push({ resourceId: resource, kind: def.id, key: recordKeyOf(r.data.value) });
      charge(r.storerUser, -1, -r.size);
    }
    const slots = new Map<string, StoredRecord>((live[i] as StoredRecord[]).map((r) => [recordKeyTag(recordKeyOf(r.data.value)), r]));
    const changed = new Map<string, StoredRecord>();
    k.values.forEach((given, j) => {
      const signer = k.signers[j] as VerifiedSigner;
      const certificates = k.certificates[j] ?? [];
      let data = given;
      if (data.value.model === 'array' && data.value.arrayEntry.index === ARRAY_APPEND_INDEX) {
        // §7.4.1.1: "A store at index 0xffffffff places the new value at the end of the array"; the signature covers index 0 (§7.4.2.2).
        let last = -1;
        for (const r of slots.values()) if (r.data.value.model === 'array' && r.data.value.arrayEntry.index > last) last = r.data.value.arrayEntry.index;
        if (last + 1 >= ARRAY_APPEND_INDEX) throw storageError('Error_Data_Too_Large', `the array of Kind ${name} is full`);
        data = { ...data, value: { model: 'array', arrayEntry: { index: last + 1, value: data.value.arrayEntry.value } } };
      }
      const tag = recordKeyTag(recordKeyOf(data.value));
      const existing = slots.get(tag);
      if (existing) {
        // §7: "Any attempt to store a data value with a storage time before that of a value already stored at this location MUST generate an Error_Data_Too_Old error."
        // §7.4.1.1 asks for storage times "greater than" those replaced: an equal time is accepted only as a repeat of the same value (nothing changes).
        const older = data.storageTime < existing.data.storageTime;
        const repeat = data.storageTime === existing.data.storageTime && sameValue(data, existing.data);
        if (repeat) return;
        if (older || data.storageTime === existing.data.storageTime) {
          if (mode === 'absorb') return;
          throw storageError('Error_Data_Too_Old', `storage_time ${data.storageTime} of Kind ${name} is not after the stored ${existing.data.storageTime}`);
        }
        charge(existing.storerUser, -1, -existing.size);
      }
      const size = storedDataSize(data);
      const record: StoredRecord = {
        resourceId: resource,
        kind: def.id,
        data,
        storedAt: now,
        expiresAt: now + data.lifetime * 1000,
        storerUser: signer.userName,
        storerNode: signer.nodeId,
        size,
        certificates: certificates.length > 0 ? certificates.map((c) => c.hash) : NO_CERTIFICATES,
      };
      for (const c of certificates) offered.set(c.hash, c);
      charge(signer.userName, 1, size);
      slots.set(tag, record);
      changed.set(tag, record);
    });
    // §7.4.1.1 "The size and number of the stored values are consistent with the limits specified in the overlay configuration."
    if (slots.size > def.maxCount) throw storageError('Error_Data_Too_Large', `${slots.size} values of Kind ${name} would exceed max-count ${def.maxCount}`);
    puts.push(...changed.values());
    // §7.4.1.1: "if the store succeeds and the data is changed, then the peer MUST increase the generation counter by at least 1"
    // — from the last counter of the location, kept when its values expired: a fetcher may still hold that one (§7.4.2.1).
    const increased = state.generation < MAX_GENERATION ? state.generation + 1n : state.generation;
    let generation = current[i] as bigint;
    if (mode === 'replica') {
      // §7.4.1.1: replica Stores "MUST set the generation counter to match the generation counter in the message".
      generation = k.generation;
    } else if (changed.size > 0) {
      // Original: increased. Absorbing newer data: above the other peer's counter too, since we may
      // hold values it lacks and send it the merged data (storeReplica), whose counter it takes: at
      // its own counter, a fetcher holding that one would be told "unchanged" (§7.4.2.1).
      generation = mode === 'absorb' && k.generation >= increased ? (k.generation < MAX_GENERATION ? k.generation + 1n : k.generation) : increased;
    }
    responseGenerations.push(generation);
    // Written when changed even if equal: a location without a counter reads the floor (StorageBackend), which may rise.
    if (slots.size > 0 && generation > 0n && (generation !== state.generation || changed.size > 0)) generations.push({ resourceId: resource, kind: def.id, generation });
  });

  const certificates = [...new Set(puts.flatMap((r) => r.certificates))].map((h) => offered.get(h) as HeldCertificate);
  await checkLimits(env, users, total);
  const batch: WriteBatch = { deletes, puts, generations, certificates, maxCertificateBytes: env.limits.maxCertificateBytes };
  if (deletes.length || puts.length || generations.length) await writeStore(env.backend, batch);
  return {
    answer: {
      kindResponses: kindData.map((k, i) => ({ kind: k.definition.id, generationCounter: responseGenerations[i] as bigint, replicas: [...replicas] })),
    },
    stored: puts,
  };
}

/** Per-user and total ceilings (StorageLimits); only growth is refused. */
async function checkLimits(env: StoreEnvironment, users: ReadonlyMap<string, Delta>, total: Delta): Promise<void> {
  const l = env.limits;
  for (const [user, d] of users) {
    if (d.count <= 0 && d.bytes <= 0) continue;
    const u = await env.backend.usage({ user });
    if (u.count + d.count > l.maxValuesPerUser || u.bytes + d.bytes > l.maxBytesPerUser) {
      throw storageError('Error_Data_Too_Large', `user ${user} would hold more than this peer allows (${l.maxValuesPerUser} values, ${l.maxBytesPerUser} bytes)`);
    }
  }
  if (total.count > 0 || total.bytes > 0) {
    const t = await env.backend.usage();
    if (t.count + total.count > l.maxValues || t.bytes + total.bytes > l.maxBytes) throw storageError('Error_Data_Too_Large', 'this peer holds as much data as it allows');
  }
}

/**
 * The write of step 5. StorageLimits.maxCertificateBytes is checked by the backend in the write's
 * own transaction (WriteBatch.maxCertificateBytes): only a write that adds a certificate is refused,
 * against what is held after it. OUR CHOICE: a Store whose certificates do not fit is refused like
 * one whose values do not (§7.4.1.2 Error_Data_Too_Large), since §6.3.4 obliges the peer to keep
 * them with the values.
 */
async function writeStore(backend: StorageBackend, batch: WriteBatch): Promise<void> {
  try {
    await backend.write(batch);
  } catch (e) {
    if (e instanceof CertificateLimitError) throw storageError('Error_Data_Too_Large', "this peer holds as many certificates of stored values' signers as it allows");
    throw e;
  }
}
