import type { VerifiedSigner } from '../security/signer.js';
import type { NodeId, ResourceId } from '../wire/ids.js';
import { bytesEqual } from '../wire/codec/hex.js';
import type { StoredDataValue } from '../wire/storage/stored-data.js';
import type { KindDefinition } from './kind-table.js';
import { hexKey } from './ring-range.js';
import type { ResourceIdHash } from './resource-id-hash.js';

/** What a policy decides on: may `signer` write `value` of `kind` at `resourceId`? */
export interface AccessRequest {
  readonly resourceId: ResourceId;
  readonly kind: KindDefinition;
  readonly value: StoredDataValue;
  /** The verified signer: of the StoredData, and for original stores also of the StoreReq (§7.3). */
  readonly signer: VerifiedSigner;
}

/**
 * An RFC 6940 §7.3 access control policy (registry §14.4), named as in the configuration
 * document. `check` resolves with undefined when the write is allowed, else with the reason
 * (it becomes the UTF-8 error_info of Error_Forbidden).
 */
export interface AccessPolicy {
  readonly name: string;
  /** Data models the policy may be used with (USER-NODE-MATCH: dictionary only). */
  readonly models?: readonly StoredDataValue['model'][];
  check(request: AccessRequest, hash: ResourceIdHash): Promise<string | undefined>;
}

/**
 * What a KindRule decides on: an AccessRequest whose signer is known only by what a stored value
 * keeps of it (StoredRecord.storerUser, storerNode), so that a rule judges a value already held
 * (data-store.ts, when a new configuration brings new rules) as it judged it when stored.
 */
export interface KindRuleRequest extends Omit<AccessRequest, 'signer'> {
  readonly signer: Pick<VerifiedSigner, 'userName' | 'nodeId'>;
}

/**
 * A usage's own condition on the values of one Kind, on top of the Kind's §7.3 policy, checked
 * wherever the policy is: by the storing peer on every Store, replica and absorbed value
 * (§7.4.1.1), and by a fetcher on fetched values; and by the storing peer on the values it holds
 * when it starts with the rules of a (new) configuration. RFC 7904 §3.3 is one: "Before a Store is
 * permitted, the Storing Peer MUST check that: The AOR of the request is a valid Resource Name with
 * respect to the namespaces defined in the overlay configuration document".
 */
export interface KindRule {
  /** The Kind-ID whose values it judges. */
  readonly kind: number;
  /** What the rule is, for logs (`RFC 7904 §3.4 domain-restriction`). */
  readonly name: string;
  /** Undefined when the value may be stored, else why not (the error_info of Error_Forbidden). */
  check(request: KindRuleRequest): string | undefined;
}

/** The first refusal of the `rules` for `request`'s Kind, or undefined when none refuses. */
export function kindRuleRefusal(rules: readonly KindRule[], request: KindRuleRequest): string | undefined {
  for (const rule of rules) {
    if (rule.kind !== request.kind.id) continue;
    const refusal = rule.check(request);
    if (refusal !== undefined) return refusal;
  }
  return undefined;
}

const utf8 = new TextEncoder();

/** RFC 6940 §7.3.1 USER-MATCH: the signer's user name hashes to the Resource-ID. */
export const USER_MATCH: AccessPolicy = {
  name: 'USER-MATCH',
  async check({ resourceId, signer }, hash) {
    return bytesEqual(await hash(utf8.encode(signer.userName)), resourceId) ? undefined : `USER-MATCH: user name ${signer.userName} does not hash to the Resource-ID`;
  },
};

/**
 * RFC 6940 §7.3.2 NODE-MATCH: the Node-ID "indicated in the SignerIdentity value cert_hash"
 * (VerifiedSigner.nodeId, one of the certificate's Node-IDs) hashes to the Resource-ID.
 */
export const NODE_MATCH: AccessPolicy = {
  name: 'NODE-MATCH',
  async check({ resourceId, signer }, hash) {
    return bytesEqual(await hash(signer.nodeId), resourceId) ? undefined : `NODE-MATCH: Node-ID ${hexKey(signer.nodeId)} does not hash to the Resource-ID`;
  },
};

/**
 * RFC 6940 §7.3.3 USER-NODE-MATCH (dictionary only): the user name hashes to the Resource-ID and
 * the dictionary key equals the signer's Node-ID. RFC 7904 §3.3 uses it for SIP-REGISTRATION
 * (the AoR's Resource Name is the certificate's rfc822Name user name).
 */
export const USER_NODE_MATCH: AccessPolicy = {
  name: 'USER-NODE-MATCH',
  models: ['dictionary'],
  async check({ resourceId, value, signer }, hash) {
    if (value.model !== 'dictionary') return 'USER-NODE-MATCH may be used only with dictionary Kinds';
    if (!bytesEqual(value.dictionaryEntry.key, signer.nodeId)) {
      return `USER-NODE-MATCH: dictionary key ${hexKey(value.dictionaryEntry.key)} is not the signer's Node-ID ${hexKey(signer.nodeId)}`;
    }
    return bytesEqual(await hash(utf8.encode(signer.userName)), resourceId) ? undefined : `USER-NODE-MATCH: user name ${signer.userName} does not hash to the Resource-ID`;
  },
};

/**
 * The Resource Name `Node-ID || i` of NODE-MULTIPLE (RFC 6940 §7.3.4). The RFC does not say how
 * `i` is encoded; we take one byte, as the TURN usage's `iteration` (§9: "concatenating its
 * Node-ID and the value d", `uint8 iteration`), so i is 1 … 255.
 */
export function nodeMultipleResourceName(nodeId: NodeId, i: number): Uint8Array {
  if (!Number.isInteger(i) || i < 1 || i > 0xff) throw new RangeError(`NODE-MULTIPLE counter ${i} is not in 1..255`);
  const out = new Uint8Array(nodeId.length + 1);
  out.set(nodeId);
  out[nodeId.length] = i;
  return out;
}

/** Largest NODE-MULTIPLE counter: one byte (see nodeMultipleResourceName). */
export const MAX_NODE_MULTIPLE = 0xff;

/**
 * RFC 6940 §7.3.4 NODE-MULTIPLE: H(Node-ID || i) equals the Resource-ID for some i in
 * 1 … max-node-multiple ("the verifier MUST iterate through potential i values"), with the
 * Node-ID the one the signature was made for.
 */
export const NODE_MULTIPLE: AccessPolicy = {
  name: 'NODE-MULTIPLE',
  async check({ resourceId, kind, signer }, hash) {
    const max = Math.min(kind.maxNodeMultiple ?? 0, MAX_NODE_MULTIPLE);
    for (let i = 1; i <= max; i++) {
      if (bytesEqual(await hash(nodeMultipleResourceName(signer.nodeId, i)), resourceId)) return undefined;
    }
    return `NODE-MULTIPLE: no H(Node-ID ${hexKey(signer.nodeId)} || i) for i in 1..${max} is the Resource-ID`;
  },
};

/** The four policies of RFC 6940 §7.3, by name. */
export const BASE_ACCESS_POLICIES: ReadonlyMap<string, AccessPolicy> = new Map(
  [USER_MATCH, NODE_MATCH, USER_NODE_MATCH, NODE_MULTIPLE].map((p) => [p.name, p]),
);

/** Memoizes a ResourceIdHash for the span of one request (the same names recur per value). */
export function memoizedHash(hash: ResourceIdHash): ResourceIdHash {
  const cache = new Map<string, Promise<ResourceId>>();
  return (name) => {
    const key = hexKey(name);
    let out = cache.get(key);
    if (!out) {
      out = hash(name);
      cache.set(key, out);
    }
    return out;
  };
}
