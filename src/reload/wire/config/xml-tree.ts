import { XMLParser, XMLValidator } from 'fast-xml-parser';
import type { EntityDecoderOptions, X2jOptions } from 'fast-xml-parser';
import { ConfigurationError } from './configuration-error.js';

/**
 * A namespace-resolved view of an XML document, built from fast-xml-parser's ordered output.
 * fast-xml-parser keeps prefixed names as written (`chord:chord-ping-interval`) and `xmlns`
 * declarations as ordinary attributes; RFC 6940 §11.1.1 is written against namespace URIs
 * (`urn:ietf:params:xml:ns:p2p:config-base`, `…:config-chord`, foreign namespaces), so this
 * module resolves every element and attribute name to `{namespace, name}` (Namespaces in XML 1.0).
 * Internal to the configuration codec.
 */

/** The namespace bound to the `xml` prefix (Namespaces in XML 1.0 §3). */
export const XML_NAMESPACE = 'http://www.w3.org/XML/1998/namespace';
const XMLNS_NAMESPACE = 'http://www.w3.org/2000/xmlns/';

export interface XmlAttribute {
  /** Namespace URI; '' for an unprefixed attribute. */
  readonly namespace: string;
  readonly name: string;
  /** The name as written, with its prefix. */
  readonly qname: string;
  readonly value: string;
}

export interface XmlText {
  readonly text: string;
}

export interface XmlElement {
  /** Namespace URI; '' when the element is in no namespace. */
  readonly namespace: string;
  readonly name: string;
  readonly qname: string;
  /** Attributes other than namespace declarations. */
  readonly attributes: readonly XmlAttribute[];
  readonly children: readonly XmlNode[];
  /** Offset of the element's first `<` in the document string. */
  readonly start: number;
  /** Offset just past the element's last `>`. */
  readonly end: number;
}

export type XmlNode = XmlElement | XmlText;

export interface XmlDocument {
  readonly root: XmlElement;
  /** Pseudo-attributes of the XML declaration (`version`, `encoding`), when there is one. */
  readonly declaration: Readonly<Record<string, string>> | undefined;
}

export function isElement(node: XmlNode): node is XmlElement {
  return 'name' in node;
}

const PREDEFINED_ENTITIES: Readonly<Record<string, string>> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

/** XML 1.0 §2.2 Char. */
function isXmlChar(cp: number): boolean {
  return (
    cp === 0x9 || cp === 0xa || cp === 0xd || (cp >= 0x20 && cp <= 0xd7ff) || (cp >= 0xe000 && cp <= 0xfffd) || (cp >= 0x10000 && cp <= 0x10ffff)
  );
}

function resolveReference(ref: string): string {
  const named = PREDEFINED_ENTITIES[ref];
  if (named !== undefined) return named;
  let cp: number | undefined;
  if (/^#x[0-9a-fA-F]{1,6}$/.test(ref)) cp = parseInt(ref.slice(2), 16);
  else if (/^#[0-9]{1,7}$/.test(ref)) cp = parseInt(ref.slice(1), 10);
  if (cp === undefined) {
    throw new ConfigurationError('document', `unknown entity reference &${ref}; (only the five XML entities and character references are allowed)`);
  }
  if (!isXmlChar(cp)) throw new ConfigurationError('document', `character reference &${ref}; is not an XML character`);
  return String.fromCodePoint(cp);
}

/**
 * XML 1.0 §4.6 predefined entities and §4.1 character references, nothing else. fast-xml-parser's
 * default decoder leaves character references undecoded and unknown references in place; this
 * one decodes the former and rejects the latter. A DOCTYPE (and so any declared entity) is refused:
 * a configuration document has no use for one, and refusing it rules out entity expansion attacks.
 */
function strictEntityDecoder(): EntityDecoderOptions & { doctypeSeen: boolean } {
  return {
    doctypeSeen: false,
    setExternalEntities: () => undefined,
    addInputEntities() {
      // Called by fast-xml-parser once per document that has a DOCTYPE.
      this.doctypeSeen = true;
    },
    reset() {
      this.doctypeSeen = false;
    },
    setXmlVersion: () => undefined,
    decode(text: string): string {
      let out = '';
      let at = 0;
      for (;;) {
        const amp = text.indexOf('&', at);
        if (amp < 0) return out + text.slice(at);
        const semi = text.indexOf(';', amp);
        if (semi < 0) throw new ConfigurationError('document', `unterminated reference at "${text.slice(amp, amp + 12)}"`);
        out += text.slice(at, amp) + resolveReference(text.slice(amp + 1, semi));
        at = semi + 1;
      }
    },
  };
}

type FxpNode = Readonly<Record<string, unknown>>;

function isFxpNode(v: unknown): v is FxpNode {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function nodeKey(node: FxpNode): string | undefined {
  return Object.keys(node).find((k) => k !== ':@');
}

function metadata(node: FxpNode): { startIndex?: number; endIndex?: number } {
  const sym = XMLParser.getMetaDataSymbol() as unknown as symbol;
  const meta = (node as Record<symbol, unknown>)[sym];
  return isFxpNode(meta) ? (meta as { startIndex?: number; endIndex?: number }) : {};
}

function splitQName(qname: string, at: number): { prefix: string; local: string } {
  const parts = qname.split(':');
  if (parts.length === 1) return { prefix: '', local: qname };
  const [prefix, local] = parts;
  if (parts.length > 2 || !prefix || !local) throw new ConfigurationError('document', `"${qname}" is not a valid qualified name`, at);
  return { prefix, local };
}

function convertElement(qname: string, node: FxpNode, inherited: ReadonlyMap<string, string>): XmlElement {
  const { startIndex, endIndex } = metadata(node);
  const start = startIndex ?? 0;
  const end = endIndex ?? start;
  const raw = node[':@'];
  // XML 1.0 §3.3.3 attribute-value normalization (CDATA attributes): each literal white-space
  // character becomes a space. fast-xml-parser leaves them as written.
  const rawAttributes: [string, string][] = isFxpNode(raw) ? Object.entries(raw).map(([k, v]) => [k, String(v).replace(/[\t\n\r]/g, ' ')]) : [];

  const scope = new Map(inherited);
  for (const [name, value] of rawAttributes) {
    if (name === 'xmlns') {
      if (value === XML_NAMESPACE || value === XMLNS_NAMESPACE) throw new ConfigurationError('document', `the default namespace cannot be ${value}`, start);
      scope.set('', value);
    } else if (name.startsWith('xmlns:')) {
      const prefix = name.slice(6);
      if (value === '') throw new ConfigurationError('document', `namespace prefix "${prefix}" cannot be undeclared in XML 1.0`, start);
      if (prefix === 'xmlns' || (prefix === 'xml') !== (value === XML_NAMESPACE) || value === XMLNS_NAMESPACE) {
        throw new ConfigurationError('document', `namespace prefix "${prefix}" cannot be bound to ${value}`, start);
      }
      scope.set(prefix, value);
    }
  }
  const lookup = (prefix: string): string => {
    const ns = scope.get(prefix);
    if (ns === undefined) throw new ConfigurationError('document', `namespace prefix "${prefix}" is not declared`, start);
    return ns;
  };

  const attributes: XmlAttribute[] = [];
  for (const [attrQName, value] of rawAttributes) {
    if (attrQName === 'xmlns' || attrQName.startsWith('xmlns:')) continue;
    const { prefix, local } = splitQName(attrQName, start);
    const namespace = prefix === '' ? '' : lookup(prefix);
    if (attributes.some((a) => a.namespace === namespace && a.name === local)) {
      throw new ConfigurationError('document', `attribute {${namespace}}${local} appears twice on <${qname}>`, start);
    }
    attributes.push({ namespace, name: local, qname: attrQName, value });
  }

  const { prefix, local } = splitQName(qname, start);
  const namespace = lookup(prefix);
  const children: XmlNode[] = [];
  const content = node[qname];
  for (const child of Array.isArray(content) ? content : []) {
    if (!isFxpNode(child)) continue;
    const key = nodeKey(child);
    if (key === undefined || key.startsWith('?')) continue; // processing instructions are not content
    if (key === '#text') children.push({ text: String(child[key]) });
    else children.push(convertElement(key, child, scope));
  }
  return { namespace, name: local, qname, attributes, children, start, end };
}

const PARSER_OPTIONS: X2jOptions = {
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false,
  captureMetaData: true,
  processEntities: true,
  allowBooleanAttributes: false,
};

/**
 * Check that `xml` is well-formed (fast-xml-parser's XMLValidator, plus the checks it leaves out:
 * one root element, known entities only, no DOCTYPE, declared namespace prefixes) and return its
 * namespace-resolved tree. Throws ConfigurationError with path `document`.
 */
export function readXmlDocument(xml: string): XmlDocument {
  const valid = XMLValidator.validate(xml, { allowBooleanAttributes: false });
  if (valid !== true) {
    const { msg, line, col } = valid.err;
    throw new ConfigurationError('document', `not well-formed XML: ${msg} (line ${line}${col === undefined ? '' : `, column ${col}`})`);
  }
  const decoder = strictEntityDecoder();
  let parsed: unknown;
  try {
    parsed = new XMLParser({ ...PARSER_OPTIONS, entityDecoder: decoder }).parse(xml);
  } catch (e) {
    if (e instanceof ConfigurationError) throw e;
    throw new ConfigurationError('document', `not well-formed XML: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (decoder.doctypeSeen) throw new ConfigurationError('document', 'a DOCTYPE declaration is not allowed in an overlay configuration document');

  let declaration: Record<string, string> | undefined;
  const roots: XmlElement[] = [];
  for (const node of Array.isArray(parsed) ? parsed : []) {
    if (!isFxpNode(node)) continue;
    const key = nodeKey(node);
    if (key === undefined || key === '#text') continue; // the validator rejects text outside the root
    if (key === '?xml') {
      const attrs = node[':@'];
      declaration = isFxpNode(attrs) ? Object.fromEntries(Object.entries(attrs).map(([k, v]) => [k, String(v)])) : {};
    } else if (!key.startsWith('?')) {
      roots.push(convertElement(key, node, new Map([['', ''], ['xml', XML_NAMESPACE]])));
    }
  }
  const [root, extra] = roots;
  if (root === undefined) throw new ConfigurationError('document', 'no root element');
  if (extra !== undefined) throw new ConfigurationError('document', `more than one root element (<${root.qname}> and <${extra.qname}>)`, extra.start);
  return { root, declaration };
}

/** The concatenated character data directly inside an element (its child elements' text excluded). */
export function directText(element: XmlElement): string {
  let text = '';
  for (const child of element.children) if (!isElement(child)) text += child.text;
  return text;
}
