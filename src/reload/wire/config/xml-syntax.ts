/**
 * XML 1.0 (Fifth Edition) lexical rules the configuration document's parser needs: characters
 * (§2.2), white space (§2.3), names (§2.3), references (§4.1, §4.6), and line/column positions for
 * error messages. Internal to the configuration codec.
 */
import { ConfigurationError } from './configuration-error.js';

/** The namespace bound to the `xml` prefix (Namespaces in XML 1.0 §3). */
export const XML_NAMESPACE = 'http://www.w3.org/XML/1998/namespace';
/** The namespace of `xmlns` declarations, which no prefix may be bound to (Namespaces in XML 1.0 §3). */
export const XMLNS_NAMESPACE = 'http://www.w3.org/2000/xmlns/';

/** XML 1.0 §2.2 Char. */
export function isXmlChar(cp: number): boolean {
  return cp === 0x9 || cp === 0xa || cp === 0xd || (cp >= 0x20 && cp <= 0xd7ff) || (cp >= 0xe000 && cp <= 0xfffd) || (cp >= 0x10000 && cp <= 0x10ffff);
}

/** The first character that is not an XML 1.0 §2.2 Char (a lone surrogate included), or -1. */
export function firstNonXmlChar(text: string): number {
  const re = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;
  const m = re.exec(text);
  return m === null ? -1 : m.index;
}

/** XML 1.0 §2.3 [3] S: space, tab, carriage return, line feed. */
export function isXmlSpace(code: number): boolean {
  return code === 0x20 || code === 0x9 || code === 0xa || code === 0xd;
}

// XML 1.0 §2.3 [4] NameStartChar and [4a] NameChar.
const NAME_START = ':A-Z_a-z\\u00C0-\\u00D6\\u00D8-\\u00F6\\u00F8-\\u02FF\\u0370-\\u037D\\u037F-\\u1FFF\\u200C-\\u200D\\u2070-\\u218F\\u2C00-\\u2FEF\\u3001-\\uD7FF\\uF900-\\uFDCF\\uFDF0-\\uFFFD\\u{10000}-\\u{EFFFF}';
const NAME_CHAR = `${NAME_START}\\-.0-9\\u00B7\\u0300-\\u036F\\u203F-\\u2040`;
const NAME = new RegExp(`[${NAME_START}][${NAME_CHAR}]*`, 'uy');

/** The XML 1.0 §2.3 [5] Name starting at `at`, or '' when none starts there. */
export function nameAt(text: string, at: number): string {
  NAME.lastIndex = at;
  const m = NAME.exec(text);
  return m === null ? '' : m[0];
}

/** Namespaces in XML 1.0 §4 [7] QName split at its colon; undefined when `qname` is not a QName. */
export function splitQName(qname: string): { readonly prefix: string; readonly local: string } | undefined {
  const colon = qname.indexOf(':');
  if (colon < 0) return { prefix: '', local: qname };
  const prefix = qname.slice(0, colon);
  const local = qname.slice(colon + 1);
  if (prefix === '' || local === '' || local.includes(':') || nameAt(local, 0).length !== local.length) return undefined;
  return { prefix, local };
}

/** XML 1.0 §4.6: the five predefined entities, the only ones a document without a DTD may use. */
const PREDEFINED_ENTITIES: Readonly<Record<string, string>> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

/** 1-based line and column (in UTF-16 code units) of `offset`; CR LF, CR and LF each end a line (§2.11). */
export function lineColumn(text: string, offset: number): { readonly line: number; readonly column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0xa || (c === 0xd && text.charCodeAt(i + 1) !== 0xa)) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}

/** A ConfigurationError for the document as a whole, located at `offset` (line, column and offset). */
export function xmlError(text: string, offset: number, reason: string): ConfigurationError {
  const { line, column } = lineColumn(text, offset);
  return new ConfigurationError('document', `${reason} (line ${line}, column ${column})`, offset);
}

/**
 * Resolve the reference starting at `text[at] === '&'`: XML 1.0 §4.1 character references and
 * §4.6's predefined entities, nothing else (a document without a DTD declares no entities).
 * Returns the replacement text and the offset just past the `;`.
 */
export function readReference(text: string, at: number): { readonly value: string; readonly next: number } {
  if (text.charCodeAt(at + 1) === 0x23 /* # */) {
    const hex = text.charCodeAt(at + 2) === 0x78; /* x */
    const digits = hex ? /[0-9a-fA-F]*/y : /[0-9]*/y;
    digits.lastIndex = at + (hex ? 3 : 2);
    const run = digits.exec(text)?.[0] ?? '';
    const end = digits.lastIndex;
    if (run === '' || text.charCodeAt(end) !== 0x3b /* ; */) throw xmlError(text, at, `malformed character reference "${text.slice(at, Math.min(end + 1, at + 12))}"`);
    const ref = text.slice(at, end + 1);
    // Leading zeros are allowed; anything past U+10FFFF is not a character at all.
    const significant = run.replace(/^0+/, '');
    const cp = significant.length > 7 ? Infinity : parseInt(significant || '0', hex ? 16 : 10);
    if (!isXmlChar(cp)) throw xmlError(text, at, `character reference ${ref} is not an XML character`);
    return { value: String.fromCodePoint(cp), next: end + 1 };
  }
  const name = nameAt(text, at + 1);
  const end = at + 1 + name.length;
  if (name === '' || text.charCodeAt(end) !== 0x3b) throw xmlError(text, at, `"&" must start a reference ending in ";" (write &amp; for a literal "&")`);
  const value = PREDEFINED_ENTITIES[name];
  if (value === undefined) throw xmlError(text, at, `unknown entity reference &${name}; (only the five XML entities and character references are allowed)`);
  return { value, next: end + 1 };
}
