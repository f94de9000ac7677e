/**
 * The fetching side's own checks of fetched values (RFC 6940 §7.1, §7.4.2.2): a fetcher trusts no
 * storing peer, so every StoredData of a FetchAns is verified again here, with the answer's
 * SecurityBlock certificates (and the verifier's cache), and its signer is checked against the
 * Kind's access control policy (§7.3) and the usages' KindRules (as the storing peer checks them):
 * a storing peer cannot make up a value, alter one, move it to another Resource-ID or Kind, or
 * return a value its signer had no right to store.
 *
 * §7.1: "the signature is over the following data: resource_id || kind || storage_time ||
 * StoredDataValue || SignerIdentity" — what storedDataSignatureInput builds.
 */
import type { AbortOptions } from '../runtime/components.js';
import { ReloadError } from '../runtime/reload-error.js';
import type { Verifier, VerifiedSigner } from '../security/signer.js';
import { kindRuleRefusal, type AccessPolicy, type KindRule, type KindTable, type ResourceIdHash } from '../storage/index.js';
import type { ResourceId } from '../wire/ids.js';
import { SignerIdentityType, type GenericCertificate } from '../wire/security-block.js';
import type { FetchAns } from '../wire/storage/fetch.js';
import { storedDataSignatureInput } from '../wire/storage/stored-data-signature-input.js';
import { dataValueOf, type StoredData } from '../wire/storage/stored-data.js';
import type { RejectedValue } from './overlay-types.js';

export interface FetchedDataChecks {
  readonly verifier: Verifier;
  readonly kinds: KindTable;
  /** Access control policies by name (§7.3's four plus any extra ones). */
  readonly policies: ReadonlyMap<string, AccessPolicy>;
  /** The usages' further conditions on Kinds' values, as the storing peer checks them (KindRule). */
  readonly kindRules?: readonly KindRule[];
  readonly resourceIdHash: ResourceIdHash;
}

/** A FetchAns with every value that failed its checks taken out, and why each one was. */
export interface CheckedFetch {
  readonly answer: FetchAns;
  readonly rejected: readonly RejectedValue[];
}

/**
 * §7.4.2.2: a value that does not exist is reported with `exists` false and the identity `none`
 * (synthesized by the storing peer, rfc6940-readings #12): it carries no data and nobody's signature.
 */
function isSynthesizedAbsence(d: StoredData): boolean {
  return !dataValueOf(d.value).exists && d.signature.identity.identityType === SignerIdentityType.none;
}

/** Verify every value of `answer` for `resourceId`; rejected values are removed from the answer. */
export async function checkFetchedData(checks: FetchedDataChecks, resourceId: ResourceId, answer: FetchAns, certificates: readonly GenericCertificate[], options?: AbortOptions): Promise<CheckedFetch> {
  const rejected: RejectedValue[] = [];
  const kindResponses = await Promise.all(
    answer.kindResponses.map(async (k) => {
      const values = await Promise.all(
        k.values.map(async (d) => {
          if (isSynthesizedAbsence(d)) return d;
          const reason = await checkValue(checks, resourceId, k.kind, d, certificates, options);
          if (reason === undefined) return d;
          rejected.push({ kind: k.kind, value: d, error: reason });
          return undefined;
        }),
      );
      return { ...k, values: values.filter((d): d is StoredData => d !== undefined) };
    }),
  );
  return { answer: { ...answer, kindResponses }, rejected };
}

async function checkValue(checks: FetchedDataChecks, resourceId: ResourceId, kind: number, d: StoredData, certificates: readonly GenericCertificate[], options?: AbortOptions): Promise<ReloadError | undefined> {
  let signer: VerifiedSigner;
  try {
    signer = await checks.verifier.verify(storedDataSignatureInput(resourceId, kind, d.storageTime, d.value, d.signature.identity), d.signature, certificates, options);
  } catch (e) {
    if (e instanceof Error && e.name === 'AbortError') throw e;
    return e instanceof ReloadError ? e : ReloadError.of('Error_Forbidden', `the value's signature does not verify: ${String(e)}`);
  }
  const definition = checks.kinds.get(kind);
  if (!definition) return ReloadError.of('Error_Unknown_Kind', `Kind 0x${kind.toString(16)} is not in this peer's configuration`);
  const policy = checks.policies.get(definition.accessControl);
  if (!policy) return ReloadError.of('Error_Forbidden', `no access control policy ${definition.accessControl}`);
  // §7.3: the value's signer must have been allowed to store it there.
  const request = { resourceId, kind: definition, value: d.value, signer };
  const refusal = (await policy.check(request, checks.resourceIdHash)) ?? kindRuleRefusal(checks.kindRules ?? [], request);
  return refusal === undefined ? undefined : ReloadError.of('Error_Forbidden', refusal);
}
