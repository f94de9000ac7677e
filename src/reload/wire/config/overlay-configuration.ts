import type { IpAddressPort } from '../ip-address-port.js';

/**
 * The overlay configuration document (RFC 6940 §11.1, grammar §11.1.1), as plain data.
 *
 * Defaults: where §11.1 or §10 gives a default for an absent element, the parsed value carries
 * it (an absent `<initial-ttl>` reads as 100), so consumers never re-apply defaults. Leading and
 * trailing whitespace is not significant in any value (the RFC's own example writes
 * `<initial-ttl> 30 </initial-ttl>` and `<shared-secret> password </shared-secret>`).
 */

/** RFC 6940 §11.1 / §14.16: MIME type of the document. */
export const OVERLAY_CONFIGURATION_MEDIA_TYPE = 'application/p2p-overlay+xml';

/** RFC 6940 §11.1: namespace of the base elements. */
export const CONFIG_BASE_NAMESPACE = 'urn:ietf:params:xml:ns:p2p:config-base';
/** RFC 6940 §11.1: namespace of the CHORD-RELOAD parameters (chord-ping-interval …). */
export const CONFIG_CHORD_NAMESPACE = 'urn:ietf:params:xml:ns:p2p:config-chord';
/** RFC 7904 §3.4 / §9: namespace of the SIP usage's `<sip:domain-restriction>` and `<sip:pattern>`. */
export const CONFIG_SIP_NAMESPACE = 'urn:ietf:params:xml:ns:p2p:config-base:sip';
/** RFC 7851 §9.6: namespace of the diagnostics authorization elements. */
export const CONFIG_DIAGNOSTICS_NAMESPACE = 'urn:ietf:params:xml:ns:p2p:config-diagnostics';
/** RFC 7363 §7 / §9.3: namespace of number-of-peers-to-probe. */
export const SELF_TUNING_NAMESPACE = 'urn:ietf:params:xml:ns:p2p:self-tuning';
/**
 * Chordphone's own extension (ARCHITECTURE.md "Bootstrap"): `<cp:bootstrap-ws url="wss://…"/>`,
 * repeated, lists the WebSocket URLs of bootstrap peers for nodes (browsers) that cannot open the
 * TLS/DTLS connections that `<bootstrap-node>` addresses imply. Not registered with IANA: a
 * private URN, ignored by other implementations as a foreign element (§11.1.1 `foreign-elements`).
 */
export const CHORDPHONE_BOOTSTRAP_WS_NAMESPACE = 'urn:chordphone:params:xml:ns:p2p:bootstrap-ws';

/** Namespaces whose elements this codec understands (for `mandatory-extension` checks, §11.1). */
export const SUPPORTED_CONFIGURATION_NAMESPACES: readonly string[] = [
  CONFIG_BASE_NAMESPACE,
  CONFIG_CHORD_NAMESPACE,
  CONFIG_SIP_NAMESPACE,
  CONFIG_DIAGNOSTICS_NAMESPACE,
  SELF_TUNING_NAMESPACE,
  CHORDPHONE_BOOTSTRAP_WS_NAMESPACE,
];

/** RFC 6940 §7.2 data models (§11.1.1 `data-model-type`). */
export const DataModel = { SINGLE: 'SINGLE', ARRAY: 'ARRAY', DICTIONARY: 'DICTIONARY' } as const;
export type DataModel = (typeof DataModel)[keyof typeof DataModel];

/** RFC 6940 §7.3 access control policies (§11.1.1 `access-control-type`). */
export const AccessControl = {
  'USER-MATCH': 'USER-MATCH',
  'NODE-MATCH': 'NODE-MATCH',
  'USER-NODE-MATCH': 'USER-NODE-MATCH',
  'NODE-MULTIPLE': 'NODE-MULTIPLE',
} as const;
export type AccessControl = (typeof AccessControl)[keyof typeof AccessControl];

/** Topology plug-in names: RFC 6940 §10 (`CHORD-RELOAD`) and RFC 7363 §9.2 (`CHORD-SELF-TUNING`). */
export const TopologyPlugin = { 'CHORD-RELOAD': 'CHORD-RELOAD', 'CHORD-SELF-TUNING': 'CHORD-SELF-TUNING' } as const;

/** RFC 6940 §11.1 self-signed-permitted `digest` values ("Implementations MUST support both"). */
export const SelfSignedDigest = { sha1: 'sha1', sha256: 'sha256' } as const;

/** RFC 6940 §11.1 defaults for absent elements, and the Chord defaults of §10.7.4. */
export const ConfigurationDefaults = {
  /** §11.1 topology-plugin. */
  topologyPlugin: 'CHORD-RELOAD',
  /** §11.1 node-id-length (bytes). */
  nodeIdLength: 16,
  /** §11.1 bootstrap-node port. */
  bootstrapPort: 6084,
  /** §11.1 turn-density. */
  turnDensity: 1,
  /** §11.1 clients-permitted ("MUST be set to true or be absent"). */
  clientsPermitted: true,
  /** §11.1 no-ice. */
  noIce: false,
  /** §11.1 max-message-size (bytes). */
  maxMessageSize: 5000,
  /** §11.1 and §6.3.2 initial-ttl. */
  initialTtl: 100,
  /** §11.1 overlay-reliability-timer (ms). */
  overlayReliabilityTimer: 3000,
  /** §11.1 overlay-link-protocol: "If none appear, then this implies the default value, TLS". */
  overlayLinkProtocols: ['TLS'] as readonly string[],
  /** §10.7.4.2: chord-ping-interval "defaults to 3600 seconds (one per hour)". */
  chordPingInterval: 3600,
  /** §10.7.4.1: Updates "about every ten minutes" (chord-update-interval, seconds). */
  chordUpdateInterval: 600,
  /** §11.1 chord-reactive: "If missing, the default is true". */
  chordReactive: true,
  /** RFC 7363 §7 number-of-peers-to-probe. */
  numberOfPeersToProbe: 4,
} as const;

/** An attribute or element name outside the namespaces above, kept as found (§11.1.1 foreign-attributes). */
export interface ForeignAttribute {
  /** Namespace URI; '' for an unprefixed attribute of a foreign element. */
  readonly namespace: string;
  readonly name: string;
  readonly value: string;
}

/**
 * An element of a namespace this codec does not know (§11.1.1 `foreign-elements`: `anything`),
 * preserved so that producing the configuration again keeps it. Text is whitespace-collapsed
 * (runs of white space become one space, leading and trailing removed) and gathered into `text`;
 * the interleaving of text and child elements is not kept.
 */
export interface ForeignElement {
  readonly namespace: string;
  readonly name: string;
  readonly attributes: readonly ForeignAttribute[];
  readonly text: string;
  readonly children: readonly ForeignElement[];
}

/**
 * RFC 6940 §11.1 `<signature>` (after a configuration) and `<kind-signature>` (in a kind-block):
 * base64 of a SecurityBlock (§6.3.4) over the signed text (see configuration-signature.ts). The
 * bytes are kept undecoded; the identity layer decodes and verifies them.
 */
export interface SignatureElement {
  /** The `algorithm` attribute (`rsa-sha1` or an extension), when present. */
  readonly algorithm?: string;
  readonly value: Uint8Array;
}

/** RFC 6940 §11.1 self-signed-permitted: the boolean and its `digest` attribute. */
export interface SelfSignedPermitted {
  /** `sha1`, `sha256` (SelfSignedDigest) or an extension digest name. */
  readonly digest: string;
  readonly permitted: boolean;
}

/**
 * RFC 6940 §11.1 bootstrap-node: `address` (IPv4 or IPv6 text) and `port` (default 6084).
 * Produced in RFC 5952 text form.
 */
export type BootstrapNode = Extract<IpAddressPort, { readonly kind: 'ipv4' | 'ipv6' }>;

/**
 * RFC 7904 §3.4 `<sip:domain-restriction enable="…">` with its `<sip:pattern>`s, a kind-parameter
 * of the SIP-REGISTRATION Kind: which AoR domains the overlay accepts registrations for.
 * - element absent (`KindParameters.domainRestriction` undefined): "the default behavior is to
 *   accept any AOR";
 * - `enable` false (or not set): "the overlay MUST only accept AORs that match the domain name of
 *   the overlay" (its instance-name); any `patterns` are ignored (OUR CHOICE, domain-restriction.ts);
 * - `enable` true: "the overlay MUST only accept AORs that match patterns specified", each a POSIX
 *   ERE (posix-ere.ts) that must match the whole domain; no pattern means no AoR is accepted.
 */
export interface DomainRestriction {
  readonly enable: boolean;
  /** The patterns as written (trimmed), in document order. */
  readonly patterns: readonly string[];
}

/** RFC 6940 §11.1 kind parameters (§11.1.1 `kind-parameter`). */
export interface KindParameters {
  readonly dataModel: DataModel;
  readonly accessControl: AccessControl;
  /** §11.1 max-count: maximum number of values members must support (xsd:int ≥ 0). */
  readonly maxCount: number;
  /** §11.1 max-size: maximum size of individual values (xsd:int ≥ 0). */
  readonly maxSize: number;
  /** §11.1 max-node-multiple: "If the access control is NODE-MULTIPLE, this element MUST be included" (> 0). */
  readonly maxNodeMultiple?: number;
  /** RFC 7904 §3.4 `<sip:domain-restriction>` (SIP-REGISTRATION only); undefined when absent. */
  readonly domainRestriction?: DomainRestriction;
  /** Foreign elements inside `<kind>` (the RFC example's `<ext:example-kind-extension>`). */
  readonly extensions: readonly ForeignElement[];
}

/**
 * RFC 6940 §11.1 `<kind>`: "Each kind element has either an id attribute or a name attribute":
 * a Kind-ID (xsd:unsignedInt) or the name registered with IANA (`SIP-REGISTRATION`, …).
 */
export type Kind =
  | (KindParameters & { readonly id: number; readonly name?: undefined })
  | (KindParameters & { readonly name: string; readonly id?: undefined });

/** RFC 6940 §11.1 `<kind-block>`: a kind and the kind-signature over its text. */
export interface KindBlock {
  readonly kind: Kind;
  /** §11.1 says a kind-block MUST contain one, the §11.1.1 grammar makes it optional; verifiers decide. */
  readonly kindSignature?: SignatureElement;
}

/** RFC 7851 §7 `<diagnostic-kind kind="…">` with its `<access-node>` Node-IDs. */
export interface DiagnosticKind {
  /** DiagnosticKindId (uint16, RFC 7851 §5.1), written in hexadecimal. */
  readonly kind: number;
  /** Node-IDs allowed to access this diagnostic kind (at least one). */
  readonly accessNodes: readonly Uint8Array[];
}

/**
 * RFC 6940 §11.1 `<configuration>`: one overlay's parameters, with the `<signature>` elements
 * that follow it in the document.
 */
export interface Configuration {
  /** instance-name: the overlay name. */
  readonly instanceName: string;
  /** expiration: RFC 3339 date-time in UTC, as written (e.g. `2002-10-10T07:00:00Z`). */
  readonly expiration?: string;
  /** sequence: 0 … 2^16-2. */
  readonly sequence?: number;
  /** Foreign attributes of `<configuration>` (the RFC example's `ext:ext-example`). */
  readonly foreignAttributes: readonly ForeignAttribute[];

  /** topology-plugin (default CHORD-RELOAD). */
  readonly topologyPlugin: string;
  /** node-id-length in bytes, 16 … 20 (default 16). */
  readonly nodeIdLength: number;
  /** root-cert: DER of each trust anchor. */
  readonly rootCerts: readonly Uint8Array[];
  /** enrollment-server: https: URLs. */
  readonly enrollmentServers: readonly string[];
  readonly selfSignedPermitted?: SelfSignedPermitted;
  readonly bootstrapNodes: readonly BootstrapNode[];
  /** turn-density, 0 … 255 (default 1). */
  readonly turnDensity: number;
  readonly clientsPermitted: boolean;
  readonly noIce: boolean;
  readonly sharedSecret?: string;
  /** max-message-size in bytes (xsd:unsignedInt, default 5000). */
  readonly maxMessageSize: number;
  /** initial-ttl, 0 … 255: the forwarding header's ttl is 8 bits (§6.3.2) (default 100). */
  readonly initialTtl: number;
  /** overlay-reliability-timer in ms, at least 200 (default 3000). */
  readonly overlayReliabilityTimer: number;
  /** overlay-link-protocol names; never empty (an absent list means ['TLS']). */
  readonly overlayLinkProtocols: readonly string[];
  /** kind-signer Node-IDs (hex in the document). */
  readonly kindSigners: readonly Uint8Array[];
  /** configuration-signer Node-IDs. */
  readonly configurationSigners: readonly Uint8Array[];
  /** bad-node Node-IDs (revoked certificates). */
  readonly badNodes: readonly Uint8Array[];
  /** mandatory-extension namespace URIs (case-sensitive). */
  readonly mandatoryExtensions: readonly string[];
  /** required-kinds' kind-blocks (empty when the element is absent). */
  readonly requiredKinds: readonly KindBlock[];

  /** chord:chord-ping-interval, seconds (default 3600). */
  readonly chordPingInterval: number;
  /** chord:chord-update-interval, seconds (default 600). */
  readonly chordUpdateInterval: number;
  /** chord:chord-reactive (default true). */
  readonly chordReactive: boolean;
  /** RFC 7363 §7 self-tuning:number-of-peers-to-probe (default 4). */
  readonly numberOfPeersToProbe: number;
  /** RFC 7851 §7 diagnostic-kind authorizations. */
  readonly diagnosticKinds: readonly DiagnosticKind[];
  /** Chordphone `cp:bootstrap-ws` URLs (ws: or wss:). */
  readonly bootstrapWebSockets: readonly string[];
  /** Elements of foreign namespaces, preserved in document order. */
  readonly extensions: readonly ForeignElement[];

  /** The `<signature>` elements that follow this configuration (§11.1). */
  readonly signatures: readonly SignatureElement[];
}

/** RFC 6940 §11.1 `<overlay>`: the whole document, one or more configurations. */
export interface OverlayConfiguration {
  readonly configurations: readonly Configuration[];
}

/** A configuration with every defaulted field at its RFC default, and the given fields on top. */
export function configurationWithDefaults(init: Partial<Configuration> & { readonly instanceName: string }): Configuration {
  const d = ConfigurationDefaults;
  return {
    foreignAttributes: [],
    topologyPlugin: d.topologyPlugin,
    nodeIdLength: d.nodeIdLength,
    rootCerts: [],
    enrollmentServers: [],
    bootstrapNodes: [],
    turnDensity: d.turnDensity,
    clientsPermitted: d.clientsPermitted,
    noIce: d.noIce,
    maxMessageSize: d.maxMessageSize,
    initialTtl: d.initialTtl,
    overlayReliabilityTimer: d.overlayReliabilityTimer,
    overlayLinkProtocols: d.overlayLinkProtocols,
    kindSigners: [],
    configurationSigners: [],
    badNodes: [],
    mandatoryExtensions: [],
    requiredKinds: [],
    chordPingInterval: d.chordPingInterval,
    chordUpdateInterval: d.chordUpdateInterval,
    chordReactive: d.chordReactive,
    numberOfPeersToProbe: d.numberOfPeersToProbe,
    diagnosticKinds: [],
    bootstrapWebSockets: [],
    extensions: [],
    signatures: [],
    ...init,
  };
}

/**
 * RFC 6940 §11.1 mandatory-extension: namespaces "a node joining the overlay MUST support" that
 * this codec does not. A node for which this is non-empty cannot join ("If a node is not capable
 * of supporting the new requirements, it MUST exit the overlay").
 */
export function unsupportedMandatoryExtensions(configuration: Configuration): string[] {
  return configuration.mandatoryExtensions.filter((ns) => !SUPPORTED_CONFIGURATION_NAMESPACES.includes(ns));
}
