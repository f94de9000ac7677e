/**
 * A small, strict XML 1.0 (Fifth Edition) + Namespaces in XML 1.0 parser for the overlay
 * configuration document (RFC 6940 §11.1), producing the namespace-resolved tree of xml-tree.ts.
 *
 * What it takes: an XML declaration (§2.8), comments and processing instructions (skipped), CDATA
 * sections, the five predefined entities and character references (§4.1, §4.6), both quote styles,
 * default and prefixed namespace declarations with their scoping and the `xml` prefix.
 * What it refuses, with a ConfigurationError at path `document` naming the line, column and offset:
 * anything not well-formed (§2.1, §3), characters outside §2.2's Char, any DOCTYPE (a configuration
 * document has no use for a DTD, and refusing it rules out entity expansion attacks), undeclared
 * prefixes and duplicate attributes (Namespaces §6.3), and nesting deeper than MAX_ELEMENT_DEPTH.
 *
 * One forward pass over the text with an explicit element stack: linear time, no recursion.
 * Names are resolved against the namespace bindings in scope by xml-namespace-scope.ts.
 * Internal to the configuration codec.
 *
 * DEVIATION (ARCHITECTURE.md "Libraries before hand-written code" names fast-xml-parser for the
 * configuration document): with its dependencies it was some 70 KB of the browser's overlay chunk
 * that a first visit parses before it can join (issue 5: page load → joined ≤ 1 s), for one small,
 * signed document. It is kept as the oracle of xml-parser.differential.test.ts and
 * xml-writer.test.ts; src/app/build/browser-free.test.ts fails if it reaches the browser again.
 */
import { NamespaceScope } from './xml-namespace-scope.js';
import type { RawAttribute } from './xml-namespace-scope.js';
import { firstNonXmlChar, isXmlSpace, lineColumn, nameAt, readReference, xmlError } from './xml-syntax.js';
import type { XmlAttribute, XmlDocument, XmlElement, XmlNode } from './xml-tree.js';

/** Deepest element nesting accepted (the root is depth 1); a configuration document needs about 6. */
export const MAX_ELEMENT_DEPTH = 100;

/** An element whose end tag has not been read yet. */
interface OpenElement {
  readonly qname: string;
  readonly namespace: string;
  readonly name: string;
  readonly attributes: readonly XmlAttribute[];
  readonly children: XmlNode[];
  readonly start: number;
  /** Character data read since the last child element (one XmlText per run between elements). */
  text: string;
  /** Prefixes this element declares ('' for the default namespace), unbound at its end. */
  readonly declared: readonly string[];
}

const LT = 0x3c;
const GT = 0x3e;
const AMP = 0x26;
const CR = 0x0d;
const SLASH = 0x2f;
const QUOT = 0x22;
const APOS = 0x27;

class XmlReader {
  private pos = 0;
  private readonly open: OpenElement[] = [];
  private readonly scope: NamespaceScope;

  constructor(private readonly xml: string) {
    this.scope = new NamespaceScope(xml);
  }

  private fail(at: number, reason: string): never {
    throw xmlError(this.xml, at, reason);
  }

  private startsWith(s: string, at = this.pos): boolean {
    return this.xml.startsWith(s, at);
  }

  private skipSpaces(): boolean {
    const from = this.pos;
    while (isXmlSpace(this.xml.charCodeAt(this.pos))) this.pos++;
    return this.pos > from;
  }

  /** XML 1.0 §2.1 [1] document ::= prolog element Misc*. */
  read(): XmlDocument {
    const xml = this.xml;
    const bad = firstNonXmlChar(xml);
    if (bad >= 0) this.fail(bad, `character U+${(xml.codePointAt(bad) ?? 0).toString(16).toUpperCase().padStart(4, '0')} is not allowed in XML (XML 1.0 §2.2)`);
    if (xml.charCodeAt(0) === 0xfeff) this.pos = 1; // a byte order mark (XML 1.0 §4.3.3)
    const afterTarget = xml.charCodeAt(this.pos + 5);
    const declaration = this.startsWith('<?xml') && (isXmlSpace(afterTarget) || afterTarget === 0x3f) ? this.readDeclaration() : undefined;
    let root: XmlElement | undefined;
    for (;;) {
      this.skipSpaces();
      if (this.pos >= xml.length) break;
      const at = this.pos;
      if (xml.charCodeAt(at) !== LT) this.fail(at, 'not well-formed XML: text is not allowed outside the root element');
      if (this.startsWith('<!--')) this.skipComment();
      else if (this.startsWith('<?')) this.skipProcessingInstruction();
      else if (this.startsWith('<!DOCTYPE')) this.fail(at, 'a DOCTYPE declaration is not allowed in an overlay configuration document');
      else if (this.startsWith('<!') || this.startsWith('</')) this.fail(at, `not well-formed XML: unexpected "${xml.slice(at, at + 9)}" outside the root element`);
      else if (root !== undefined) this.fail(at, `more than one root element (<${root.qname}> and <${nameAt(xml, at + 1)}>)`);
      else root = this.readElement();
    }
    if (root === undefined) this.fail(this.pos, 'no root element');
    return { root, declaration };
  }

  /** XML 1.0 §2.8 [23] XMLDecl ::= '<?xml' VersionInfo EncodingDecl? SDDecl? S? '?>'. */
  private readDeclaration(): Record<string, string> {
    const start = this.pos;
    this.pos += 5;
    const declaration: Record<string, string> = {};
    const rules: readonly [string, RegExp][] = [
      ['version', /^1\.[0-9]+$/],
      ['encoding', /^[A-Za-z][A-Za-z0-9._-]*$/],
      ['standalone', /^(?:yes|no)$/],
    ];
    let next = 0;
    for (;;) {
      const spaced = this.skipSpaces();
      if (this.startsWith('?>')) break;
      const at = this.pos;
      const name = nameAt(this.xml, at);
      if (!spaced || name === '') this.fail(at, 'not well-formed XML: malformed XML declaration');
      const index = rules.findIndex(([n]) => n === name);
      if (index < 0) this.fail(at, `not well-formed XML: unknown pseudo-attribute "${name}" in the XML declaration`);
      if (index < next) this.fail(at, `not well-formed XML: "${name}" is not allowed here in the XML declaration (version, then encoding, then standalone)`);
      this.pos += name.length;
      const value = this.readEquals() ? this.readDeclarationValue() : undefined;
      const rule = rules[index];
      if (value === undefined || rule === undefined || !rule[1].test(value)) this.fail(at, `not well-formed XML: bad ${name} in the XML declaration`);
      declaration[name] = value;
      next = index + 1;
    }
    if (declaration['version'] === undefined) this.fail(start, 'not well-formed XML: the XML declaration has no version');
    this.pos += 2;
    return declaration;
  }

  /** XML 1.0 §2.3 [25] Eq ::= S? '=' S?; false when there is no '='. */
  private readEquals(): boolean {
    this.skipSpaces();
    if (this.xml.charCodeAt(this.pos) !== 0x3d) return false;
    this.pos++;
    this.skipSpaces();
    return true;
  }

  private readDeclarationValue(): string | undefined {
    const quote = this.xml.charCodeAt(this.pos);
    if (quote !== QUOT && quote !== APOS) return undefined;
    const end = this.xml.indexOf(String.fromCharCode(quote), this.pos + 1);
    if (end < 0) return undefined;
    const value = this.xml.slice(this.pos + 1, end);
    this.pos = end + 1;
    return value;
  }

  /** XML 1.0 §2.5 [15] Comment: no "--" inside, not ending in "--->". */
  private skipComment(): void {
    const start = this.pos;
    const dashes = this.xml.indexOf('--', start + 4);
    if (dashes < 0) this.fail(start, 'not well-formed XML: comment is not closed');
    if (this.xml.charCodeAt(dashes + 2) !== GT) this.fail(dashes, 'not well-formed XML: "--" is not allowed inside a comment');
    this.pos = dashes + 3;
  }

  /** XML 1.0 §2.6 [16] PI; the target is not `xml` (§2.6 [17]) and has no colon (Namespaces §7). */
  private skipProcessingInstruction(): void {
    const start = this.pos;
    const target = nameAt(this.xml, start + 2);
    if (target === '') this.fail(start, 'not well-formed XML: processing instruction without a target');
    if (target.toLowerCase() === 'xml') this.fail(start, 'not well-formed XML: an XML declaration is allowed only at the very start of the document');
    if (target.includes(':')) this.fail(start, `not well-formed XML: processing instruction target "${target}" contains a colon`);
    this.pos = start + 2 + target.length;
    if (!this.startsWith('?>') && !this.skipSpaces()) this.fail(this.pos, 'not well-formed XML: white space expected after the processing instruction target');
    const end = this.xml.indexOf('?>', this.pos);
    if (end < 0) this.fail(start, 'not well-formed XML: processing instruction is not closed');
    this.pos = end + 2;
  }

  /** XML 1.0 §2.7 [18] CDSect: its text, with §2.11's line ends normalized. */
  private readCdata(): string {
    const start = this.pos;
    const end = this.xml.indexOf(']]>', start + 9);
    if (end < 0) this.fail(start, 'not well-formed XML: CDATA section is not closed');
    this.pos = end + 3;
    return this.xml.slice(start + 9, end).replace(/\r\n?/g, '\n');
  }

  /**
   * XML 1.0 §3.1 [39] element, read with an explicit stack of open elements: from the root's start
   * tag to its end tag. Character data between child elements becomes one XmlText per run.
   */
  private readElement(): XmlElement {
    const xml = this.xml;
    let element = this.readStartTag();
    for (let top = this.open.at(-1); top !== undefined; top = this.open.at(-1)) {
      top.text += this.readCharData();
      const at = this.pos;
      if (at >= xml.length) this.fail(top.start, `not well-formed XML: <${top.qname}> is not closed`);
      if (this.startsWith('</')) {
        element = this.readEndTag(top);
        this.open.at(-1)?.children.push(element);
      } else if (this.startsWith('<!--')) this.skipComment();
      else if (this.startsWith('<![CDATA[')) top.text += this.readCdata();
      else if (this.startsWith('<?')) this.skipProcessingInstruction();
      else if (this.startsWith('<!')) this.fail(at, `not well-formed XML: unexpected "${xml.slice(at, at + 9)}" in element content`);
      else {
        flushText(top);
        const child = this.readStartTag();
        if (child !== undefined) top.children.push(child);
      }
    }
    // The stack is empty: the last element read is the root.
    return element ?? this.fail(this.pos, 'no root element');
  }

  /**
   * XML 1.0 §2.4 [14] CharData plus §4.1 references, up to the next '<': references resolved,
   * line ends normalized (§2.11).
   */
  private readCharData(): string {
    const xml = this.xml;
    let out = '';
    let from = this.pos;
    for (;;) {
      const c = xml.charCodeAt(this.pos);
      if (c === LT || Number.isNaN(c)) break;
      if (c === AMP) {
        const ref = readReference(xml, this.pos);
        out += xml.slice(from, this.pos) + ref.value;
        this.pos = from = ref.next;
      } else if (c === CR) {
        out += xml.slice(from, this.pos) + '\n';
        this.pos += xml.charCodeAt(this.pos + 1) === 0x0a ? 2 : 1;
        from = this.pos;
      } else {
        if (c === 0x5d /* ] */ && this.startsWith(']]>')) this.fail(this.pos, 'not well-formed XML: "]]>" is not allowed in character data');
        this.pos++;
      }
    }
    return out + xml.slice(from, this.pos);
  }

  /**
   * XML 1.0 §3.1 [40] STag / [44] EmptyElemTag at `<`, its namespaces resolved (Namespaces §6).
   * Returns the element when it is empty (`/>`); otherwise pushes it on the open stack.
   */
  private readStartTag(): XmlElement | undefined {
    const xml = this.xml;
    const start = this.pos;
    const qname = nameAt(xml, start + 1);
    if (qname === '') this.fail(start, `not well-formed XML: "<" must start a tag ("${xml.slice(start, start + 9)}"; write &lt; for a literal "<")`);
    if (this.open.length >= MAX_ELEMENT_DEPTH) this.fail(start, `elements are nested deeper than ${MAX_ELEMENT_DEPTH} levels`);
    this.pos = start + 1 + qname.length;
    const raw: RawAttribute[] = [];
    const seen = new Set<string>();
    let empty = false;
    for (;;) {
      const spaced = this.skipSpaces();
      const c = xml.charCodeAt(this.pos);
      if (c === GT) {
        this.pos++;
        break;
      }
      if (c === SLASH && xml.charCodeAt(this.pos + 1) === GT) {
        this.pos += 2;
        empty = true;
        break;
      }
      if (this.pos >= xml.length) this.fail(start, `not well-formed XML: the start tag of <${qname}> is not closed`);
      const at = this.pos;
      const name = nameAt(xml, at);
      if (name === '') this.fail(at, `not well-formed XML: unexpected "${xml.slice(at, at + 1)}" in the start tag of <${qname}>`);
      if (!spaced) this.fail(at, `not well-formed XML: white space is required before attribute ${name} of <${qname}>`);
      // XML 1.0 §3.1 WFC: Unique Att Spec.
      if (seen.has(name)) this.fail(at, `not well-formed XML: attribute ${name} appears twice on <${qname}>`);
      seen.add(name);
      this.pos += name.length;
      if (!this.readEquals()) this.fail(this.pos, `not well-formed XML: attribute ${name} of <${qname}> has no "=" and value`);
      raw.push({ qname: name, value: this.readAttributeValue(name), at });
    }

    const declared = this.scope.declare(raw);
    const { namespace, name: local } = this.scope.element(qname, start);
    const attributes = this.scope.attributes(raw, qname);
    if (empty) {
      this.scope.undeclare(declared);
      return { namespace, name: local, qname, attributes, children: [], start, end: this.pos };
    }
    this.open.push({ qname, namespace, name: local, attributes, children: [], start, text: '', declared });
    return undefined;
  }

  /** XML 1.0 §3.1 [42] ETag at `</`, matching the innermost open element (WFC: Element Type Match). */
  private readEndTag(top: OpenElement): XmlElement {
    const at = this.pos;
    const qname = nameAt(this.xml, at + 2);
    if (qname !== top.qname) {
      const { line, column } = lineColumn(this.xml, top.start);
      this.fail(at, `not well-formed XML: end tag </${qname}> does not match the start tag <${top.qname}> at line ${line}, column ${column}`);
    }
    this.pos = at + 2 + qname.length;
    this.skipSpaces();
    if (this.xml.charCodeAt(this.pos) !== GT) this.fail(this.pos, `not well-formed XML: the end tag of <${qname}> is not closed`);
    this.pos++;
    flushText(top);
    this.open.pop();
    this.scope.undeclare(top.declared);
    return { namespace: top.namespace, name: top.name, qname, attributes: top.attributes, children: top.children, start: top.start, end: this.pos };
  }

  /**
   * XML 1.0 §3.1 [10] AttValue after its opening quote, normalized as a CDATA attribute (§3.3.3):
   * references resolved, each literal white-space character (a CR LF pair counting as one) a space.
   */
  private readAttributeValue(name: string): string {
    const xml = this.xml;
    const quote = xml.charCodeAt(this.pos);
    if (quote !== QUOT && quote !== APOS) this.fail(this.pos, `not well-formed XML: the value of attribute ${name} must be quoted`);
    const opening = this.pos;
    let out = '';
    let from = ++this.pos;
    for (;;) {
      const c = xml.charCodeAt(this.pos);
      if (c === quote) break;
      if (Number.isNaN(c)) this.fail(opening, `not well-formed XML: the value of attribute ${name} is not closed`);
      if (c === LT) this.fail(this.pos, `not well-formed XML: "<" is not allowed in the value of attribute ${name} (write &lt;)`);
      if (c === AMP) {
        const ref = readReference(xml, this.pos);
        out += xml.slice(from, this.pos) + ref.value;
        this.pos = from = ref.next;
      } else if (c === 0x09 || c === 0x0a || c === CR) {
        out += xml.slice(from, this.pos) + ' ';
        this.pos += c === CR && xml.charCodeAt(this.pos + 1) === 0x0a ? 2 : 1;
        from = this.pos;
      } else this.pos++;
    }
    out += xml.slice(from, this.pos);
    this.pos++;
    return out;
  }
}

function flushText(element: OpenElement): void {
  if (element.text === '') return;
  element.children.push({ text: element.text });
  element.text = '';
}

/**
 * Check that `xml` is a well-formed, namespace-well-formed XML 1.0 document without a DOCTYPE and
 * return its namespace-resolved tree. Throws ConfigurationError with path `document`.
 */
export function readXmlDocument(xml: string): XmlDocument {
  return new XmlReader(xml).read();
}
