/**
 * Message transport (RFC 6940 §1.2.2, §6.2, §6.3): requests with end-to-end retransmission and
 * timeout, handlers per message code, error answers (§6.3.3.1), signing of every message this node
 * originates and verification of every message addressed to it (§6.3.4). This file puts the parts
 * together and dispatches what forwarding delivers: requests for this node are served by
 * request-server.ts; our requests and their answers are request-client.ts's. Storage and the
 * topology plug-in are its clients: they call `request` and register handlers with `handle`;
 * transport never imports them. Below it, forwarding routes the bytes and calls back through
 * ForwardingDelegate.
 */
import { silentLogger, type Logger } from '../runtime/components.js';
import { ReloadError } from '../runtime/reload-error.js';
import { isPending, type MaybePromise } from '../runtime/maybe-promise.js';
import type { VerifiedSigner } from '../security/signer.js';
import { nodeIdKey, type ForwardingDelegate, type InboundMessage, type RoutingFailure } from '../forwarding/index.js';
import { bytesEqual } from '../wire/codec/hex.js';
import type { Destination } from '../wire/destination.js';
import { leadingMessageCode } from '../wire/forwarding-header.js';
import type { NodeId } from '../wire/ids.js';
import { defaultBodyContext } from '../wire/message-body.js';
import { isRequestCode, MessageCode } from '../wire/message-codes.js';
import { KeyedLimiter } from './keyed-limiter.js';
import { parseMessageParts, type MessageParts } from './message-parts.js';
import type { MessageTransport, ResponderCheck, TransportDeps, TransportInit, TransportStats } from './transport-types.js';
import { MAX_TRANSMISSIONS } from './client-transaction.js';
import { MessageVerification, originatorOf, type Answering } from './message-security.js';
import { MessageSealer } from './message-sealer.js';
import { RequestClient } from './request-client.js';
import { RequestServer } from './request-server.js';
import type { Answer, AnswerNameFor, RequestBody, RequestHandler, RequestName, RequestOptions } from './request-types.js';

export { TransportOverloadError, type MessageTransport, type ResponderCheck, type SecurityFailure, type TransportDeps, type TransportInit, type TransportStats } from './transport-types.js';

export { originatorOf } from './message-security.js';

export function createMessageTransport(deps: TransportDeps, init: TransportInit = {}): MessageTransport {
  return new Transport(deps, init);
}

/** `request`'s options when none are given (read-only: one frozen object, not a new one per request). */
const NO_REQUEST_OPTIONS: RequestOptions = Object.freeze({});

class Transport implements MessageTransport, ForwardingDelegate {
  readonly localNodeId: NodeId;
  private readonly log: Logger;
  private readonly onSecurityFailure: TransportInit['onSecurityFailure'];
  private readonly verification: MessageVerification;
  private readonly sealer: MessageSealer;
  private readonly inbound: KeyedLimiter;
  private readonly server: RequestServer;
  private readonly client: RequestClient;
  private closed = false;
  /** `deliver`'s catch handler, made once (it is on every message's path). */
  private readonly onMessageFailed = (e: unknown) => this.log.error('failed to process a message', { error: String(e) });
  private counters = {
    requestsSent: 0,
    retransmissions: 0,
    answersAccepted: 0,
    requestsHandled: 0,
    errorAnswersSent: 0,
    droppedBadSignature: 0,
    droppedOther: 0,
  };

  constructor(deps: TransportDeps, init: TransportInit) {
    this.log = deps.logger ?? silentLogger;
    this.localNodeId = deps.forwarding.localNodeId;
    if (!bytesEqual(deps.signer.nodeId, this.localNodeId)) throw new Error('the signer and forwarding must be for the same Node-ID');
    const bodyContext = init.bodyContext ?? defaultBodyContext;
    const understoodExtensions = init.understoodExtensions ?? new Set<number>();
    this.inbound = new KeyedLimiter(init.maxInboundInProgress ?? 256, init.maxInboundPerNeighbour ?? 64);
    this.onSecurityFailure = init.onSecurityFailure;
    this.verification = new MessageVerification(
      { verifier: deps.verifier, clock: deps.clock, log: this.log },
      {
        localNodeId: this.localNodeId,
        certificateSource: init.certificateSource,
        maxLookups: init.maxCertificateLookups,
        lookupTimeoutMs: init.certificateLookupTimeoutMs,
        overlayReliabilityTimerMs: () => deps.forwarding.parameters.overlayReliabilityTimerMs,
      },
    );
    this.sealer = new MessageSealer(deps.signer, deps.forwarding, {
      closed: () => this.closed,
      errorAnswerSent: () => this.counters.errorAnswersSent++,
    });
    const verify = (msg: InboundMessage, parsed: MessageParts, answering?: Answering) => this.verify(msg, parsed, answering);
    const verificationFailed = (msg: InboundMessage, parsed: MessageParts, e: unknown) => this.verificationFailed(msg, parsed, e);
    const closed = () => this.closed;
    this.server = new RequestServer({
      clock: deps.clock,
      log: this.log,
      localNodeId: this.localNodeId,
      forwarding: deps.forwarding,
      sealer: this.sealer,
      inbound: this.inbound,
      bodyContext,
      understoodExtensions,
      understoodOptions: init.understoodForwardingOptions ?? new Set(),
      answerCacheSize: init.answerCacheSize ?? 1024,
      onStaleConfiguration: init.onStaleConfiguration,
      unknownKindError: init.unknownKindError,
      counters: this.counters,
      verify,
      verificationFailed,
      closed,
    });
    this.client = new RequestClient({
      clock: deps.clock,
      random: deps.random,
      signer: deps.signer,
      forwarding: deps.forwarding,
      log: this.log,
      sealer: this.sealer,
      bodyContext,
      understoodExtensions,
      maxPending: init.maxPendingRequests ?? 1024,
      maxTransmissions: init.maxTransmissions ?? MAX_TRANSMISSIONS,
      counters: this.counters,
      certificateLookupsStarted: () => this.verification.lookupsStarted(),
      verify,
      verificationFailed,
      closed,
    });
    deps.forwarding.setDelegate(this);
  }

  request<K extends RequestName>(destinationList: readonly Destination[], body: RequestBody<K>, options: RequestOptions = NO_REQUEST_OPTIONS): Promise<Answer<AnswerNameFor<K>>> {
    return this.client.request<K>(destinationList, body, options);
  }

  handle<K extends RequestName>(name: K, handler: RequestHandler<K>): () => void {
    return this.server.handle(name, handler);
  }

  setResponderCheck(check: ResponderCheck | undefined): void {
    this.client.setResponderCheck(check);
  }

  stats(): TransportStats {
    return { pendingRequests: this.client.pendingRequests, inboundInProgress: this.inbound.inProgress, answerCacheEntries: this.server.answerCacheEntries, ...this.counters, droppedOverload: this.inbound.dropped };
  }

  close(): void {
    this.closed = true;
    this.server.close();
    this.client.close();
  }

  // ── Messages for this node (ForwardingDelegate) ───────────────────────────────────────────

  deliver(message: InboundMessage): void {
    if (this.closed) return;
    // What `dispatch` throws, or its promise rejects with, is reported, never thrown at forwarding.
    let done: MaybePromise<void>;
    try {
      done = this.dispatch(message);
    } catch (e) {
      this.onMessageFailed(e);
      return;
    }
    if (isPending(done)) done.catch(this.onMessageFailed);
  }

  /** `deliver`'s message parsed and handed on: a request to the server, an answer to the client, else dropped. */
  private dispatch(message: InboundMessage): MaybePromise<void> {
    // Owned: forwarding hands up bytes it received or reassembled, which nothing changes.
    const parsed = parseMessageParts(message.bytes, true, message.headerLength);
    if (!parsed) {
      this.counters.droppedOther++;
      return;
    }
    const code = parsed.contents.messageCode;
    if (isRequestCode(code) && code < 0x8000) {
      const neighbour = message.from ? nodeIdKey(message.from) : 'self';
      // A flood from one link cannot exhaust memory: requests beyond the bounds are dropped before
      // any work (their senders retransmit, §6.2.1).
      if (!this.inbound.admit(neighbour)) return;
      return this.server.process(message, parsed, neighbour);
    }
    if (code === MessageCode.error || (code % 2 === 0 && code !== 0 && code < 0x8000)) return this.client.answer(message, parsed);
    // 0 and the reserved 0x8000..0xFFFE are neither (answerForUnknownMessageCode): discard.
    this.counters.droppedOther++;
  }

  routingFailed(failure: RoutingFailure): void {
    if (this.closed) return;
    // Only a request gets an error answer (§6.3.3.1), and only the piece that starts with its
    // message_code can tell: a fragment at offset 0 or a whole message.
    const code = leadingMessageCode(failure.header.fragment, failure.payload);
    if (code === undefined || !isRequestCode(code) || code >= 0x8000) return;
    const key = nodeIdKey(failure.from);
    if (!this.inbound.admit(key)) return;
    // An intermediate node does not verify signatures (§6.3.4), so the answer goes to the
    // previous hop and back along the via list as the request came.
    this.sealer
      .sendError(failure.header, failure.from, failure.errorCode, failure.reason)
      .catch((e: unknown) => this.log.warn('could not send an error answer', { error: String(e) }))
      .finally(() => this.inbound.release(key));
  }

  /** §6.3.4: the verified signer of a message for this node; `answering`: for an answer, the request it answers. */
  private verify(msg: InboundMessage, parsed: MessageParts, answering?: Answering): MaybePromise<VerifiedSigner> {
    return this.verification.verify(msg.header, msg.from, parsed.contentsBytes, parsed.securityBlock, answering);
  }

  /** §6.3.4: a message for this node whose signature does not verify is dropped (and reported). */
  private verificationFailed(msg: InboundMessage, parsed: MessageParts, e: unknown): void {
    // §6.3.4: "If the signature fails, the implementation SHOULD simply drop the message and MUST NOT process it."
    this.counters.droppedBadSignature++;
    const { header } = msg;
    const error = e instanceof ReloadError ? e : ReloadError.of('Error_Forbidden', e instanceof Error ? e.message : String(e));
    this.log.info('dropped a message whose signature does not verify', { transactionId: header.transactionId.toString(), error: String(e) });
    const claimedNodeId = originatorOf(header, msg.from, this.localNodeId);
    this.onSecurityFailure?.({ transactionId: header.transactionId, messageCode: parsed.contents.messageCode, from: msg.from, claimedNodeId, error });
  }
}
