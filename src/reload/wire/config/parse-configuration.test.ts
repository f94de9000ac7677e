import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ConfigurationError } from './configuration-error.js';
import {
  CHORDPHONE_BOOTSTRAP_WS_NAMESPACE,
  CONFIG_BASE_NAMESPACE,
  CONFIG_CHORD_NAMESPACE,
  CONFIG_DIAGNOSTICS_NAMESPACE,
  CONFIG_SIP_NAMESPACE,
  SELF_TUNING_NAMESPACE,
  configurationWithDefaults,
  unsupportedMandatoryExtensions,
} from './overlay-configuration.js';
import { parseOverlayConfiguration, parseOverlayConfigurationWithSource } from './parse-configuration.js';

const example = readFileSync(new URL('./fixtures/rfc6940-example.xml', import.meta.url), 'utf8');
const bytes = (...b: number[]): Uint8Array => Uint8Array.from(b);
const hex = (h: string): Uint8Array => Uint8Array.from(Buffer.from(h, 'hex'));
const b64 = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s, 'base64'));
/** "This is not right!\n", the RFC example's placeholder signatures. */
const NOT_RIGHT = new TextEncoder().encode('This is not right!\n');

const EXT1 = 'urn:ietf:params:xml:ns:p2p:config-ext1';

/** A document around `body`, with the prefixes the tests use declared on <overlay>. */
function overlay(body: string): string {
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n<overlay xmlns="${CONFIG_BASE_NAMESPACE}" xmlns:chord="${CONFIG_CHORD_NAMESPACE}"` +
    ` xmlns:cp="${CHORDPHONE_BOOTSTRAP_WS_NAMESPACE}" xmlns:diag="${CONFIG_DIAGNOSTICS_NAMESPACE}" xmlns:st="${SELF_TUNING_NAMESPACE}"` +
    ` xmlns:ext="urn:example:ext" xmlns:p2pcf="${CONFIG_BASE_NAMESPACE}" xmlns:sip="${CONFIG_SIP_NAMESPACE}">${body}</overlay>`
  );
}
function cfg(inner: string, attrs = 'instance-name="o.example"'): string {
  return `<configuration ${attrs}>${inner}</configuration>`;
}
const KIND_BODY = '<data-model>SINGLE</data-model><access-control>USER-MATCH</access-control><max-count>1</max-count><max-size>100</max-size>';
function kinds(...blocks: string[]): string {
  return `<required-kinds>${blocks.map((b) => `<kind-block>${b}</kind-block>`).join('')}</required-kinds>`;
}
const goodKind = `<kind name="SIP-REGISTRATION">${KIND_BODY}</kind>`;

describe('parseOverlayConfiguration: the RFC 6940 §11.1 example', () => {
  const { overlay: parsed, sources } = parseOverlayConfigurationWithSource(example);
  const [first, second] = parsed.configurations;

  it('reads the first configuration as the RFC describes it', () => {
    expect(parsed.configurations).toHaveLength(2);
    const rootCert = first?.rootCerts[0];
    expect(rootCert?.length).toBe(808);
    expect(rootCert?.slice(0, 4)).toEqual(bytes(0x30, 0x82, 0x03, 0x24)); // DER SEQUENCE, 804 bytes
    expect(first).toEqual({
      instanceName: 'overlay.example.org',
      sequence: 22,
      expiration: '2002-10-10T07:00:00Z',
      foreignAttributes: [{ namespace: EXT1, name: 'ext-example', value: 'stuff' }],
      topologyPlugin: 'CHORD-RELOAD',
      nodeIdLength: 16,
      rootCerts: [rootCert, new TextEncoder().encode('bad cert\n')],
      enrollmentServers: ['https://example.org', 'https://example.net'],
      selfSignedPermitted: { digest: 'sha1', permitted: false },
      bootstrapNodes: [
        { kind: 'ipv4', address: bytes(192, 0, 0, 1), port: 6084 },
        { kind: 'ipv4', address: bytes(192, 0, 2, 2), port: 6084 },
        { kind: 'ipv6', address: hex('20010db8000000000000000000000001'), port: 6084 },
      ],
      turnDensity: 20,
      clientsPermitted: false,
      noIce: false,
      chordUpdateInterval: 400,
      chordPingInterval: 30,
      chordReactive: true,
      sharedSecret: 'password',
      maxMessageSize: 4000,
      initialTtl: 30,
      overlayReliabilityTimer: 3000,
      overlayLinkProtocols: ['TLS'],
      configurationSigners: [hex('47112162e84c69ba')],
      kindSigners: [hex('47112162e84c69ba'), hex('6eba45d31a900c06')],
      badNodes: [hex('6ebc45d31a900c06'), hex('6ebc45d31a900ca6')],
      extensions: [{ namespace: EXT1, name: 'example-extension', attributes: [], text: 'foo', children: [] }],
      mandatoryExtensions: [EXT1],
      requiredKinds: [
        {
          kind: { name: 'SIP-REGISTRATION', dataModel: 'SINGLE', accessControl: 'USER-MATCH', maxCount: 1, maxSize: 100, extensions: [] },
          kindSignature: { value: NOT_RIGHT },
        },
        {
          kind: {
            id: 2000,
            dataModel: 'ARRAY',
            accessControl: 'NODE-MULTIPLE',
            maxNodeMultiple: 3,
            maxCount: 22,
            maxSize: 4,
            extensions: [{ namespace: EXT1, name: 'example-kind-extension', attributes: [], text: '1', children: [] }],
          },
          kindSignature: { value: NOT_RIGHT },
        },
      ],
      numberOfPeersToProbe: 4,
      diagnosticKinds: [],
      bootstrapWebSockets: [],
      signatures: [{ value: NOT_RIGHT }],
    });
  });

  it('gives the empty second configuration every RFC default', () => {
    expect(second).toEqual(configurationWithDefaults({ instanceName: 'other.example.net', signatures: [{ value: NOT_RIGHT }] }));
    expect(second).toMatchObject({
      topologyPlugin: 'CHORD-RELOAD',
      nodeIdLength: 16,
      turnDensity: 1,
      clientsPermitted: true,
      noIce: false,
      maxMessageSize: 5000,
      initialTtl: 100,
      overlayReliabilityTimer: 3000,
      overlayLinkProtocols: ['TLS'],
      chordPingInterval: 3600,
      chordUpdateInterval: 600,
      chordReactive: true,
    });
  });

  it('keeps the exact text of each configuration and kind (the signed blobs, §11.1)', () => {
    const start = example.indexOf('<configuration instance-name="overlay.example.org"');
    const end = example.indexOf('</configuration>') + '</configuration>'.length;
    expect(sources[0]?.text).toBe(example.slice(start, end));
    expect(sources[1]?.text).toBe('<configuration instance-name="other.example.net">\n   </configuration>');
    expect(sources[0]?.kindTexts).toHaveLength(2);
    expect(sources[0]?.kindTexts[0]).toMatch(/^<kind name="SIP-REGISTRATION">\n {15}<data-model>SINGLE<\/data-model>/);
    expect(sources[0]?.kindTexts[1]?.startsWith('<kind id="2000">')).toBe(true);
    expect(sources[0]?.kindTexts[1]?.endsWith('</ext:example-kind-extension>\n           </kind>')).toBe(true);
    expect(sources[1]?.kindTexts).toEqual([]);
  });

  it('reports the mandatory extension it does not support', () => {
    expect(first && unsupportedMandatoryExtensions(first)).toEqual([EXT1]);
    expect(second && unsupportedMandatoryExtensions(second)).toEqual([]);
  });
});

describe('parseOverlayConfiguration: lexical forms', () => {
  it('reads xsd:boolean 1/0, signs, leading zeros, entities and character references', () => {
    const c = parseOverlayConfiguration(
      overlay(
        cfg(
          '<no-ice>1</no-ice><clients-permitted>0</clients-permitted><initial-ttl>+007</initial-ttl>' +
            '<shared-secret> a&amp;b&lt;&#x41;&#66;<![CDATA[<&>]]> </shared-secret><chord:chord-reactive>0</chord:chord-reactive>',
          'instance-name="x&quot;y" sequence="0"',
        ),
      ),
    ).configurations[0];
    expect(c).toMatchObject({ noIce: true, clientsPermitted: false, initialTtl: 7, sharedSecret: 'a&b<AB<&>', instanceName: 'x"y', sequence: 0, chordReactive: false });
  });

  it('keeps CR LF line ends in the signed text', () => {
    const xml = overlay(cfg('\r\n  <initial-ttl>5</initial-ttl>\r\n')).replace(/\n/g, '\r\n').replace(/\r\r/g, '\r');
    const { overlay: o, sources } = parseOverlayConfigurationWithSource(xml);
    expect(o.configurations[0]?.initialTtl).toBe(5);
    expect(sources[0]?.text).toBe('<configuration instance-name="o.example">\r\n  <initial-ttl>5</initial-ttl>\r\n</configuration>');
  });

  it('accepts a self-closing configuration and no XML declaration', () => {
    const xml = `<overlay xmlns="${CONFIG_BASE_NAMESPACE}"><configuration instance-name="a"/></overlay>`;
    const { overlay: o, sources } = parseOverlayConfigurationWithSource(xml);
    expect(o.configurations[0]).toEqual(configurationWithDefaults({ instanceName: 'a' }));
    expect(sources[0]?.text).toBe('<configuration instance-name="a"/>');
  });

  it('reads kinds, diagnostics and self-tuning with other prefixes', () => {
    const xml =
      `<p:overlay xmlns:p="${CONFIG_BASE_NAMESPACE}" xmlns:c="${CONFIG_CHORD_NAMESPACE}" xmlns:d="${CONFIG_DIAGNOSTICS_NAMESPACE}"` +
      ` xmlns:s="${SELF_TUNING_NAMESPACE}"><p:configuration instance-name="a"><c:chord-ping-interval>7</c:chord-ping-interval>` +
      `<d:diagnostic-kind kind="0x000A"><d:access-node>00ff</d:access-node><d:access-node>AB</d:access-node></d:diagnostic-kind>` +
      `<s:number-of-peers-to-probe>9</s:number-of-peers-to-probe><p:topology-plugin>CHORD-SELF-TUNING</p:topology-plugin>` +
      `</p:configuration></p:overlay>`;
    expect(parseOverlayConfiguration(xml).configurations[0]).toMatchObject({
      chordPingInterval: 7,
      diagnosticKinds: [{ kind: 10, accessNodes: [bytes(0, 0xff), bytes(0xab)] }],
      numberOfPeersToProbe: 9,
      topologyPlugin: 'CHORD-SELF-TUNING',
    });
  });
});

describe('parseOverlayConfiguration: extensions', () => {
  const xml = overlay(
    '<ext:banner>ignored at overlay level</ext:banner>' +
      cfg(
        '<cp:bootstrap-ws url="wss://peer.example.org:8443/reload"/><cp:bootstrap-ws url=" ws://192.0.2.7:6085 "/>' +
          '<ext:tuning level="2" ext:mode="fast"> some   text <ext:inner a="b"/> more </ext:tuning>' +
          `<mandatory-extension>${CHORDPHONE_BOOTSTRAP_WS_NAMESPACE}</mandatory-extension>`,
      ),
  );
  const c = parseOverlayConfiguration(xml).configurations[0];

  it('reads the Chordphone bootstrap-ws URLs', () => {
    expect(c?.bootstrapWebSockets).toEqual(['wss://peer.example.org:8443/reload', 'ws://192.0.2.7:6085']);
    expect(c && unsupportedMandatoryExtensions(c)).toEqual([]);
  });

  it('preserves unknown foreign elements with their attributes, collapsed text and children', () => {
    expect(c?.extensions).toEqual([
      {
        namespace: 'urn:example:ext',
        name: 'tuning',
        attributes: [
          { namespace: '', name: 'level', value: '2' },
          { namespace: 'urn:example:ext', name: 'mode', value: 'fast' },
        ],
        text: 'some text more',
        children: [{ namespace: 'urn:example:ext', name: 'inner', attributes: [{ namespace: '', name: 'a', value: 'b' }], text: '', children: [] }],
      },
    ]);
  });
});

function expectError(xml: string, path: string, reason?: RegExp): void {
  let error: unknown;
  try {
    parseOverlayConfiguration(xml);
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(ConfigurationError);
  const ce = error as ConfigurationError;
  expect(ce.path).toBe(path);
  if (reason) expect(ce.reason).toMatch(reason);
}

describe('parseOverlayConfiguration: invalid documents', () => {
  const rows: [string, string, string, RegExp?][] = [
    ['not well-formed', '<overlay><configuration></overlay>', 'document', /not well-formed/],
    ['empty document', '', 'document'],
    ['two root elements', `<overlay xmlns="${CONFIG_BASE_NAMESPACE}"/><overlay xmlns="${CONFIG_BASE_NAMESPACE}"/>`, 'document', /more than one root/],
    ['DOCTYPE', `<!DOCTYPE overlay [<!ENTITY e "x">]><overlay xmlns="${CONFIG_BASE_NAMESPACE}">${cfg('')}</overlay>`, 'document', /DOCTYPE/],
    ['unknown entity', overlay(cfg('<shared-secret>&nbsp;</shared-secret>')), 'document', /&nbsp;/],
    ['NUL character reference', overlay(cfg('<shared-secret>&#0;</shared-secret>')), 'document', /not an XML character/],
    ['undeclared prefix', overlay(cfg('<zz:thing/>')), 'document', /prefix "zz"/],
    ['declared encoding not UTF-8', `<?xml version="1.0" encoding="ISO-8859-1"?><overlay xmlns="${CONFIG_BASE_NAMESPACE}">${cfg('')}</overlay>`, 'document', /UTF-8/],
    ['root without namespace', `<overlay>${cfg('')}</overlay>`, 'overlay', /root element/],
    ['wrong root', `<configuration xmlns="${CONFIG_BASE_NAMESPACE}" instance-name="a"/>`, 'configuration', /root element/],
    ['no configuration', overlay(''), 'overlay', /no configuration/],
    ['text in overlay', overlay(`hello${cfg('')}`), 'overlay', /unexpected text/],
    ['unknown base element in overlay', overlay(`${cfg('')}<extra/>`), 'extra'],
    ['signature before any configuration', overlay(`<signature>AAAA</signature>${cfg('')}`), 'signature[0]', /follow/],
    ['signature not base64', overlay(`${cfg('')}<signature>A</signature>`), 'configuration[0].signature[0]', /base64/],
    ['second signature of second configuration', overlay(`${cfg('')}${cfg('')}<signature>AAAA</signature><signature>@@@@</signature>`), 'configuration[1].signature[1]'],
    ['missing instance-name', overlay(cfg('', 'sequence="1"')), 'configuration[0].instance-name', /missing/],
    ['empty instance-name', overlay(cfg('', 'instance-name=" "')), 'configuration[0].instance-name', /empty/],
    ['unknown attribute', overlay(cfg('', 'instance-name="a" colour="red"')), 'configuration[0].colour', /unknown attribute/],
    ['base-namespace attribute', overlay(cfg('', 'instance-name="a" p2pcf:x="1"')), 'configuration[0].x', /not allowed/],
    ['sequence too large', overlay(cfg('', 'instance-name="a" sequence="65535"')), 'configuration[0].sequence'],
    ['sequence not a number', overlay(cfg('', 'instance-name="a" sequence="ten"')), 'configuration[0].sequence'],
    ['expiration not UTC', overlay(cfg('', 'instance-name="a" expiration="2002-10-10T07:00:00+01:00"')), 'configuration[0].expiration', /UTC/],
    ['expiration not a date', overlay(cfg('', 'instance-name="a" expiration="2003-02-29T00:00:00Z"')), 'configuration[0].expiration'],
    ['error in the second configuration', overlay(cfg('') + cfg('<initial-ttl>x</initial-ttl>')), 'configuration[1].initial-ttl'],
    ['text in configuration', overlay(cfg('stray')), 'configuration[0]', /unexpected text/],
    ['unknown base element', overlay(cfg('<frobnicate/>')), 'configuration[0].frobnicate', /unknown element/],
    ['unknown chord element', overlay(cfg('<chord:chord-foo>1</chord:chord-foo>')), 'configuration[0].chord-foo', /unknown element/],
    ['element in no namespace', overlay(cfg('<plain xmlns=""/>')), 'configuration[0].plain', /no namespace/],
    ['node-id-length below 16', overlay(cfg('<node-id-length>15</node-id-length>')), 'configuration[0].node-id-length', /16…20/],
    ['node-id-length twice', overlay(cfg('<node-id-length>16</node-id-length><node-id-length>16</node-id-length>')), 'configuration[0].node-id-length', /at most one/],
    ['node-id-length with a child', overlay(cfg('<node-id-length><b/></node-id-length>')), 'configuration[0].node-id-length', /simple content/],
    ['turn-density 256', overlay(cfg('<turn-density>256</turn-density>')), 'configuration[0].turn-density'],
    ['initial-ttl 256', overlay(cfg('<initial-ttl>256</initial-ttl>')), 'configuration[0].initial-ttl'],
    ['overlay-reliability-timer 199', overlay(cfg('<overlay-reliability-timer>199</overlay-reliability-timer>')), 'configuration[0].overlay-reliability-timer', /200/],
    ['max-message-size negative', overlay(cfg('<max-message-size>-1</max-message-size>')), 'configuration[0].max-message-size'],
    ['max-message-size decimal', overlay(cfg('<max-message-size>1.5</max-message-size>')), 'configuration[0].max-message-size'],
    ['chord-ping-interval 0', overlay(cfg('<chord:chord-ping-interval>0</chord:chord-ping-interval>')), 'configuration[0].chord-ping-interval'],
    ['clients-permitted yes', overlay(cfg('<clients-permitted>yes</clients-permitted>')), 'configuration[0].clients-permitted', /boolean/],
    ['chord-reactive TRUE', overlay(cfg('<chord:chord-reactive>TRUE</chord:chord-reactive>')), 'configuration[0].chord-reactive'],
    ['topology-plugin empty', overlay(cfg('<topology-plugin> </topology-plugin>')), 'configuration[0].topology-plugin', /empty/],
    ['overlay-link-protocol with a space', overlay(cfg('<overlay-link-protocol>TLS</overlay-link-protocol><overlay-link-protocol>T LS</overlay-link-protocol>')), 'configuration[0].overlay-link-protocol[1]'],
    ['root-cert not base64', overlay(cfg('<root-cert>abc</root-cert>')), 'configuration[0].root-cert[0]', /base64/],
    ['enrollment-server not https', overlay(cfg('<enrollment-server>https://a.example</enrollment-server><enrollment-server>http://b.example</enrollment-server>')), 'configuration[0].enrollment-server[1]', /https/],
    ['enrollment-server not a URL', overlay(cfg('<enrollment-server>example.org</enrollment-server>')), 'configuration[0].enrollment-server[0]'],
    ['self-signed-permitted without digest', overlay(cfg('<self-signed-permitted>true</self-signed-permitted>')), 'configuration[0].self-signed-permitted.digest', /missing/],
    ['self-signed-permitted not boolean', overlay(cfg('<self-signed-permitted digest="sha1">maybe</self-signed-permitted>')), 'configuration[0].self-signed-permitted'],
    ['bootstrap-node bad address', overlay(cfg('<bootstrap-node address="192.0.2.300"/>')), 'configuration[0].bootstrap-node[0].address', /IPv4 or IPv6/],
    ['bootstrap-node host name', overlay(cfg('<bootstrap-node address="192.0.2.1"/><bootstrap-node address="peer.example"/>')), 'configuration[0].bootstrap-node[1].address'],
    ['bootstrap-node without address', overlay(cfg('<bootstrap-node port="6084"/>')), 'configuration[0].bootstrap-node[0].address', /missing/],
    ['bootstrap-node port 70000', overlay(cfg('<bootstrap-node address="::1" port="70000"/>')), 'configuration[0].bootstrap-node[0].port'],
    ['bootstrap-node with content', overlay(cfg('<bootstrap-node address="::1">x</bootstrap-node>')), 'configuration[0].bootstrap-node[0]', /empty/],
    ['kind-signer not hex', overlay(cfg('<kind-signer>xyz1</kind-signer>')), 'configuration[0].kind-signer[0]', /hexadecimal/],
    ['bad-node odd length', overlay(cfg('<bad-node>abc</bad-node>')), 'configuration[0].bad-node[0]'],
    ['configuration-signer empty', overlay(cfg('<configuration-signer/>')), 'configuration[0].configuration-signer[0]'],
    ['mandatory-extension empty', overlay(cfg('<mandatory-extension> </mandatory-extension>')), 'configuration[0].mandatory-extension[0]'],
    ['kind with neither id nor name', overlay(cfg(kinds(`<kind>${KIND_BODY}</kind>`))), 'configuration[0].kind[0]', /neither/],
    ['kind with both id and name', overlay(cfg(kinds(`<kind id="5" name="X">${KIND_BODY}</kind>`))), 'configuration[0].kind[0]', /both/],
    ['kind id negative', overlay(cfg(kinds(`<kind id="-1">${KIND_BODY}</kind>`))), 'configuration[0].kind[0].id'],
    ['kind id beyond uint32', overlay(cfg(kinds(`<kind id="4294967296">${KIND_BODY}</kind>`))), 'configuration[0].kind[0].id'],
    ['unknown data model', overlay(cfg(kinds(goodKind, `<kind id="9">${KIND_BODY.replace('SINGLE', 'QUEUE')}</kind>`))), 'configuration[0].kind[1].data-model', /QUEUE/],
    ['unknown access control', overlay(cfg(kinds(`<kind id="9">${KIND_BODY.replace('USER-MATCH', 'ANYONE')}</kind>`))), 'configuration[0].kind[0].access-control', /ANYONE/],
    ['missing max-count', overlay(cfg(kinds(goodKind, goodKind, `<kind id="9">${KIND_BODY.replace('<max-count>1</max-count>', '')}</kind>`))), 'configuration[0].kind[2].max-count', /missing/],
    ['max-count not an integer', overlay(cfg(kinds(`<kind id="9">${KIND_BODY.replace('>1<', '>many<')}</kind>`))), 'configuration[0].kind[0].max-count'],
    ['max-size negative', overlay(cfg(kinds(`<kind id="9">${KIND_BODY.replace('>100<', '>-4<')}</kind>`))), 'configuration[0].kind[0].max-size'],
    ['missing data-model', overlay(cfg(kinds(`<kind id="9">${KIND_BODY.replace('<data-model>SINGLE</data-model>', '')}</kind>`))), 'configuration[0].kind[0].data-model', /missing/],
    ['NODE-MULTIPLE without max-node-multiple', overlay(cfg(kinds(`<kind id="9">${KIND_BODY.replace('USER-MATCH', 'NODE-MULTIPLE')}</kind>`))), 'configuration[0].kind[0].max-node-multiple', /NODE-MULTIPLE/],
    ['max-node-multiple 0', overlay(cfg(kinds(`<kind id="9">${KIND_BODY}<max-node-multiple>0</max-node-multiple></kind>`))), 'configuration[0].kind[0].max-node-multiple'],
    ['unknown element in kind', overlay(cfg(kinds(`<kind id="9">${KIND_BODY}<max-age>3</max-age></kind>`))), 'configuration[0].kind[0].max-age', /unknown element/],
    ['kind-block without kind', overlay(cfg(kinds('<kind-signature>AAAA</kind-signature>'))), 'configuration[0].kind[0].kind', /missing/],
    ['kind-signature not base64', overlay(cfg(kinds(`${goodKind}<kind-signature>!!</kind-signature>`))), 'configuration[0].kind[0].kind-signature', /base64/],
    ['two kind-signatures', overlay(cfg(kinds(`${goodKind}<kind-signature>AAAA</kind-signature><kind-signature>AAAA</kind-signature>`))), 'configuration[0].kind[0].kind-signature'],
    ['bootstrap-ws http URL', overlay(cfg('<cp:bootstrap-ws url="http://peer.example/"/>')), 'configuration[0].bootstrap-ws[0].url', /ws: or wss:/],
    ['bootstrap-ws without url', overlay(cfg('<cp:bootstrap-ws/>')), 'configuration[0].bootstrap-ws[0].url', /missing/],
    ['diagnostic-kind without access-node', overlay(cfg('<diag:diagnostic-kind kind="0001"/>')), 'configuration[0].diagnostic-kind[0].access-node', /at least one/],
    ['diagnostic-kind kind too large', overlay(cfg('<diag:diagnostic-kind kind="0x10000"><diag:access-node>00</diag:access-node></diag:diagnostic-kind>')), 'configuration[0].diagnostic-kind[0].kind'],
    ['number-of-peers-to-probe negative', overlay(cfg('<st:number-of-peers-to-probe>-2</st:number-of-peers-to-probe>')), 'configuration[0].number-of-peers-to-probe'],
  ];

  it.each(rows.map(([name, xml, path, reason]) => ({ name, xml, path, reason })))('$name → $path', ({ xml, path, reason }) =>
    expectError(xml, path, reason),
  );

  it('never throws anything but ConfigurationError on mangled documents', () => {
    for (let cut = 0; cut < example.length; cut += 97) {
      for (const xml of [example.slice(0, cut), example.slice(cut), example.slice(0, cut) + '<' + example.slice(cut)]) {
        try {
          parseOverlayConfiguration(xml);
        } catch (e) {
          expect(e).toBeInstanceOf(ConfigurationError);
        }
      }
    }
  });
});

describe('parseOverlayConfiguration: RFC 7904 §3.4 domain-restriction of SIP-REGISTRATION', () => {
  const SIP_BODY = '<data-model>DICTIONARY</data-model><access-control>USER-NODE-MATCH</access-control><max-count>4</max-count><max-size>200</max-size>';
  const sipKind = (restriction: string, attrs = 'name="SIP-REGISTRATION"') => overlay(cfg(kinds(`<kind ${attrs}>${SIP_BODY}${restriction}</kind>`)));
  const restrictionOf = (xml: string) => parseOverlayConfiguration(xml).configurations[0]?.requiredKinds[0]?.kind.domainRestriction;

  const valid: [string, string, { enable: boolean; patterns: string[] } | undefined][] = [
    ['absent: any AoR (no restriction)', sipKind(''), undefined],
    ['enable not set: the overlay domain only', sipKind('<sip:domain-restriction/>'), { enable: false, patterns: [] }],
    ['enable="false"', sipKind('<sip:domain-restriction enable="false"></sip:domain-restriction>'), { enable: false, patterns: [] }],
    ['enable="0"', sipKind('<sip:domain-restriction enable=" 0 "/>'), { enable: false, patterns: [] }],
    ['enable="true" without patterns: no AoR', sipKind('<sip:domain-restriction enable="true"/>'), { enable: true, patterns: [] }],
    [
      'the RFC example patterns, trimmed',
      sipKind('<sip:domain-restriction enable="true"><sip:pattern> dht\\.example\\.com </sip:pattern><sip:pattern>.*\\.my\\.example</sip:pattern></sip:domain-restriction>'),
      { enable: true, patterns: ['dht\\.example\\.com', '.*\\.my\\.example'] },
    ],
    ['enable="1", brackets, classes, intervals, groups', sipKind('<sip:domain-restriction enable="1"><sip:pattern>[[:alnum:]-]{1,63}\\.(a|b)\\.example</sip:pattern></sip:domain-restriction>'), { enable: true, patterns: ['[[:alnum:]-]{1,63}\\.(a|b)\\.example'] }],
    ['the prose spelling <domain-restrictions>', sipKind('<sip:domain-restrictions enable="true"><sip:pattern>a\\.example</sip:pattern></sip:domain-restrictions>'), { enable: true, patterns: ['a\\.example'] }],
    ['on the SIP-REGISTRATION Kind given by id 1', sipKind('<sip:domain-restriction enable="false"/>', 'id="1"'), { enable: false, patterns: [] }],
    // RFC 7904 §3.4's grammar allows patterns whatever enable says: kept as written, ignored (not even checked).
    ['patterns without enable: kept, ignored', sipKind('<sip:domain-restriction><sip:pattern>a\\.example</sip:pattern></sip:domain-restriction>'), { enable: false, patterns: ['a\\.example'] }],
    ['patterns with enable="false", one not an ERE and one empty', sipKind('<sip:domain-restriction enable="false"><sip:pattern>*a</sip:pattern><sip:pattern/></sip:domain-restriction>'), { enable: false, patterns: ['*a', ''] }],
    ['pattern with an entity', sipKind('<sip:domain-restriction enable="true"><sip:pattern>a&amp;?b</sip:pattern></sip:domain-restriction>'), { enable: true, patterns: ['a&?b'] }],
  ];
  it.each(valid.map(([name, xml, expected]) => ({ name, xml, expected })))('$name', ({ xml, expected }) => {
    expect(restrictionOf(xml)).toEqual(expected);
    // The element is a typed field, not an extension.
    expect(parseOverlayConfiguration(xml).configurations[0]?.requiredKinds[0]?.kind.extensions).toEqual([]);
  });

  const K0 = 'configuration[0].kind[0].domain-restriction';
  const invalid: [string, string, string, RegExp][] = [
    ['enable not a boolean', sipKind('<sip:domain-restriction enable="yes"/>'), `${K0}.enable`, /boolean/],
    ['empty pattern', sipKind('<sip:domain-restriction enable="true"><sip:pattern>a</sip:pattern><sip:pattern> </sip:pattern></sip:domain-restriction>'), `${K0}.pattern[1]`, /empty/],
    ['the first bad pattern in document order', sipKind('<sip:domain-restriction enable="true"><sip:pattern>[a</sip:pattern><sip:pattern/></sip:domain-restriction>'), `${K0}.pattern[0]`, /not closed/],
    ['unclosed bracket', sipKind('<sip:domain-restriction enable="true"><sip:pattern>[a-z.example</sip:pattern></sip:domain-restriction>'), `${K0}.pattern[0]`, /POSIX.*"\[" is not closed/],
    ['unclosed group', sipKind('<sip:domain-restriction enable="true"><sip:pattern>(a|b\\.example</sip:pattern></sip:domain-restriction>'), `${K0}.pattern[0]`, /"\(" is not closed/],
    ['leading repetition', sipKind('<sip:domain-restriction enable="true"><sip:pattern>*\\.example</sip:pattern></sip:domain-restriction>'), `${K0}.pattern[0]`, /nothing to repeat/],
    ['Perl escape \\d', sipKind('<sip:domain-restriction enable="true"><sip:pattern>host\\d\\.example</sip:pattern></sip:domain-restriction>'), `${K0}.pattern[0]`, /undefined in a POSIX ERE/],
    ['unknown class', sipKind('<sip:domain-restriction enable="true"><sip:pattern>[[:word:]]+</sip:pattern></sip:domain-restriction>'), `${K0}.pattern[0]`, /not a POSIX character class/],
    ['range out of order', sipKind('<sip:domain-restriction enable="true"><sip:pattern>[z-a]</sip:pattern></sip:domain-restriction>'), `${K0}.pattern[0]`, /out of order/],
    ['interval beyond RE_DUP_MAX', sipKind('<sip:domain-restriction enable="true"><sip:pattern>a{1,256}</sip:pattern></sip:domain-restriction>'), `${K0}.pattern[0]`, /RE_DUP_MAX/],
    ['pattern with a child element', sipKind('<sip:domain-restriction enable="true"><sip:pattern><b/></sip:pattern></sip:domain-restriction>'), `${K0}.pattern[0]`, /simple content/],
    ['unknown sip element inside', sipKind('<sip:domain-restriction enable="true"><sip:regex>a</sip:regex></sip:domain-restriction>'), `${K0}.regex`, /unknown element/],
    ['unknown attribute', sipKind('<sip:domain-restriction enable="true" mode="strict"/>'), `${K0}.mode`, /unknown attribute/],
    ['twice', sipKind('<sip:domain-restriction/><sip:domain-restrictions/>'), K0, /twice/],
    ['on another Kind', overlay(cfg(kinds(`<kind id="9">${KIND_BODY}<sip:domain-restriction enable="false"/></kind>`))), K0, /SIP-REGISTRATION/],
    ['directly in <configuration>', overlay(cfg('<sip:domain-restriction enable="false"/>')), 'configuration[0].domain-restriction', /inside <kind name="SIP-REGISTRATION">/],
    ['unknown sip element in <configuration>', overlay(cfg('<sip:pattern>a</sip:pattern>')), 'configuration[0].pattern', /unknown element/],
  ];
  it.each(invalid.map(([name, xml, path, reason]) => ({ name, xml, path, reason })))('$name → $path', ({ xml, path, reason }) => expectError(xml, path, reason));
});
