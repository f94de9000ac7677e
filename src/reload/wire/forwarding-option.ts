import type { Reader } from './codec/reader.js';
import type { Writer } from './codec/writer.js';
import { EncodeError } from './codec/decode-error.js';
import { ErrorCode, ForwardingOptionType } from './message-codes.js';

/** RFC 6940 §6.3.2.3 ForwardingOption flags. Other bits are undefined; they are carried as received. */
export const ForwardingOptionFlag = {
  FORWARD_CRITICAL: 0x01,
  DESTINATION_CRITICAL: 0x02,
  RESPONSE_COPY: 0x04,
} as const;

/**
 * RFC 6940 §6.3.2.3 ForwardingOption. RFC 6940 defines no option type (only the invalid type 0
 * and, in §14.12, exp_forward), so every option's value is kept as opaque bytes: "This structure
 * allows for unknown options types", and `length` lets any node skip or forward it.
 */
export interface ForwardingOption {
  /** ForwardingOptionType (uint8, §14.12); 0 is invalid. */
  readonly type: number;
  /** Bit set of `ForwardingOptionFlag`. */
  readonly flags: number;
  /** The option value (the bytes after `length`). */
  readonly option: Uint8Array;
}

/** Encoded size of one option. */
export function forwardingOptionSize(o: ForwardingOption): number {
  return 4 + o.option.length;
}

/** Encoded size of the options list (the value of `options_length`). */
export function forwardingOptionsSize(options: readonly ForwardingOption[]): number {
  // Indexed, not for-of: nearly every header's options are the frozen empty list, whose iterator V8 does not inline (an allocation per call).
  let n = 0;
  for (let i = 0; i < options.length; i++) n += forwardingOptionSize(options[i]!);
  return n;
}

export function readForwardingOption(r: Reader): ForwardingOption {
  return r.scope('ForwardingOption', () => {
    const at = r.offset;
    const type = r.u8('type');
    if (type === ForwardingOptionType.invalidForwardingOption) r.fail('type', 'forwarding option type 0 (invalidForwardingOptionType)', at);
    const flags = r.u8('flags');
    // RFC 6940 §6.3.2.3: "length: The length of the rest of the structure."
    const option = r.opaque('option', 2);
    return { type, flags, option };
  });
}

export function writeForwardingOption(w: Writer, o: ForwardingOption): void {
  if (o.type === ForwardingOptionType.invalidForwardingOption) throw new EncodeError('ForwardingOption.type', 'type 0 is invalidForwardingOptionType');
  w.u8(o.type, 'ForwardingOption.type').u8(o.flags, 'ForwardingOption.flags').opaque(2, o.option, 'ForwardingOption.option');
}

/** The header's `options` (RFC 6940 §6.3.2): options filling exactly `length` (= `options_length`) bytes. */
export function readForwardingOptions(r: Reader, field: string, length: number): ForwardingOption[] {
  return r.sub(field, length, (s) => {
    const out: ForwardingOption[] = [];
    while (s.remaining() > 0) out.push(s.scope(`[${out.length}]`, () => readForwardingOption(s)));
    return out;
  });
}

export function writeForwardingOptions(w: Writer, options: readonly ForwardingOption[]): void {
  // Indexed, not for-of (see forwardingOptionsSize).
  for (let i = 0; i < options.length; i++) writeForwardingOption(w, options[i]!);
}

/** Which role this node plays for a received request (RFC 6940 §6.3.2.3). */
export type ForwardingRole = 'intermediate' | 'destination';

/**
 * RFC 6940 §6.3.2.3 unknown-option rules for a received *request*:
 * - "If the FORWARD_CRITICAL flag is set, any peer that would forward the message but does not
 *   understand this option MUST reject the request with an Error_Unsupported_Forwarding_Option".
 * - "If the DESTINATION_CRITICAL flag is set, any node that generates a response to the message
 *   but does not understand the forwarding option MUST reject the request with an
 *   Error_Unsupported_Forwarding_Option error response."
 * Options without the relevant flag are ignored (and forwarded unchanged by an intermediate).
 *
 * @returns undefined when the request may proceed, else the error code to answer with.
 */
export function checkForwardingOptions(
  options: readonly ForwardingOption[],
  understood: ReadonlySet<number> | ((type: number) => boolean),
  role: ForwardingRole,
): typeof ErrorCode.Error_Unsupported_Forwarding_Option | undefined {
  // Nearly every message has none: nothing to make (this runs on each hop and each request).
  if (options.length === 0) return undefined;
  const knows = typeof understood === 'function' ? understood : (t: number) => understood.has(t);
  const flag = role === 'intermediate' ? ForwardingOptionFlag.FORWARD_CRITICAL : ForwardingOptionFlag.DESTINATION_CRITICAL;
  for (const o of options) {
    if ((o.flags & flag) !== 0 && !knows(o.type)) return ErrorCode.Error_Unsupported_Forwarding_Option;
  }
  return undefined;
}

/**
 * The options a response carries, given its request's options. RFC 6940 §6.3.2.3: "If the
 * RESPONSE_COPY flag is set, any node generating a response MUST copy the option from the request
 * to the response except that the RESPONSE_COPY, FORWARD_CRITICAL, and DESTINATION_CRITICAL flags
 * MUST be cleared" (and these flags "MUST NOT be set in a response").
 */
export function responseCopyOptions(requestOptions: readonly ForwardingOption[]): ForwardingOption[] {
  if (requestOptions.length === 0) return [];
  const clear = ForwardingOptionFlag.FORWARD_CRITICAL | ForwardingOptionFlag.DESTINATION_CRITICAL | ForwardingOptionFlag.RESPONSE_COPY;
  return requestOptions
    .filter((o) => (o.flags & ForwardingOptionFlag.RESPONSE_COPY) !== 0)
    .map((o) => ({ type: o.type, flags: o.flags & ~clear & 0xff, option: o.option.slice() }));
}
