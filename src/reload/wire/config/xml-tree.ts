/**
 * A namespace-resolved view of an XML document (Namespaces in XML 1.0): RFC 6940 §11.1.1 is
 * written against namespace URIs (`urn:ietf:params:xml:ns:p2p:config-base`, `…:config-chord`,
 * foreign namespaces), so every element and attribute name is resolved to `{namespace, name}`.
 * xml-parser.ts builds it (readXmlDocument). Internal to the configuration codec.
 */

export { XML_NAMESPACE } from './xml-syntax.js';

export interface XmlAttribute {
  /** Namespace URI; '' for an unprefixed attribute. */
  readonly namespace: string;
  readonly name: string;
  /** The name as written, with its prefix. */
  readonly qname: string;
  readonly value: string;
}

/**
 * Character data (text, references resolved, and CDATA sections) between two elements or an
 * element's tags: comments and processing instructions are not content, so the text either side
 * of one is a single XmlText. Never empty; no two are adjacent.
 */
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
  /** Pseudo-attributes of the XML declaration (`version`, `encoding`, `standalone`), when there is one. */
  readonly declaration: Readonly<Record<string, string>> | undefined;
}

export function isElement(node: XmlNode): node is XmlElement {
  return 'name' in node;
}

/** The concatenated character data directly inside an element (its child elements' text excluded). */
export function directText(element: XmlElement): string {
  let text = '';
  for (const child of element.children) if (!isElement(child)) text += child.text;
  return text;
}
