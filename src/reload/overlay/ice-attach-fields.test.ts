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
import { CHROMIUM_OFFER, CHROMIUM_OFFER_FINGERPRINT } from '../links/webrtc/testing/chromium-offer.js';
import type { IceAttachParameters } from './overlay-types.js';

const MDNS = '4f0e5c8c-7d16-4e3f-9b2a-1c2d3e4f5a6b.local';

const utf8 = new TextEncoder();
const text = new TextDecoder();

function browserParameters(): IceAttachParameters {
  const { parameters } = iceParametersFromSdp(CHROMIUM_OFFER, [
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
