/**
 * IceParameters out of real local SDPs (a browser's and libdatachannel's shapes) and the remote
 * SDP rebuilt from them with sdp-transform: what crosses in an Attach, and nothing else; and
 * mDNS host candidates carried by our IceExtension, which a libdatachannel peer must survive.
 */
import { describe, expect, it } from 'vitest';
import { systemClock } from '../../../platform/system-clock.js';
import { decodeDtlsFingerprint, encodeDtlsFingerprint } from '../../wire/methods/dtls-fingerprint.js';
import { DtlsSetupRole } from '../../wire/methods/dtls-fingerprint.js';
import { decodeAttachReqAns, encodeAttachReqAns } from '../../wire/methods/attach.js';
import { IceParametersError, MDNS_HOSTNAME_EXTENSION, candidateLines, iceParametersFromSdp, isMdnsHostname, normaliseCandidateLine, remoteSdp, type IceParameters } from './ice-parameters.js';
import { nodeRtcConfiguration, nodeWrtc } from './node/index.js';
import { answerWebRtc, offerWebRtc } from './webrtc-connection.js';

const FP = '2E:93:B7:B0:02:97:2F:12:AC:7C:58:38:89:E7:6F:CC:75:4E:E1:08:E3:57:C4:5B:6E:CE:4B:18:65:3C:F7:0D';

/** Chromium's shape: media-level credentials and fingerprint, no candidates (they trickle). */
const browserOffer = [
  'v=0',
  'o=- 4611731400430051336 2 IN IP4 127.0.0.1',
  's=-',
  't=0 0',
  'a=group:BUNDLE 0',
  'a=extmap-allow-mixed',
  'a=msid-semantic: WMS',
  'm=application 9 UDP/DTLS/SCTP webrtc-datachannel',
  'c=IN IP4 0.0.0.0',
  'a=ice-ufrag:Wq3x',
  'a=ice-pwd:Bz0o7RV7Yuc4uYwXW5f4Tlw8',
  'a=ice-options:trickle',
  `a=fingerprint:sha-256 ${FP}`,
  'a=setup:actpass',
  'a=mid:0',
  'a=sctp-port:5000',
  'a=max-message-size:262144',
  '',
].join('\r\n');

/** libdatachannel's shape: session-level fingerprint, candidates in the SDP with `a=`. */
const libdatachannelAnswer = [
  'v=0',
  'o=rtc 1231037586 0 IN IP4 127.0.0.1',
  's=-',
  't=0 0',
  'a=group:BUNDLE 0',
  'a=msid-semantic:WMS *',
  'a=ice-options:ice2,trickle',
  `a=fingerprint:sha-256 ${FP}`,
  'm=application 58481 UDP/DTLS/SCTP webrtc-datachannel',
  'c=IN IP4 127.0.0.1',
  'a=mid:0',
  'a=sendrecv',
  'a=sctp-port:5000',
  'a=max-message-size:262144',
  'a=setup:active',
  'a=ice-ufrag:0UOc',
  'a=ice-pwd:1ewYtf6Lp9tFfVEqBn2bQv',
  'a=candidate:1 1 UDP 2114977791 127.0.0.1 58481 typ host',
  'a=end-of-candidates',
  '',
].join('\r\n');

describe('IceParameters from a local SDP', () => {
  it("reads a browser offer plus trickled candidates, keeping what an Attach can carry", () => {
    const { parameters, mid } = iceParametersFromSdp(browserOffer, [
      'candidate:842163049 1 udp 1677729535 192.0.2.10 61665 typ srflx raddr 10.0.0.5 rport 61665 generation 0 ufrag Wq3x network-id 1',
      'candidate:1 1 udp 2122260223 10.0.0.5 61665 typ host generation 0 ufrag Wq3x network-id 1',
      'candidate:2 1 tcp 1518280447 10.0.0.5 9 typ host tcptype active generation 0',
      'candidate:3 1 udp 2122260223 3c2a1b.local 50000 typ host',
      'candidate:4 1 udp 2122260223 printer.example.com 50000 typ host',
      'candidate:1 1 udp 2122260223 10.0.0.5 61665 typ host generation 0 ufrag Wq3x network-id 1',
    ]);
    expect(mid).toBe('0');
    expect(parameters.ufrag).toBe('Wq3x');
    expect(parameters.password).toBe('Bz0o7RV7Yuc4uYwXW5f4Tlw8');
    expect(parameters.dtls).toMatchObject({ setup: DtlsSetupRole.actpass, sctpPort: 5000, maxMessageSize: 262144 });
    expect(new TextDecoder().decode(parameters.dtls.hashFunction)).toBe('sha-256');
    expect(parameters.dtls.fingerprint[0]).toBe(0x2e);
    // TCP and names other than <uuid>.local cannot travel (§6.5.1.1: IpAddressPort, DTLS-UDP-SR); the duplicate goes.
    expect(parameters.candidates.map((c) => c.type)).toEqual([2, 1]);
    expect(parameters.candidates[0]).toMatchObject({ addrPort: { kind: 'ipv4', port: 61665 }, relAddrPort: { kind: 'ipv4', port: 61665 }, priority: 1677729535 });
  });

  it('reads a libdatachannel answer, with `a=candidate:` in the SDP and trickled again', () => {
    const { parameters } = iceParametersFromSdp(libdatachannelAnswer, ['a=candidate:1 1 UDP 2114977791 127.0.0.1 58481 typ host']);
    expect(parameters.dtls.setup).toBe(DtlsSetupRole.active);
    expect(parameters.candidates).toHaveLength(1);
    expect(parameters.candidates[0]).toMatchObject({ addrPort: { kind: 'ipv4', port: 58481 }, type: 1 });
  });

  it('refuses an SDP with no data channel section, no credentials or no fingerprint', () => {
    expect(() => iceParametersFromSdp('v=0\r\ns=-\r\nt=0 0\r\n')).toThrow(IceParametersError);
    expect(() => iceParametersFromSdp(browserOffer.replace(/a=ice-pwd:.*\r\n/, ''))).toThrow(IceParametersError);
    expect(() => iceParametersFromSdp(browserOffer.replace(/a=fingerprint:.*\r\n/, ''))).toThrow(IceParametersError);
  });

  it('normalises `a=candidate:` and `candidate:`', () => {
    expect(normaliseCandidateLine(' a=candidate:1 1 UDP 1 127.0.0.1 9 typ host')).toBe('candidate:1 1 UDP 1 127.0.0.1 9 typ host');
    expect(normaliseCandidateLine('candidate:1 1 UDP 1 127.0.0.1 9 typ host')).toBe('candidate:1 1 UDP 1 127.0.0.1 9 typ host');
  });
});

describe('the remote SDP rebuilt from IceParameters', () => {
  it('round-trips: the rebuilt SDP yields the same parameters', () => {
    const { parameters } = iceParametersFromSdp(browserOffer, ['candidate:842163049 1 udp 1677729535 192.0.2.10 61665 typ srflx raddr 10.0.0.5 rport 61665', 'candidate:1 1 udp 2122260223 10.0.0.5 61665 typ host']);
    const sdp = remoteSdp(parameters, '0');
    expect(sdp).toContain('m=application 9 UDP/DTLS/SCTP webrtc-datachannel');
    expect(sdp).toContain(`a=fingerprint:sha-256 ${FP}`);
    expect(sdp).toContain('a=setup:actpass');
    expect(sdp).toContain('a=end-of-candidates');
    expect(iceParametersFromSdp(sdp).parameters).toEqual(parameters);
  });

  it('leaves the candidates out when they go by addIceCandidate', () => {
    const { parameters } = iceParametersFromSdp(libdatachannelAnswer);
    const sdp = remoteSdp(parameters, 'data', { candidates: false });
    expect(sdp).not.toContain('a=candidate');
    expect(sdp).toContain('a=mid:data');
    expect(sdp).toContain('a=group:BUNDLE data');
    expect(sdp).toContain('a=ice-options:ice2,trickle');
  });

  it('refuses credentials that are not RFC 8839 ice-chars, and an unknown DTLS role', () => {
    const { parameters } = iceParametersFromSdp(libdatachannelAnswer);
    expect(() => remoteSdp({ ...parameters, ufrag: 'a b\r\na=x' })).toThrow(IceParametersError);
    expect(() => remoteSdp({ ...parameters, password: 'short' })).toThrow(IceParametersError);
    expect(() => remoteSdp({ ...parameters, dtls: { ...parameters.dtls, setup: 9 } })).toThrow(IceParametersError);
  });
});

/** Chromium without the microphone: host candidates under mDNS names, srflx with raddr 0.0.0.0. */
const MDNS_A = '4f0e5c8c-7d16-4e3f-9b2a-1c2d3e4f5a6b.local';
const MDNS_B = 'a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d.local';
const mdnsTrickle = [
  `candidate:2385720581 1 udp 2113937151 ${MDNS_A} 54321 typ host generation 0 ufrag Wq3x network-cost 999`,
  `candidate:1234567890 1 udp 2113939711 ${MDNS_B} 54322 typ host generation 0 ufrag Wq3x network-cost 999`,
  'candidate:842163049 1 udp 1677729535 192.0.2.10 61665 typ srflx raddr 0.0.0.0 rport 0 generation 0 ufrag Wq3x network-cost 999',
  `candidate:3 1 tcp 1518280447 ${MDNS_A} 9 typ host tcptype active generation 0`,
];

describe('mDNS host candidates (our IceExtension, a DEVIATION)', () => {
  const utf8 = new TextDecoder();

  it('carries a browser\'s <uuid>.local candidates as 0.0.0.0 with the real port and the name in an IceExtension', () => {
    const { parameters } = iceParametersFromSdp(browserOffer, mdnsTrickle);
    expect(parameters.candidates.map((c) => c.type)).toEqual([1, 1, 2]);
    const [a, b] = parameters.candidates;
    expect(a).toMatchObject({ addrPort: { kind: 'ipv4', address: Uint8Array.from([0, 0, 0, 0]), port: 54321 }, priority: 2113937151 });
    const ext = a?.extensions.find((e) => utf8.decode(e.name) === MDNS_HOSTNAME_EXTENSION);
    expect(ext && utf8.decode(ext.value)).toBe(MDNS_A);
    expect(b?.addrPort).toMatchObject({ port: 54322 });
  });

  it('round-trips through the Attach bytes: the receiver gets the names back as connection-addresses', () => {
    const { parameters } = iceParametersFromSdp(browserOffer, mdnsTrickle);
    const wire = decodeAttachReqAns(
      encodeAttachReqAns({ ufrag: new Uint8Array(4).fill(0x61), password: new Uint8Array(22).fill(0x61), role: new TextEncoder().encode('passive'), candidates: parameters.candidates, sendUpdate: false }),
    );
    const received = { ...parameters, candidates: wire.candidates };
    const lines = candidateLines(received);
    expect(lines[0]).toMatch(new RegExp(`^candidate:2385720581 1 UDP 2113937151 ${MDNS_A} 54321 typ host( |$)`));
    expect(lines[1]).toMatch(new RegExp(`^candidate:1234567890 1 UDP 2113939711 ${MDNS_B} 54322 typ host( |$)`));
    expect(lines[2]).toMatch(/^candidate:842163049 1 UDP 1677729535 192\.0\.2\.10 61665 typ srflx raddr 0\.0\.0\.0 rport 0/);
    for (const l of lines) expect(l).not.toContain(MDNS_HOSTNAME_EXTENSION);
    const sdp = remoteSdp(received, '0');
    expect(sdp).toContain(`a=candidate:2385720581 1 UDP 2113937151 ${MDNS_A} 54321 typ host`);
    // And the rebuilt SDP reads back to the same candidates (names again in the extension).
    expect(iceParametersFromSdp(sdp).parameters.candidates.map((c) => [c.addrPort, c.extensions.map((e) => utf8.decode(e.value))])).toEqual(
      parameters.candidates.map((c) => [c.addrPort, c.extensions.filter((e) => utf8.decode(e.name) === MDNS_HOSTNAME_EXTENSION).map((e) => utf8.decode(e.value))]),
    );
  });

  it.each([
    ['an upper-case UUID (lower-cased, then carried)', MDNS_A.toUpperCase().replace('.LOCAL', '.local'), true],
    ['a UUID under .local', MDNS_A, true],
    ['a plain host name', 'printer.local', false],
    ['a UUID without .local', MDNS_A.replace('.local', ''), false],
    ['a UUID under another domain', MDNS_A.replace('.local', '.example'), false],
    ['a 36-character name that is not a UUID', 'gggggggg-gggg-gggg-gggg-gggggggggggg.local', false],
    ['a UUID with a label in front', `x.${MDNS_A}`, false],
    ['an over-long name', `${'a'.repeat(300)}.local`, false],
    ['an IPv4 address', '10.0.0.5', false],
  ])('a candidate named by %s travels only if it is <uuid>.local', (_what, name, carried) => {
    const line = `candidate:7 1 udp 2113937151 ${name} 50000 typ host`;
    const { parameters } = iceParametersFromSdp(browserOffer, [line]);
    const named = parameters.candidates.filter((c) => c.extensions.some((e) => utf8.decode(e.name) === MDNS_HOSTNAME_EXTENSION));
    expect(named.length).toBe(carried ? 1 : 0);
  });

  const withName = (value: string, address = [0, 0, 0, 0], extra = 0) => {
    const { parameters } = iceParametersFromSdp(browserOffer, [mdnsTrickle[0]!]);
    const [c] = parameters.candidates;
    if (!c || c.addrPort.kind !== 'ipv4') throw new Error('no candidate');
    const ext = { name: new TextEncoder().encode(MDNS_HOSTNAME_EXTENSION), value: new TextEncoder().encode(value) };
    return { ...parameters, candidates: [{ ...c, addrPort: { ...c.addrPort, address: Uint8Array.from(address) }, extensions: Array.from({ length: 1 + extra }, () => ext) }] };
  };

  it.each([
    ['a name that is not <uuid>.local', withName('evil.example.com')],
    ['a name carrying SDP', withName(`${MDNS_A}\r\na=fingerprint:sha-1 00`)],
    ['an over-long name', withName(`${'a'.repeat(2000)}.local`)],
    ['an upper-case name (only lower case is sent)', withName(MDNS_A.toUpperCase())],
    ['a name on a real address', withName(MDNS_A, [10, 0, 0, 5])],
    ['two names', withName(MDNS_A, [0, 0, 0, 0], 1)],
  ])('a received candidate with %s is left out of the SDP', (_what, received) => {
    expect(candidateLines(received)).toEqual([]);
    expect(remoteSdp(received)).not.toContain('a=candidate');
  });

  it('leaves out a 0.0.0.0 candidate without a name (what a peer without the extension would see)', () => {
    const bare = withName(MDNS_A);
    expect(candidateLines({ ...bare, candidates: bare.candidates.map((c) => ({ ...c, extensions: [] })) })).toEqual([]);
  });

  it('accepts exactly lower-case <uuid>.local names', () => {
    expect(isMdnsHostname(MDNS_A)).toBe(true);
    expect(isMdnsHostname(MDNS_A.toUpperCase())).toBe(false);
    expect(isMdnsHostname(`${MDNS_A}.`)).toBe(false);
    expect(isMdnsHostname('local')).toBe(false);
  });
});

describe('an mDNS candidate reaching a libdatachannel peer (node-datachannel on loopback, real time)', () => {
  const utf8 = new TextEncoder();
  const text = new TextDecoder();
  /** What an Attach carries, plus a browser's mDNS host candidate (a name that resolves nowhere). */
  const overTheWireWithMdns = (p: IceParameters): IceParameters => {
    const [mdns] = iceParametersFromSdp(browserOffer, [mdnsTrickle[0]!]).parameters.candidates;
    const body = decodeAttachReqAns(
      encodeAttachReqAns({ ufrag: utf8.encode(p.ufrag), password: utf8.encode(p.password), role: utf8.encode('passive'), candidates: [mdns!, ...p.candidates], sendUpdate: false }),
    );
    return { ufrag: text.decode(body.ufrag), password: text.decode(body.password), candidates: body.candidates, dtls: decodeDtlsFingerprint(encodeDtlsFingerprint(p.dtls)) };
  };

  it('is added by name, left unresolved by libdatachannel, and the link still opens both ways', async () => {
    const init = { wrtc: nodeWrtc, rtcConfiguration: nodeRtcConfiguration([], '127.0.0.1'), link: { failureTimeoutMs: 2_000 } };
    const deps = { clock: systemClock };
    const offer = await offerWebRtc(deps, init);
    const toAnswerer = overTheWireWithMdns(offer.local);
    expect(candidateLines(toAnswerer)[0]).toContain(MDNS_A);
    const answer = await answerWebRtc(deps, init, toAnswerer);
    const [a, b] = await Promise.all([offer.complete(overTheWireWithMdns(answer.local)), answer.connection]);
    try {
      const got = new Promise<Uint8Array>((resolve) => b.link.onMessage((m) => resolve(m)));
      a.link.send(Uint8Array.of(1, 2, 3));
      expect(Array.from(await got)).toEqual([1, 2, 3]);
    } finally {
      a.close();
      b.close();
    }
  }, 15_000);
});
