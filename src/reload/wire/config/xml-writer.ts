/**
 * The XML text of a small element tree, for the overlay configuration producer (RFC 6940 §11.1).
 * The layout is the one the producer has always written (two-space indentation, one element per
 * line, `<x/>` for an empty element, text inline), byte for byte, so documents produced and signed
 * before keep their text. Internal to the configuration codec.
 */
import { ConfigurationError } from './configuration-error.js';
import { firstNonXmlChar } from './xml-syntax.js';

/** An element to write; attributes in order, names as written (prefixed), values unescaped. */
export interface XmlOutElement {
  readonly qname: string;
  readonly attributes: Readonly<Record<string, string>>;
  /** Child elements and text (unescaped). */
  readonly children: readonly XmlOutNode[];
}

export type XmlOutNode = XmlOutElement | string;

const INDENT = '  ';
const ESCAPES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;', '\t': '&#9;', '\n': '&#10;', '\r': '&#13;' };

/**
 * XML 1.0 §2.4, §3.1: `&`, `<`, `>` and both quotes as references, so the text is safe in content
 * and in either quote style; and `\r` as a reference, which a parser would otherwise turn into
 * `\n` (§2.11). A character XML cannot carry at all (§2.2) is a ConfigurationError.
 */
export function escapeXml(text: string): string {
  checkChars(text);
  return text.replace(/[&<>"'\r]/g, (c) => ESCAPES[c] ?? c);
}

/** An attribute value: also tab and line feed as references, which a parser would normalise to spaces (§3.3.3). */
function escapeAttribute(value: string): string {
  checkChars(value);
  return value.replace(/[&<>"'\t\n\r]/g, (c) => ESCAPES[c] ?? c);
}

function checkChars(text: string): void {
  const at = firstNonXmlChar(text);
  if (at >= 0) throw new ConfigurationError('document', `U+${text.codePointAt(at)!.toString(16).toUpperCase().padStart(4, '0')} cannot be written in XML (XML 1.0 §2.2)`);
}

function attributeList(attributes: Readonly<Record<string, string>>): string {
  let out = '';
  for (const [name, value] of Object.entries(attributes)) out += ` ${name}="${escapeAttribute(value)}"`;
  return out;
}

/**
 * `nodes` at `indentation` (a line break and the indent of the enclosing element's children). An
 * element's content goes on its own lines when it holds elements, inline when it is only text.
 */
function writeContent(nodes: readonly XmlOutNode[], indentation: string): string {
  let out = '';
  let afterElement = false;
  for (const node of nodes) {
    if (typeof node === 'string') {
      if (afterElement) out += indentation;
      out += escapeXml(node);
      afterElement = false;
      continue;
    }
    const tagStart = `${indentation}<${node.qname}${attributeList(node.attributes)}`;
    const inner = writeContent(node.children, indentation + INDENT);
    if (inner === '') out += `${tagStart}/>`;
    else if (inner.endsWith('>')) out += `${tagStart}>${inner}${indentation}</${node.qname}>`;
    else if (inner.includes('/>') || inner.includes('</')) out += `${tagStart}>${indentation}${INDENT}${inner}${indentation}</${node.qname}>`;
    else out += `${tagStart}>${inner}</${node.qname}>`;
    afterElement = true;
  }
  return out;
}

/** An XML declaration with `declaration`'s pseudo-attributes (XML 1.0 §2.8), then `root` on the next line. */
export function writeXmlDocument(declaration: Readonly<Record<string, string>>, root: XmlOutElement): string {
  return `<?xml${attributeList(declaration)}?>${writeContent([root], '\n')}`;
}
