/**
 * IceParameters out of real local SDPs (a browser's and libdatachannel's shapes) and the remote
 * SDP rebuilt from them with sdp-transform: what crosses in an Attach, and nothing else.
 */
import { describe, expect, it } from 'vitest';
import { DtlsSetupRole } from '../../wire/methods/dtls-fingerprint.js';
import { IceParametersError, iceParametersFromSdp, normaliseCandidateLine, remoteSdp } from './ice-parameters.js';

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
      'candidate:1 1 udp 2122260223 10.0.0.5 61665 typ host generation 0 ufrag Wq3x network-id 1',
    ]);
    expect(mid).toBe('0');
    expect(parameters.ufrag).toBe('Wq3x');
    expect(parameters.password).toBe('Bz0o7RV7Yuc4uYwXW5f4Tlw8');
    expect(parameters.dtls).toMatchObject({ setup: DtlsSetupRole.actpass, sctpPort: 5000, maxMessageSize: 262144 });
    expect(new TextDecoder().decode(parameters.dtls.hashFunction)).toBe('sha-256');
    expect(parameters.dtls.fingerprint[0]).toBe(0x2e);
    // TCP and mDNS-name candidates cannot travel (§6.5.1.1: IpAddressPort, DTLS-UDP-SR); the duplicate goes.
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
