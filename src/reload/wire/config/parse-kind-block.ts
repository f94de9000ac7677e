import { Children, fail, readAttributes, simpleText, toForeignElement } from './element-reader.js';
import { Ranges, collapseXml, parseBase64, parseBoolean, parseInteger, trimXml } from './configuration-values.js';
import type { AccessControl, DataModel, DomainRestriction, KindBlock, KindParameters, Kind, SignatureElement } from './overlay-configuration.js';
import { AccessControl as AccessControlNames, CONFIG_BASE_NAMESPACE, CONFIG_SIP_NAMESPACE, DataModel as DataModelNames } from './overlay-configuration.js';
import { domainRestrictionProblem, isSipRegistrationKind } from './domain-restriction.js';
import type { XmlElement } from './xml-tree.js';

/**
 * RFC 6940 §11.1 `<kind-block>` inside `<required-kinds>`, and the `<signature>` /
 * `<kind-signature>` elements. Internal to the configuration parser.
 */

const NS = CONFIG_BASE_NAMESPACE;

/** `<signature>` / `<kind-signature>`: optional `algorithm` attribute, xsd:base64Binary content. */
export function readSignatureElement(el: XmlElement, path: string): SignatureElement {
  const text = simpleText(el, path, ['algorithm']);
  const algorithm = readAttributes(el, path, ['algorithm']).local.get('algorithm');
  const value = parseBase64(text);
  if (!value) fail(path, 'is not base64 (xsd:base64Binary)', el.start);
  if (algorithm === undefined) return { value };
  const alg = trimXml(algorithm);
  if (alg === '') fail(`${path}.algorithm`, 'is empty', el.start);
  return { algorithm: alg, value };
}

function intChild(children: Children, name: string, path: string, range: readonly [number, number]): number | undefined {
  const el = children.optional(NS, name);
  if (!el) return undefined;
  const text = simpleText(el, `${path}.${name}`);
  const n = parseInteger(text, range);
  if (n === undefined) fail(`${path}.${name}`, `"${collapseXml(text)}" is not an integer in ${range[0]}…${range[1]}`, el.start);
  return n;
}

function required<T>(value: T | undefined, path: string, at: number): T {
  if (value === undefined) fail(path, 'is missing (required)', at);
  return value;
}

function isDataModel(v: string): v is DataModel {
  return Object.hasOwn(DataModelNames, v);
}

function isAccessControl(v: string): v is AccessControl {
  return Object.hasOwn(AccessControlNames, v);
}

/**
 * RFC 7904 §3.4 names the element `<domain-restrictions>` in its prose and `sip:domain-restriction`
 * in its RELAX NG grammar. OUR CHOICE: both names are read (an author following the prose would
 * otherwise see the restriction silently ignored); the producer writes the grammar's.
 */
export const DOMAIN_RESTRICTION_NAMES = ['domain-restriction', 'domain-restrictions'] as const;

/** `<sip:domain-restriction enable="…"><sip:pattern>…</sip:pattern>*</…>` inside `<kind>` (RFC 7904 §3.4). */
function readDomainRestriction(children: Children, path: string, sipRegistration: boolean): DomainRestriction | undefined {
  const [el, second] = DOMAIN_RESTRICTION_NAMES.flatMap((name) => children.all(CONFIG_SIP_NAMESPACE, name));
  if (!el) return undefined;
  const p = `${path}.domain-restriction`;
  if (second) fail(p, 'appears twice; at most one is allowed', second.start);
  // RFC 7904 §3.4 defines it for "a SIP-enabled overlay": it says which AoRs the SIP-REGISTRATION
  // Kind accepts and means nothing on another Kind, where ignoring it would hide the mistake.
  if (!sipRegistration) fail(p, 'belongs to the SIP-REGISTRATION Kind (RFC 7904 §3.4) and means nothing on another Kind', el.start);
  const enableText = readAttributes(el, p, ['enable']).local.get('enable');
  // RFC 7904 §3.4: "If the element is included and the enable attribute is not set or set to
  // false, the overlay MUST only accept AORs that match the domain name of the overlay."
  const enable = enableText === undefined ? false : parseBoolean(trimXml(enableText));
  if (enable === undefined) fail(`${p}.enable`, `"${enableText ?? ''}" is not a boolean (true, false, 1 or 0)`, el.start);
  const inner = new Children(el, p);
  const patterns = inner.all(CONFIG_SIP_NAMESPACE, 'pattern').map((pe, i) => ({ pattern: trimXml(simpleText(pe, `${p}.pattern[${i}]`)), at: pe.start }));
  inner.foreign(); // no extension point inside domain-restriction: foreign elements are ignored
  // RFC 7904 §3.4: each pattern is a POSIX ERE. Patterns under a false enable are kept but ignored
  // (domain-restriction.ts patternsInForce), so not checked. Compiled here once, for every use of
  // the configuration (domainPatterns).
  const restriction: DomainRestriction = { enable, patterns: patterns.map((x) => x.pattern) };
  const problem = domainRestrictionProblem(restriction);
  if (problem) fail(`${p}.pattern[${problem.index}]`, problem.problem, patterns[problem.index]?.at);
  return restriction;
}

/**
 * `<kind>`: `name` or `id` (exactly one), data-model, access-control, max-count, max-size,
 * max-node-multiple (required for NODE-MULTIPLE), RFC 7904 §3.4 domain-restriction, foreign elements.
 */
function readKind(el: XmlElement, path: string): Kind {
  const { local } = readAttributes(el, path, ['name', 'id']);
  const nameAttr = local.get('name');
  const idAttr = local.get('id');
  if (nameAttr !== undefined && idAttr !== undefined) fail(path, 'has both an id and a name attribute; a kind has one or the other', el.start);
  if (nameAttr === undefined && idAttr === undefined) fail(path, 'has neither an id nor a name attribute', el.start);

  const children = new Children(el, path);
  const dmEl = children.required(NS, 'data-model');
  const dataModel = collapseXml(simpleText(dmEl, `${path}.data-model`));
  // RFC 6940 §7.2 / §14.7: the data models a node can store. The grammar lets the list be
  // extended, but a node cannot support a required kind of a data model it does not know (§11.1).
  if (!isDataModel(dataModel)) fail(`${path}.data-model`, `unknown data model "${dataModel}" (SINGLE, ARRAY or DICTIONARY)`, dmEl.start);
  const acEl = children.required(NS, 'access-control');
  const accessControl = collapseXml(simpleText(acEl, `${path}.access-control`));
  // RFC 6940 §7.3 / §14.4, same reasoning.
  if (!isAccessControl(accessControl)) {
    fail(`${path}.access-control`, `unknown access control policy "${accessControl}" (USER-MATCH, NODE-MATCH, USER-NODE-MATCH or NODE-MULTIPLE)`, acEl.start);
  }
  const maxCount = required(intChild(children, 'max-count', path, Ranges.count), `${path}.max-count`, el.start);
  const maxSize = required(intChild(children, 'max-size', path, Ranges.count), `${path}.max-size`, el.start);
  const maxNodeMultiple = intChild(children, 'max-node-multiple', path, Ranges.maxNodeMultiple);
  // RFC 6940 §11.1: "If the access control is NODE-MULTIPLE, this element MUST be included."
  if (accessControl === 'NODE-MULTIPLE' && maxNodeMultiple === undefined) {
    fail(`${path}.max-node-multiple`, 'is missing (required with NODE-MULTIPLE access control)', el.start);
  }
  const sipRegistration = isSipRegistrationKind(nameAttr !== undefined ? { name: trimXml(nameAttr) } : { id: parseInteger(idAttr ?? '', Ranges.unsignedInt) });
  const domainRestriction = readDomainRestriction(children, path, sipRegistration);
  const params: KindParameters = {
    dataModel,
    accessControl,
    maxCount,
    maxSize,
    ...(maxNodeMultiple === undefined ? {} : { maxNodeMultiple }),
    ...(domainRestriction === undefined ? {} : { domainRestriction }),
    extensions: children.foreign().map(toForeignElement),
  };
  if (nameAttr !== undefined) {
    const name = trimXml(nameAttr);
    if (name === '') fail(`${path}.name`, 'is empty', el.start);
    return { name, ...params };
  }
  const id = parseInteger(idAttr ?? '', Ranges.unsignedInt);
  if (id === undefined) fail(`${path}.id`, `"${idAttr ?? ''}" is not a Kind-ID (xsd:unsignedInt)`, el.start);
  return { id, ...params };
}

/** `<kind-block>`: one `<kind>` and an optional `<kind-signature>`; returns the kind's text span. */
export function readKindBlock(el: XmlElement, path: string): { block: KindBlock; kindSpan: readonly [number, number] } {
  readAttributes(el, path, []);
  const children = new Children(el, path);
  const kindEl = children.required(NS, 'kind');
  const sigEl = children.optional(NS, 'kind-signature');
  children.foreign(); // RFC 6940 §11.1.1: kind-block has no extension point; foreign elements are ignored
  const kind = readKind(kindEl, path);
  const block: KindBlock = sigEl ? { kind, kindSignature: readSignatureElement(sigEl, `${path}.kind-signature`) } : { kind };
  return { block, kindSpan: [kindEl.start, kindEl.end] };
}
