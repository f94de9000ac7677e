import { formatIpAddress } from '../ip-address-port.js';
import { checkOverlayConfiguration } from './check-configuration.js';
import { formatBase64, formatHexNodeId, formatHexNumber } from './configuration-values.js';
import type { Configuration, ForeignAttribute, ForeignElement, Kind, KindBlock, OverlayConfiguration, SignatureElement } from './overlay-configuration.js';
import {
  CHORDPHONE_BOOTSTRAP_WS_NAMESPACE,
  CONFIG_BASE_NAMESPACE,
  CONFIG_CHORD_NAMESPACE,
  CONFIG_DIAGNOSTICS_NAMESPACE,
  CONFIG_SIP_NAMESPACE,
  ConfigurationDefaults,
  SELF_TUNING_NAMESPACE,
  TopologyPlugin,
} from './overlay-configuration.js';
import { XML_NAMESPACE } from './xml-tree.js';
import { writeXmlDocument } from './xml-writer.js';
import type { XmlOutElement, XmlOutNode } from './xml-writer.js';

/**
 * Produce the overlay configuration document (RFC 6940 §11.1), written by xml-writer.ts.
 *
 * Layout: `<overlay>` declares the base namespace as default and `chord:` (as the RFC's example
 * does); each `<configuration>` declares the other prefixes it uses (`cp:`, `diag:`, `st:`,
 * `ext1:`…), so a configuration's text — its signed blob (§11.1) — depends only on that
 * configuration. Each configuration is followed by its `<signature>` elements, so adding
 * signatures to a produced document leaves every configuration's text unchanged: produce,
 * sign the `configurationSignatureInput` of the parsed result, produce again with the signatures.
 * Every RFC 6940 parameter is written explicitly (defaults included); RFC 7363's
 * number-of-peers-to-probe only when it differs from its default or the topology is
 * CHORD-SELF-TUNING. `parseOverlayConfiguration(produceOverlayConfiguration(c))` deep-equals `c`.
 */

type Out = XmlOutElement;

function element(qname: string, children: readonly XmlOutNode[] = [], attributes: Record<string, string> = {}): Out {
  return { qname, attributes, children };
}

function simple(qname: string, value: string, attributes: Record<string, string> = {}): Out {
  return element(qname, value === '' ? [] : [value], attributes);
}

/** Prefixes for one configuration element; the ones to declare on it are collected as used. */
class Prefixes {
  private readonly prefixes = new Map<string, string>([
    [CONFIG_CHORD_NAMESPACE, 'chord'],
    [XML_NAMESPACE, 'xml'],
  ]);
  private readonly preferred = new Map<string, string>([
    [CONFIG_DIAGNOSTICS_NAMESPACE, 'diag'],
    [CONFIG_SIP_NAMESPACE, 'sip'],
    [SELF_TUNING_NAMESPACE, 'st'],
    [CHORDPHONE_BOOTSTRAP_WS_NAMESPACE, 'cp'],
    [CONFIG_BASE_NAMESPACE, 'p2pcf'], // only for attributes: elements use the default namespace
  ]);
  private next = 1;
  /** `xmlns:…` attributes to put on the configuration element. */
  readonly declarations: Record<string, string> = {};

  /** The qualified name of `{namespace}name` (an element in the base namespace is unprefixed). */
  qname(namespace: string, name: string, attribute = false): string {
    if (namespace === '' || (namespace === CONFIG_BASE_NAMESPACE && !attribute)) return name;
    let prefix = this.prefixes.get(namespace);
    if (prefix === undefined) {
      prefix = this.preferred.get(namespace) ?? `ext${this.next++}`;
      this.prefixes.set(namespace, prefix);
      this.declarations[`xmlns:${prefix}`] = namespace;
    }
    return `${prefix}:${name}`;
  }
}

function foreignAttributes(list: readonly ForeignAttribute[], ns: Prefixes): Record<string, string> {
  const out: Record<string, string> = {};
  for (const a of list) out[ns.qname(a.namespace, a.name, true)] = a.value;
  return out;
}

/** A foreign element; `defaultNamespace` is the default namespace in scope where it is written. */
function foreign(e: ForeignElement, ns: Prefixes, defaultNamespace: string): Out {
  const attributes = foreignAttributes(e.attributes, ns);
  let inScope = defaultNamespace;
  // An element in no namespace or in the base namespace is written unprefixed, with a default
  // namespace declaration when the one in scope differs.
  if ((e.namespace === '' || e.namespace === CONFIG_BASE_NAMESPACE) && e.namespace !== defaultNamespace) {
    inScope = e.namespace;
    attributes['xmlns'] = e.namespace;
  }
  const qname = e.namespace === '' || e.namespace === CONFIG_BASE_NAMESPACE ? e.name : ns.qname(e.namespace, e.name);
  const children = [...(e.text === '' ? [] : [e.text]), ...e.children.map((c) => foreign(c, ns, inScope))];
  return element(qname, children, attributes);
}

function signature(qname: string, s: SignatureElement): Out {
  return simple(qname, formatBase64(s.value), s.algorithm === undefined ? {} : { algorithm: s.algorithm });
}

function kind(k: Kind, ns: Prefixes): Out {
  const attributes: Record<string, string> = k.name !== undefined ? { name: k.name } : { id: String(k.id) };
  return element(
    'kind',
    [
      simple('data-model', k.dataModel),
      simple('access-control', k.accessControl),
      ...(k.maxNodeMultiple === undefined ? [] : [simple('max-node-multiple', String(k.maxNodeMultiple))]),
      simple('max-count', String(k.maxCount)),
      simple('max-size', String(k.maxSize)),
      // RFC 7904 §3.4 grammar: `attribute enable { xsd:boolean }` is always written.
      ...(k.domainRestriction === undefined
        ? []
        : [
            element(
              ns.qname(CONFIG_SIP_NAMESPACE, 'domain-restriction'),
              k.domainRestriction.patterns.map((p) => simple(ns.qname(CONFIG_SIP_NAMESPACE, 'pattern'), p)),
              { enable: k.domainRestriction.enable ? 'true' : 'false' },
            ),
          ]),
      ...k.extensions.map((e) => foreign(e, ns, CONFIG_BASE_NAMESPACE)),
    ],
    attributes,
  );
}

function kindBlock(b: KindBlock, ns: Prefixes): Out {
  return element('kind-block', [kind(b.kind, ns), ...(b.kindSignature ? [signature('kind-signature', b.kindSignature)] : [])]);
}

function configuration(c: Configuration): Out {
  const ns = new Prefixes();
  const bool = (v: boolean): string => (v ? 'true' : 'false');
  const writeProbe = c.numberOfPeersToProbe !== ConfigurationDefaults.numberOfPeersToProbe || c.topologyPlugin === TopologyPlugin['CHORD-SELF-TUNING'];
  const children: Out[] = [
    simple('topology-plugin', c.topologyPlugin),
    simple('node-id-length', String(c.nodeIdLength)),
    ...c.rootCerts.map((b) => simple('root-cert', formatBase64(b))),
    ...c.enrollmentServers.map((u) => simple('enrollment-server', u)),
    ...(c.selfSignedPermitted ? [simple('self-signed-permitted', bool(c.selfSignedPermitted.permitted), { digest: c.selfSignedPermitted.digest })] : []),
    ...c.bootstrapNodes.map((n) => element('bootstrap-node', [], { address: formatIpAddress(n), port: String(n.port) })),
    simple('turn-density', String(c.turnDensity)),
    simple('clients-permitted', bool(c.clientsPermitted)),
    simple('no-ice', bool(c.noIce)),
    simple(ns.qname(CONFIG_CHORD_NAMESPACE, 'chord-update-interval'), String(c.chordUpdateInterval)),
    simple(ns.qname(CONFIG_CHORD_NAMESPACE, 'chord-ping-interval'), String(c.chordPingInterval)),
    simple(ns.qname(CONFIG_CHORD_NAMESPACE, 'chord-reactive'), bool(c.chordReactive)),
    ...(c.sharedSecret === undefined ? [] : [simple('shared-secret', c.sharedSecret)]),
    simple('max-message-size', String(c.maxMessageSize)),
    simple('initial-ttl', String(c.initialTtl)),
    simple('overlay-reliability-timer', String(c.overlayReliabilityTimer)),
    ...c.overlayLinkProtocols.map((p) => simple('overlay-link-protocol', p)),
    ...c.configurationSigners.map((b) => simple('configuration-signer', formatHexNodeId(b))),
    ...c.kindSigners.map((b) => simple('kind-signer', formatHexNodeId(b))),
    ...c.badNodes.map((b) => simple('bad-node', formatHexNodeId(b))),
    ...c.mandatoryExtensions.map((v) => simple('mandatory-extension', v)),
    ...(writeProbe ? [simple(ns.qname(SELF_TUNING_NAMESPACE, 'number-of-peers-to-probe'), String(c.numberOfPeersToProbe))] : []),
    ...c.diagnosticKinds.map((d) =>
      element(
        ns.qname(CONFIG_DIAGNOSTICS_NAMESPACE, 'diagnostic-kind'),
        d.accessNodes.map((b) => simple(ns.qname(CONFIG_DIAGNOSTICS_NAMESPACE, 'access-node'), formatHexNodeId(b))),
        { kind: formatHexNumber(d.kind) },
      ),
    ),
    ...c.bootstrapWebSockets.map((url) => element(ns.qname(CHORDPHONE_BOOTSTRAP_WS_NAMESPACE, 'bootstrap-ws'), [], { url })),
    ...c.extensions.map((e) => foreign(e, ns, CONFIG_BASE_NAMESPACE)),
    ...(c.requiredKinds.length === 0 ? [] : [element('required-kinds', c.requiredKinds.map((b) => kindBlock(b, ns)))]),
  ];
  const ownAttributes = foreignAttributes(c.foreignAttributes, ns);
  const attributes: Record<string, string> = {
    ...ns.declarations,
    'instance-name': c.instanceName,
    ...(c.sequence === undefined ? {} : { sequence: String(c.sequence) }),
    ...(c.expiration === undefined ? {} : { expiration: c.expiration }),
    ...ownAttributes,
  };
  return element('configuration', children, attributes);
}

/**
 * The XML text of an overlay configuration document (RFC 6940 §11.1). Throws ConfigurationError
 * for a value the document cannot carry (same paths as the parser).
 */
export function produceOverlayConfiguration(overlay: OverlayConfiguration): string {
  checkOverlayConfiguration(overlay);
  const content: Out[] = [];
  for (const c of overlay.configurations) {
    content.push(configuration(c));
    for (const s of c.signatures) content.push(signature('signature', s));
  }
  return writeXmlDocument({ version: '1.0', encoding: 'UTF-8' }, element('overlay', content, { xmlns: CONFIG_BASE_NAMESPACE, 'xmlns:chord': CONFIG_CHORD_NAMESPACE }));
}
