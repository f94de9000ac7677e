import { ConfigurationError } from './configuration-error.js';
import { collapseXml, trimXml } from './configuration-values.js';
import type { ForeignAttribute, ForeignElement } from './overlay-configuration.js';
import { CONFIG_BASE_NAMESPACE, CONFIG_CHORD_NAMESPACE, CONFIG_SIP_NAMESPACE } from './overlay-configuration.js';
import { directText, isElement } from './xml-tree.js';
import type { XmlElement } from './xml-tree.js';

/**
 * Grammar checks shared by the parts of the configuration parser: which children an element has,
 * which of them are foreign, its attributes and its text. Internal to the configuration codec.
 *
 * RFC 6940 §11.1.1: `foreign-elements = element * - (p2pcf:* | local:* | chord:*)` — an element in
 * the base or chord namespace, or in no namespace, must be one the grammar names; any other
 * namespace is an extension. Where the grammar allows foreign elements (`parameter`,
 * `kind-parameter`) they are preserved; elsewhere they are ignored.
 */

/**
 * Namespaces whose element and attribute sets are closed by the §11.1.1 grammar, and RFC 7904
 * §3.4's, whose two elements belong inside `<kind>` only. OUR CHOICE: a `sip:` element anywhere
 * else is refused rather than kept as an extension, so a misplaced domain restriction is not
 * silently ignored.
 */
const CLOSED_NAMESPACES: readonly string[] = [CONFIG_BASE_NAMESPACE, CONFIG_CHORD_NAMESPACE, CONFIG_SIP_NAMESPACE, ''];

export function fail(path: string, reason: string, at?: number): never {
  throw new ConfigurationError(path, reason, at);
}

/** Whitespace-collapsed foreign content (see ForeignElement). */
export function toForeignElement(el: XmlElement): ForeignElement {
  return {
    namespace: el.namespace,
    name: el.name,
    attributes: el.attributes.map((a) => ({ namespace: a.namespace, name: a.name, value: a.value })),
    text: collapseXml(directText(el)),
    children: el.children.filter(isElement).map(toForeignElement),
  };
}

/** The children of one element, grouped by expanded name, consumed by the caller. */
export class Children {
  private readonly groups = new Map<string, XmlElement[]>();
  private readonly taken = new Set<string>();

  constructor(
    readonly element: XmlElement,
    readonly path: string,
  ) {
    for (const child of element.children) {
      if (!isElement(child)) {
        if (trimXml(child.text) !== '') fail(path, `unexpected text "${collapseXml(child.text).slice(0, 40)}"`, element.start);
        continue;
      }
      const key = `${child.namespace} ${child.name}`;
      const group = this.groups.get(key);
      if (group) group.push(child);
      else this.groups.set(key, [child]);
    }
  }

  /** Every child named `{namespace}name`, in document order. */
  all(namespace: string, name: string): XmlElement[] {
    const key = `${namespace} ${name}`;
    this.taken.add(key);
    return this.groups.get(key) ?? [];
  }

  /** The child named `{namespace}name` if present; more than one is an error (grammar `?`). */
  optional(namespace: string, name: string): XmlElement | undefined {
    const els = this.all(namespace, name);
    const [first, second] = els;
    if (second) fail(`${this.path}.${name}`, `appears ${els.length} times; at most one is allowed`, second.start);
    return first;
  }

  /** The child named `{namespace}name`, exactly once. */
  required(namespace: string, name: string): XmlElement {
    const el = this.optional(namespace, name);
    if (!el) fail(`${this.path}.${name}`, 'is missing (required)', this.element.start);
    return el;
  }

  /**
   * Children of foreign namespaces not taken by the caller, in document order. Fails on a child
   * in a closed namespace (base, chord, none) that the caller did not take: the grammar has no
   * such element here.
   */
  foreign(): XmlElement[] {
    const out: XmlElement[] = [];
    for (const child of this.element.children) {
      if (!isElement(child) || this.taken.has(`${child.namespace} ${child.name}`)) continue;
      if (CLOSED_NAMESPACES.includes(child.namespace)) {
        const where = child.namespace === '' ? 'in no namespace' : `in ${child.namespace}`;
        fail(`${this.path}.${child.name}`, `unknown element <${child.qname}> (${where}) is not allowed here`, child.start);
      }
      out.push(child);
    }
    return out;
  }
}

/**
 * The element's unprefixed attributes, which must all be in `allowed`. An attribute in the base or
 * chord namespace is an error; other namespaced attributes are returned as foreign.
 */
export function readAttributes(
  el: XmlElement,
  path: string,
  allowed: readonly string[],
): { readonly local: ReadonlyMap<string, string>; readonly foreign: readonly ForeignAttribute[] } {
  const local = new Map<string, string>();
  const foreign: ForeignAttribute[] = [];
  for (const a of el.attributes) {
    if (a.namespace === '') {
      if (!allowed.includes(a.name)) fail(`${path}.${a.name}`, `unknown attribute "${a.name}" on <${el.qname}>`, el.start);
      local.set(a.name, a.value);
    } else if (CLOSED_NAMESPACES.includes(a.namespace)) {
      fail(`${path}.${a.name}`, `attribute ${a.qname} (in ${a.namespace}) is not allowed on <${el.qname}>`, el.start);
    } else {
      foreign.push({ namespace: a.namespace, name: a.name, value: a.value });
    }
  }
  return { local, foreign };
}

/** The text of an element with simple content (no child elements); attributes as `allowed`. */
export function simpleText(el: XmlElement, path: string, allowedAttributes: readonly string[] = []): string {
  readAttributes(el, path, allowedAttributes);
  const child = el.children.find(isElement);
  if (child) fail(path, `<${el.qname}> has simple content; unexpected child <${child.qname}>`, child.start);
  return directText(el);
}

/** An element that must be empty (attributes only), e.g. bootstrap-node. */
export function emptyContent(el: XmlElement, path: string): void {
  const child = el.children.find(isElement);
  if (child) fail(path, `<${el.qname}> must be empty; unexpected child <${child.qname}>`, child.start);
  if (trimXml(directText(el)) !== '') fail(path, `<${el.qname}> must be empty; unexpected text`, el.start);
}
