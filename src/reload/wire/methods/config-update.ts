import { decodeAll, type Reader } from '../codec/reader.js';
import { encodeWith, type Writer } from '../codec/writer.js';
import { EncodeError } from '../codec/decode-error.js';

/** RFC 6940 §6.5.4.1 ConfigUpdateType. */
export const ConfigUpdateType = { invalidConfigUpdateType: 0, config: 1, kind: 2 } as const;

/**
 * RFC 6940 §6.5.4.1 ConfigUpdateReq. On the wire: `type`, a uint32 `length` of the remainder,
 * then the selected field with its own length: `config_data<0..2^24-1>` or
 * `KindDescription kinds<0..2^24-1>`, two lengths in a row (rfc6940-readings #8). "This structure
 * may be extended with new types": an unknown type keeps its `length` bytes opaque.
 */
export type ConfigUpdateReq =
  | { readonly type: typeof ConfigUpdateType.config; /** The Configuration Document (§11.1). */ readonly configData: Uint8Array }
  | {
      readonly type: typeof ConfigUpdateType.kind;
      /** KindDescription (`opaque<0..2^16-1>`): each one an XML kind-block, UTF-8 (§6.5.4.1). */
      readonly kinds: readonly Uint8Array[];
    }
  | { readonly type: number; readonly unknown: Uint8Array };

/** RFC 6940 §6.5.4.2 ConfigUpdateAns: `struct { }`, a zero-length body (rfc6940-readings #9). */
export type ConfigUpdateAns = Record<string, never>;

function configUpdateReqFields(r: Reader): ConfigUpdateReq {
  const typeAt = r.offset;
  const type = r.u8('type');
  if (type === ConfigUpdateType.invalidConfigUpdateType) r.fail('type', 'config update type 0 (invalidConfigUpdateType)', typeAt);
  const lengthAt = r.offset;
  const length = r.length('length', 4);
  const start = r.offset;
  const covers = (what: string): void => {
    if (r.offset - start !== length) r.fail('length', `length ${length} does not match the ${r.offset - start} bytes of ${what}`, lengthAt);
  };
  if (type === ConfigUpdateType.config || type === ConfigUpdateType.kind) {
    // The select holds a 24-bit length of its own, so `length` is at least 3.
    if (length < 3) r.fail('length', `length ${length} cannot hold the 3-byte length of ${type === 1 ? 'configData' : 'kinds'}`, lengthAt);
    if (type === ConfigUpdateType.config) {
      const configData = r.opaque('configData', 3, 0, length - 3);
      covers('configData');
      return { type, configData };
    }
    const kinds = r.vector('kinds', 3, (s) => s.opaque('kindDescription', 2), 0, length - 3);
    covers('kinds');
    return { type, kinds };
  }
  return { type, unknown: r.fixed('unknown', length) };
}

export function readConfigUpdateReq(r: Reader): ConfigUpdateReq {
  return r.scope('ConfigUpdateReq', () => configUpdateReqFields(r));
}

export function writeConfigUpdateReq(w: Writer, v: ConfigUpdateReq): void {
  if (v.type === ConfigUpdateType.invalidConfigUpdateType) throw new EncodeError('ConfigUpdateReq.type', 'config update type 0 is invalid');
  w.u8(v.type, 'ConfigUpdateReq.type');
  w.prefixed(
    4,
    () => {
      if ('configData' in v) w.opaque(3, v.configData, 'ConfigUpdateReq.configData');
      else if ('kinds' in v) w.prefixed(3, () => v.kinds.forEach((k) => w.opaque(2, k, 'ConfigUpdateReq.kinds')), 'ConfigUpdateReq.kinds');
      else if (v.type === ConfigUpdateType.config || v.type === ConfigUpdateType.kind) {
        throw new EncodeError('ConfigUpdateReq.type', `type ${v.type} is not an unknown type`);
      } else w.bytes(v.unknown, 'ConfigUpdateReq.unknown');
    },
    'ConfigUpdateReq.length',
  );
}

export function decodeConfigUpdateReq(bytes: Uint8Array): ConfigUpdateReq {
  return decodeAll(bytes, 'ConfigUpdateReq', configUpdateReqFields);
}

export function encodeConfigUpdateReq(v: ConfigUpdateReq): Uint8Array {
  return encodeWith((w) => writeConfigUpdateReq(w, v));
}

export function readConfigUpdateAns(r: Reader): ConfigUpdateAns {
  return r.scope('ConfigUpdateAns', () => ({}));
}

export function writeConfigUpdateAns(_w: Writer, _v: ConfigUpdateAns): void {
  // RFC 6940 §6.5.4.2: `struct { }`.
}

/** Any byte in the body is a trailing byte. */
export function decodeConfigUpdateAns(bytes: Uint8Array): ConfigUpdateAns {
  return decodeAll(bytes, 'ConfigUpdateAns', () => ({}));
}

export function encodeConfigUpdateAns(v: ConfigUpdateAns = {}): Uint8Array {
  return encodeWith((w) => writeConfigUpdateAns(w, v));
}
