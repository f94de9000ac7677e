/**
 * IceAttachParameters through the bytes of a real AttachReq (RFC 6940 §6.3.3 MessageContents with
 * the AttachReqAns body and our 0xC001 extension), including a browser's mDNS host candidate: the
 * receiver gets the `<uuid>.local` name back for its ICE agent.
 */
import { describe, expect, it } from 'vitest';
import { candidateLines, iceParametersFromSdp } from '../links/webrtc/ice-parameters.js';
import { MessageCode } from '../wire/message-codes.js';
import { decodeMessageContents, encodeMessageContents } from '../wire/message-contents.js';
import { decodeAttachReqAns, encodeAttachReqAns } from '../wire/methods/attach.js';
import { attachFromIce, iceFromAttach } from './ice-attach-fields.js';
import type { IceAttachParameters } from './overlay-types.js';

const FP = '2E:93:B7:B0:02:97:2F:12:AC:7C:58:38:89:E7:6F:CC:75:4E:E1:08:E3:57:C4:5B:6E:CE:4B:18:65:3C:F7:0D';
const MDNS = '4f0e5c8c-7d16-4e3f-9b2a-1c2d3e4f5a6b.local';
const browserOffer = [
  'v=0',
  'o=- 4611731400430051336 2 IN IP4 127.0.0.1',
  's=-',
  't=0 0',
  'a=group:BUNDLE 0',
  'm=application 9 UDP/DTLS/SCTP webrtc-datachannel',
  'c=IN IP4 0.0.0.0',
  'a=ice-ufrag:Wq3x',
  'a=ice-pwd:Bz0o7RV7Yuc4uYwXW5f4Tlw8',
  `a=fingerprint:sha-256 ${FP}`,
  'a=setup:actpass',
  'a=mid:0',
  'a=sctp-port:5000',
  '',
].join('\r\n');

const utf8 = new TextEncoder();
const text = new TextDecoder();

function browserParameters(): IceAttachParameters {
  const { parameters } = iceParametersFromSdp(browserOffer, [
    `candidate:2385720581 1 udp 2113937151 ${MDNS} 54321 typ host generation 0 network-cost 999`,
    'candidate:842163049 1 udp 1677729535 192.0.2.10 61665 typ srflx raddr 0.0.0.0 rport 0 generation 0',
  ]);
  return { ufrag: utf8.encode(parameters.ufrag), password: utf8.encode(parameters.password), candidates: parameters.candidates, dtls: parameters.dtls };
}

/** attachFromIce → MessageContents bytes → iceFromAttach, as the Attach receiver sees it. */
function throughAttach(p: IceAttachParameters): IceAttachParameters | undefined {
  const { value, extensions } = attachFromIce(p, 'passive', false);
  const contents = decodeMessageContents(encodeMessageContents({ messageCode: MessageCode.attach_req, messageBody: encodeAttachReqAns(value), extensions }));
  return iceFromAttach(decodeAttachReqAns(contents.messageBody), contents.extensions);
}

describe('ICE parameters in an Attach', () => {
  it('carry a browser mDNS host candidate that comes out as the same name', () => {
    const received = throughAttach(browserParameters());
    expect(received).toBeDefined();
    const lines = candidateLines({ ufrag: text.decode(received!.ufrag), password: text.decode(received!.password), candidates: received!.candidates, dtls: received!.dtls });
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(new RegExp(`^candidate:2385720581 1 UDP 2113937151 ${MDNS} 54321 typ host`));
    expect(lines[1]).toMatch(/^candidate:842163049 1 UDP 1677729535 192\.0\.2\.10 61665 typ srflx/);
  });

  it('are refused without the DTLS fingerprint extension (0xC001), or with a corrupt one', () => {
    const { value } = attachFromIce(browserParameters(), 'passive', false);
    expect(iceFromAttach(value, [])).toBeUndefined();
    const { extensions } = attachFromIce(browserParameters(), 'passive', false);
    expect(iceFromAttach(value, extensions.map((e) => ({ ...e, extensionContents: Uint8Array.of(1) })))).toBeUndefined();
  });
});
