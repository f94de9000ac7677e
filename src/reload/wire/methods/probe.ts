import { decodeAll, type Reader } from '../codec/reader.js';
import { encodeWith, type Writer } from '../codec/writer.js';
import { EncodeError } from '../codec/decode-error.js';

/** RFC 6940 §6.4.2.5.1 ProbeInformationType, with §14.13's exp-probe (registry names, `-` → `_`). */
export const ProbeInformationType = {
  invalidProbeInformationType: 0,
  responsible_set: 1,
  num_resources: 2,
  uptime: 3,
  exp_probe: 4,
} as const;

/** RFC 6940 §6.4.2.5.1 ProbeReq: the ProbeInformationTypes wanted, one byte each. */
export interface ProbeReq {
  readonly requestedInfo: readonly number[];
}

/**
 * RFC 6940 §6.4.2.5.2 ProbeInformation (`type`, a one-byte `length`, then ProbeInformationData).
 * The three defined types each carry a uint32; any other type ("This type may be extended", and
 * exp-probe, whose contents the RFC leaves open) is kept as its opaque value.
 */
export type ProbeInformation =
  | { readonly type: typeof ProbeInformationType.responsible_set; /** Parts per billion of the overlay. */ readonly responsiblePpb: number }
  | { readonly type: typeof ProbeInformationType.num_resources; readonly numResources: number }
  | { readonly type: typeof ProbeInformationType.uptime; /** Seconds. */ readonly uptime: number }
  | { readonly type: number; readonly unknown: Uint8Array };

/** RFC 6940 §6.4.2.5.2 ProbeAns. */
export interface ProbeAns {
  readonly probeInfo: readonly ProbeInformation[];
}

function isKnownType(type: number): boolean {
  return type === ProbeInformationType.responsible_set || type === ProbeInformationType.num_resources || type === ProbeInformationType.uptime;
}

function readProbeInformationType(r: Reader): number {
  const at = r.offset;
  const type = r.u8('type');
  if (type === ProbeInformationType.invalidProbeInformationType) r.fail('type', 'probe information type 0 (invalidProbeInformationType)', at);
  return type;
}

function probeReqFields(r: Reader): ProbeReq {
  return { requestedInfo: r.vector('requestedInfo', 1, readProbeInformationType) };
}

export function readProbeReq(r: Reader): ProbeReq {
  return r.scope('ProbeReq', () => probeReqFields(r));
}

export function writeProbeReq(w: Writer, v: ProbeReq): void {
  w.prefixed(
    1,
    () =>
      v.requestedInfo.forEach((t) => {
        if (t === 0) throw new EncodeError('ProbeReq.requestedInfo', 'probe information type 0 is invalid');
        w.u8(t, 'ProbeReq.requestedInfo');
      }),
    'ProbeReq.requestedInfo',
  );
}

export function decodeProbeReq(bytes: Uint8Array): ProbeReq {
  return decodeAll(bytes, 'ProbeReq', probeReqFields);
}

export function encodeProbeReq(v: ProbeReq): Uint8Array {
  return encodeWith((w) => writeProbeReq(w, v));
}

export function readProbeInformation(r: Reader): ProbeInformation {
  return r.scope('ProbeInformation', (): ProbeInformation => {
    const type = readProbeInformationType(r);
    const length = r.length('length', 1);
    return r.sub('value', length, (s): ProbeInformation => {
      if (!isKnownType(type)) return { type, unknown: s.rest('value') };
      // RFC 6940 §6.4.2.5.2: "Each of the current possible Probe information types is a 32-bit unsigned integer."
      if (length !== 4) s.fail('', `a ${type === 1 ? 'responsible_set' : type === 2 ? 'num_resources' : 'uptime'} value is 4 bytes, not ${length}`);
      const value = s.u32(type === 1 ? 'responsiblePpb' : type === 2 ? 'numResources' : 'uptime');
      if (type === ProbeInformationType.responsible_set) return { type, responsiblePpb: value };
      if (type === ProbeInformationType.num_resources) return { type, numResources: value };
      return { type: ProbeInformationType.uptime, uptime: value };
    });
  });
}

export function writeProbeInformation(w: Writer, v: ProbeInformation): void {
  if (v.type === 0) throw new EncodeError('ProbeInformation.type', 'probe information type 0 is invalid');
  w.u8(v.type, 'ProbeInformation.type');
  if ('unknown' in v) {
    if (isKnownType(v.type)) throw new EncodeError('ProbeInformation.type', `type ${v.type} is not an unknown type`);
    w.opaque(1, v.unknown, 'ProbeInformation.value');
    return;
  }
  const value = 'responsiblePpb' in v ? v.responsiblePpb : 'numResources' in v ? v.numResources : v.uptime;
  w.u8(4).u32(value, 'ProbeInformation.value');
}

function probeAnsFields(r: Reader): ProbeAns {
  return { probeInfo: r.vector('probeInfo', 2, readProbeInformation) };
}

export function readProbeAns(r: Reader): ProbeAns {
  return r.scope('ProbeAns', () => probeAnsFields(r));
}

export function writeProbeAns(w: Writer, v: ProbeAns): void {
  w.prefixed(2, () => v.probeInfo.forEach((p) => writeProbeInformation(w, p)), 'ProbeAns.probeInfo');
}

export function decodeProbeAns(bytes: Uint8Array): ProbeAns {
  return decodeAll(bytes, 'ProbeAns', probeAnsFields);
}

export function encodeProbeAns(v: ProbeAns): Uint8Array {
  return encodeWith((w) => writeProbeAns(w, v));
}
