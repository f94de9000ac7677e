import { ConfigurationError } from './configuration-error.js';
import {
  Ranges,
  collapseXml,
  hasOuterSpace,
  inRange,
  isHttpsUrl,
  isNcName,
  isToken,
  isUtcDateTime,
  isWebSocketUrl,
  isXmlText,
} from './configuration-values.js';
import type { Range } from './configuration-values.js';
import type { Configuration, ForeignAttribute, ForeignElement, Kind, OverlayConfiguration, SignatureElement } from './overlay-configuration.js';
import {
  AccessControl,
  CHORDPHONE_BOOTSTRAP_WS_NAMESPACE,
  CONFIG_BASE_NAMESPACE,
  CONFIG_CHORD_NAMESPACE,
  CONFIG_DIAGNOSTICS_NAMESPACE,
  CONFIG_SIP_NAMESPACE,
  DataModel,
  SELF_TUNING_NAMESPACE,
} from './overlay-configuration.js';
import { domainRestrictionProblem, isSipRegistrationKind } from './domain-restriction.js';
import { XML_NAMESPACE } from './xml-tree.js';

/**
 * The producer's checks (RFC 6940 §11.1 value rules and §11.1.1 grammar): a value the document
 * cannot carry, or that would not parse back to the same value, throws ConfigurationError with
 * the same path the parser would report. Internal to the configuration codec.
 */

const XMLNS_NAMESPACE = 'http://www.w3.org/2000/xmlns/';

function fail(path: string, reason: string): never {
  throw new ConfigurationError(path, reason);
}

function int(v: number, path: string, range: Range): void {
  if (!inRange(v, range)) fail(path, `${v} is not an integer in ${range[0]}…${range[1]}`);
}

function bool(v: boolean, path: string): void {
  if (typeof v !== 'boolean') fail(path, 'is not a boolean');
}

/** Text that the parser returns trimmed: no outer white space, XML characters only. */
function trimmedText(v: string, path: string, nonEmpty: boolean): void {
  if (typeof v !== 'string' || !isXmlText(v)) fail(path, 'contains characters that XML cannot carry');
  if (hasOuterSpace(v)) fail(path, 'has leading or trailing white space (not significant in the document, so it would be lost)');
  if (nonEmpty && v === '') fail(path, 'is empty');
  if (v.includes('\r')) fail(path, 'contains a carriage return, which XML line-end handling turns into a line feed (XML 1.0 §2.11)');
}

/** An attribute value: also no literal tab or line break (XML attribute-value normalization, XML 1.0 §3.3.3). */
function attributeText(v: string, path: string, nonEmpty: boolean): void {
  trimmedText(v, path, nonEmpty);
  if (/[\t\n\r]/.test(v)) fail(path, 'contains a tab or line break, which XML attribute normalization turns into a space');
}

function token(v: string, path: string): void {
  if (!isToken(v)) fail(path, `"${v}" is not a single name`);
}

function bytes(v: Uint8Array, path: string, nonEmpty: boolean): void {
  if (!(v instanceof Uint8Array)) fail(path, 'is not bytes');
  if (nonEmpty && v.length === 0) fail(path, 'is empty');
}

function signature(v: SignatureElement, path: string): void {
  bytes(v.value, path, false);
  if (v.algorithm !== undefined) attributeText(v.algorithm, `${path}.algorithm`, true);
}

function foreignAttribute(a: ForeignAttribute, path: string, element: boolean): void {
  if (!isNcName(a.name) || (a.namespace === '' && a.name === 'xmlns')) fail(`${path}.${a.name}`, `"${a.name}" is not an attribute name`);
  if (a.namespace === XMLNS_NAMESPACE) fail(`${path}.${a.name}`, 'namespace declarations are not attributes');
  if (!element && (a.namespace === '' || a.namespace === CONFIG_BASE_NAMESPACE || a.namespace === CONFIG_CHORD_NAMESPACE)) {
    fail(`${path}.${a.name}`, `a foreign attribute cannot be in ${a.namespace === '' ? 'no namespace' : a.namespace}`);
  }
  if (!isXmlText(a.value) || /[\t\n\r]/.test(a.value)) fail(`${path}.${a.name}`, 'contains characters that an XML attribute cannot carry');
}

function attributes(list: readonly ForeignAttribute[], path: string, element: boolean): void {
  list.forEach((a, i) => {
    foreignAttribute(a, path, element);
    if (list.findIndex((b) => b.namespace === a.namespace && b.name === a.name) !== i) fail(`${path}.${a.name}`, 'appears twice');
  });
}

/** Expanded names the parser reads as typed fields, so they cannot be kept as extensions. */
const RECOGNIZED = new Set([
  `${CONFIG_DIAGNOSTICS_NAMESPACE} diagnostic-kind`,
  `${SELF_TUNING_NAMESPACE} number-of-peers-to-probe`,
  `${CHORDPHONE_BOOTSTRAP_WS_NAMESPACE} bootstrap-ws`,
]);

/** Content of a foreign element (any namespace allowed below the top). */
function foreignContent(e: ForeignElement, path: string): void {
  if (!isNcName(e.name)) fail(path, `"${e.name}" is not an element name`);
  if (e.namespace === XMLNS_NAMESPACE || e.namespace === XML_NAMESPACE) fail(path, `elements cannot be in ${e.namespace}`);
  if (!isXmlText(e.namespace) || hasOuterSpace(e.namespace)) fail(path, 'namespace is not a URI');
  if (!isXmlText(e.text) || collapseXml(e.text) !== e.text) fail(`${path}`, 'text must be white-space collapsed (it is read back collapsed)');
  attributes(e.attributes, path, true);
  e.children.forEach((c, i) => foreignContent(c, `${path}.${c.name}[${i}]`));
}

/** A top-level extension element of a configuration or kind (§11.1.1 `foreign-elements`). */
function extension(e: ForeignElement, path: string): void {
  if (e.namespace === '' || e.namespace === CONFIG_BASE_NAMESPACE || e.namespace === CONFIG_CHORD_NAMESPACE || e.namespace === CONFIG_SIP_NAMESPACE) {
    fail(path, `an extension element cannot be in ${e.namespace === '' ? 'no namespace' : e.namespace}`);
  }
  if (RECOGNIZED.has(`${e.namespace} ${e.name}`)) fail(path, `{${e.namespace}}${e.name} is a known element, not an extension`);
  foreignContent(e, path);
}

function kind(k: Kind, path: string): void {
  if ((k.id === undefined) === (k.name === undefined)) fail(path, 'a kind has exactly one of id and name');
  if (k.id !== undefined) int(k.id, `${path}.id`, Ranges.unsignedInt);
  if (k.name !== undefined) attributeText(k.name, `${path}.name`, true);
  if (!Object.hasOwn(DataModel, k.dataModel)) fail(`${path}.data-model`, `unknown data model "${k.dataModel}"`);
  if (!Object.hasOwn(AccessControl, k.accessControl)) fail(`${path}.access-control`, `unknown access control policy "${k.accessControl}"`);
  int(k.maxCount, `${path}.max-count`, Ranges.count);
  int(k.maxSize, `${path}.max-size`, Ranges.count);
  if (k.maxNodeMultiple !== undefined) int(k.maxNodeMultiple, `${path}.max-node-multiple`, Ranges.maxNodeMultiple);
  else if (k.accessControl === 'NODE-MULTIPLE') fail(`${path}.max-node-multiple`, 'is required with NODE-MULTIPLE access control');
  if (k.domainRestriction !== undefined) {
    // The parser's rules (parse-kind-block.ts readDomainRestriction), RFC 7904 §3.4.
    const p = `${path}.domain-restriction`;
    if (!isSipRegistrationKind(k)) fail(p, 'belongs to the SIP-REGISTRATION Kind (RFC 7904 §3.4)');
    bool(k.domainRestriction.enable, `${p}.enable`);
    // Empty patterns in force are domainRestrictionProblem's, which reports the first bad one in order.
    k.domainRestriction.patterns.forEach((pattern, i) => trimmedText(pattern, `${p}.pattern[${i}]`, false));
    const problem = domainRestrictionProblem(k.domainRestriction);
    if (problem) fail(`${p}.pattern[${problem.index}]`, problem.problem);
  }
  k.extensions.forEach((e, i) => extension(e, `${path}.${e.name}[${i}]`));
}

function configuration(c: Configuration, path: string): void {
  attributeText(c.instanceName, `${path}.instance-name`, true);
  if (c.expiration !== undefined && !isUtcDateTime(c.expiration)) fail(`${path}.expiration`, `"${c.expiration}" is not an RFC 3339 date-time in UTC`);
  if (c.sequence !== undefined) int(c.sequence, `${path}.sequence`, Ranges.sequence);
  attributes(c.foreignAttributes, path, false);
  token(c.topologyPlugin, `${path}.topology-plugin`);
  int(c.nodeIdLength, `${path}.node-id-length`, Ranges.nodeIdLength);
  c.rootCerts.forEach((b, i) => bytes(b, `${path}.root-cert[${i}]`, false));
  c.enrollmentServers.forEach((u, i) => {
    if (!isHttpsUrl(u) || !isXmlText(u)) fail(`${path}.enrollment-server[${i}]`, `"${u}" is not an https: URL`);
  });
  if (c.selfSignedPermitted !== undefined) {
    bool(c.selfSignedPermitted.permitted, `${path}.self-signed-permitted`);
    token(c.selfSignedPermitted.digest, `${path}.self-signed-permitted.digest`);
  }
  c.bootstrapNodes.forEach((n, i) => {
    const p = `${path}.bootstrap-node[${i}]`;
    if (n.kind !== 'ipv4' && n.kind !== 'ipv6') fail(`${p}.address`, 'is not an IPv4 or IPv6 address');
    bytes(n.address, `${p}.address`, false);
    if (n.address.length !== (n.kind === 'ipv4' ? 4 : 16)) fail(`${p}.address`, `an ${n.kind} address has ${n.kind === 'ipv4' ? 4 : 16} bytes`);
    int(n.port, `${p}.port`, Ranges.port);
  });
  int(c.turnDensity, `${path}.turn-density`, Ranges.turnDensity);
  bool(c.clientsPermitted, `${path}.clients-permitted`);
  bool(c.noIce, `${path}.no-ice`);
  if (c.sharedSecret !== undefined) trimmedText(c.sharedSecret, `${path}.shared-secret`, false);
  int(c.maxMessageSize, `${path}.max-message-size`, Ranges.unsignedInt);
  int(c.initialTtl, `${path}.initial-ttl`, Ranges.initialTtl);
  int(c.overlayReliabilityTimer, `${path}.overlay-reliability-timer`, Ranges.overlayReliabilityTimer);
  if (c.overlayLinkProtocols.length === 0) fail(`${path}.overlay-link-protocol`, 'cannot be an empty list (absent means TLS, RFC 6940 §11.1)');
  c.overlayLinkProtocols.forEach((v, i) => token(v, `${path}.overlay-link-protocol[${i}]`));
  c.kindSigners.forEach((b, i) => bytes(b, `${path}.kind-signer[${i}]`, true));
  c.configurationSigners.forEach((b, i) => bytes(b, `${path}.configuration-signer[${i}]`, true));
  c.badNodes.forEach((b, i) => bytes(b, `${path}.bad-node[${i}]`, true));
  c.mandatoryExtensions.forEach((v, i) => trimmedText(v, `${path}.mandatory-extension[${i}]`, true));
  c.requiredKinds.forEach((b, i) => {
    kind(b.kind, `${path}.kind[${i}]`);
    if (b.kindSignature) signature(b.kindSignature, `${path}.kind[${i}].kind-signature`);
  });
  int(c.chordPingInterval, `${path}.chord-ping-interval`, Ranges.interval);
  int(c.chordUpdateInterval, `${path}.chord-update-interval`, Ranges.interval);
  bool(c.chordReactive, `${path}.chord-reactive`);
  int(c.numberOfPeersToProbe, `${path}.number-of-peers-to-probe`, Ranges.unsignedInt);
  c.diagnosticKinds.forEach((d, i) => {
    const p = `${path}.diagnostic-kind[${i}]`;
    int(d.kind, `${p}.kind`, Ranges.diagnosticKind);
    if (d.accessNodes.length === 0) fail(`${p}.access-node`, 'at least one is required (RFC 7851 §7)');
    d.accessNodes.forEach((b, j) => bytes(b, `${p}.access-node[${j}]`, true));
  });
  c.bootstrapWebSockets.forEach((u, i) => {
    if (!isWebSocketUrl(u) || !isXmlText(u) || /[\t\n\r]/.test(u)) fail(`${path}.bootstrap-ws[${i}].url`, `"${u}" is not a ws: or wss: URL`);
  });
  c.extensions.forEach((e, i) => extension(e, `${path}.${e.name}[${i}]`));
  c.signatures.forEach((s, i) => signature(s, `${path}.signature[${i}]`));
}

/** Throws ConfigurationError if `overlay` cannot be produced as a document that parses back to it. */
export function checkOverlayConfiguration(overlay: OverlayConfiguration): void {
  if (overlay.configurations.length === 0) fail('overlay', 'has no configuration (one or more are required)');
  overlay.configurations.forEach((c, i) => configuration(c, `configuration[${i}]`));
}
