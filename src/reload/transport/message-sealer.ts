/**
 * The outbound half of the message transport: signing and encoding the messages this node
 * originates and answers (RFC 6940 §6.3.4: every message signed), the answers' max_response_length
 * check (§6.3.2) and the error answers of §6.3.3.1.
 */
import { AbortError, type Logger } from '../runtime/components.js';
import { proceed, type MaybePromise } from '../runtime/maybe-promise.js';
import { ReloadError } from '../runtime/reload-error.js';
import type { Signer } from '../security/signer.js';
import type { Forwarding } from '../forwarding/index.js';
import type { GenericCertificate, Signature } from '../wire/security-block.js';
import { encodeMessageParts } from '../wire/forwarded-message.js';
import { forwardingHeaderSize, type ForwardingHeader } from '../wire/forwarding-header.js';
import type { NodeId } from '../wire/ids.js';
import { encodeMessageBody } from '../wire/message-body.js';
import { ErrorCode, MessageCode } from '../wire/message-codes.js';
import type { ErrorResponse, MessageContents, MessageExtension } from '../wire/message-contents.js';
import { messageSignatureInputWithContents } from '../wire/message-signature-input.js';
import { answerHeader } from './answer-header.js';
import { certificateBucket } from './message-security.js';

/** No extensions (read-only: one frozen array for every message that carries none). */
export const NO_EXTENSIONS: readonly MessageExtension[] = Object.freeze([]);

/** A forwarding header being encoded by this transport: `seal` sets its `length`. */
export type EncodingHeader = { -readonly [K in keyof ForwardingHeader]: ForwardingHeader[K] };

/** An answer's MessageContents, encoded, before it is signed. */
export interface EncodedReply {
  readonly code: number;
  readonly body: Uint8Array;
  readonly extensions: readonly MessageExtension[];
  readonly certificates?: readonly GenericCertificate[] | undefined;
  /** The handler's Reply.unsent, guarded (request-types.ts guardedUnsent, applied in request-server.ts): told when this answer does not go out as given. */
  readonly unsent?: ((reason: unknown) => void) | undefined;
}

/** An answer `sendAnswer` is signing and sealing: to `request`, which reached this node from `from`. */
interface SealingAnswer {
  readonly request: ForwardingHeader;
  readonly from: NodeId | undefined;
  readonly reply: EncodedReply;
  readonly header: EncodingHeader;
  /** The encoded MessageContents, once `signAnswer` has made them. */
  contentsBytes: Uint8Array;
}

const NO_BYTES = new Uint8Array(0);

/** What the sealer asks of the transport it works for. */
export interface SealerHooks {
  /** The transport is closed: answers are no longer sent. */
  closed(): boolean;
  /** An error answer went out (for the transport's counters). */
  errorAnswerSent(): void;
}

/** UTF-8 bytes of a text (error_info, §6.3.3.1). */
export const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);

export class MessageSealer {
  private readonly localNodeId: NodeId;

  constructor(
    private readonly signer: Signer,
    private readonly forwarding: Forwarding,
    private readonly hooks: SealerHooks,
  ) {
    this.localNodeId = forwarding.localNodeId;
  }

  /**
   * What this node signs for a message (§6.3.4: overlay, transaction_id, MessageContents,
   * SignerIdentity), with the MessageContents encoded once: into the input, and from there (a
   * view, `contentsBytes`) into the message by `seal`.
   */
  signatureInput(header: ForwardingHeader, contents: MessageContents): { readonly input: Uint8Array; readonly contentsBytes: Uint8Array } {
    return messageSignatureInputWithContents(header.overlay, header.transactionId, contents, this.signer.identity());
  }

  /**
   * Encode a signed message; too large for max-message-size -> Error_Message_Too_Large.
   * `header.length` is set to the encoded size (the header is the caller's own, made for this
   * message), so that forwarding can take the header as it is rather than decode it again.
   */
  seal(header: EncodingHeader, contentsBytes: Uint8Array, signature: Signature, extra: readonly GenericCertificate[] = []): Uint8Array {
    header.length = 0;
    const certificates = certificateBucket(this.signer.certificates(), extra);
    const message = encodeMessageParts(header, (w) => w.bytes(contentsBytes), { certificates, signature });
    const max = this.forwarding.parameters.maxMessageSize;
    if (message.length > max) throw ReloadError.of('Error_Message_Too_Large', `message of ${message.length} bytes exceeds max-message-size ${max}`);
    header.length = message.length;
    return message;
  }

  /**
   * Sign and send an answer; gives its signed payload (for the answer cache) in bytes of its own,
   * or undefined: at once when the signer signs at once (MaybePromise), else once it has signed.
   * `reply.unsent` is told when this answer does not go out as given (guarded by request-server.ts: it does not
   * throw): an error answer goes instead, or none.
   */
  sendAnswer(request: ForwardingHeader, from: NodeId | undefined, reply: EncodedReply): MaybePromise<Uint8Array | undefined> {
    // A new header, this answer's own: seal() sets its length.
    const answer: SealingAnswer = { request, from, reply, header: answerHeader(request, from, this.localNodeId, this.forwarding.parameters) as EncodingHeader, contentsBytes: NO_BYTES };
    return proceed(this, answer, this.signAnswer, this.sealAnswer, this.notSealed);
  }

  /** `sendAnswer`'s signature (§6.3.4), the answer's MessageContents encoded on the way (`contentsBytes`). */
  private signAnswer(answer: SealingAnswer): MaybePromise<Signature> {
    const { reply } = answer;
    const signed = this.signatureInput(answer.header, { messageCode: reply.code, messageBody: reply.body, extensions: reply.extensions });
    answer.contentsBytes = signed.contentsBytes;
    return this.signer.sign(signed.input, {});
  }

  /** `sendAnswer` once signed: the answer sealed, checked against max_response_length and sent. */
  private sealAnswer(answer: SealingAnswer, signature: Signature): MaybePromise<Uint8Array | undefined> {
    const { request, reply, header } = answer;
    const { code, unsent } = reply;
    let message: Uint8Array;
    try {
      message = this.seal(header, answer.contentsBytes, signature, reply.certificates);
      // §6.3.2 max_response_length: "responding peers MUST check that any response would not
      // exceed it". §6.3.2 names Error_Incompatible_with_Overlay for this, but §6.3.3.1 defines
      // Error_Response_Too_Large for exactly this case ("A node would have generated a response that
      // is too large per the max_response_length field"): OUR READING takes the specific code.
      // An error answer is not held to it: it must be able to say why the request failed.
      if (request.maxResponseLength !== 0 && message.length > request.maxResponseLength && code !== MessageCode.error) {
        throw ReloadError.of('Error_Response_Too_Large', `the answer has ${message.length} bytes, max_response_length is ${request.maxResponseLength}`);
      }
    } catch (e) {
      return this.notSealed(answer, e);
    }
    if (this.hooks.closed()) {
      unsent?.(new AbortError('the transport is closed'));
      return undefined;
    }
    if (code === MessageCode.error) this.hooks.errorAnswerSent();
    const headerLength = forwardingHeaderSize(header);
    this.forwarding.send(message, header, headerLength);
    // A copy (the answer cache keeps it: exactBytes takes it as it is), not a view to copy later.
    // `message` is a Uint8Array of the slab (Writer.finish), whose slice copies.
    return message.slice(headerLength);
  }

  /** The answer could not be signed or sealed as it is (`e`): the error answer instead, when it is one the requester can be given. */
  private notSealed(answer: SealingAnswer, e: unknown): MaybePromise<Uint8Array | undefined> {
    const { request, from, reply } = answer;
    reply.unsent?.(e);
    if (!(e instanceof ReloadError) || reply.code === MessageCode.error) throw e;
    // The answer cannot go out as it is (too large): answer with the error instead.
    const err = e.code === ErrorCode.Error_Message_Too_Large ? ReloadError.of('Error_Response_Too_Large', e.message) : e;
    return this.sendAnswer(request, from, errorAnswer(err.toResponse()));
  }

  /** §6.3.3.1: an error answer to `request`, which reached this node from `from`. */
  async sendError(request: ForwardingHeader, from: NodeId, errorCode: number, reason: string): Promise<void> {
    await this.sendAnswer(request, from, errorAnswer({ errorCode, errorInfo: utf8(reason) }));
  }
}

/** §6.3.3.1: an error answer (message code error, body an ErrorResponse), encoded: the one place it is built. */
export function errorAnswer(response: ErrorResponse): EncodedReply {
  const { code, bytes } = encodeMessageBody({ name: 'error', value: response });
  return { code, body: bytes, extensions: NO_EXTENSIONS };
}

/** The error answer for what a handler threw: its ReloadError, else Error_Invalid_Message (logged). */
export function errorReply(e: unknown, log: Logger): EncodedReply {
  let err: ReloadError;
  if (e instanceof ReloadError) err = e;
  else {
    log.error('request handler failed', { error: String(e) });
    err = ReloadError.of('Error_Invalid_Message', 'the request could not be processed');
  }
  return errorAnswer(err.toResponse());
}
