/**
 * Who a received message says it comes from, and which certificates a message carries (RFC 6940
 * §6.3.4): helpers of message transport's signing and verification.
 */
import { isWildcardNodeId } from '../forwarding/index.js';
import { CertificateLookups, type CertificateLookupsInit } from './certificate-lookups.js';
import type { Clock, Logger } from '../runtime/components.js';
import { proceed, type MaybePromise } from '../runtime/maybe-promise.js';
import { CertificateUnknownError, type VerifiedSigner, type Verifier, type VerifyOptions } from '../security/signer.js';
import { bytesEqual } from '../wire/codec/hex.js';
import { messageSignatureInput } from '../wire/message-signature-input.js';
import type { GenericCertificate, SecurityBlock, Signature } from '../wire/security-block.js';
import type { TransportInit } from './transport-types.js';
import type { Destination } from '../wire/destination.js';
import type { ForwardingHeader } from '../wire/forwarding-header.js';
import type { NodeId } from '../wire/ids.js';

/**
 * The Node-ID a received message comes from, whose certificate must have signed it (§6.3.4): the
 * first via-list entry (each relay appends the node it heard from, §6.1.2), else the neighbour it
 * arrived from, else this node (a message to itself). Undefined when the first via entry is a
 * compressed id (§6.3.2.2), which names no Node-ID.
 */
export function originatorOf(header: ForwardingHeader, from: NodeId | undefined, self: NodeId): NodeId | undefined {
  const first = header.viaList[0];
  if (first) return first.kind === 'node' ? first.nodeId : undefined;
  return from ?? self;
}

/** The signer's certificates, then those of `extra` not already among them (one copy each, §6.3.4). */
export function certificateBucket(own: readonly GenericCertificate[], extra: readonly GenericCertificate[]): readonly GenericCertificate[] {
  if (extra.length === 0) return own;
  const out = [...own];
  for (const c of extra) if (!out.some((o) => o.type === c.type && bytesEqual(o.certificate, c.certificate))) out.push(c);
  return out;
}

export interface MessageVerificationDeps {
  readonly verifier: Verifier;
  readonly clock: Clock;
  readonly log: Logger;
}

export interface MessageVerificationInit extends Omit<CertificateLookupsInit, 'source'> {
  readonly localNodeId: NodeId;
  readonly certificateSource?: TransportInit['certificateSource'];
}

/** For an answer: the final destination of the request it answers, and lookupsStarted() when that request was made. */
export interface Answering {
  readonly target: Destination | undefined;
  readonly lookupsBefore: number;
}

/**
 * §6.3.4: "the destination node MUST verify the signature and the authorizing certificate", with
 * the certificates of the SecurityBlock (and the verifier's cache), and the signature must be made
 * for the Node-ID the message comes from (`originatorOf`). A signer whose certificate was omitted
 * is looked up once through TransportInit.certificateSource (the §8 usage), under the bounds of
 * CertificateLookups, and for an answer only when the signer is one that may answer (`mayAnswer`).
 */
export class MessageVerification {
  /** The lookups of omitted certificates, when there is a certificate source. */
  private readonly lookups: CertificateLookups | undefined;

  constructor(
    private readonly deps: MessageVerificationDeps,
    private readonly init: MessageVerificationInit,
  ) {
    const { certificateSource, ...lookupsInit } = init;
    this.lookups = certificateSource ? new CertificateLookups({ clock: deps.clock, log: deps.log }, { ...lookupsInit, source: certificateSource }) : undefined;
  }

  /** Lookups started so far: a request records it when made, for the answer's verification (Answering). */
  lookupsStarted(): number {
    return this.lookups?.started ?? 0;
  }

  /**
   * The verified signer, at once when the verifier answers at once (MaybePromise); throws or
   * rejects (Error_Forbidden) when the message must be dropped. `from`: the neighbour it came from;
   * `answering`: for an answer, the request it answers.
   */
  verify(header: ForwardingHeader, from: NodeId | undefined, contentsBytes: Uint8Array, securityBlock: SecurityBlock, answering?: Answering): MaybePromise<VerifiedSigner> {
    const { signature, certificates } = securityBlock;
    const claimedNodeId = originatorOf(header, from, this.init.localNodeId);
    const input = messageSignatureInput(header.overlay, header.transactionId, contentsBytes, signature.identity);
    const options = claimedNodeId ? { claimedNodeId } : {};
    // Without a certificate source there is nothing to retry with: the verifier's answer as it is.
    if (!this.lookups) return this.deps.verifier.verify(input, signature, certificates, options);
    const verification: Verification = { input, signature, certificates, options, from, answering };
    return proceed(this, verification, this.verifyOnce, verifiedAs, this.verifyAfterLookup);
  }

  /** The verifier's answer for `v` (throws or rejects when it does not verify). */
  private verifyOnce(v: Verification): MaybePromise<VerifiedSigner> {
    return this.deps.verifier.verify(v.input, v.signature, v.certificates, v.options);
  }

  /**
   * §6.3.4: certificates "MAY be omitted" where another distribution mechanism exists: when `e` says
   * the signer's certificate is unknown (thrown or rejected), ask it once (CertificateLookups) and
   * verify again; else `e`.
   */
  private async verifyAfterLookup(v: Verification, e: unknown): Promise<VerifiedSigner> {
    const { lookups } = this;
    const claimedNodeId = v.options.claimedNodeId;
    if (!lookups || !(e instanceof CertificateUnknownError) || !claimedNodeId || !mayAnswer(claimedNodeId, v.answering?.target) || !(await lookups.lookUp(claimedNodeId, v.from, v.answering?.lookupsBefore))) throw e;
    return this.verifyOnce(v);
  }
}

/** A message being verified by MessageVerification (with a certificate source: it may be verified twice). */
interface Verification {
  readonly input: Uint8Array;
  readonly signature: Signature;
  readonly certificates: readonly GenericCertificate[];
  readonly options: VerifyOptions;
  readonly from: NodeId | undefined;
  readonly answering: Answering | undefined;
}

/** The verified signer, as the verifier gave it. */
function verifiedAs(_v: Verification, signer: VerifiedSigner): VerifiedSigner {
  return signer;
}

/**
 * Whether the certificate of `claimed` is worth looking up for a message: for a request, yes (any
 * node may send one); for an answer to a request sent to a Node-ID, only when `claimed` is that
 * Node-ID. RFC 6940 §6.3.4 check 1: "The response to a message sent to a Node-ID MUST have been
 * sent by that Node-ID unless the response has been sent to the wildcard Node-ID." A forged answer
 * naming any other first via entry cannot be accepted, so it starts no lookup. OUR CHOICE: this
 * holds for error answers too, which message transport accepts from any verified node on the path:
 * an intermediate's error answer whose certificate was omitted is dropped, and the request is
 * retransmitted or times out. Answers to a Resource-ID or the wildcard may come from several nodes;
 * the bound on lookups (MAX_CERTIFICATE_LOOKUPS) limits those.
 */
export function mayAnswer(claimed: NodeId, answering: Destination | undefined): boolean {
  if (answering?.kind !== 'node' || isWildcardNodeId(answering.nodeId)) return true;
  return bytesEqual(answering.nodeId, claimed);
}
