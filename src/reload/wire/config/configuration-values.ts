import { fromHex, toHex } from '../codec/hex.js';

/**
 * Lexical forms of the simple values in the configuration document (RFC 6940 §11.1.1 uses XML
 * Schema datatypes) and the value ranges of §11.1. Parsers return `undefined` for a bad value;
 * the caller names the place. Shared by the parser and the producer so both apply one rule set.
 */

/** XML white space (XML 1.0 §2.3 S). */
const XML_SPACE = /[ \t\r\n]+/g;

/** Leading and trailing XML white space removed (not other Unicode spaces). */
export function trimXml(text: string): string {
  return text.replace(/^[ \t\r\n]+|[ \t\r\n]+$/g, '');
}

/** XML Schema `collapse` white space processing: runs become one space, ends trimmed. */
export function collapseXml(text: string): string {
  return trimXml(text.replace(XML_SPACE, ' '));
}

/** True when `text` has white space at either end (which the parser would drop). */
export function hasOuterSpace(text: string): boolean {
  return trimXml(text) !== text;
}

/** True when every character of `text` may appear in an XML 1.0 document (§2.2 Char). */
export function isXmlText(text: string): boolean {
  for (const ch of text) {
    const cp = ch.codePointAt(0) ?? 0;
    const ok = cp === 0x9 || cp === 0xa || cp === 0xd || (cp >= 0x20 && cp <= 0xd7ff) || (cp >= 0xe000 && cp <= 0xfffd) || cp >= 0x10000;
    if (!ok) return false;
  }
  return true;
}

/** Inclusive integer ranges (§11.1 value rules on top of the §11.1.1 XML Schema types). */
export const Ranges = {
  /** xsd:int. */
  int: [-2147483648, 2147483647],
  /** xsd:unsignedInt. */
  unsignedInt: [0, 4294967295],
  /** §11.1 sequence: "between 0 and 2^16-2". */
  sequence: [0, 0xfffe],
  /** §11.1 node-id-length: "MUST be between 16 (128 bits) and 20 (160 bits)". */
  nodeIdLength: [16, 20],
  /** xsd:unsignedByte (turn-density). */
  turnDensity: [0, 255],
  /** initial-ttl: xsd:int, but the forwarding header's ttl is a uint8 (§6.3.2). */
  initialTtl: [0, 255],
  /** §11.1 overlay-reliability-timer: "MUST be at least 200 milliseconds" (xsd:int). */
  overlayReliabilityTimer: [200, 2147483647],
  /** bootstrap-node port: xsd:int, a TCP/UDP port to connect to. */
  port: [1, 65535],
  /** max-count, max-size: xsd:int, counts and sizes cannot be negative. */
  count: [0, 2147483647],
  /** §11.1 max-node-multiple: "MUST be an integer greater than 0" (xsd:int). */
  maxNodeMultiple: [1, 2147483647],
  /** chord-ping-interval, chord-update-interval: xsd:int seconds, positive. */
  interval: [1, 2147483647],
  /** RFC 7851 §5.1 DiagnosticKindId: uint16. */
  diagnosticKind: [0, 0xffff],
} as const satisfies Record<string, readonly [number, number]>;

export type Range = readonly [number, number];

export function inRange(value: number, [min, max]: Range): boolean {
  return Number.isSafeInteger(value) && value >= min && value <= max;
}

/** An XML Schema integer lexical form (optional sign, digits) within `range`. */
export function parseInteger(text: string, range: Range): number | undefined {
  const t = trimXml(text);
  if (!/^[+-]?[0-9]{1,20}$/.test(t)) return undefined;
  const n = Number(t);
  return inRange(n, range) ? n : undefined;
}

/** xsd:boolean: "1" or "true" for true, "0" or "false" for false (RFC 6940 §11.1). */
export function parseBoolean(text: string): boolean | undefined {
  const t = trimXml(text);
  if (t === 'true' || t === '1') return true;
  if (t === 'false' || t === '0') return false;
  return undefined;
}

const BASE64_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** xsd:base64Binary (RFC 4648 alphabet, padded; white space allowed anywhere). */
export function parseBase64(text: string): Uint8Array | undefined {
  const t = text.replace(XML_SPACE, '');
  if (!/^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(t)) return undefined;
  const pad = t.endsWith('==') ? 2 : t.endsWith('=') ? 1 : 0;
  const out = new Uint8Array((t.length / 4) * 3 - pad);
  let o = 0;
  for (let i = 0; i < t.length; i += 4) {
    let word = 0;
    for (let j = 0; j < 4; j++) {
      const c = t[i + j] ?? '=';
      word = (word << 6) | (c === '=' ? 0 : BASE64_ALPHABET.indexOf(c));
    }
    for (let j = 2; j >= 0 && o < out.length; j--) out[o++] = (word >> (j * 8)) & 0xff;
  }
  return out;
}

/** Base64 of bytes (RFC 4648 §4, padded, one line). */
export function formatBase64(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const b0 = bytes[i] ?? 0;
    const b1 = bytes[i + 1] ?? 0;
    const b2 = bytes[i + 2] ?? 0;
    const word = (b0 << 16) | (b1 << 8) | b2;
    const remaining = bytes.length - i;
    out += BASE64_ALPHABET[(word >> 18) & 63] ?? '';
    out += BASE64_ALPHABET[(word >> 12) & 63] ?? '';
    out += remaining > 1 ? (BASE64_ALPHABET[(word >> 6) & 63] ?? '') : '=';
    out += remaining > 2 ? (BASE64_ALPHABET[word & 63] ?? '') : '=';
  }
  return out;
}

/**
 * A Node-ID "in hexadecimal" (§11.1 kind-signer, configuration-signer, bad-node; RFC 7851
 * access-node): an even, non-zero number of hex digits. The length is not checked against
 * node-id-length: the RFC's own example lists 8-byte values.
 */
export function parseHexNodeId(text: string): Uint8Array | undefined {
  const t = trimXml(text);
  if (t.length === 0 || t.length % 2 !== 0 || !/^[0-9a-fA-F]+$/.test(t)) return undefined;
  return fromHex(t);
}

export function formatHexNodeId(bytes: Uint8Array): string {
  return toHex(bytes);
}

/** RFC 7851 §7 diagnostic-kind `kind`: a hexadecimal number (an optional `0x` is accepted). */
export function parseHexNumber(text: string, range: Range): number | undefined {
  const t = trimXml(text).replace(/^0[xX]/, '');
  if (!/^[0-9a-fA-F]{1,8}$/.test(t)) return undefined;
  const n = parseInt(t, 16);
  return inRange(n, range) ? n : undefined;
}

export function formatHexNumber(n: number): string {
  return `0x${n.toString(16).padStart(4, '0')}`;
}

function validUrl(text: string, schemes: readonly string[]): boolean {
  if (text.length === 0 || hasOuterSpace(text)) return false;
  try {
    const url = new URL(text);
    return schemes.includes(url.protocol) && url.hostname !== '';
  } catch {
    return false;
  }
}

/** §11.1 enrollment-server: "This URL MUST be of type https:". */
export function isHttpsUrl(text: string): boolean {
  return validUrl(text, ['https:']);
}

/** A WebSocket URL for `cp:bootstrap-ws` (RFC 6455 §3: ws: or wss:). */
export function isWebSocketUrl(text: string): boolean {
  return validUrl(text, ['ws:', 'wss:']);
}

/**
 * §11.1 expiration: xsd:dateTime in RFC 3339 form "specified using UTC": `Z` (or an offset of
 * zero, `+00:00` / `-00:00`), with a real calendar date and time. Its time in ms since the epoch;
 * undefined when `text` is not one (never NaN, which compares false with every time).
 * OUR CHOICE: RFC 3339 §5.6 allows a leap second (second 60); the Date arithmetic has none, so it
 * counts as second 59 (the fraction kept): 23:59:60Z has passed when 00:00:00Z has.
 */
export function utcDateTimeMs(text: string): number | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d+)?(Z|[+-]00:00)$/.exec(text);
  if (!m) return undefined;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 60) return undefined;
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  const daysInMonth = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1] ?? 0;
  if (day > daysInMonth) return undefined;
  const ms = Math.floor(Number(`0${m[7] ?? ''}`) * 1000);
  const time = new Date(Date.UTC(2000, 0, 1, hour, minute, Math.min(second, 59), ms));
  // setUTCFullYear, not Date.UTC's year: that one reads years 0–99 as 1900–1999.
  return time.setUTCFullYear(year, month - 1, day);
}

export function isUtcDateTime(text: string): boolean {
  return utcDateTimeMs(text) !== undefined;
}

/** A non-empty name token (topology-plugin, data-model, link protocol, digest …): no white space. */
export function isToken(text: string): boolean {
  return text.length > 0 && !/[ \t\r\n]/.test(text) && isXmlText(text);
}

const NAME_START =
  'A-Z_a-z\\u{C0}-\\u{D6}\\u{D8}-\\u{F6}\\u{F8}-\\u{2FF}\\u{370}-\\u{37D}\\u{37F}-\\u{1FFF}\\u{200C}-\\u{200D}' +
  '\\u{2070}-\\u{218F}\\u{2C00}-\\u{2FEF}\\u{3001}-\\u{D7FF}\\u{F900}-\\u{FDCF}\\u{FDF0}-\\u{FFFD}\\u{10000}-\\u{EFFFF}';
const NCNAME = new RegExp(`^[${NAME_START}][${NAME_START}\\-.0-9\\u{B7}\\u{300}-\\u{36F}\\u{203F}-\\u{2040}]*$`, 'u');

/** Namespaces in XML 1.0 NCName (an XML 1.0 Name without a colon), for foreign element and attribute names. */
export function isNcName(text: string): boolean {
  return NCNAME.test(text);
}
