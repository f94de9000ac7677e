import { decodeAll, type Reader } from '../codec/reader.js';
import { encodeWith, type Writer } from '../codec/writer.js';
import { readIceCandidate, writeIceCandidates, type IceCandidate } from './attach.js';

/** RFC 6940 §14.5 Application-ID registry (uint16). 61441–65534 are for private use. */
export const ApplicationId = { INVALID: 0, SIP: 5060, SIP_5061: 5061, Reserved: 0xffff } as const;

/**
 * RFC 6940 §6.5.2.1 AppAttachReq. Note the field order differs from AttachReqAns: `application`
 * sits between `password` and `role`, and there is no `send_update`.
 */
export interface AppAttachReq {
  readonly ufrag: Uint8Array;
  readonly password: Uint8Array;
  /** Application-ID (§14.5), e.g. 5060 for SIP (RFC 7904 §5). */
  readonly application: number;
  /** An RFC 4145 setup value as text ("active", "passive", "actpass"). */
  readonly role: Uint8Array;
  readonly candidates: readonly IceCandidate[];
}

/** RFC 6940 §6.5.2.2 AppAttachAns: the same fields as AppAttachReq. */
export type AppAttachAns = AppAttachReq;

function fields(r: Reader): AppAttachReq {
  return {
    ufrag: r.opaque('ufrag', 1),
    password: r.opaque('password', 1),
    application: r.u16('application'),
    role: r.opaque('role', 1),
    candidates: r.vector('candidates', 2, readIceCandidate),
  };
}

function writeBody(w: Writer, v: AppAttachReq, structure: string): void {
  w.opaque(1, v.ufrag, `${structure}.ufrag`).opaque(1, v.password, `${structure}.password`);
  w.u16(v.application, `${structure}.application`).opaque(1, v.role, `${structure}.role`);
  writeIceCandidates(w, v.candidates, `${structure}.candidates`);
}

export function readAppAttachReq(r: Reader): AppAttachReq {
  return r.scope('AppAttachReq', () => fields(r));
}

export function writeAppAttachReq(w: Writer, v: AppAttachReq): void {
  writeBody(w, v, 'AppAttachReq');
}

export function decodeAppAttachReq(bytes: Uint8Array): AppAttachReq {
  return decodeAll(bytes, 'AppAttachReq', fields);
}

export function encodeAppAttachReq(v: AppAttachReq): Uint8Array {
  return encodeWith((w) => writeAppAttachReq(w, v));
}

export function readAppAttachAns(r: Reader): AppAttachAns {
  return r.scope('AppAttachAns', () => fields(r));
}

export function writeAppAttachAns(w: Writer, v: AppAttachAns): void {
  writeBody(w, v, 'AppAttachAns');
}

export function decodeAppAttachAns(bytes: Uint8Array): AppAttachAns {
  return decodeAll(bytes, 'AppAttachAns', fields);
}

export function encodeAppAttachAns(v: AppAttachAns): Uint8Array {
  return encodeWith((w) => writeAppAttachAns(w, v));
}
