/**
 * A whole RELOAD message with its body and known extensions decoded: what a destination peer
 * processes and what `chordphone decode` prints. Built on ForwardedMessage (§6.3) and the
 * message-body table (§6.3.3).
 */
import { DecodeError, EncodeError } from './codec/decode-error.js';
import { decodeForwardedMessage, encodeMessageParts, type ForwardedMessageLimits } from './forwarded-message.js';
import { forwardingHeaderSize, type ForwardingHeader } from './forwarding-header.js';
import { decodeMessageBody, writeMessageBody, defaultBodyContext, type BodyContext, type MessageBody } from './message-body.js';
import { writeMessageExtension, type MessageExtension } from './message-contents.js';
import { isRequestCode, MessageExtensionType } from './message-codes.js';
import type { SecurityBlock } from './security-block.js';
import { DTLS_FINGERPRINT_EXTENSION, decodeDtlsFingerprint, type DtlsFingerprint } from './methods/dtls-fingerprint.js';
import { decodeDiagnosticsRequest, decodeDiagnosticsResponse, type DiagnosticsRequest, type DiagnosticsResponse } from './methods/diagnostics.js';
import { SELF_TUNING_DATA_EXTENSION, decodeSelfTuningData, type SelfTuningData } from './methods/chord.js';

/** RFC 6940 §6.3 with a decoded body. */
export interface ReloadMessage {
  readonly forwardingHeader: ForwardingHeader;
  readonly body: MessageBody;
  readonly extensions: readonly MessageExtension[];
  readonly securityBlock: SecurityBlock;
}

/** A message extension with its contents decoded when we know the type. */
export type DecodedExtension =
  | { readonly name: 'dtls_fingerprint'; readonly critical: boolean; readonly value: DtlsFingerprint }
  | { readonly name: 'Diagnostic_Ping'; readonly critical: boolean; readonly value: DiagnosticsRequest | DiagnosticsResponse }
  | { readonly name: 'self_tuning_data'; readonly critical: boolean; readonly value: SelfTuningData }
  | { readonly name: 'unknown'; readonly type: number; readonly critical: boolean; readonly contents: Uint8Array };

export interface ReloadMessageLimits extends ForwardedMessageLimits {
  readonly body?: BodyContext;
}

/** Where message_body starts in the encoded message (for absolute offsets in body errors). */
function bodyOffset(header: ForwardingHeader): number {
  // forwarding header, then MessageContents: message_code (2) + body length (4).
  return forwardingHeaderSize(header) + 2 + 4;
}

/** Decode a whole (unfragmented) message and its body. Throws only DecodeError. */
export function decodeReloadMessage(bytes: Uint8Array, limits: ReloadMessageLimits = {}): ReloadMessage {
  const fm = decodeForwardedMessage(bytes, limits);
  const { messageCode, messageBody, extensions } = fm.messageContents;
  // messageBody is a view of decodeForwardedMessage's private copy: no second copy needed.
  const body = decodeMessageBody(messageCode, messageBody, limits.body ?? defaultBodyContext, bodyOffset(fm.forwardingHeader), true);
  return { forwardingHeader: fm.forwardingHeader, body, extensions, securityBlock: fm.securityBlock };
}

/**
 * Encode a message; `length`, list lengths and message_code are computed. The body is written
 * straight into the message (RFC 6940 §6.3.3 MessageContents: code, body<0..2^32-1>, extensions).
 */
export function encodeReloadMessage(msg: ReloadMessage, limits: ReloadMessageLimits = {}): Uint8Array {
  const ctx = limits.body ?? defaultBodyContext;
  return encodeMessageParts(
    msg.forwardingHeader,
    (w) => {
      const codeAt = w.length;
      w.u16(0);
      let code = 0;
      w.prefixed(4, () => {
        code = writeMessageBody(w, msg.body, ctx);
      }, 'MessageContents.messageBody');
      if (code === 0) throw new EncodeError('MessageContents.messageCode', 'message code 0 is invalid (RFC 6940 §6.3.3)');
      w.patchU16(codeAt, code);
      w.prefixed(4, () => msg.extensions.forEach((e) => writeMessageExtension(w, e)), 'MessageContents.extensions');
    },
    msg.securityBlock,
    limits,
  );
}

/**
 * Decode the contents of the extensions we know. An extension whose contents do not parse is
 * reported as unknown with its raw contents (a non-critical extension MAY be ignored, §6.3.3).
 */
export function decodeExtensions(messageCode: number, extensions: readonly MessageExtension[]): DecodedExtension[] {
  return extensions.map((e): DecodedExtension => {
    const raw = { name: 'unknown', type: e.type, critical: e.critical, contents: e.extensionContents } as const;
    try {
      if (e.type === DTLS_FINGERPRINT_EXTENSION) return { name: 'dtls_fingerprint', critical: e.critical, value: decodeDtlsFingerprint(e.extensionContents) };
      if (e.type === MessageExtensionType.Diagnostic_Ping) {
        // RFC 7851 §4.2: a DiagnosticsRequest in a ping_req, a DiagnosticsResponse in its answer.
        const value = isRequestCode(messageCode) ? decodeDiagnosticsRequest(e.extensionContents) : decodeDiagnosticsResponse(e.extensionContents);
        return { name: 'Diagnostic_Ping', critical: e.critical, value };
      }
      if (e.type === SELF_TUNING_DATA_EXTENSION) return { name: 'self_tuning_data', critical: e.critical, value: decodeSelfTuningData(e.extensionContents) };
    } catch (err) {
      if (!(err instanceof DecodeError)) throw err;
    }
    return raw;
  });
}
