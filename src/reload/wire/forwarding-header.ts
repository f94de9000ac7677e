import type { Reader } from './codec/reader.js';
import type { Writer } from './codec/writer.js';
import { DecodeError, EncodeError } from './codec/decode-error.js';
import { ErrorCode } from './message-codes.js';
import { destinationListSize, readDestinationList, writeDestinationList, type Destination } from './destination.js';
import { forwardingOptionsSize, readForwardingOptions, writeForwardingOptions, type ForwardingOption } from './forwarding-option.js';

/** RFC 6940 §6.3.2: relo_token "MUST contain the value 0xd2454c4f (the string "RELO" with the high bit of the first byte set)". */
export const RELO_TOKEN = 0xd2454c4f;
/** RFC 6940 §6.3.2: "This document describes version 1.0, with a value of 0x0a." */
export const RELOAD_VERSION = 0x0a;
/** RFC 6940 §6.3.2: "The initial value of the TTL SHOULD be 100"; §11.1 `initial-ttl` defaults to 100. */
export const DEFAULT_INITIAL_TTL = 100;
/** Bytes of the ForwardingHeader before via_list (relo_token … options_length). */
export const FORWARDING_HEADER_FIXED_SIZE = 38;
/** Byte offset of `fragment` in the forwarding header. */
export const FRAGMENT_FIELD_OFFSET = 12;
/** Byte offset of `length` in the forwarding header. */
export const LENGTH_FIELD_OFFSET = 16;

/** RFC 6940 §6.3.2 / §6.7: the parts of the `fragment` field. */
export const FragmentBits = {
  /** "The high bit (0x80000000) MUST be set for historical reasons." */
  ALWAYS_SET: 0x80000000,
  /** "If the next bit (0x40000000) is set to 1, it indicates that this is the last (or only) fragment." */
  LAST_FRAGMENT: 0x40000000,
  /** "The next six bits (0x20000000 through 0x01000000) are reserved and SHOULD be set to zero." */
  RESERVED: 0x3f000000,
  /** The fragment offset: bytes between the end of the forwarding header and the start of this piece. */
  OFFSET: 0x00ffffff,
} as const;

/** RFC 6940 §6.7: an unfragmented message has "a fragment value of 0xC0000000". */
export const UNFRAGMENTED = 0xc0000000;

/** The `fragment` value for a piece at `offset`; `last` marks the last (or only) piece (RFC 6940 §6.7). */
export function fragmentField(offset: number, last: boolean): number {
  if (!Number.isInteger(offset) || offset < 0 || offset > FragmentBits.OFFSET) {
    throw new EncodeError('ForwardingHeader.fragment', `fragment offset ${offset} does not fit in 24 bits`);
  }
  return (FragmentBits.ALWAYS_SET | (last ? FragmentBits.LAST_FRAGMENT : 0) | offset) >>> 0;
}

/** The fragment offset (low 24 bits) of a `fragment` field. */
export function fragmentOffset(fragment: number): number {
  return fragment & FragmentBits.OFFSET;
}

/**
 * The message_code a piece of a message starts with (RFC 6940 §6.3.3: MessageContents opens with its
 * uint16 message_code): for a whole message or the fragment at offset 0, given its `fragment` field
 * and its payload; undefined for a later fragment or a payload too short to hold one.
 */
export function leadingMessageCode(fragment: number, payload: Uint8Array): number | undefined {
  if (fragmentOffset(fragment) !== 0 || payload.length < 2) return undefined;
  return (payload[0]! << 8) | payload[1]!;
}

/** Whether a `fragment` field marks the last (or only) fragment. */
export function isLastFragment(fragment: number): boolean {
  return (fragment & FragmentBits.LAST_FRAGMENT) !== 0;
}

/**
 * Whether a `fragment` field describes a whole message: last-fragment bit set and offset 0
 * (RFC 6940 §6.7: "it is simply treated as if it is the only fragment"). Reserved bits are ignored.
 */
export function isUnfragmented(fragment: number): boolean {
  return isLastFragment(fragment) && fragmentOffset(fragment) === 0;
}

/** RFC 6940 §6.3.2 version check: "Nodes MUST reject messages with other versions." */
export function isSupportedVersion(version: number): boolean {
  return version === RELOAD_VERSION;
}

/**
 * RFC 6940 §6.3.2 TTL rules for a received message (the error to send, or undefined):
 * a TTL above `initialTtl` ("the current value of initial-ttl (or the default of 100)") must be
 * discarded with Error_TTL_Exceeded; a message with TTL 0 that is not for this node must not be
 * propagated and "an Error_TTL_Exceeded error should be generated".
 */
export function checkReceivedTtl(
  ttl: number,
  forThisNode: boolean,
  initialTtl: number = DEFAULT_INITIAL_TTL,
): typeof ErrorCode.Error_TTL_Exceeded | undefined {
  if (ttl > initialTtl) return ErrorCode.Error_TTL_Exceeded;
  if (ttl === 0 && !forThisNode) return ErrorCode.Error_TTL_Exceeded;
  return undefined;
}

/**
 * RFC 6940 §6.3.2 ForwardingHeader.
 *
 * `relo_token` is not a field: it is always RELO_TOKEN (decoding rejects anything else).
 * `via_list_length`, `destination_list_length` and `options_length` are not fields either: the
 * encoder computes them from the lists. `length` is carried as received; the whole-message codec
 * (`forwarded-message.ts`) computes it on encode and checks it on decode.
 */
export interface ForwardingHeader {
  /** Lower 32 bits of SHA-1 of the overlay name (rfc6940-readings #1); computed outside `wire`. */
  readonly overlay: number;
  readonly configurationSequence: number;
  /** Any value decodes; RFC 6940 is RELOAD_VERSION (0x0a). */
  readonly version: number;
  readonly ttl: number;
  /** See `FragmentBits`; UNFRAGMENTED for a whole message. */
  readonly fragment: number;
  /** Total size in bytes of this message (or fragment), header included. */
  readonly length: number;
  readonly transactionId: bigint;
  readonly maxResponseLength: number;
  readonly viaList: readonly Destination[];
  readonly destinationList: readonly Destination[];
  readonly options: readonly ForwardingOption[];
}

/** Encoded size of a forwarding header. */
export function forwardingHeaderSize(h: ForwardingHeader): number {
  return FORWARDING_HEADER_FIXED_SIZE + destinationListSize(h.viaList) + destinationListSize(h.destinationList) + forwardingOptionsSize(h.options);
}

/**
 * Thrown (as a DecodeError) when a message's `length` exceeds the overlay's max-message-size, so
 * that a receiver can answer Error_Message_Too_Large (RFC 6940 §6.3.3.1, §11.1).
 */
export class MessageTooLargeError extends DecodeError {
  readonly errorCode = ErrorCode.Error_Message_Too_Large;
  constructor(
    cause: DecodeError,
    readonly messageLength: number,
    readonly maxMessageSize: number,
  ) {
    super({ path: cause.path, structure: cause.structure, field: cause.field, offset: cause.offset, reason: cause.reason });
  }
}

/** Checks applied to `length` as soon as it is read. */
export interface ForwardingHeaderChecks {
  /** `length` must equal this (the size of the input: message or fragment). */
  readonly totalLength?: number;
  /** `length` must not exceed this (configuration max-message-size). */
  readonly maxMessageSize?: number;
}

/** RFC 6940 §6.3.2.2: resource destinations never appear in a via_list, and only last in a destination_list. */
function resourcePlacementProblem(viaList: readonly Destination[], destinationList: readonly Destination[]): { field: 'viaList' | 'destinationList'; index: number } | undefined {
  // Loops, not findIndex with closures: this runs on every header written.
  for (let i = 0; i < viaList.length; i++) if (viaList[i]!.kind === 'resource') return { field: 'viaList', index: i };
  for (let i = 0; i < destinationList.length - 1; i++) if (destinationList[i]!.kind === 'resource') return { field: 'destinationList', index: i };
  return undefined;
}

export function readForwardingHeader(r: Reader, checks: ForwardingHeaderChecks = {}): ForwardingHeader {
  return r.scope('ForwardingHeader', () => {
    const tokenAt = r.offset;
    const token = r.u32('reloToken');
    if (token !== RELO_TOKEN) r.fail('reloToken', `0x${token.toString(16).padStart(8, '0')} is not the RELOAD token 0xd2454c4f`, tokenAt);
    const overlay = r.u32('overlay');
    const configurationSequence = r.u16('configurationSequence');
    const version = r.u8('version');
    const ttl = r.u8('ttl');
    const fragmentAt = r.offset;
    const fragment = r.u32('fragment');
    // RFC 6940 §6.7: "implementations SHOULD discard any message with it [the high bit] set to 0".
    if ((fragment & FragmentBits.ALWAYS_SET) === 0) r.fail('fragment', 'the high bit (0x80000000) must be set', fragmentAt);
    const lengthAt = r.offset;
    const length = r.u32('length');
    if (checks.maxMessageSize !== undefined && length > checks.maxMessageSize) {
      try {
        r.fail('length', `message length ${length} exceeds max-message-size ${checks.maxMessageSize}`, lengthAt);
      } catch (e) {
        throw e instanceof DecodeError ? new MessageTooLargeError(e, length, checks.maxMessageSize) : e;
      }
    }
    if (checks.totalLength !== undefined && length !== checks.totalLength) {
      r.fail('length', `length field says ${length} bytes but the message has ${checks.totalLength}`, lengthAt);
    }
    const transactionId = r.u64('transactionId');
    const maxResponseLength = r.u32('maxResponseLength');
    const viaListLength = r.u16('viaListLength');
    const destinationListLength = r.u16('destinationListLength');
    const optionsLength = r.u16('optionsLength');
    const listAt = r.offset;
    const viaList = readDestinationList(r, 'viaList', viaListLength);
    const destinationList = readDestinationList(r, 'destinationList', destinationListLength);
    const problem = resourcePlacementProblem(viaList, destinationList);
    if (problem) {
      r.fail(
        `${problem.field}[${problem.index}]`,
        problem.field === 'viaList' ? 'a resource destination must not appear in a via_list' : 'a resource destination may appear only last in a destination_list',
        listAt,
      );
    }
    const options = readForwardingOptions(r, 'options', optionsLength);
    return { overlay, configurationSequence, version, ttl, fragment, length, transactionId, maxResponseLength, viaList, destinationList, options };
  });
}

/** Write the header as given (its `length` included; see `forwarded-message.ts` for the computed length). */
export function writeForwardingHeader(w: Writer, h: ForwardingHeader): void {
  if ((h.fragment & FragmentBits.ALWAYS_SET) === 0) throw new EncodeError('ForwardingHeader.fragment', 'the high bit (0x80000000) must be set (RFC 6940 §6.3.2)');
  const problem = resourcePlacementProblem(h.viaList, h.destinationList);
  if (problem) throw new EncodeError(`ForwardingHeader.${problem.field}[${problem.index}]`, 'a resource destination is allowed only last in a destination_list (RFC 6940 §6.3.2.2)');
  w.u32(RELO_TOKEN)
    .u32(h.overlay, 'ForwardingHeader.overlay')
    .u16(h.configurationSequence, 'ForwardingHeader.configurationSequence')
    .u8(h.version, 'ForwardingHeader.version')
    .u8(h.ttl, 'ForwardingHeader.ttl')
    .u32(h.fragment, 'ForwardingHeader.fragment')
    .u32(h.length, 'ForwardingHeader.length')
    .u64(h.transactionId, 'ForwardingHeader.transactionId')
    .u32(h.maxResponseLength, 'ForwardingHeader.maxResponseLength')
    .u16(destinationListSize(h.viaList), 'ForwardingHeader.viaListLength')
    .u16(destinationListSize(h.destinationList), 'ForwardingHeader.destinationListLength')
    .u16(forwardingOptionsSize(h.options), 'ForwardingHeader.optionsLength');
  writeDestinationList(w, h.viaList);
  writeDestinationList(w, h.destinationList);
  writeForwardingOptions(w, h.options);
}
