/**
 * Namespaces in XML 1.0 for xml-parser.ts: the prefix bindings in scope while the document is
 * read (each element's `xmlns` and `xmlns:p` attributes bind for that element and its content,
 * §6.1), and element and attribute names resolved to `{namespace, name}` against them (§6.2,
 * §6.3). Faults are ConfigurationErrors at path `document` naming the offset. Internal to the
 * configuration codec.
 */
import { XML_NAMESPACE, XMLNS_NAMESPACE, splitQName, xmlError } from './xml-syntax.js';
import type { XmlAttribute } from './xml-tree.js';

/** An attribute as written in a start tag: its name, its normalized value and its offset. */
export interface RawAttribute {
  readonly qname: string;
  readonly value: string;
  readonly at: number;
}

const isDeclaration = (qname: string): boolean => qname === 'xmlns' || qname.startsWith('xmlns:');

export class NamespaceScope {
  /** The bindings in scope, innermost last, per prefix ('' for the default namespace). */
  private readonly bindings = new Map<string, string[]>([
    ['', ['']],
    ['xml', [XML_NAMESPACE]],
  ]);

  constructor(private readonly xml: string) {}

  private fail(at: number, reason: string): never {
    throw xmlError(this.xml, at, reason);
  }

  /** Bind one element's namespace declarations (§3); returns the prefixes bound, for `undeclare` at its end. */
  declare(raw: readonly RawAttribute[]): string[] {
    const declared: string[] = [];
    for (const { qname, value, at } of raw) {
      if (!isDeclaration(qname)) continue;
      let prefix = '';
      if (qname === 'xmlns') {
        // An empty value undeclares the default namespace (§6.2).
        if (value === XML_NAMESPACE || value === XMLNS_NAMESPACE) this.fail(at, `the default namespace cannot be ${value}`);
      } else {
        prefix = this.split(qname, at).local;
        if (value === '') this.fail(at, `namespace prefix "${prefix}" cannot be undeclared in XML 1.0`);
        // §3: `xmlns` is never declared; `xml` only to its own namespace, which no other prefix takes.
        if (prefix === 'xmlns' || (prefix === 'xml') !== (value === XML_NAMESPACE) || value === XMLNS_NAMESPACE) {
          this.fail(at, `namespace prefix "${prefix}" cannot be bound to ${value}`);
        }
      }
      const stack = this.bindings.get(prefix);
      if (stack) stack.push(value);
      else this.bindings.set(prefix, [value]);
      declared.push(prefix);
    }
    return declared;
  }

  undeclare(prefixes: readonly string[]): void {
    for (const prefix of prefixes) this.bindings.get(prefix)?.pop();
  }

  /** An element name resolved (§6.2: an unprefixed one is in the default namespace). */
  element(qname: string, at: number): { readonly namespace: string; readonly name: string } {
    const { prefix, local } = this.split(qname, at);
    if (prefix === 'xmlns') this.fail(at, `element <${qname}> uses the prefix "xmlns", which is reserved for namespace declarations`);
    return { namespace: this.lookup(prefix, at), name: local };
  }

  /**
   * The attributes other than namespace declarations, resolved (§6.2: an unprefixed one is in no
   * namespace), with no two of the same expanded name (§6.3).
   */
  attributes(raw: readonly RawAttribute[], element: string): XmlAttribute[] {
    const attributes: XmlAttribute[] = [];
    const seen = new Set<string>();
    for (const { qname, value, at } of raw) {
      if (isDeclaration(qname)) continue;
      const { prefix, local } = this.split(qname, at);
      const namespace = prefix === '' ? '' : this.lookup(prefix, at);
      const key = `${namespace} ${local}`;
      if (seen.has(key)) this.fail(at, `attribute {${namespace}}${local} appears twice on <${element}>`);
      seen.add(key);
      attributes.push({ namespace, name: local, qname, value });
    }
    return attributes;
  }

  private lookup(prefix: string, at: number): string {
    const ns = this.bindings.get(prefix)?.at(-1);
    if (ns === undefined) this.fail(at, `namespace prefix "${prefix}" is not declared`);
    return ns;
  }

  private split(qname: string, at: number): { readonly prefix: string; readonly local: string } {
    return splitQName(qname) ?? this.fail(at, `"${qname}" is not a valid qualified name (Namespaces in XML 1.0 §4)`);
  }
}
