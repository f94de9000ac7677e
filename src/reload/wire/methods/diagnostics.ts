import { decodeAll, type Reader } from '../codec/reader.js';
import { encodeWith, type Writer } from '../codec/writer.js';
import { EncodeError } from '../codec/decode-error.js';
import { readDestination, writeDestination, type Destination } from '../destination.js';
import { MessageExtensionType } from '../message-codes.js';

/**
 * RFC 7851 §4.2.1, §9.5: the Diagnostic_Ping MessageExtensionType (not critical). Its
 * extension_contents is a DiagnosticsRequest in a ping_req; in the ping_ans we carry the
 * DiagnosticsResponse (§6.3) in the same extension, as Wireshark's dissector reads it.
 */
export const DIAGNOSTIC_PING_EXTENSION = MessageExtensionType.Diagnostic_Ping;

/** RFC 7851 §9.2 Diagnostic Kind ID registry (uint16). 0xF000–0xFFFE are for local use. */
export const DiagnosticKindId = {
  Reserved: 0x0000,
  STATUS_INFO: 0x0001,
  ROUTING_TABLE_SIZE: 0x0002,
  PROCESS_POWER: 0x0003,
  UPSTREAM_BANDWIDTH: 0x0004,
  DOWNSTREAM_BANDWIDTH: 0x0005,
  SOFTWARE_VERSION: 0x0006,
  MACHINE_UPTIME: 0x0007,
  APP_UPTIME: 0x0008,
  MEMORY_FOOTPRINT: 0x0009,
  DATASIZE_STORED: 0x000a,
  INSTANCES_STORED: 0x000b,
  MESSAGES_SENT_RCVD: 0x000c,
  EWMA_BYTES_SENT: 0x000d,
  EWMA_BYTES_RCVD: 0x000e,
  UNDERLAY_HOP: 0x000f,
  BATTERY_STATUS: 0x0010,
  ReservedLast: 0xffff,
} as const;

/** RFC 7851 §9.1: the dMFlags bit of a base diagnostic kind is `1 << kind` (STATUS_INFO = 0x2). */
export function diagnosticFlag(kind: number): bigint {
  if (!Number.isInteger(kind) || kind < 1 || kind > 0x3e) throw new RangeError(`kind ${kind} has no dMFlags bit`);
  return 1n << BigInt(kind);
}

/** RFC 7851 §5.3: dMFlags all ones requests every base diagnostic; all zeros requests none. */
export const DM_FLAGS_ALL = 0xffffffffffffffffn;

/** RFC 7851 §5.1 DiagnosticExtension: an extended (non-base) diagnostic request. */
export interface DiagnosticExtension {
  /** DiagnosticKindId; 0x0000–0x003F "MUST NOT be indicated" here (§5.1), 0xFFFF is reserved. */
  readonly kind: number;
  readonly diagnosticExtensionContents: Uint8Array;
}

/**
 * RFC 7851 §5.1 DiagnosticsRequest. On the wire `ext_length` (uint32) precedes the
 * `diagnostic_extensions_list<0..2^32-1>`, which has its own uint32 length: two lengths in a row,
 * as in ConfigUpdateReq (rfc6940-readings #8). `ext_length` is "the length of the data making up
 * the diagnostic_extensions_list" and "MUST" be zero when there are none, so it equals the list's
 * own length; a decoder rejects a mismatch. (Wireshark 4.0 instead reads ext_length as covering
 * the list's length field too; the RFC wins.) ext_length is derived, not stored.
 */
export interface DiagnosticsRequest {
  /** Milliseconds since the Unix epoch; 1–600 s in the future (§5.1). */
  readonly expiration: bigint;
  /** Milliseconds since the Unix epoch. */
  readonly timestampInitiated: bigint;
  /** Which base diagnostics are wanted (§9.1, `diagnosticFlag`). */
  readonly dMFlags: bigint;
  readonly diagnosticExtensionsList: readonly DiagnosticExtension[];
}

/** RFC 7851 §5.3 INSTANCES_STORED entry. */
export interface InstancesStoredEntry {
  /** KindId (uint32). */
  readonly kind: number;
  readonly instances: bigint;
}

/** RFC 7851 §5.3 MESSAGES_SENT_RCVD entry. */
export interface MessagesSentRcvdEntry {
  /** message_code (uint16). */
  readonly messageCode: number;
  readonly sent: bigint;
  readonly received: bigint;
}

type K = typeof DiagnosticKindId;
type Uint8Kind = K['STATUS_INFO'] | K['UNDERLAY_HOP'] | K['BATTERY_STATUS'];
type Uint32Kind = K['ROUTING_TABLE_SIZE'] | K['EWMA_BYTES_SENT'] | K['EWMA_BYTES_RCVD'];
type Uint64Kind =
  | K['PROCESS_POWER']
  | K['UPSTREAM_BANDWIDTH']
  | K['DOWNSTREAM_BANDWIDTH']
  | K['MACHINE_UPTIME']
  | K['APP_UPTIME']
  | K['MEMORY_FOOTPRINT']
  | K['DATASIZE_STORED'];

const UINT8_KINDS: ReadonlySet<number> = new Set([0x1, 0xf, 0x10]);
const UINT32_KINDS: ReadonlySet<number> = new Set([0x2, 0xd, 0xe]);
const UINT64_KINDS: ReadonlySet<number> = new Set([0x3, 0x4, 0x5, 0x7, 0x8, 0x9, 0xa]);

/**
 * RFC 7851 §5.2 DiagnosticInfo, its `diagnostic_info_contents` decoded per §5.3:
 * - STATUS_INFO, UNDERLAY_HOP, BATTERY_STATUS: one byte (all 8 bits kept; STATUS_INFO's upper 4 are
 *   "for future use");
 * - ROUTING_TABLE_SIZE, EWMA_BYTES_SENT/RCVD: uint32; PROCESS_POWER, UP/DOWNSTREAM_BANDWIDTH,
 *   MACHINE_UPTIME, APP_UPTIME, MEMORY_FOOTPRINT, DATASIZE_STORED: uint64;
 * - SOFTWARE_VERSION: US-ASCII, "\0"-terminated on the wire (the value excludes the "\0");
 * - INSTANCES_STORED: entries of (KindId uint32, uint64 count); MESSAGES_SENT_RCVD: entries of
 *   (message_code uint16, uint64 sent, uint64 received). §5.3 says only that these arrays are
 *   "indexed by" Kind-ID / method code; we carry the index with each entry, as Wireshark does.
 * - any other kind (unassigned, local use 0xF000–0xFFFE): `unknown`, the contents kept opaque.
 */
export type DiagnosticInfo =
  | { readonly kind: Uint8Kind | Uint32Kind; readonly value: number }
  | { readonly kind: Uint64Kind; readonly value: bigint }
  | { readonly kind: K['SOFTWARE_VERSION']; readonly value: string }
  | { readonly kind: K['INSTANCES_STORED']; readonly value: readonly InstancesStoredEntry[] }
  | { readonly kind: K['MESSAGES_SENT_RCVD']; readonly value: readonly MessagesSentRcvdEntry[] }
  | { readonly kind: number; readonly unknown: Uint8Array };

/**
 * RFC 7851 §5.2 DiagnosticsResponse; `ext_length` and the list's own length as in
 * DiagnosticsRequest (two equal lengths, derived on encode).
 */
export interface DiagnosticsResponse {
  readonly expiration: bigint;
  /** Copied from the request. */
  readonly timestampInitiated: bigint;
  readonly timestampReceived: bigint;
  /** The request's forwarding-header TTL (§5.2). */
  readonly hopCounter: number;
  readonly diagnosticInfoList: readonly DiagnosticInfo[];
}

/** RFC 7851 §4.3.1.1 PathTrackReq (path_track_req, 0x27). */
export interface PathTrackReq {
  readonly destination: Destination;
  readonly request: DiagnosticsRequest;
}

/** RFC 7851 §4.3.1.2 PathTrackAns (path_track_ans, 0x28). */
export interface PathTrackAns {
  /** Equals the responder's own Node-ID when it is responsible for the destination. */
  readonly nextHop: Destination;
  readonly response: DiagnosticsResponse;
}

function isDefinedKind(kind: number): boolean {
  return kind >= DiagnosticKindId.STATUS_INFO && kind <= DiagnosticKindId.BATTERY_STATUS;
}

function isReservedKind(kind: number): boolean {
  return kind === DiagnosticKindId.Reserved || kind === DiagnosticKindId.ReservedLast;
}

export function readDiagnosticExtension(r: Reader): DiagnosticExtension {
  return r.scope('DiagnosticExtension', () => {
    const at = r.offset;
    const kind = r.u16('kind');
    // RFC 7851 §5.1: "Kinds from 0x0000 to 0x003f MUST NOT be indicated in the diagnostic_extensions_list".
    if (kind <= 0x3f || kind === 0xffff) r.fail('kind', `diagnostic kind 0x${kind.toString(16)} is not allowed in an extension`, at);
    return { kind, diagnosticExtensionContents: r.opaque('diagnosticExtensionContents', 4) };
  });
}

export function writeDiagnosticExtension(w: Writer, v: DiagnosticExtension): void {
  if (v.kind <= 0x3f || v.kind === 0xffff) throw new EncodeError('DiagnosticExtension.kind', `kind ${v.kind} is not allowed in an extension`);
  w.u16(v.kind, 'DiagnosticExtension.kind').opaque(4, v.diagnosticExtensionContents, 'DiagnosticExtension.diagnosticExtensionContents');
}

/** `uint32 ext_length` then `T list<0..2^32-1>`, the two lengths equal (see DiagnosticsRequest). */
function readExtList<T>(r: Reader, field: string, readElement: (r: Reader) => T): T[] {
  const extAt = r.offset;
  const extLength = r.u32('extLength');
  const listAt = r.offset;
  const list = r.vector(field, 4, readElement);
  const listLength = r.offset - listAt - 4;
  if (listLength !== extLength) r.fail('extLength', `ext_length ${extLength} differs from the ${listLength}-byte ${field}`, extAt);
  return list;
}

function writeExtList<T>(w: Writer, list: readonly T[], field: string, writeElement: (w: Writer, v: T) => void): void {
  const body = encodeWith((inner) => list.forEach((e) => writeElement(inner, e)));
  w.u32(body.length, `${field}.extLength`).opaque(4, body, field);
}

function diagnosticsRequestFields(r: Reader): DiagnosticsRequest {
  return {
    expiration: r.u64('expiration'),
    timestampInitiated: r.u64('timestampInitiated'),
    dMFlags: r.u64('dMFlags'),
    diagnosticExtensionsList: readExtList(r, 'diagnosticExtensionsList', readDiagnosticExtension),
  };
}

export function readDiagnosticsRequest(r: Reader): DiagnosticsRequest {
  return r.scope('DiagnosticsRequest', () => diagnosticsRequestFields(r));
}

export function writeDiagnosticsRequest(w: Writer, v: DiagnosticsRequest): void {
  w.u64(v.expiration, 'DiagnosticsRequest.expiration').u64(v.timestampInitiated, 'DiagnosticsRequest.timestampInitiated');
  w.u64(v.dMFlags, 'DiagnosticsRequest.dMFlags');
  writeExtList(w, v.diagnosticExtensionsList, 'DiagnosticsRequest.diagnosticExtensionsList', writeDiagnosticExtension);
}

/** Also the extension_contents of Diagnostic_Ping in a ping_req (RFC 7851 §4.2.1). */
export function decodeDiagnosticsRequest(bytes: Uint8Array): DiagnosticsRequest {
  return decodeAll(bytes, 'DiagnosticsRequest', diagnosticsRequestFields);
}

export function encodeDiagnosticsRequest(v: DiagnosticsRequest): Uint8Array {
  return encodeWith((w) => writeDiagnosticsRequest(w, v));
}

function readContents(s: Reader, kind: number): DiagnosticInfo {
  if (UINT8_KINDS.has(kind)) return { kind: kind as Uint8Kind, value: s.u8('value') };
  if (UINT32_KINDS.has(kind)) return { kind: kind as Uint32Kind, value: s.u32('value') };
  if (UINT64_KINDS.has(kind)) return { kind: kind as Uint64Kind, value: s.u64('value') };
  if (kind === DiagnosticKindId.SOFTWARE_VERSION) {
    // RFC 7851 §5.3: a US-ASCII C-style string, "MUST be terminated by "\0"", with no "\0" inside.
    const bytes = s.rest('value');
    if (bytes[bytes.length - 1] !== 0) s.fail('value', 'SOFTWARE_VERSION is not terminated by "\\0"');
    let text = '';
    for (let i = 0; i < bytes.length - 1; i++) {
      const c = bytes[i] ?? 0;
      if (c === 0 || c > 0x7f) s.fail('value', `SOFTWARE_VERSION byte ${i} (0x${c.toString(16)}) is not a non-NUL US-ASCII character`);
      text += String.fromCharCode(c);
    }
    return { kind: DiagnosticKindId.SOFTWARE_VERSION, value: text };
  }
  if (kind === DiagnosticKindId.INSTANCES_STORED) {
    const value: InstancesStoredEntry[] = [];
    while (s.remaining() > 0) value.push(s.scope(`[${value.length}]`, () => ({ kind: s.u32('kind'), instances: s.u64('instances') })));
    return { kind, value };
  }
  if (kind === DiagnosticKindId.MESSAGES_SENT_RCVD) {
    const value: MessagesSentRcvdEntry[] = [];
    while (s.remaining() > 0) {
      value.push(s.scope(`[${value.length}]`, () => ({ messageCode: s.u16('messageCode'), sent: s.u64('sent'), received: s.u64('received') })));
    }
    return { kind, value };
  }
  return { kind, unknown: s.rest('unknown') };
}

export function readDiagnosticInfo(r: Reader): DiagnosticInfo {
  return r.scope('DiagnosticInfo', () => {
    const at = r.offset;
    const kind = r.u16('kind');
    if (isReservedKind(kind)) r.fail('kind', `diagnostic kind 0x${kind.toString(16)} is reserved`, at);
    return r.prefixed('diagnosticInfoContents', 2, (s) => readContents(s, kind));
  });
}

export function writeDiagnosticInfo(w: Writer, v: DiagnosticInfo): void {
  const field = 'DiagnosticInfo.diagnosticInfoContents';
  if (isReservedKind(v.kind)) throw new EncodeError('DiagnosticInfo.kind', `diagnostic kind ${v.kind} is reserved`);
  w.u16(v.kind, 'DiagnosticInfo.kind');
  if ('unknown' in v) {
    if (isDefinedKind(v.kind)) throw new EncodeError('DiagnosticInfo.kind', `kind ${v.kind} is not an unknown kind`);
    w.opaque(2, v.unknown, field);
    return;
  }
  w.prefixed(
    2,
    () => {
      const value: unknown = v.value;
      if (UINT8_KINDS.has(v.kind)) w.u8(value as number, field);
      else if (UINT32_KINDS.has(v.kind)) w.u32(value as number, field);
      else if (UINT64_KINDS.has(v.kind)) w.u64(value as bigint, field);
      else if (v.kind === DiagnosticKindId.SOFTWARE_VERSION) {
        const text = value as string;
        for (let i = 0; i < text.length; i++) {
          const c = text.charCodeAt(i);
          if (c === 0 || c > 0x7f) throw new EncodeError(field, 'SOFTWARE_VERSION must be US-ASCII without "\\0"');
          w.u8(c);
        }
        w.u8(0);
      } else if (v.kind === DiagnosticKindId.INSTANCES_STORED) {
        for (const e of value as readonly InstancesStoredEntry[]) w.u32(e.kind, `${field}.kind`).u64(e.instances, `${field}.instances`);
      } else if (v.kind === DiagnosticKindId.MESSAGES_SENT_RCVD) {
        for (const e of value as readonly MessagesSentRcvdEntry[]) {
          w.u16(e.messageCode, `${field}.messageCode`).u64(e.sent, `${field}.sent`).u64(e.received, `${field}.received`);
        }
      } else throw new EncodeError('DiagnosticInfo.kind', `kind ${v.kind} has no defined value; use \`unknown\``);
    },
    field,
  );
}

function diagnosticsResponseFields(r: Reader): DiagnosticsResponse {
  return {
    expiration: r.u64('expiration'),
    timestampInitiated: r.u64('timestampInitiated'),
    timestampReceived: r.u64('timestampReceived'),
    hopCounter: r.u8('hopCounter'),
    diagnosticInfoList: readExtList(r, 'diagnosticInfoList', readDiagnosticInfo),
  };
}

export function readDiagnosticsResponse(r: Reader): DiagnosticsResponse {
  return r.scope('DiagnosticsResponse', () => diagnosticsResponseFields(r));
}

export function writeDiagnosticsResponse(w: Writer, v: DiagnosticsResponse): void {
  w.u64(v.expiration, 'DiagnosticsResponse.expiration').u64(v.timestampInitiated, 'DiagnosticsResponse.timestampInitiated');
  w.u64(v.timestampReceived, 'DiagnosticsResponse.timestampReceived').u8(v.hopCounter, 'DiagnosticsResponse.hopCounter');
  writeExtList(w, v.diagnosticInfoList, 'DiagnosticsResponse.diagnosticInfoList', writeDiagnosticInfo);
}

/** Also the extension_contents of Diagnostic_Ping in a ping_ans (see DIAGNOSTIC_PING_EXTENSION). */
export function decodeDiagnosticsResponse(bytes: Uint8Array): DiagnosticsResponse {
  return decodeAll(bytes, 'DiagnosticsResponse', diagnosticsResponseFields);
}

export function encodeDiagnosticsResponse(v: DiagnosticsResponse): Uint8Array {
  return encodeWith((w) => writeDiagnosticsResponse(w, v));
}

function pathTrackReqFields(r: Reader): PathTrackReq {
  return { destination: r.scope('destination', () => readDestination(r)), request: r.scope('request', () => readDiagnosticsRequest(r)) };
}

export function readPathTrackReq(r: Reader): PathTrackReq {
  return r.scope('PathTrackReq', () => pathTrackReqFields(r));
}

export function writePathTrackReq(w: Writer, v: PathTrackReq): void {
  writeDestination(w, v.destination);
  writeDiagnosticsRequest(w, v.request);
}

export function decodePathTrackReq(bytes: Uint8Array): PathTrackReq {
  return decodeAll(bytes, 'PathTrackReq', pathTrackReqFields);
}

export function encodePathTrackReq(v: PathTrackReq): Uint8Array {
  return encodeWith((w) => writePathTrackReq(w, v));
}

function pathTrackAnsFields(r: Reader): PathTrackAns {
  return { nextHop: r.scope('nextHop', () => readDestination(r)), response: r.scope('response', () => readDiagnosticsResponse(r)) };
}

export function readPathTrackAns(r: Reader): PathTrackAns {
  return r.scope('PathTrackAns', () => pathTrackAnsFields(r));
}

export function writePathTrackAns(w: Writer, v: PathTrackAns): void {
  writeDestination(w, v.nextHop);
  writeDiagnosticsResponse(w, v.response);
}

export function decodePathTrackAns(bytes: Uint8Array): PathTrackAns {
  return decodeAll(bytes, 'PathTrackAns', pathTrackAnsFields);
}

export function encodePathTrackAns(v: PathTrackAns): Uint8Array {
  return encodeWith((w) => writePathTrackAns(w, v));
}
