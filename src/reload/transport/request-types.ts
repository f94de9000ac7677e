/**
 * The typed surface of message transport: request bodies, their answers, incoming requests and
 * the replies handlers give (and replyHolding, for a reply that holds something until it goes).
 * Bodies are the message-body table's (wire/message-body.ts, §6.3.3).
 */
import type { AbortOptions, Logger } from '../runtime/components.js';
import type { MaybePromise } from '../runtime/maybe-promise.js';
import type { VerifiedSigner } from '../security/signer.js';
import type { ForwardingHeader } from '../wire/forwarding-header.js';
import type { ForwardingOption } from '../wire/forwarding-option.js';
import type { NodeId } from '../wire/ids.js';
import type { KnownBodyName, MessageBodies } from '../wire/message-body.js';
import type { MessageExtension } from '../wire/message-contents.js';
import type { GenericCertificate } from '../wire/security-block.js';

/** Registry names of the requests (§14.8: odd codes), e.g. `store_req`. */
export type RequestName = Extract<KnownBodyName, `${string}_req`>;

/** The answer that goes with a request (§6.3.3: "the corresponding response being the request code plus 1"). */
export type AnswerNameFor<K extends RequestName> = K extends `${infer P}_req` ? Extract<`${P}_ans`, KnownBodyName> : never;

/** A request body to send. */
export interface RequestBody<K extends RequestName = RequestName> {
  readonly name: K;
  readonly value: MessageBodies[K];
}

/** Per-request settings. */
export interface RequestOptions extends AbortOptions {
  /** Message extensions to carry (§6.3.3). */
  readonly extensions?: readonly MessageExtension[];
  /** Forwarding options to carry (§6.3.2.3). */
  readonly forwardingOptions?: readonly ForwardingOption[];
  /** §6.3.2 max_response_length; 0 (the default) means no limit. */
  readonly maxResponseLength?: number;
  /** Initial TTL; default the overlay's initial-ttl. */
  readonly ttl?: number;
  /**
   * Accept a success answer from any verified peer: skip §6.3.4 check 2 (the topology's
   * ResponderCheck) for this request. For §10.7.4.4 partition detection, whose Ping must be
   * answerable by a peer of another ring.
   */
  readonly anyResponder?: boolean;
  /**
   * Certificates to carry in the SecurityBlock besides the signer's own, e.g. those of the
   * StoredData values a replica Store carries (§6.3.4: "The certificates bucket SHOULD contain all
   * the certificates necessary to verify every signature in both the message and the internal
   * message objects").
   */
  readonly certificates?: readonly GenericCertificate[];
  /**
   * The forwarding header's configuration_sequence; default this node's. A ConfigUpdate to a node
   * with an older configuration carries 65535 (§6.3.2.1: "MUST be accepted regardless").
   */
  readonly configurationSequence?: number;
  /**
   * Called once the request is signed and its first transmission handed to forwarding: for a caller
   * that needs the request out but not its answer (a leaving peer's Leave, RFC 6940 §10.9). Not
   * called for a request that never goes out (aborted, transport closed, signing failed).
   */
  readonly onSent?: () => void;
}

/** A successful answer. Error answers reject the request with ReloadError instead. */
export interface Answer<A extends KnownBodyName = KnownBodyName> {
  readonly name: A;
  readonly value: MessageBodies[A];
  readonly extensions: readonly MessageExtension[];
  /** Who signed the answer (§6.3.4). */
  readonly sender: VerifiedSigner;
  readonly header: ForwardingHeader;
  /** The answer's SecurityBlock certificates (to verify StoredData signatures with, §7.1). */
  readonly certificates: readonly GenericCertificate[];
}

/** A verified request for this node, as a handler sees it. */
export interface IncomingRequest<K extends RequestName = RequestName> {
  readonly name: K;
  readonly value: MessageBodies[K];
  readonly extensions: readonly MessageExtension[];
  /** Who signed it (§6.3.4). */
  readonly sender: VerifiedSigner;
  /** Its forwarding header (via list, destination list for this node, options). */
  readonly header: ForwardingHeader;
  /** The neighbour it arrived from; undefined when this node sent it to itself. */
  readonly from: NodeId | undefined;
  /** The request's SecurityBlock certificates (a Store's values are verified with them, §7.4.1.1). */
  readonly certificates: readonly GenericCertificate[];
}

/** What a handler answers with. To answer with an error, throw a ReloadError. */
export interface Reply<A extends KnownBodyName = KnownBodyName> {
  readonly value: MessageBodies[A];
  readonly extensions?: readonly MessageExtension[];
  /** Certificates to carry besides the signer's own (a FetchAns's values' signers, §6.3.4). */
  readonly certificates?: readonly GenericCertificate[];
  /**
   * Told, with the reason, when this answer does not go out as given: it cannot be encoded or
   * sealed (too large for the request's max_response_length, say: an error answer goes instead,
   * RFC 6940 §6.3.2), the request's lifetime ended first (§6.2.1), or the transport closed. For a
   * handler whose answer holds something that is of use only once the requester has it (an
   * AttachAns's or AppAttachAns's ICE answer and its peer connection; replyHolding). Not told
   * of a loss on the way.
   */
  readonly unsent?: (reason: unknown) => void;
}

/**
 * The Reply of a handler whose answer holds something of use only once the requester has it
 * (Reply.unsent): `release` is told, with the reason, when `build` throws (the error then goes on
 * to the transport, which answers with it, RFC 6940 §6.3.3.1) and when the built answer does not
 * go out. A `release` that throws on a failed build is guarded as the transport guards unsent
 * (guardedUnsent): logged to `log`, and the build's error still goes on.
 */
export function replyHolding<A extends KnownBodyName>(log: Logger, release: (reason: unknown) => void, build: () => Omit<Reply<A>, 'unsent'>): Reply<A> {
  let reply: Omit<Reply<A>, 'unsent'>;
  try {
    reply = build();
  } catch (e) {
    guardedUnsent(release, log)(e);
    throw e;
  }
  // The transport guards the unsent it calls (request-server.ts).
  return { ...reply, unsent: release };
}

export type RequestHandler<K extends RequestName> = (request: IncomingRequest<K>) => MaybePromise<Reply<AnswerNameFor<K>>>;

/**
 * A handler's Reply.unsent as the transport calls it (request-server.ts; and replyHolding's
 * release, on a failed build): one that throws is logged, and what the transport does goes on
 * unchanged (the error answer of §6.3.2 or §6.3.3.1 still goes, the error it reports stays its
 * own), as the Update listeners of attach-answerer.ts are called.
 */
export function guardedUnsent(unsent: (reason: unknown) => void, log: Logger): (reason: unknown) => void {
  return (reason) => {
    try {
      unsent(reason);
    } catch (e) {
      log.warn("a handler's Reply.unsent threw", { reason: String(reason), error: String(e) });
    }
  };
}
