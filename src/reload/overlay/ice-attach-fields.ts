/**
 * IceAttachParameters ⇄ what a signed Attach carries (RFC 6940 §6.5.1.1 AttachReqAns plus our
 * DTLS-fingerprint MessageExtension 0xC001, ARCHITECTURE.md "Attach over WebRTC"); and the
 * AttachReqAns of a network without ICE (attachWithoutIce).
 */
import type { Random } from '../runtime/components.js';
import type { AttachReqAns, IceCandidate } from '../wire/methods/attach.js';
import { DecodeError } from '../wire/codec/decode-error.js';
import { toHex } from '../wire/codec/hex.js';
import { DTLS_FINGERPRINT_EXTENSION, decodeDtlsFingerprint, encodeDtlsFingerprint } from '../wire/methods/dtls-fingerprint.js';
import type { MessageExtension } from '../wire/message-contents.js';
import type { IceAttachParameters } from './overlay-types.js';

const utf8 = new TextEncoder();

/**
 * The body and extensions of our Attach request (`role` "passive") or answer ("active"): §6.5.1.1
 * "This value MUST be 'passive' for the offerer (the peer sending the Attach request) and 'active'
 * for the answerer". The extension is not critical (§6.3.3): a peer without it ignores it.
 */
export function attachFromIce(p: IceAttachParameters, role: 'passive' | 'active', sendUpdate: boolean): { value: AttachReqAns; extensions: MessageExtension[] } {
  return {
    value: { ufrag: p.ufrag, password: p.password, role: utf8.encode(role), candidates: p.candidates, sendUpdate },
    extensions: [{ type: DTLS_FINGERPRINT_EXTENSION, critical: false, extensionContents: encodeDtlsFingerprint(p.dtls) }],
  };
}

/**
 * The ICE parameters of a received Attach; undefined when it carries no (valid) DTLS fingerprint.
 * An Attach with no candidate is accepted: the other side's checks may make this one known as a
 * peer-reflexive candidate (RFC 8445 §7.3.1.3). A browser's mDNS host names (`<uuid>.local`, which
 * IpAddressPort cannot carry, §6.3.1) travel as 0.0.0.0 candidates with our IceExtension, a
 * DEVIATION that links/webrtc/ice-parameters.ts (MDNS_HOSTNAME_EXTENSION) writes and reads; here
 * the candidates pass through unchanged.
 */
export function iceFromAttach(value: AttachReqAns, extensions: readonly MessageExtension[]): IceAttachParameters | undefined {
  const ext = extensions.find((e) => e.type === DTLS_FINGERPRINT_EXTENSION);
  if (!ext) return undefined;
  try {
    return { ufrag: value.ufrag, password: value.password, candidates: value.candidates, dtls: decodeDtlsFingerprint(ext.extensionContents) };
  } catch (e) {
    if (e instanceof DecodeError) return undefined;
    throw e;
  }
}

/**
 * The AttachReqAns of a network without ICE: ICE credentials (unused by its links, present as
 * §6.5.1.1 requires) and our host candidate, if any (`role` as in attachFromIce).
 */
export function attachWithoutIce(random: Random, candidate: IceCandidate | undefined, role: 'passive' | 'active', sendUpdate: boolean): AttachReqAns {
  const hex = (n: number) => toHex(random.bytes(n));
  return { ufrag: utf8.encode(hex(4)), password: utf8.encode(hex(12)), role: utf8.encode(role), candidates: candidate ? [candidate] : [], sendUpdate };
}
