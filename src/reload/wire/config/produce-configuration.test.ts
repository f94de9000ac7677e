import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { arbConfiguration, arbOverlayConfiguration, arbSignatureElement } from '../testing/config.arb.js';
import { ConfigurationError } from './configuration-error.js';
import { configurationSignatureInput, kindSignatureInput } from './configuration-signature.js';
import type { Configuration, Kind, OverlayConfiguration } from './overlay-configuration.js';
import { CHORDPHONE_BOOTSTRAP_WS_NAMESPACE, configurationWithDefaults } from './overlay-configuration.js';
import { parseOverlayConfiguration, parseOverlayConfigurationWithSource } from './parse-configuration.js';
import { produceOverlayConfiguration } from './produce-configuration.js';

const example = readFileSync(new URL('./fixtures/rfc6940-example.xml', import.meta.url), 'utf8');

describe('produceOverlayConfiguration', () => {
  it('writes a small configuration as expected (namespaces, explicit defaults, extension)', () => {
    const overlay: OverlayConfiguration = {
      configurations: [
        configurationWithDefaults({
          instanceName: 'chordphone.example',
          sequence: 3,
          selfSignedPermitted: { digest: 'sha256', permitted: true },
          bootstrapNodes: [{ kind: 'ipv6', address: Uint8Array.from([0x20, 0x01, 0x0d, 0xb8, ...new Array<number>(11).fill(0), 1]), port: 443 }],
          bootstrapWebSockets: ['wss://chordphone.example/reload'],
          mandatoryExtensions: [CHORDPHONE_BOOTSTRAP_WS_NAMESPACE],
          requiredKinds: [{ kind: { id: 2000, dataModel: 'DICTIONARY', accessControl: 'USER-NODE-MATCH', maxCount: 10, maxSize: 512, extensions: [] } }],
          signatures: [{ value: Uint8Array.from([1, 2, 3]) }],
        }),
      ],
    };
    expect(produceOverlayConfiguration(overlay)).toBe(
      `<?xml version="1.0" encoding="UTF-8"?>
<overlay xmlns="urn:ietf:params:xml:ns:p2p:config-base" xmlns:chord="urn:ietf:params:xml:ns:p2p:config-chord">
  <configuration xmlns:cp="urn:chordphone:params:xml:ns:p2p:bootstrap-ws" instance-name="chordphone.example" sequence="3">
    <topology-plugin>CHORD-RELOAD</topology-plugin>
    <node-id-length>16</node-id-length>
    <self-signed-permitted digest="sha256">true</self-signed-permitted>
    <bootstrap-node address="2001:db8::1" port="443"/>
    <turn-density>1</turn-density>
    <clients-permitted>true</clients-permitted>
    <no-ice>false</no-ice>
    <chord:chord-update-interval>600</chord:chord-update-interval>
    <chord:chord-ping-interval>3600</chord:chord-ping-interval>
    <chord:chord-reactive>true</chord:chord-reactive>
    <max-message-size>5000</max-message-size>
    <initial-ttl>100</initial-ttl>
    <overlay-reliability-timer>3000</overlay-reliability-timer>
    <overlay-link-protocol>TLS</overlay-link-protocol>
    <mandatory-extension>urn:chordphone:params:xml:ns:p2p:bootstrap-ws</mandatory-extension>
    <cp:bootstrap-ws url="wss://chordphone.example/reload"/>
    <required-kinds>
      <kind-block>
        <kind id="2000">
          <data-model>DICTIONARY</data-model>
          <access-control>USER-NODE-MATCH</access-control>
          <max-count>10</max-count>
          <max-size>512</max-size>
        </kind>
      </kind-block>
    </required-kinds>
  </configuration>
  <signature>AQID</signature>
</overlay>`,
    );
  });

  it('round-trips the RFC example: parse(produce(parse(x))) equals parse(x)', () => {
    const parsed = parseOverlayConfiguration(example);
    expect(parseOverlayConfiguration(produceOverlayConfiguration(parsed))).toEqual(parsed);
  });

  it('property: parse(produce(c)) deep-equals c', () => {
    fc.assert(
      fc.property(arbOverlayConfiguration, (c) => {
        expect(parseOverlayConfiguration(produceOverlayConfiguration(c))).toEqual(c);
      }),
      { numRuns: 100 },
    );
  });

  it('property: produce(parse(produce(c))) is the same text', () => {
    fc.assert(
      fc.property(arbOverlayConfiguration, (c) => {
        const xml = produceOverlayConfiguration(c);
        expect(produceOverlayConfiguration(parseOverlayConfiguration(xml))).toBe(xml);
      }),
      { numRuns: 100 },
    );
  });

  it('property: adding signatures leaves every signed text unchanged (sign, then produce again)', () => {
    fc.assert(
      fc.property(arbConfiguration, arbConfiguration, fc.array(arbSignatureElement, { minLength: 1, maxLength: 2 }), (a, b, sigs) => {
        const unsigned = { configurations: [{ ...a, signatures: [] }, { ...b, signatures: [] }] };
        const before = parseOverlayConfigurationWithSource(produceOverlayConfiguration(unsigned)).sources;
        const signed = { configurations: [{ ...a, signatures: sigs }, { ...b, signatures: sigs }] };
        const after = parseOverlayConfigurationWithSource(produceOverlayConfiguration(signed)).sources;
        expect(after).toEqual(before);
        expect(configurationSignatureInput(after[1]!)).toEqual(configurationSignatureInput(before[1]!));
        a.requiredKinds.forEach((_, k) => expect(kindSignatureInput(after[0]!, k)).toEqual(kindSignatureInput(before[0]!, k)));
      }),
      { numRuns: 50 },
    );
  });
});

describe('produceOverlayConfiguration: values the document cannot carry', () => {
  const base = configurationWithDefaults({ instanceName: 'o.example' });
  const rows: { name: string; change: Partial<Configuration> | ((c: Configuration) => Configuration); path: string }[] = [
    { name: 'instance-name empty', change: { instanceName: '' }, path: 'configuration[0].instance-name' },
    { name: 'instance-name with outer space', change: { instanceName: ' a' }, path: 'configuration[0].instance-name' },
    { name: 'instance-name with a line break', change: { instanceName: 'a\nb' }, path: 'configuration[0].instance-name' },
    { name: 'sequence 65535', change: { sequence: 65535 }, path: 'configuration[0].sequence' },
    { name: 'expiration with offset', change: { expiration: '2030-01-01T00:00:00+02:00' }, path: 'configuration[0].expiration' },
    { name: 'node-id-length 21', change: { nodeIdLength: 21 }, path: 'configuration[0].node-id-length' },
    { name: 'initial-ttl 1.5', change: { initialTtl: 1.5 }, path: 'configuration[0].initial-ttl' },
    { name: 'overlay-reliability-timer 100', change: { overlayReliabilityTimer: 100 }, path: 'configuration[0].overlay-reliability-timer' },
    { name: 'no link protocol', change: { overlayLinkProtocols: [] }, path: 'configuration[0].overlay-link-protocol' },
    { name: 'shared secret with a control character', change: { sharedSecret: 'a\u0001' }, path: 'configuration[0].shared-secret' },
    { name: 'shared secret with CR', change: { sharedSecret: 'a\rb' }, path: 'configuration[0].shared-secret' },
    { name: 'enrollment server http', change: { enrollmentServers: ['http://example.org'] }, path: 'configuration[0].enrollment-server[0]' },
    { name: 'empty kind-signer', change: { kindSigners: [new Uint8Array(0)] }, path: 'configuration[0].kind-signer[0]' },
    { name: 'bootstrap port 0', change: { bootstrapNodes: [{ kind: 'ipv4', address: Uint8Array.from([1, 2, 3, 4]), port: 0 }] }, path: 'configuration[0].bootstrap-node[0].port' },
    { name: 'bootstrap IPv4 of 5 bytes', change: { bootstrapNodes: [{ kind: 'ipv4', address: new Uint8Array(5), port: 1 }] }, path: 'configuration[0].bootstrap-node[0].address' },
    { name: 'bootstrap-ws https', change: { bootstrapWebSockets: ['https://a.example'] }, path: 'configuration[0].bootstrap-ws[0].url' },
    { name: 'diagnostic kind without access node', change: { diagnosticKinds: [{ kind: 1, accessNodes: [] }] }, path: 'configuration[0].diagnostic-kind[0].access-node' },
    {
      name: 'kind without max-node-multiple',
      change: { requiredKinds: [{ kind: { id: 1, dataModel: 'ARRAY', accessControl: 'NODE-MULTIPLE', maxCount: 1, maxSize: 1, extensions: [] } }] },
      path: 'configuration[0].kind[0].max-node-multiple',
    },
    {
      name: 'kind with an unknown data model',
      change: { requiredKinds: [{ kind: { name: 'X', dataModel: 'QUEUE' as 'ARRAY', accessControl: 'NODE-MATCH', maxCount: 1, maxSize: 1, extensions: [] } }] },
      path: 'configuration[0].kind[0].data-model',
    },
    {
      name: 'extension in the base namespace',
      change: { extensions: [{ namespace: 'urn:ietf:params:xml:ns:p2p:config-base', name: 'x', attributes: [], text: '', children: [] }] },
      path: 'configuration[0].x[0]',
    },
    {
      name: 'extension that is a known element',
      change: { extensions: [{ namespace: CHORDPHONE_BOOTSTRAP_WS_NAMESPACE, name: 'bootstrap-ws', attributes: [], text: '', children: [] }] },
      path: 'configuration[0].bootstrap-ws[0]',
    },
    {
      name: 'extension with uncollapsed text',
      change: { extensions: [{ namespace: 'urn:x', name: 'x', attributes: [], text: 'a  b', children: [] }] },
      path: 'configuration[0].x[0]',
    },
    ...(
      [
        // RFC 7904 §3.4 domain-restriction (the parser's rules, parse-kind-block.ts).
        ['domain-restriction on another Kind', { name: 'TURN-SERVICE' }, { enable: false, patterns: [] }, 'configuration[0].kind[0].domain-restriction'],
        ['domain-restriction on Kind id 2', { id: 2 }, { enable: false, patterns: [] }, 'configuration[0].kind[0].domain-restriction'],
        ['a pattern in force that is not an ERE', { id: 1 }, { enable: true, patterns: ['a', '(b'] }, 'configuration[0].kind[0].domain-restriction.pattern[1]'],
        ['an empty pattern in force', { name: 'SIP-REGISTRATION' }, { enable: true, patterns: [''] }, 'configuration[0].kind[0].domain-restriction.pattern[0]'],
        ['the first bad pattern in force', { id: 1 }, { enable: true, patterns: ['(', ''] }, 'configuration[0].kind[0].domain-restriction.pattern[0]'],
        ['an ignored pattern with outer space', { name: 'SIP-REGISTRATION' }, { enable: false, patterns: [' a'] }, 'configuration[0].kind[0].domain-restriction.pattern[0]'],
      ] as const
    ).map(([name, kind, domainRestriction, path]) => ({
      name,
      change: { requiredKinds: [{ kind: { ...kind, dataModel: 'DICTIONARY', accessControl: 'USER-NODE-MATCH', maxCount: 1, maxSize: 1, domainRestriction, extensions: [] } as Kind }] },
      path,
    })),
    { name: 'foreign attribute in no namespace', change: { foreignAttributes: [{ namespace: '', name: 'a', value: '1' }] }, path: 'configuration[0].a' },
  ];

  it.each(rows)('$name → $path', ({ change, path }) => {
    const c = typeof change === 'function' ? change(base) : { ...base, ...change };
    let error: unknown;
    try {
      produceOverlayConfiguration({ configurations: [c] });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigurationError);
    expect((error as ConfigurationError).path).toBe(path);
  });

  it('keeps the patterns of a domain-restriction without enable (ignored, RFC 7904 §3.4), valid ERE or not', () => {
    const kind: Kind = { name: 'SIP-REGISTRATION', dataModel: 'DICTIONARY', accessControl: 'USER-NODE-MATCH', maxCount: 1, maxSize: 1, domainRestriction: { enable: false, patterns: ['(not', ''] }, extensions: [] };
    const xml = produceOverlayConfiguration({ configurations: [{ ...base, requiredKinds: [{ kind }] }] });
    expect(parseOverlayConfiguration(xml).configurations[0]?.requiredKinds[0]?.kind.domainRestriction).toEqual({ enable: false, patterns: ['(not', ''] });
  });

  it('rejects a document without configurations', () => {
    expect(() => produceOverlayConfiguration({ configurations: [] })).toThrow(ConfigurationError);
  });
});
