import fc from 'fast-check';
import type {
  AccessControl,
  BootstrapNode,
  Configuration,
  DataModel,
  DiagnosticKind,
  DomainRestriction,
  ForeignAttribute,
  ForeignElement,
  Kind,
  KindBlock,
  KindParameters,
  OverlayConfiguration,
  SelfSignedPermitted,
  SignatureElement,
} from '../config/overlay-configuration.js';
import { CONFIG_BASE_NAMESPACE, CONFIG_CHORD_NAMESPACE } from '../config/overlay-configuration.js';

/**
 * fast-check arbitraries for the overlay configuration document (RFC 6940 §11.1). They generate
 * only values that `produceOverlayConfiguration` accepts and that parse back equal: trimmed text,
 * collapsed text in foreign elements, RFC value ranges, non-empty link protocol lists.
 */

const FOREIGN_NAMESPACES = ['urn:ietf:params:xml:ns:p2p:config-ext1', 'urn:example:ext2', 'http://example.com/ns/x'] as const;

/** Characters for free text: XML-special ones, non-ASCII, one astral. */
const TEXT_CHARS = [...'abcXYZ019 -_.:/<>&"\'=éß€中', '😀'];

/** Text without leading or trailing white space (what the parser returns for simple values). */
function trimmedText(maxLength: number, inner: readonly string[] = TEXT_CHARS): fc.Arbitrary<string> {
  return fc.string({ unit: fc.constantFrom(...inner), maxLength }).map((s) => s.replace(/^[ \t\n]+|[ \t\n]+$/g, ''));
}

/** White-space collapsed text (what the parser returns for foreign element text). */
const arbCollapsedText = trimmedText(16).map((s) => s.replace(/[ \t\n]+/g, ' '));

/** An attribute-safe trimmed, non-empty string (no tabs or line breaks). */
const arbAttributeText = trimmedText(16).filter((s) => s !== '');

const arbNcName = fc.stringMatching(/^[a-zA-Z_][a-zA-Z0-9._-]{0,8}$/);

const arbForeignNamespace = fc.oneof(fc.constantFrom(...FOREIGN_NAMESPACES), fc.stringMatching(/^[a-z]{1,6}$/).map((w) => `urn:x-test:${w}`));

const arbToken = fc.stringMatching(/^[A-Z][A-Z0-9-]{0,10}$/);

const arbNodeIdBytes = fc.uint8Array({ minLength: 1, maxLength: 20 });

function urlArb(schemes: readonly string[]): fc.Arbitrary<string> {
  return fc
    .tuple(
      fc.constantFrom(...schemes),
      fc.domain(),
      fc.option(fc.integer({ min: 1, max: 65535 }), { nil: undefined }),
      fc.array(fc.stringMatching(/^[a-z0-9-]{1,6}$/), { maxLength: 3 }),
    )
    .map(([scheme, host, port, path]) => `${scheme}://${host}${port === undefined ? '' : `:${port}`}${path.length ? `/${path.join('/')}` : ''}`);
}

/** A foreign attribute; `local` allows attributes in no namespace (valid on foreign elements only). */
export function arbForeignAttribute(local = true): fc.Arbitrary<ForeignAttribute> {
  const namespace = local ? fc.oneof(fc.constant(''), arbForeignNamespace, fc.constant(CONFIG_BASE_NAMESPACE)) : arbForeignNamespace;
  return fc.record({ namespace, name: arbNcName, value: trimmedText(12).filter((s) => !/[\t\n]/.test(s)) });
}

function uniqueAttributes(local: boolean, maxLength: number): fc.Arbitrary<ForeignAttribute[]> {
  return fc.uniqueArray(arbForeignAttribute(local), { maxLength, selector: (a) => `${a.namespace} ${a.name}` });
}

/** Foreign content below the top, at most two levels deep: any namespace, including none and the base one. */
function arbForeignContent(depth: number): fc.Arbitrary<ForeignElement> {
  return fc.record({
    namespace: fc.oneof(arbForeignNamespace, fc.constant(''), fc.constant(CONFIG_BASE_NAMESPACE), fc.constant(CONFIG_CHORD_NAMESPACE)),
    name: arbNcName,
    attributes: uniqueAttributes(true, 2),
    text: arbCollapsedText,
    children: depth <= 0 ? fc.constant([]) : fc.array(arbForeignContent(depth - 1), { maxLength: 2 }),
  });
}

/** A top-level extension element (RFC 6940 §11.1.1 `foreign-elements`). */
export const arbForeignElement: fc.Arbitrary<ForeignElement> = fc.record({
  namespace: arbForeignNamespace,
  name: arbNcName,
  attributes: uniqueAttributes(true, 2),
  text: arbCollapsedText,
  children: fc.array(arbForeignContent(1), { maxLength: 2 }),
});

export const arbSignatureElement: fc.Arbitrary<SignatureElement> = fc.record(
  { algorithm: fc.constantFrom('rsa-sha1', 'rsa-sha256', 'ecdsa-sha256'), value: fc.uint8Array({ maxLength: 64 }) },
  { requiredKeys: ['value'] },
);

export const arbDataModel: fc.Arbitrary<DataModel> = fc.constantFrom('SINGLE', 'ARRAY', 'DICTIONARY');
export const arbAccessControl: fc.Arbitrary<AccessControl> = fc.constantFrom('USER-MATCH', 'NODE-MATCH', 'USER-NODE-MATCH', 'NODE-MULTIPLE');

const arbKindParameters: fc.Arbitrary<KindParameters> = fc
  .record({
    dataModel: arbDataModel,
    accessControl: arbAccessControl,
    maxCount: fc.integer({ min: 0, max: 2147483647 }),
    maxSize: fc.integer({ min: 0, max: 2147483647 }),
    maxNodeMultiple: fc.option(fc.integer({ min: 1, max: 2147483647 }), { nil: undefined }),
    extensions: fc.array(arbForeignElement, { maxLength: 2 }),
  })
  .map(({ maxNodeMultiple, ...rest }) => {
    // RFC 6940 §11.1: max-node-multiple is required with NODE-MULTIPLE.
    const m = maxNodeMultiple ?? (rest.accessControl === 'NODE-MULTIPLE' ? 3 : undefined);
    return m === undefined ? rest : { ...rest, maxNodeMultiple: m };
  });

/**
 * RFC 7904 §3.4 domain-restriction: the overlay's domain only (with patterns it ignores, valid or
 * not, OUR CHOICE in domain-restriction.ts), or POSIX ERE patterns.
 */
const arbDomainRestriction: fc.Arbitrary<DomainRestriction> = fc.oneof(
  fc.record({ enable: fc.constant(false), patterns: fc.array(fc.constantFrom('dht\\.example\\.com', '*not[an', ''), { maxLength: 2 }) }),
  fc.record({
    enable: fc.constant(true),
    patterns: fc.array(fc.constantFrom('dht\\.example\\.com', '.*\\.my\\.example', '[[:alnum:]-]+\\.(a|b)', 'x{1,3}', 'a&<b>'), { maxLength: 3 }),
  }),
);

export const arbKind: fc.Arbitrary<Kind> = fc.oneof(
  fc.tuple(arbKindParameters, arbDomainRestriction).map(([p, domainRestriction]): Kind => ({ name: 'SIP-REGISTRATION', ...p, domainRestriction })),
  fc.tuple(fc.integer({ min: 0, max: 0xffffffff }), arbKindParameters).map(([id, p]): Kind => ({ id, ...p })),
  fc
    .tuple(fc.oneof(fc.constantFrom('SIP-REGISTRATION', 'TURN-SERVICE', 'CERTIFICATE_BY_NODE', 'CERTIFICATE_BY_USER'), arbAttributeText), arbKindParameters)
    .map(([name, p]): Kind => ({ name, ...p })),
);

export const arbKindBlock: fc.Arbitrary<KindBlock> = fc.record({ kind: arbKind, kindSignature: arbSignatureElement }, { requiredKeys: ['kind'] });

export const arbBootstrapNode: fc.Arbitrary<BootstrapNode> = fc.oneof(
  fc.record({ kind: fc.constant('ipv4' as const), address: fc.uint8Array({ minLength: 4, maxLength: 4 }), port: fc.integer({ min: 1, max: 65535 }) }),
  fc.record({ kind: fc.constant('ipv6' as const), address: fc.uint8Array({ minLength: 16, maxLength: 16 }), port: fc.integer({ min: 1, max: 65535 }) }),
);

export const arbSelfSignedPermitted: fc.Arbitrary<SelfSignedPermitted> = fc.record({
  digest: fc.constantFrom('sha1', 'sha256'),
  permitted: fc.boolean(),
});

export const arbDiagnosticKind: fc.Arbitrary<DiagnosticKind> = fc.record({
  kind: fc.integer({ min: 0, max: 0xffff }),
  accessNodes: fc.array(arbNodeIdBytes, { minLength: 1, maxLength: 3 }),
});

/** RFC 3339 UTC date-time, e.g. `2031-04-05T06:07:08Z` or with a fraction. */
export const arbExpiration: fc.Arbitrary<string> = fc
  .record({
    y: fc.integer({ min: 1970, max: 2999 }),
    mo: fc.integer({ min: 1, max: 12 }),
    d: fc.integer({ min: 1, max: 28 }),
    h: fc.integer({ min: 0, max: 23 }),
    mi: fc.integer({ min: 0, max: 59 }),
    s: fc.integer({ min: 0, max: 59 }),
    frac: fc.option(fc.stringMatching(/^[0-9]{1,3}$/), { nil: undefined }),
  })
  .map(({ y, mo, d, h, mi, s, frac }) => {
    const p = (n: number, w = 2): string => String(n).padStart(w, '0');
    return `${p(y, 4)}-${p(mo)}-${p(d)}T${p(h)}:${p(mi)}:${p(s)}${frac === undefined ? '' : `.${frac}`}Z`;
  });

const uint = (max = 0xffffffff): fc.Arbitrary<number> => fc.integer({ min: 0, max });

export const arbConfiguration: fc.Arbitrary<Configuration> = fc.record(
  {
    instanceName: fc.oneof(fc.domain(), arbAttributeText),
    expiration: arbExpiration,
    sequence: uint(0xfffe),
    foreignAttributes: uniqueAttributes(false, 2),
    topologyPlugin: fc.oneof(fc.constantFrom('CHORD-RELOAD', 'CHORD-SELF-TUNING'), arbToken),
    nodeIdLength: fc.integer({ min: 16, max: 20 }),
    rootCerts: fc.array(fc.uint8Array({ maxLength: 64 }), { maxLength: 3 }),
    enrollmentServers: fc.array(urlArb(['https']), { maxLength: 2 }),
    selfSignedPermitted: arbSelfSignedPermitted,
    bootstrapNodes: fc.array(arbBootstrapNode, { maxLength: 4 }),
    turnDensity: uint(255),
    clientsPermitted: fc.boolean(),
    noIce: fc.boolean(),
    sharedSecret: trimmedText(24, [...TEXT_CHARS, '\n', '\t']),
    maxMessageSize: uint(),
    initialTtl: uint(255),
    overlayReliabilityTimer: fc.integer({ min: 200, max: 2147483647 }),
    overlayLinkProtocols: fc.array(fc.oneof(fc.constantFrom('TLS', 'EXP-PROTOCOL'), arbToken), { minLength: 1, maxLength: 3 }),
    kindSigners: fc.array(arbNodeIdBytes, { maxLength: 3 }),
    configurationSigners: fc.array(arbNodeIdBytes, { maxLength: 2 }),
    badNodes: fc.array(arbNodeIdBytes, { maxLength: 3 }),
    mandatoryExtensions: fc.array(arbForeignNamespace, { maxLength: 2 }),
    requiredKinds: fc.array(arbKindBlock, { maxLength: 3 }),
    chordPingInterval: fc.integer({ min: 1, max: 2147483647 }),
    chordUpdateInterval: fc.integer({ min: 1, max: 2147483647 }),
    chordReactive: fc.boolean(),
    numberOfPeersToProbe: fc.oneof(fc.constant(4), uint()),
    diagnosticKinds: fc.array(arbDiagnosticKind, { maxLength: 2 }),
    bootstrapWebSockets: fc.array(urlArb(['ws', 'wss']), { maxLength: 3 }),
    extensions: fc.array(arbForeignElement, { maxLength: 3 }),
    signatures: fc.array(arbSignatureElement, { maxLength: 2 }),
  },
  {
    requiredKeys: [
      'instanceName',
      'foreignAttributes',
      'topologyPlugin',
      'nodeIdLength',
      'rootCerts',
      'enrollmentServers',
      'bootstrapNodes',
      'turnDensity',
      'clientsPermitted',
      'noIce',
      'maxMessageSize',
      'initialTtl',
      'overlayReliabilityTimer',
      'overlayLinkProtocols',
      'kindSigners',
      'configurationSigners',
      'badNodes',
      'mandatoryExtensions',
      'requiredKinds',
      'chordPingInterval',
      'chordUpdateInterval',
      'chordReactive',
      'numberOfPeersToProbe',
      'diagnosticKinds',
      'bootstrapWebSockets',
      'extensions',
      'signatures',
    ],
  },
);

export const arbOverlayConfiguration: fc.Arbitrary<OverlayConfiguration> = fc.record({
  configurations: fc.array(arbConfiguration, { minLength: 1, maxLength: 3 }),
});
