/**
 * JSON view of a decoded message for people and tools (`chordphone decode`): ids as lowercase
 * hex, message and error codes by their RFC registry names as well as their numbers.
 */
import { toJsonValue, type JsonValue } from './json.js';
import { errorCodeName, messageCodeName, MessageCode } from './message-codes.js';
import { decodeExtensions, type ReloadMessage } from './reload-message.js';

export function describeReloadMessage(m: ReloadMessage): JsonValue {
  const code = m.body.name === 'unknown' ? m.body.code : MessageCode[m.body.name];
  const body: unknown =
    m.body.name === 'unknown'
      ? { raw: m.body.raw }
      : m.body.name === 'error'
        ? { ...m.body.value, errorCodeName: errorCodeName(m.body.value.errorCode) ?? 'unassigned', errorInfoText: utf8OrUndefined(m.body.value.errorInfo) }
        : m.body.value;
  return toJsonValue({
    forwardingHeader: m.forwardingHeader,
    messageCode: code,
    messageCodeName: messageCodeName(code) ?? 'unassigned',
    body,
    extensions: decodeExtensions(code, m.extensions),
    securityBlock: m.securityBlock,
  });
}

function utf8OrUndefined(bytes: Uint8Array): string | undefined {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return undefined;
  }
}
