/**
 * The public surface of message transport (RFC 6940 §1.2.2, §6.2–6.3): what storage and the
 * topology plug-in call, and what the composition root gives it.
 */
import type { AbortOptions, Clock, Logger, Random } from '../runtime/components.js';
import type { Signer, VerifiedSigner, Verifier } from '../security/signer.js';
import type { Forwarding } from '../forwarding/index.js';
import type { Destination } from '../wire/destination.js';
import type { NodeId } from '../wire/ids.js';
import type { BodyContext } from '../wire/message-body.js';
import type { ReloadError } from '../runtime/reload-error.js';
import type { Answer, AnswerNameFor, RequestBody, RequestHandler, RequestName, RequestOptions } from './request-types.js';

/** Thrown by `request` when this node already has too many requests outstanding. */
export class TransportOverloadError extends Error {
  override readonly name: string = 'TransportOverloadError';
}

/**
 * §6.3.4 check 2 for answers to a Resource-ID: "The response to a message sent to a Resource-ID
 * MUST have been sent by a Node-ID which is at least as close to the target Resource-ID as any
 * node in the requesting node's Neighbor Table." The topology plug-in knows the neighbour table.
 */
export type ResponderCheck = (resourceId: Uint8Array, responder: NodeId) => boolean;

export interface MessageTransport {
  readonly localNodeId: NodeId;
  /**
   * Send a request along `destinationList` (§6.2.1) and resolve with its answer. Rejects with
   * ReloadError for an error answer (§6.3.3.1), Error_Request_Timeout after the fifth transmission
   * goes unanswered, Error_Message_Too_Large when the request exceeds max-message-size; with
   * AbortError when `options.signal` aborts; with TransportOverloadError when too many are pending.
   */
  request<K extends RequestName>(destinationList: readonly Destination[], body: RequestBody<K>, options?: RequestOptions): Promise<Answer<AnswerNameFor<K>>>;
  /** Handle requests of one method; returns the function that unregisters the handler. */
  handle<K extends RequestName>(name: K, handler: RequestHandler<K>): () => void;
  /** Install the §6.3.4 check for answers to Resource-IDs (the topology plug-in's). */
  setResponderCheck(check: ResponderCheck | undefined): void;
  stats(): TransportStats;
  /** Reject every pending request with AbortError and stop handling messages. */
  close(): void;
}

export interface TransportStats {
  readonly pendingRequests: number;
  readonly inboundInProgress: number;
  readonly answerCacheEntries: number;
  readonly requestsSent: number;
  readonly retransmissions: number;
  readonly answersAccepted: number;
  readonly requestsHandled: number;
  readonly errorAnswersSent: number;
  readonly droppedBadSignature: number;
  readonly droppedOverload: number;
  readonly droppedOther: number;
}

/** A message dropped by the §6.3.4 checks (TransportInit.onSecurityFailure). */
export interface SecurityFailure {
  readonly transactionId: bigint;
  readonly messageCode: number;
  /** The neighbour it arrived from (undefined: from this node). */
  readonly from: NodeId | undefined;
  /** The Node-ID it claimed to come from (originatorOf). */
  readonly claimedNodeId: NodeId | undefined;
  /** Why: Error_Forbidden with the failed check in its info. */
  readonly error: ReloadError;
}

export interface TransportDeps {
  readonly clock: Clock;
  readonly random: Random;
  readonly signer: Signer;
  readonly verifier: Verifier;
  readonly forwarding: Forwarding;
  readonly logger?: Logger;
}

export interface TransportInit {
  /** Data models of the Kinds (configuration plus IANA) for decoding storage bodies. */
  readonly bodyContext?: BodyContext;
  /** Message extension types this node understands (§6.3.3); default none. */
  readonly understoodExtensions?: ReadonlySet<number>;
  /** Forwarding option types this node understands (§6.3.2.3); default none. */
  readonly understoodForwardingOptions?: ReadonlySet<number>;
  /** Most requests of ours outstanding at once; default 1024. */
  readonly maxPendingRequests?: number;
  /** Most received requests being processed at once; default 256. */
  readonly maxInboundInProgress?: number;
  /** Most received requests from one neighbour being processed at once; default 64. */
  readonly maxInboundPerNeighbour?: number;
  /** Answers remembered for retransmitted requests (§6.2.1); default 1024. */
  readonly answerCacheSize?: number;
  /** Transmissions of one request; default 5 (§6.2.1). */
  readonly maxTransmissions?: number;
  /**
   * The error answer for a request naming Kinds this node does not know (decode-time
   * UnknownKindError, §7.4.1.2 Error_Unknown_Kind); the peer's composition passes storage's
   * `unknownKindError`. Default: the same error_info built here.
   */
  readonly unknownKindError?: (kindIds: readonly number[]) => ReloadError;
  /**
   * A received message was dropped because its signature or certificate failed (§6.3.4: "SHOULD
   * simply drop the message and MUST NOT process it"): what the verifier refused, as Error_Forbidden.
   */
  readonly onSecurityFailure?: (failure: SecurityFailure) => void;
  /**
   * Find the certificate of `nodeId` elsewhere (the Certificate Store Usage, §8, into the verifier's
   * cache) when a message's signer sent none the verifier knows; resolves true when one was found,
   * and the message is verified again. It MUST NOT wait for a request of this transport made before
   * it was called (such as a Fetch of the same certificate another caller started): that request's
   * answer may be signed by `nodeId` with its certificate omitted, and so wait for this lookup
   * (CertificateLookups.waitFor) until the lookup's timeout. Requests it makes itself are safe.
   */
  readonly certificateSource?: (nodeId: NodeId, options?: AbortOptions) => Promise<boolean>;
  /**
   * Most certificateSource lookups running at once; a message whose signer's certificate is unknown
   * fails verification at once above it. Default 8 (MAX_CERTIFICATE_LOOKUPS). Each link has a share
   * of a quarter (certificateLookupShare): it goes beyond only while that many stay free, and a link
   * under its share that finds none free preempts the link furthest over its share (a lookup that a
   * message of a link under its share waits for is charged to that link instead, CertificateLookups).
   */
  readonly maxCertificateLookups?: number;
  /**
   * How long one certificateSource lookup may run (on the clock) before it is aborted. Default twice
   * the overlay-reliability-timer, at most 15 s (certificateLookupTimeoutMs): 6000 ms at its default.
   */
  readonly certificateLookupTimeoutMs?: number;
  /**
   * §6.3.2.1: a request came with an older configuration; the upper layer should send a ConfigUpdate.
   * `route`: the destination list back to the sender (what its answer takes, §6.2.2), for a sender
   * the overlay cannot route to by Node-ID yet (one still joining through a bootstrap peer).
   */
  readonly onStaleConfiguration?: (sender: VerifiedSigner, sequence: number, route?: readonly Destination[]) => void;
}

