/**
 * The requester side of message transport (RFC 6940 §6.2.1, §6.3.4): requests this node originates,
 * each signed and run by its ClientTransaction (retransmission and timeout), and the answers to
 * them, verified and checked for who may answer (§6.3.4 checks 1 and 2) before they settle the
 * request. message-transport.ts hands it the answers forwarding delivers (`answer`).
 */
import { AbortError, logsDebug, type Clock, type Logger, type Random } from '../runtime/components.js';
import { ErrorAnswer, ReloadError } from '../runtime/reload-error.js';
import { isPending, proceed, type MaybePromise } from '../runtime/maybe-promise.js';
import type { Signer, VerifiedSigner } from '../security/signer.js';
import { nodeIdKey, type Forwarding, type InboundMessage, type SendResult } from '../forwarding/index.js';
import { DecodeError } from '../wire/codec/decode-error.js';
import type { Destination } from '../wire/destination.js';
import { RELOAD_VERSION, UNFRAGMENTED, forwardingHeaderSize, type ForwardingHeader } from '../wire/forwarding-header.js';
import { decodeMessageBody, encodeMessageBody, type BodyContext, type KnownBodyName, type MessageBody } from '../wire/message-body.js';
import { answerCodeFor, MessageCode, messageCodeName } from '../wire/message-codes.js';
import { checkCriticalExtensions, type MessageContents } from '../wire/message-contents.js';
import type { Signature } from '../wire/security-block.js';
import { NO_DESTINATIONS } from './answer-header.js';
import { ClientTransaction, type ClientTransactionInit, type ClientTransactionOwner } from './client-transaction.js';
import type { MessageParts } from './message-parts.js';
import { mayAnswer, type Answering } from './message-security.js';
import { NO_EXTENSIONS, type EncodingHeader, type MessageSealer } from './message-sealer.js';
import type { Answer, AnswerNameFor, RequestBody, RequestName, RequestOptions } from './request-types.js';
import { TransportOverloadError, type ResponderCheck } from './transport-types.js';

type AnyAnswer = Answer<KnownBodyName>;

/** No forwarding options (read-only: one frozen array). */
const NO_FORWARDING_OPTIONS: ForwardingHeader['options'] = Object.freeze([]);

/** Where newTransactionId reads its eight random bytes as one uint64 (no DataView per request). */
const TRANSACTION_ID_BYTES = new Uint8Array(8);
const TRANSACTION_ID_VIEW = new DataView(TRANSACTION_ID_BYTES.buffer);

/** The counters of TransportStats this side keeps (message-transport.ts owns the object). */
export interface ClientCounters {
  requestsSent: number;
  retransmissions: number;
  answersAccepted: number;
  droppedOther: number;
}

export interface RequestClientInit {
  readonly clock: Clock;
  readonly random: Random;
  readonly signer: Signer;
  readonly forwarding: Forwarding;
  readonly log: Logger;
  readonly sealer: MessageSealer;
  readonly bodyContext: BodyContext;
  readonly understoodExtensions: ReadonlySet<number>;
  readonly maxPending: number;
  readonly maxTransmissions: number;
  readonly counters: ClientCounters;
  /** Certificate lookups started so far (MessageVerification.lookupsStarted). */
  readonly certificateLookupsStarted: () => number;
  /** §6.3.4: the verified signer of an answer to the request `answering` describes (throws or rejects when its signature does not verify). */
  readonly verify: (msg: InboundMessage, parsed: MessageParts, answering: Answering) => MaybePromise<VerifiedSigner>;
  /** §6.3.4: "the implementation SHOULD simply drop the message and MUST NOT process it" (and reports it). */
  readonly verificationFailed: (msg: InboundMessage, parsed: MessageParts, e: unknown) => void;
  readonly closed: () => boolean;
}

/** An answer to a pending request, being verified: `sentBefore` is the request's transmissions when it arrived (its verification may wait). */
interface ArrivedAnswer {
  readonly msg: InboundMessage;
  readonly parsed: MessageParts;
  readonly tx: ClientTransaction<AnyAnswer>;
  readonly sentBefore: number;
}

export class RequestClient implements ClientTransactionOwner<AnyAnswer> {
  /** Each request's transmissions and end are logged (debug): only when the logger keeps debug entries (logsDebug), never on the simulator's hot path. */
  private readonly traced: boolean;
  private readonly pending = new Map<bigint, ClientTransaction<AnyAnswer>>();
  private responderCheck: ResponderCheck | undefined;

  constructor(private readonly init: RequestClientInit) {
    this.traced = logsDebug(init.log);
  }

  /** Requests waiting for their answer (TransportStats.pendingRequests). */
  get pendingRequests(): number {
    return this.pending.size;
  }

  setResponderCheck(check: ResponderCheck | undefined): void {
    this.responderCheck = check;
  }

  /** Every pending request is aborted (the transport is closed). */
  close(): void {
    for (const tx of [...this.pending.values()]) tx.abort('message transport is closed');
  }

  // ── Requests we originate (§6.2.1) ────────────────────────────────────────────────────────

  request<K extends RequestName>(destinationList: readonly Destination[], body: RequestBody<K>, options: RequestOptions): Promise<Answer<AnswerNameFor<K>>> {
    // Not async, so that a request whose signature is made at once goes out at once, and settles
    // with its answer and no other promise; what the checks throw rejects as from an async function.
    try {
      return this.startRequest<K>(destinationList, body, options);
    } catch (e) {
      return Promise.reject(e);
    }
  }

  /** `request`'s checks, its message and its signature. */
  private startRequest<K extends RequestName>(destinationList: readonly Destination[], body: RequestBody<K>, options: RequestOptions): Promise<Answer<AnswerNameFor<K>>> {
    this.checkSendable(options);
    if (destinationList.length === 0) throw new RangeError('empty destination list');
    // Before anything waits: a certificate lookup that makes this request (its Fetch) started before.
    const certificateLookupsBefore = this.init.certificateLookupsStarted();
    const p = this.init.forwarding.parameters;
    // §6.3.2 transaction_id: "they MUST be randomly generated".
    let transactionId = this.newTransactionId();
    while (this.pending.has(transactionId)) transactionId = this.newTransactionId();
    const { code, bytes } = encodeMessageBody(body as MessageBody, this.init.bodyContext);
    const contents: MessageContents = { messageCode: code, messageBody: bytes, extensions: options.extensions ?? NO_EXTENSIONS };
    const header: EncodingHeader = {
      overlay: p.overlay,
      configurationSequence: options.configurationSequence ?? p.configurationSequence,
      version: RELOAD_VERSION,
      ttl: options.ttl ?? p.initialTtl,
      fragment: UNFRAGMENTED,
      length: 0,
      transactionId,
      maxResponseLength: options.maxResponseLength ?? 0,
      viaList: NO_DESTINATIONS,
      // Copies: forwarding routes every transmission by this header, which must stay what was signed.
      destinationList: destinationList.slice(),
      options: options.forwardingOptions ? options.forwardingOptions.slice() : NO_FORWARDING_OPTIONS,
    };
    const { input, contentsBytes } = this.init.sealer.signatureInput(header, contents);
    const signature = this.init.signer.sign(input, options);
    // Sent at once when the signer signs at once (MaybePromise), else once it has signed.
    if (isPending(signature)) {
      return signature.then((s) => {
        // Signing took a while: the transport may have closed, the caller given up, or others filled the pending table.
        this.checkSendable(options);
        return this.sendRequest<K>(header, code, contentsBytes, s, options, certificateLookupsBefore);
      });
    }
    return this.sendRequest<K>(header, code, contentsBytes, signature, options, certificateLookupsBefore);
  }

  /** Whether a request may go out now (transport open, caller not given up, room in the pending table): before it is signed, and again after a signature that was not made at once. */
  private checkSendable(options: RequestOptions): void {
    if (this.init.closed()) throw new AbortError('message transport is closed');
    if (options.signal?.aborted) throw new AbortError();
    if (this.pending.size >= this.init.maxPending) throw new TransportOverloadError(`${this.pending.size} requests already pending`);
  }

  /** `request`, signed: the message sealed and its ClientTransaction started; settles with the answer. */
  private sendRequest<K extends RequestName>(header: EncodingHeader, code: number, contentsBytes: Uint8Array, signature: Signature, options: RequestOptions, certificateLookupsBefore: number): Promise<Answer<AnswerNameFor<K>>> {
    const message = this.init.sealer.seal(header, contentsBytes, signature, options.certificates);
    const headerLength = forwardingHeaderSize(header);
    const { transactionId } = header;
    const init: ClientTransactionInit = {
      transactionId,
      requestCode: code,
      destinationList: header.destinationList,
      message,
      header,
      headerLength,
      timerMs: this.init.forwarding.parameters.overlayReliabilityTimerMs,
      maxTransmissions: this.init.maxTransmissions,
      anyResponder: options.anyResponder === true,
      certificateLookupsBefore,
    };
    return new Promise<Answer<AnswerNameFor<K>>>((resolve, reject) => {
      const tx = new ClientTransaction<AnyAnswer>(this.init.clock, init, this, resolve as (a: AnyAnswer) => void, reject);
      this.pending.set(transactionId, tx);
      this.init.counters.requestsSent++;
      tx.start(options.signal);
      if (tx.transmissions > 0) options.onSent?.();
    });
  }

  /** ClientTransactionOwner: each transmission of a request goes to forwarding as it was signed. */
  transmitRequest(tx: ClientTransaction<AnyAnswer>): SendResult {
    if (tx.transmissions > 1) this.init.counters.retransmissions++;
    const { message, header, headerLength } = tx.init;
    const { forwarding } = this.init;
    const result = header ? forwarding.send(message, header, headerLength) : forwarding.send(message);
    if (this.traced) {
      this.init.log.debug('request sent', { method: messageCodeName(tx.init.requestCode), to: describeDestinations(tx.init.destinationList), transactionId: tx.init.transactionId.toString(), transmission: tx.transmissions, ...(result.ok ? {} : { notSent: result.reason }) });
    }
    return result;
  }

  /** ClientTransactionOwner: the transaction is over (answered, failed, timed out or aborted). */
  transactionEnded(tx: ClientTransaction<AnyAnswer>): void {
    if (this.pending.get(tx.init.transactionId) === tx) this.pending.delete(tx.init.transactionId);
    if (this.traced) this.init.log.debug('request ended', { method: messageCodeName(tx.init.requestCode), transactionId: tx.init.transactionId.toString(), state: tx.state, transmissions: tx.transmissions });
  }

  private newTransactionId(): bigint {
    // randomU64's value (eight random bytes, big-endian), read in one step rather than a BigInt per byte.
    TRANSACTION_ID_BYTES.set(this.init.random.bytes(8));
    return TRANSACTION_ID_VIEW.getBigUint64(0);
  }

  // ── Answers (§6.3.3.1, §6.3.4) ───────────────────────────────────────────────────────────

  /** An answer (or error answer) for this node: to a pending request of ours, else dropped. */
  answer(msg: InboundMessage, parsed: MessageParts): MaybePromise<void> {
    const tx = this.pending.get(msg.header.transactionId);
    if (!tx) {
      this.init.counters.droppedOther++;
      return;
    }
    // §6.3.4: every message for this node is verified before anything else is done with it. Answers
    // are not bounded like requests (KeyedLimiter), so their certificate lookups are limited to
    // the one signer check 1 accepts (mayAnswer) and the bound on lookups.
    const arrived: ArrivedAnswer = { msg, parsed, tx, sentBefore: tx.transmissions };
    return proceed(this, arrived, this.verifyAnswer, this.verifiedAnswer, this.answerNotVerified);
  }

  /** §6.3.4: the verified signer of the answer (throws or rejects when its signature does not verify). */
  private verifyAnswer(arrived: ArrivedAnswer): MaybePromise<VerifiedSigner> {
    const { tx } = arrived;
    return this.init.verify(arrived.msg, arrived.parsed, { target: tx.target, lookupsBefore: tx.init.certificateLookupsBefore });
  }

  /** §6.3.4: an answer whose signature does not verify is dropped (and reported); its request goes on waiting. */
  private answerNotVerified(arrived: ArrivedAnswer, e: unknown): void {
    this.init.verificationFailed(arrived.msg, arrived.parsed, e);
  }

  /** The answer once `sender` is verified: taken, or the request failed with the error answer, or dropped. */
  private verifiedAnswer(arrived: ArrivedAnswer, sender: VerifiedSigner): void {
    const { msg, parsed, tx } = arrived;
    if (tx.state !== 'waiting') return;
    const { counters, log, bodyContext } = this.init;
    const { messageCode, messageBody, extensions } = parsed.contents;
    if (messageCode === MessageCode.error) {
      // OUR READING of §6.3.4 check 1 ("The response to a message sent to a Node-ID MUST have been
      // sent by that Node-ID"): it applies to success answers. Error answers may come from any
      // verified peer on the path (Error_TTL_Exceeded, Error_Loop_Detected … are made by
      // intermediates), and an intermediate could make the request fail by dropping it anyway.
      let body: MessageBody;
      try {
        body = decodeMessageBody(messageCode, messageBody, bodyContext, 0, true);
      } catch (e) {
        if (!(e instanceof DecodeError)) throw e;
        tx.fail(ReloadError.of('Error_Invalid_Message', `malformed error answer: ${e.message}`));
        return;
      }
      if (body.name === 'error') {
        const error = new ErrorAnswer(body.value, sender.nodeId);
        if (this.traced) log.debug('error answer', { transactionId: msg.header.transactionId.toString(), sender: nodeIdKey(sender.nodeId), error: String(error) });
        tx.fail(error);
      }
      return;
    }
    if (!(tx.init.anyResponder && tx.target?.kind === 'resource') && !this.responderAcceptable(tx.target, sender)) {
      // Dropped; the request stays pending and is retransmitted (§6.3.4: "This will cause the
      // response to be rejected and the request to be retransmitted"); check 2's the first time at
      // once (ClientTransaction.answerRejected).
      counters.droppedOther++;
      log.info('dropped an answer from the wrong node', { transactionId: msg.header.transactionId.toString(), sender: nodeIdKey(sender.nodeId) });
      if (tx.target?.kind === 'resource') tx.answerRejected(arrived.sentBefore);
      return;
    }
    // §6.3.3: an unknown critical extension in an answer cannot be answered with an error: discard it.
    if (checkCriticalExtensions(extensions, this.init.understoodExtensions) !== undefined) {
      counters.droppedOther++;
      return;
    }
    if (messageCode !== answerCodeFor(tx.init.requestCode)) {
      tx.fail(ReloadError.of('Error_Invalid_Message', `answer code 0x${messageCode.toString(16)} does not match request 0x${tx.init.requestCode.toString(16)}`));
      return;
    }
    let body: MessageBody;
    try {
      body = decodeMessageBody(messageCode, messageBody, bodyContext, 0, true);
    } catch (e) {
      if (!(e instanceof DecodeError)) throw e;
      tx.fail(ReloadError.of('Error_Invalid_Message', `malformed answer: ${e.message}`));
      return;
    }
    if (body.name === 'unknown' || body.name === 'error') return;
    counters.answersAccepted++;
    if (this.traced) log.debug('answer', { name: body.name, transactionId: msg.header.transactionId.toString(), sender: nodeIdKey(sender.nodeId) });
    tx.answer({ name: body.name, value: body.value, extensions, sender, header: msg.header, certificates: parsed.securityBlock.certificates } as AnyAnswer);
  }

  /** §6.3.4 checks 1 and 2 on who may answer a request sent to `target`. */
  private responderAcceptable(target: Destination | undefined, sender: VerifiedSigner): boolean {
    if (!target) return false;
    if (target.kind === 'node') return mayAnswer(sender.nodeId, target);
    if (target.kind === 'resource') return this.responderCheck?.(target.resourceId, sender.nodeId) ?? true;
    return true;
  }
}

/** A destination list for the log: node and resource ids in hex. */
function describeDestinations(list: readonly Destination[]): string {
  return list.map((d) => (d.kind === 'node' ? `node:${nodeIdKey(d.nodeId)}` : d.kind === 'resource' ? `resource:${nodeIdKey(d.resourceId)}` : d.kind)).join(',');
}
