import type { Reader } from './codec/reader.js';
import { decodeAll } from './codec/reader.js';
import type { Writer } from './codec/writer.js';
import { encodeWith } from './codec/writer.js';
import { EncodeError } from './codec/decode-error.js';
import { ErrorCode, MessageCode, MessageExtensionType } from './message-codes.js';

/** RFC 6940 §6.3.3 MessageExtension. */
export interface MessageExtension {
  /** MessageExtensionType (uint16, §14.14); 0 is invalid. */
  readonly type: number;
  readonly critical: boolean;
  readonly extensionContents: Uint8Array;
}

/** RFC 6940 §6.3.3 MessageContents. The body stays opaque here; the method's codec decodes it. */
export interface MessageContents {
  /** §6.3.3: 0x1..0x7FFF requests (odd) and answers (even), 0xFFFF error; 0 is never assigned. */
  readonly messageCode: number;
  readonly messageBody: Uint8Array;
  readonly extensions: readonly MessageExtension[];
}

/**
 * RFC 6940 §6.3.3.1 ErrorResponse: exactly `error_code` and `error_info` (rfc6940-readings #5);
 * human text goes in error_info ("Unless otherwise specified, this will be a UTF-8 text string").
 */
export interface ErrorResponse {
  /** §14.9 ErrorCode (uint16). */
  readonly errorCode: number;
  readonly errorInfo: Uint8Array;
}

export function readMessageExtension(r: Reader): MessageExtension {
  return r.scope('MessageExtension', () => {
    const at = r.offset;
    const type = r.u16('type');
    if (type === MessageExtensionType.invalidMessageExtensionType) r.fail('type', 'extension type 0 (invalidMessageExtensionType)', at);
    return { type, critical: r.bool('critical'), extensionContents: r.opaque('extensionContents', 4) };
  });
}

export function writeMessageExtension(w: Writer, v: MessageExtension): void {
  if (v.type === MessageExtensionType.invalidMessageExtensionType) throw new EncodeError('MessageExtension.type', 'type 0 is invalidMessageExtensionType');
  w.u16(v.type, 'MessageExtension.type').bool(v.critical).opaque(4, v.extensionContents, 'MessageExtension.extensionContents');
}

export function readMessageContents(r: Reader): MessageContents {
  return r.scope('MessageContents', () => {
    const at = r.offset;
    const messageCode = r.u16('messageCode');
    // RFC 6940 §6.3.3: "0x0 Invalid Message Code. This code will never be assigned."
    if (messageCode === MessageCode.invalidMessageCode) r.fail('messageCode', 'message code 0 (invalid)', at);
    const messageBody = r.opaque('messageBody', 4);
    const extensions = r.vector('extensions', 4, readMessageExtension);
    return { messageCode, messageBody, extensions };
  });
}

export function writeMessageContents(w: Writer, v: MessageContents): void {
  if (v.messageCode === MessageCode.invalidMessageCode) throw new EncodeError('MessageContents.messageCode', 'message code 0 is never assigned');
  w.u16(v.messageCode, 'MessageContents.messageCode').opaque(4, v.messageBody, 'MessageContents.messageBody');
  w.prefixed(4, () => v.extensions.forEach((e) => writeMessageExtension(w, e)), 'MessageContents.extensions');
}

export function decodeMessageContents(bytes: Uint8Array): MessageContents {
  return decodeAll(bytes, 'MessageContents', (r) => readMessageContents(r));
}

export function encodeMessageContents(v: MessageContents): Uint8Array {
  return encodeWith((w) => writeMessageContents(w, v));
}

export function readErrorResponse(r: Reader): ErrorResponse {
  return r.scope('ErrorResponse', () => {
    const at = r.offset;
    const errorCode = r.u16('errorCode');
    if (errorCode === ErrorCode.invalidErrorCode) r.fail('errorCode', 'error code 0 (invalidErrorCode)', at);
    return { errorCode, errorInfo: r.opaque('errorInfo', 2) };
  });
}

export function writeErrorResponse(w: Writer, v: ErrorResponse): void {
  if (v.errorCode === ErrorCode.invalidErrorCode) throw new EncodeError('ErrorResponse.errorCode', 'error code 0 is invalidErrorCode');
  w.u16(v.errorCode, 'ErrorResponse.errorCode').opaque(2, v.errorInfo, 'ErrorResponse.errorInfo');
}

/** The message_body of an `error` (0xFFFF) message (RFC 6940 §6.3.3.1). */
export function decodeErrorResponse(bytes: Uint8Array): ErrorResponse {
  return decodeAll(bytes, 'ErrorResponse', (r) => readErrorResponse(r));
}

export function encodeErrorResponse(v: ErrorResponse): Uint8Array {
  return encodeWith((w) => writeErrorResponse(w, v));
}

/**
 * RFC 6940 §6.3.3: "If critical = True and the recipient does not understand the [extension], it
 * MUST generate an Error_Unknown_Extension error." Non-critical unknown extensions are ignored.
 * An error can only answer a request; for a received answer the caller discards it instead.
 *
 * @returns undefined when every critical extension is understood, else Error_Unknown_Extension.
 */
export function checkCriticalExtensions(
  extensions: readonly MessageExtension[],
  understood: ReadonlySet<number> | ((type: number) => boolean),
): typeof ErrorCode.Error_Unknown_Extension | undefined {
  const knows = typeof understood === 'function' ? understood : (t: number) => understood.has(t);
  for (const e of extensions) if (e.critical && !knows(e.type)) return ErrorCode.Error_Unknown_Extension;
  return undefined;
}

/** What to do with a message whose code this node does not implement. */
export type UnknownMessageCodeAnswer =
  | { readonly answer: 'error'; readonly errorCode: typeof ErrorCode.Error_Invalid_Message }
  | { readonly answer: 'none'; readonly reason: 'answer' | 'invalid' | 'reserved' };

/**
 * The answer to a message carrying a message_code this node does not implement.
 *
 * - An unknown *request* (odd code in 0x1..0x7FFF) is a failed request, so RFC 6940 §6.3.3.1
 *   applies: "If the request has failed, then the message code MUST be set to 0xffff (error) and
 *   the payload MUST be an error_response message". RFC 6940 names no error code specifically for
 *   an unknown method; the one whose definition fits is Error_Invalid_Message: "Something about
 *   this message is invalid, but it does not fit the other error codes. When this message is sent,
 *   implementations SHOULD provide some meaningful description in error_info" (§6.3.3.1).
 *   (Error_Forbidden is about permission, so it does not fit.)
 * - An unknown *answer* (even code in 0x2..0x7FFE) gets no answer: only requests are answered.
 * - 0x0 ("This code will never be assigned") and the reserved 0x8000..0xFFFE cannot be a request
 *   of any method; the message is discarded without an answer.
 * 0xFFFF (error) is always known and never answered; it is reported as 'answer'.
 */
export function answerForUnknownMessageCode(messageCode: number): UnknownMessageCodeAnswer {
  if (messageCode === MessageCode.invalidMessageCode) return { answer: 'none', reason: 'invalid' };
  if (messageCode === MessageCode.error) return { answer: 'none', reason: 'answer' };
  if (messageCode >= 0x8000) return { answer: 'none', reason: 'reserved' };
  if (messageCode % 2 === 1) return { answer: 'error', errorCode: ErrorCode.Error_Invalid_Message };
  return { answer: 'none', reason: 'answer' };
}
