import { parseIpAddressPort } from '../ip-address-port.js';
import type { ConfigurationSource } from './configuration-signature.js';
import {
  Ranges,
  collapseXml,
  isHttpsUrl,
  isToken,
  isUtcDateTime,
  isWebSocketUrl,
  parseBase64,
  parseBoolean,
  parseHexNodeId,
  parseHexNumber,
  parseInteger,
  trimXml,
} from './configuration-values.js';
import type { Range } from './configuration-values.js';
import { Children, emptyContent, fail, readAttributes, simpleText, toForeignElement } from './element-reader.js';
import type { BootstrapNode, Configuration, DiagnosticKind, KindBlock, OverlayConfiguration, SignatureElement } from './overlay-configuration.js';
import {
  CHORDPHONE_BOOTSTRAP_WS_NAMESPACE,
  CONFIG_BASE_NAMESPACE,
  CONFIG_CHORD_NAMESPACE,
  CONFIG_DIAGNOSTICS_NAMESPACE,
  CONFIG_SIP_NAMESPACE,
  ConfigurationDefaults,
  SELF_TUNING_NAMESPACE,
} from './overlay-configuration.js';
import { DOMAIN_RESTRICTION_NAMES, readKindBlock, readSignatureElement } from './parse-kind-block.js';
import { readXmlDocument } from './xml-parser.js';
import { isElement } from './xml-tree.js';
import type { XmlElement } from './xml-tree.js';

/** A parsed document together with the exact text of each configuration (for signatures, §11.1). */
export interface ParsedOverlayConfiguration {
  readonly overlay: OverlayConfiguration;
  /** Index-aligned with `overlay.configurations`. */
  readonly sources: readonly ConfigurationSource[];
}

const BASE = CONFIG_BASE_NAMESPACE;
const CHORD = CONFIG_CHORD_NAMESPACE;

/**
 * Parse and validate an overlay configuration document (RFC 6940 §11.1, grammar §11.1.1).
 * Throws ConfigurationError (with a path such as `configuration[0].kind[2].max-count`) on any
 * violation of the grammar or of the §11.1 value rules.
 */
export function parseOverlayConfiguration(xml: string): OverlayConfiguration {
  return parseOverlayConfigurationWithSource(xml).overlay;
}

/** As parseOverlayConfiguration, also returning each configuration's exact text (its signed blob). */
export function parseOverlayConfigurationWithSource(xml: string): ParsedOverlayConfiguration {
  const { root, declaration } = readXmlDocument(xml);
  // RFC 6940 §11.1: "The file MUST use the UTF-8 character encoding."
  const encoding = declaration?.['encoding'];
  if (encoding !== undefined && encoding.toLowerCase() !== 'utf-8') fail('document', `encoding "${encoding}" declared; the document MUST be UTF-8`);
  if (root.namespace !== BASE || root.name !== 'overlay') {
    fail(root.name, `the root element must be <overlay> in ${BASE}, not {${root.namespace}}${root.name}`, root.start);
  }
  readAttributes(root, 'overlay', []);

  const configurations: Configuration[] = [];
  const signatures: SignatureElement[][] = [];
  const sources: ConfigurationSource[] = [];
  for (const child of root.children) {
    if (!isElement(child)) {
      if (trimXml(child.text) !== '') fail('overlay', `unexpected text "${collapseXml(child.text).slice(0, 40)}"`, root.start);
      continue;
    }
    if (child.namespace === BASE && child.name === 'configuration') {
      const index = configurations.length;
      const { configuration, kindSpans } = readConfiguration(child, `configuration[${index}]`);
      configurations.push(configuration);
      signatures.push([]);
      sources.push({ text: xml.slice(child.start, child.end), kindTexts: kindSpans.map(([s, e]) => xml.slice(s, e)) });
    } else if (child.namespace === BASE && child.name === 'signature') {
      // RFC 6940 §11.1: "Each configuration element MAY be followed by signature elements that
      // provide a signature over the preceding configuration element."
      const owner = signatures[signatures.length - 1];
      if (!owner) fail('signature[0]', 'a signature must follow the configuration it signs', child.start);
      owner.push(readSignatureElement(child, `configuration[${signatures.length - 1}].signature[${owner.length}]`));
    } else if (child.namespace === BASE || child.namespace === CHORD || child.namespace === '') {
      fail(child.name, `unknown element <${child.qname}> in <overlay>`, child.start);
    } // other namespaces: not in the grammar at this level; ignored as an extension
  }
  if (configurations.length === 0) fail('overlay', 'has no configuration element (one or more are required)', root.start);
  return {
    overlay: { configurations: configurations.map((c, i) => ({ ...c, signatures: signatures[i] ?? [] })) },
    sources,
  };
}

function text(el: XmlElement, path: string, allowedAttributes: readonly string[] = []): string {
  return trimXml(simpleText(el, path, allowedAttributes));
}

function integer(el: XmlElement, path: string, range: Range): number {
  const t = text(el, path);
  const n = parseInteger(t, range);
  if (n === undefined) fail(path, `"${t}" is not an integer in ${range[0]}…${range[1]}`, el.start);
  return n;
}

function boolean(el: XmlElement, path: string): boolean {
  const t = text(el, path);
  const b = parseBoolean(t);
  if (b === undefined) fail(path, `"${t}" is not a boolean (true, false, 1 or 0)`, el.start);
  return b;
}

function token(el: XmlElement, path: string): string {
  const t = collapseXml(simpleText(el, path));
  if (!isToken(t)) fail(path, t === '' ? 'is empty' : `"${t}" is not a single name`, el.start);
  return t;
}

function nodeId(el: XmlElement, path: string): Uint8Array {
  const t = text(el, path);
  const id = parseHexNodeId(t);
  if (!id) fail(path, `"${t}" is not a Node-ID in hexadecimal`, el.start);
  return id;
}

/** An optional single element read with `read`, or the default. */
function optional<T>(children: Children, ns: string, name: string, path: string, read: (el: XmlElement, path: string) => T, otherwise: T): T {
  const el = children.optional(ns, name);
  return el ? read(el, `${path}.${name}`) : otherwise;
}

/** Every `name` element read with `read`, path `name[i]`. */
function each<T>(children: Children, ns: string, name: string, path: string, read: (el: XmlElement, path: string) => T): T[] {
  return children.all(ns, name).map((el, i) => read(el, `${path}.${name}[${i}]`));
}

function readBootstrapNode(el: XmlElement, path: string): BootstrapNode {
  const { local } = readAttributes(el, path, ['address', 'port']);
  emptyContent(el, path);
  const address = trimXml(local.get('address') ?? fail(`${path}.address`, 'is missing (required)', el.start));
  const portText = local.get('port');
  // RFC 6940 §11.1: "an optional attribute called port that ... defaults to 6084".
  const port = portText === undefined ? ConfigurationDefaults.bootstrapPort : parseInteger(portText, Ranges.port);
  if (port === undefined) fail(`${path}.port`, `"${portText ?? ''}" is not a port (1…65535)`, el.start);
  const parsed = parseIpAddressPort(address, port);
  if (!parsed || parsed.kind === 'unknown') fail(`${path}.address`, `"${address}" is not an IPv4 or IPv6 address`, el.start);
  return parsed;
}

function readDiagnosticKind(el: XmlElement, path: string): DiagnosticKind {
  const { local } = readAttributes(el, path, ['kind']);
  const kindText = local.get('kind') ?? fail(`${path}.kind`, 'is missing (required)', el.start);
  const kind = parseHexNumber(kindText, Ranges.diagnosticKind);
  if (kind === undefined) fail(`${path}.kind`, `"${kindText}" is not a diagnostic Kind-ID in hexadecimal (uint16)`, el.start);
  const children = new Children(el, path);
  // RFC 7851 §7: "at least one subelement access-node".
  const accessNodes = each(children, CONFIG_DIAGNOSTICS_NAMESPACE, 'access-node', path, nodeId);
  children.foreign();
  if (accessNodes.length === 0) fail(`${path}.access-node`, 'is missing (at least one is required)', el.start);
  return { kind, accessNodes };
}

function readBootstrapWs(el: XmlElement, path: string): string {
  const { local } = readAttributes(el, path, ['url']);
  emptyContent(el, path);
  const url = trimXml(local.get('url') ?? fail(`${path}.url`, 'is missing (required)', el.start));
  if (!isWebSocketUrl(url)) fail(`${path}.url`, `"${url}" is not a ws: or wss: URL`, el.start);
  return url;
}

function readConfiguration(el: XmlElement, path: string): { configuration: Configuration; kindSpans: (readonly [number, number])[] } {
  const { local, foreign: foreignAttributes } = readAttributes(el, path, ['instance-name', 'expiration', 'sequence']);
  const instanceName = trimXml(local.get('instance-name') ?? fail(`${path}.instance-name`, 'is missing (required)', el.start));
  if (instanceName === '') fail(`${path}.instance-name`, 'is empty', el.start);
  const expirationText = local.get('expiration');
  const expiration = expirationText === undefined ? undefined : trimXml(expirationText);
  if (expiration !== undefined && !isUtcDateTime(expiration)) {
    fail(`${path}.expiration`, `"${expiration}" is not an RFC 3339 date-time in UTC`, el.start);
  }
  const sequenceText = local.get('sequence');
  const sequence = sequenceText === undefined ? undefined : parseInteger(sequenceText, Ranges.sequence);
  if (sequenceText !== undefined && sequence === undefined) fail(`${path}.sequence`, `"${sequenceText}" is not an integer in 0…65534`, el.start);

  const c = new Children(el, path);
  const d = ConfigurationDefaults;
  const rootCerts = each(c, BASE, 'root-cert', path, (e, p) => parseBase64(text(e, p)) ?? fail(p, 'is not base64 (xsd:base64Binary)', e.start));
  const enrollmentServers = each(c, BASE, 'enrollment-server', path, (e, p) => {
    const url = text(e, p);
    // RFC 6940 §11.1: "This URL MUST be of type https:".
    return isHttpsUrl(url) ? url : fail(p, `"${url}" is not an https: URL`, e.start);
  });
  const selfSignedEl = c.optional(BASE, 'self-signed-permitted');
  const selfSignedPermitted = selfSignedEl
    ? (() => {
        const p = `${path}.self-signed-permitted`;
        const permitted = parseBoolean(text(selfSignedEl, p, ['digest']));
        if (permitted === undefined) fail(p, 'is not a boolean (true, false, 1 or 0)', selfSignedEl.start);
        const digestText = readAttributes(selfSignedEl, p, ['digest']).local.get('digest');
        const digest = collapseXml(digestText ?? fail(`${p}.digest`, 'is missing (required)', selfSignedEl.start));
        if (!isToken(digest)) fail(`${p}.digest`, `"${digest}" is not a digest name`, selfSignedEl.start);
        return { digest, permitted };
      })()
    : undefined;
  const sharedSecretEl = c.optional(BASE, 'shared-secret');
  const overlayLinkProtocols = each(c, BASE, 'overlay-link-protocol', path, token);
  const requiredKindsEl = c.optional(BASE, 'required-kinds');
  const kindBlocks: KindBlock[] = [];
  const kindSpans: (readonly [number, number])[] = [];
  if (requiredKindsEl) {
    const rkPath = `${path}.required-kinds`;
    readAttributes(requiredKindsEl, rkPath, []);
    const rk = new Children(requiredKindsEl, rkPath);
    rk.all(BASE, 'kind-block').forEach((kb, k) => {
      const { block, kindSpan } = readKindBlock(kb, `${path}.kind[${k}]`);
      kindBlocks.push(block);
      kindSpans.push(kindSpan);
    });
    rk.foreign(); // no extension point inside required-kinds: ignored
  }

  // RFC 7904 §3.4 grammar: "Kind-parameter &= element sip:domain-restriction": inside the Kind.
  for (const name of DOMAIN_RESTRICTION_NAMES) {
    const misplaced = c.all(CONFIG_SIP_NAMESPACE, name)[0];
    if (misplaced) fail(`${path}.${name}`, `belongs inside <kind name="SIP-REGISTRATION"> (RFC 7904 §3.4), not directly in <configuration>`, misplaced.start);
  }

  const configuration: Configuration = {
    instanceName,
    ...(expiration === undefined ? {} : { expiration }),
    ...(sequence === undefined ? {} : { sequence }),
    foreignAttributes,
    topologyPlugin: optional(c, BASE, 'topology-plugin', path, token, d.topologyPlugin),
    nodeIdLength: optional(c, BASE, 'node-id-length', path, (e, p) => integer(e, p, Ranges.nodeIdLength), d.nodeIdLength),
    rootCerts,
    enrollmentServers,
    ...(selfSignedPermitted === undefined ? {} : { selfSignedPermitted }),
    bootstrapNodes: each(c, BASE, 'bootstrap-node', path, readBootstrapNode),
    turnDensity: optional(c, BASE, 'turn-density', path, (e, p) => integer(e, p, Ranges.turnDensity), d.turnDensity),
    clientsPermitted: optional(c, BASE, 'clients-permitted', path, boolean, d.clientsPermitted),
    noIce: optional(c, BASE, 'no-ice', path, boolean, d.noIce),
    ...(sharedSecretEl === undefined ? {} : { sharedSecret: text(sharedSecretEl, `${path}.shared-secret`) }),
    maxMessageSize: optional(c, BASE, 'max-message-size', path, (e, p) => integer(e, p, Ranges.unsignedInt), d.maxMessageSize),
    initialTtl: optional(c, BASE, 'initial-ttl', path, (e, p) => integer(e, p, Ranges.initialTtl), d.initialTtl),
    overlayReliabilityTimer: optional(c, BASE, 'overlay-reliability-timer', path, (e, p) => integer(e, p, Ranges.overlayReliabilityTimer), d.overlayReliabilityTimer),
    // RFC 6940 §11.1: "If none appear, then this implies the default value, TLS".
    overlayLinkProtocols: overlayLinkProtocols.length > 0 ? overlayLinkProtocols : d.overlayLinkProtocols,
    kindSigners: each(c, BASE, 'kind-signer', path, nodeId),
    configurationSigners: each(c, BASE, 'configuration-signer', path, nodeId),
    badNodes: each(c, BASE, 'bad-node', path, nodeId),
    mandatoryExtensions: each(c, BASE, 'mandatory-extension', path, (e, p) => {
      const ns = text(e, p);
      return ns !== '' ? ns : fail(p, 'is empty', e.start);
    }),
    requiredKinds: kindBlocks,
    chordPingInterval: optional(c, CHORD, 'chord-ping-interval', path, (e, p) => integer(e, p, Ranges.interval), d.chordPingInterval),
    chordUpdateInterval: optional(c, CHORD, 'chord-update-interval', path, (e, p) => integer(e, p, Ranges.interval), d.chordUpdateInterval),
    chordReactive: optional(c, CHORD, 'chord-reactive', path, boolean, d.chordReactive),
    numberOfPeersToProbe: optional(c, SELF_TUNING_NAMESPACE, 'number-of-peers-to-probe', path, (e, p) => integer(e, p, Ranges.unsignedInt), d.numberOfPeersToProbe),
    diagnosticKinds: each(c, CONFIG_DIAGNOSTICS_NAMESPACE, 'diagnostic-kind', path, readDiagnosticKind),
    bootstrapWebSockets: each(c, CHORDPHONE_BOOTSTRAP_WS_NAMESPACE, 'bootstrap-ws', path, readBootstrapWs),
    // RFC 6940 §11.1.1 `parameter &= foreign-elements*`: kept, in document order.
    extensions: c.foreign().map(toForeignElement),
    signatures: [],
  };
  return { configuration, kindSpans };
}
