/**
 * Whole RELOAD messages (RFC 6940 §6.3) of every message code, for the fuzz test, the benchmarks
 * and cross-checks: `arbReloadMessage` (fast-check) and `sampleMessages(seed)` (deterministic).
 *
 * Every body code of the message-body table (§6.3.3, `MessageBodies`) is covered, `error` with
 * every §14.9 ErrorCode (and unassigned ones), and codes without a body structure (unassigned,
 * experimental, reserved) with raw bodies. Extensions include our DTLS fingerprint (0xC001) in
 * Attach/AppAttach, RFC 7851 Diagnostic_Ping in Ping and RFC 7363 self_tuning_data in Probe, plus
 * unknown ones. Kind-dependent bodies use the Kinds of one table, whose KindModels is the
 * BodyContext to decode them with (`sampleBodyContext`). Encoded sizes stay within
 * max-message-size (5000 by default, §11.1).
 */
import fc from 'fast-check';
import { encodeMessageBody, type BodyContext, type KnownBodyName, type MessageBodies, type MessageBody } from '../message-body.js';
import { encodeReloadMessage, type ReloadMessage } from '../reload-message.js';
import { DEFAULT_MAX_MESSAGE_SIZE } from '../forwarded-message.js';
import { UNFRAGMENTED } from '../forwarding-header.js';
import type { MessageExtension } from '../message-contents.js';
import { ErrorCode, MessageCode, MessageExtensionType, errorCodeName, type ErrorCodeName } from '../message-codes.js';
import { DTLS_FINGERPRINT_EXTENSION, encodeDtlsFingerprint } from '../methods/dtls-fingerprint.js';
import { encodeDiagnosticsRequest, encodeDiagnosticsResponse } from '../methods/diagnostics.js';
import { SELF_TUNING_DATA_EXTENSION, encodeChordLeaveData, encodeSelfTuningData } from '../methods/chord.js';
import { arbForwardingHeader, arbNodeId, arbSecurityBlock } from './envelope.arb.js';
import {
  arbAppAttachAns,
  arbAppAttachReq,
  arbAttachReqAns,
  arbChordLeaveData,
  arbChordRouteQueryAns,
  arbChordUpdate,
  arbConfigUpdateReq,
  arbDiagnosticsRequest,
  arbDiagnosticsResponse,
  arbDtlsFingerprint,
  arbJoinAns,
  arbJoinReq,
  arbPathTrackAns,
  arbPathTrackReq,
  arbPingAns,
  arbPingReq,
  arbProbeAns,
  arbProbeReq,
  arbRouteQueryReq,
  arbSelfTuningData,
} from './methods.arb.js';
import {
  IANA_KIND_TABLE,
  arbFetchAns,
  arbFetchReq,
  arbFindAns,
  arbFindReq,
  arbStatAns,
  arbStatReq,
  arbStoreAns,
  arbStoreReq,
  kindModelsOf,
  type KindModel,
} from './storage.arb.js';

/** The Kinds of the samples: the IANA ones plus one configuration Kind of each data model. */
export const SAMPLE_KIND_TABLE: readonly KindModel[] = [
  ...IANA_KIND_TABLE,
  { kind: 0x7f000001, model: 'single' },
  { kind: 0x7f000002, model: 'array' },
  { kind: 0x7f000003, model: 'dictionary' },
];

/** The BodyContext that decodes the samples (KindModels of SAMPLE_KIND_TABLE). */
export const sampleBodyContext: BodyContext = { kinds: kindModelsOf(SAMPLE_KIND_TABLE) };

/** Options for the message arbitraries. */
export interface MessageSampleOptions {
  /** Kinds the storage bodies use; their KindModels must be the decoder's. Default SAMPLE_KIND_TABLE. */
  readonly table?: readonly KindModel[];
  /** Largest encoded message generated. Default DEFAULT_MAX_MESSAGE_SIZE (5000). */
  readonly maxMessageSize?: number;
}

const bytes = (maxLength = 64) => fc.uint8Array({ maxLength });
const empty = fc.constant({} as Record<string, never>);

/** At most this many Kinds in one storage body, so bodies stay well within max-message-size. */
const MAX_KINDS_PER_BODY = 3;

/** A subset of the table (at most MAX_KINDS_PER_BODY), still consistent with the table's KindModels. */
function subTable(table: readonly KindModel[]): fc.Arbitrary<KindModel[]> {
  return fc.shuffledSubarray([...table], { minLength: Math.min(1, table.length), maxLength: Math.min(MAX_KINDS_PER_BODY, table.length) });
}

/** A chord-reload LeaveReq (§10.9): ChordLeaveData in overlay_specific_data, or empty. */
const arbChordLeaveReq: fc.Arbitrary<MessageBodies['leave_req']> = fc.oneof(
  fc.record({ leavingPeerId: arbNodeId, chordLeaveData: arbChordLeaveData }).map(({ leavingPeerId, chordLeaveData }) => ({
    leavingPeerId,
    overlaySpecificData: encodeChordLeaveData(chordLeaveData),
    chordLeaveData,
  })),
  arbNodeId.map((leavingPeerId) => ({ leavingPeerId, overlaySpecificData: new Uint8Array(0) })),
);

/** The body arbitrary of each code of MessageBodies except `error` (see `arbErrorBody`). */
function bodyArbitraries(table: readonly KindModel[]): { [K in Exclude<KnownBodyName, 'error'>]: fc.Arbitrary<MessageBodies[K]> } {
  const storage = <T>(arb: (t: readonly KindModel[]) => fc.Arbitrary<T>) => subTable(table).chain(arb);
  return {
    probe_req: arbProbeReq,
    probe_ans: arbProbeAns,
    attach_req: arbAttachReqAns,
    attach_ans: arbAttachReqAns,
    store_req: storage(arbStoreReq),
    store_ans: arbStoreAns,
    fetch_req: storage(arbFetchReq),
    fetch_ans: storage(arbFetchAns),
    find_req: arbFindReq,
    find_ans: arbFindAns,
    join_req: arbJoinReq,
    join_ans: arbJoinAns,
    leave_req: arbChordLeaveReq,
    leave_ans: empty,
    update_req: arbChordUpdate,
    update_ans: empty,
    route_query_req: arbRouteQueryReq,
    route_query_ans: arbChordRouteQueryAns,
    ping_req: arbPingReq,
    ping_ans: arbPingAns,
    stat_req: storage(arbStatReq),
    stat_ans: storage(arbStatAns),
    app_attach_req: arbAppAttachReq,
    app_attach_ans: arbAppAttachAns,
    config_update_req: arbConfigUpdateReq,
    config_update_ans: empty,
    path_track_req: arbPathTrackReq,
    path_track_ans: arbPathTrackAns,
  };
}

/** Every body name of MessageBodies except `error`, in §14.8 order. */
export const BODY_NAMES = Object.keys(bodyArbitraries(SAMPLE_KIND_TABLE)) as readonly Exclude<KnownBodyName, 'error'>[];

const bodyCodes = new Set<number>([...BODY_NAMES.map((n) => MessageCode[n]), MessageCode.error]);

/** Every registered ErrorCode but invalidErrorCode (0, never sent). */
export const ERROR_CODE_NAMES = (Object.keys(ErrorCode) as ErrorCodeName[]).filter((n) => n !== 'invalidErrorCode');

const utf8 = (s: string) => new TextEncoder().encode(s);

/** RFC 6940 §6.3.3.1 ErrorResponse with `errorCode`: UTF-8 text or arbitrary bytes in error_info. */
function arbErrorBody(errorCode: fc.Arbitrary<number>): fc.Arbitrary<MessageBody> {
  return fc
    .record({ errorCode, errorInfo: fc.oneof(fc.string({ maxLength: 48 }).map(utf8), bytes(48)) })
    .map((value) => ({ name: 'error', value }) as const);
}

/** Codes with no body structure, by kind: what the decoder returns as `unknown` with raw bytes. */
export const UNKNOWN_CODE_RANGES = {
  /** Unassigned §14.8 codes (gaps in the table and 0x29..0x7FFF). */
  unassigned: fc.oneof(fc.constantFrom(0x5, 0x6, 0xb, 0xc, 0x1b, 0x1c, 0x1f, 0x20), fc.integer({ min: 0x29, max: 0x7fff })),
  /** exp_a / exp_b (§14.8 "experimental"). */
  experimental: fc.constantFrom(MessageCode.exp_a_req, MessageCode.exp_a_ans, MessageCode.exp_b_req, MessageCode.exp_b_ans),
  /** 0x8000..0xFFFE (§14.8 "reserved"). */
  reserved: fc.integer({ min: 0x8000, max: 0xfffe }),
} as const;

function arbUnknownBody(code: fc.Arbitrary<number>): fc.Arbitrary<MessageBody> {
  return fc
    .record({ code: code.filter((c) => !bodyCodes.has(c)), raw: bytes(128) })
    .map(({ code: c, raw }) => ({ name: 'unknown', code: c, raw }) as const);
}

/** Extensions of unassigned types (kept opaque by every decoder). */
const arbOpaqueExtension: fc.Arbitrary<MessageExtension> = fc.record({
  type: fc.integer({ min: 0x100, max: 0xfffe }).filter((t) => t !== DTLS_FINGERPRINT_EXTENSION),
  critical: fc.boolean(),
  extensionContents: bytes(32),
});

const ext = (type: number) => (extensionContents: Uint8Array) => fc.boolean().map((critical): MessageExtension => ({ type, critical, extensionContents }));

/** The known extensions that fit a message code (RFC 7851 §4.2, RFC 7363 §6.5, dtls-fingerprint.ts). */
function knownExtensionsFor(code: number): fc.Arbitrary<MessageExtension> | undefined {
  switch (code) {
    case MessageCode.attach_req:
    case MessageCode.attach_ans:
    case MessageCode.app_attach_req:
    case MessageCode.app_attach_ans:
      return arbDtlsFingerprint.map(encodeDtlsFingerprint).chain(ext(DTLS_FINGERPRINT_EXTENSION));
    case MessageCode.ping_req:
      return arbDiagnosticsRequest.map(encodeDiagnosticsRequest).chain(ext(MessageExtensionType.Diagnostic_Ping));
    case MessageCode.ping_ans:
      return arbDiagnosticsResponse.map(encodeDiagnosticsResponse).chain(ext(MessageExtensionType.Diagnostic_Ping));
    case MessageCode.probe_req:
    case MessageCode.probe_ans:
      return arbSelfTuningData.map(encodeSelfTuningData).chain(ext(SELF_TUNING_DATA_EXTENSION));
    default:
      return undefined;
  }
}

/**
 * Extensions for a message of `code`: 0..3 opaque ones, plus (for the codes that carry one) the
 * known extension, always when `requireKnown`.
 */
export function arbExtensionsFor(code: number, requireKnown = false): fc.Arbitrary<MessageExtension[]> {
  const known = knownExtensionsFor(code);
  const opaque = fc.array(arbOpaqueExtension, { maxLength: requireKnown ? 1 : 3 });
  if (!known) return opaque;
  const knownList = requireKnown ? known.map((e) => [e]) : fc.array(known, { maxLength: 1 });
  return fc.tuple(knownList, opaque).map(([k, o]) => (requireKnown ? [...k, ...o] : [...o, ...k]));
}

/**
 * A whole message (fragment 0xC0000000, header `length` = its encoded size) around `body`, with
 * extensions and a SecurityBlock; larger than `maxMessageSize` is filtered out.
 */
function arbMessageAround(body: fc.Arbitrary<MessageBody>, options: MessageSampleOptions, requireKnownExtension = false): fc.Arbitrary<ReloadMessage> {
  const table = options.table ?? SAMPLE_KIND_TABLE;
  const ctx: BodyContext = options.table ? { kinds: kindModelsOf(table) } : sampleBodyContext;
  const max = options.maxMessageSize ?? DEFAULT_MAX_MESSAGE_SIZE;
  return body
    .chain((b) =>
      fc.record({
        forwardingHeader: arbForwardingHeader({ fragment: fc.constant(UNFRAGMENTED) }),
        body: fc.constant(b),
        extensions: arbExtensionsFor(encodeMessageBody(b, ctx).code, requireKnownExtension),
        securityBlock: arbSecurityBlock(),
      }),
    )
    .map((m) => ({ ...m, forwardingHeader: { ...m.forwardingHeader, length: encodeReloadMessage(m, { body: ctx }).length } }))
    .filter((m) => m.forwardingHeader.length <= max);
}

/** A named family of messages: one per body code, per error code, per unknown-code range, per known extension. */
export type MessageSampleCase =
  | Exclude<KnownBodyName, 'error'>
  | `error:${Exclude<ErrorCodeName, 'invalidErrorCode'> | 'unassigned'}`
  | `unknown:${keyof typeof UNKNOWN_CODE_RANGES}`
  | `${'attach_req' | 'attach_ans' | 'app_attach_req' | 'app_attach_ans' | 'ping_req' | 'ping_ans' | 'probe_req' | 'probe_ans'}+extension`;

const EXTENSION_CASES = ['attach_req', 'attach_ans', 'app_attach_req', 'app_attach_ans', 'ping_req', 'ping_ans', 'probe_req', 'probe_ans'] as const;

/** Every case, in a fixed order. */
export const MESSAGE_SAMPLE_CASES: readonly MessageSampleCase[] = [
  ...BODY_NAMES,
  ...ERROR_CODE_NAMES.map((n) => `error:${n}` as const),
  'error:unassigned',
  ...(Object.keys(UNKNOWN_CODE_RANGES) as (keyof typeof UNKNOWN_CODE_RANGES)[]).map((k) => `unknown:${k}` as const),
  ...EXTENSION_CASES.map((n) => `${n}+extension` as const),
];

/** Messages of one case. */
export function arbReloadMessageFor(c: MessageSampleCase, options: MessageSampleOptions = {}): fc.Arbitrary<ReloadMessage> {
  const bodies = bodyArbitraries(options.table ?? SAMPLE_KIND_TABLE) as Record<string, fc.Arbitrary<unknown>>;
  if (c.endsWith('+extension')) {
    const name = c.slice(0, -'+extension'.length);
    return arbMessageAround(bodyOf(name, bodies), options, true);
  }
  if (c.startsWith('error:')) {
    const n = c.slice('error:'.length);
    const code = n === 'unassigned' ? fc.integer({ min: 1, max: 0xffff }).filter((x) => errorCodeName(x) === undefined) : fc.constant(ErrorCode[n as ErrorCodeName]);
    return arbMessageAround(arbErrorBody(code), options);
  }
  if (c.startsWith('unknown:')) {
    return arbMessageAround(arbUnknownBody(UNKNOWN_CODE_RANGES[c.slice('unknown:'.length) as keyof typeof UNKNOWN_CODE_RANGES]), options);
  }
  return arbMessageAround(bodyOf(c, bodies), options);
}

function bodyOf(name: string, bodies: Record<string, fc.Arbitrary<unknown>>): fc.Arbitrary<MessageBody> {
  const arb = bodies[name];
  if (!arb) throw new Error(`no body arbitrary for ${name}`);
  return arb.map((value) => ({ name, value }) as MessageBody);
}

/**
 * RFC 6940 §6.3 ReloadMessage of any code: every body of MessageBodies, `error` with any error
 * code, unknown codes with raw bodies; with extensions and a SecurityBlock. Decode with
 * `{ body: sampleBodyContext }` (or the KindModels of `options.table`).
 */
export function arbReloadMessage(options: MessageSampleOptions = {}): fc.Arbitrary<ReloadMessage> {
  return fc.oneof(...MESSAGE_SAMPLE_CASES.map((c) => arbReloadMessageFor(c, options)));
}

/** One generated message and its encoding. */
export interface MessageSample {
  readonly case: MessageSampleCase;
  /** The message_code on the wire. */
  readonly code: number;
  readonly message: ReloadMessage;
  readonly bytes: Uint8Array;
}

/** Options for `sampleMessages`. */
export interface SampleMessagesOptions extends MessageSampleOptions {
  /** Messages per case (default 2). */
  readonly perCase?: number;
}

/**
 * Deterministic samples: `perCase` messages for every case of MESSAGE_SAMPLE_CASES (so at least
 * one per message code of MessageBodies, per ErrorCode, per unknown-code range and per known
 * extension), the same for the same seed.
 */
export function sampleMessages(seed: number, options: SampleMessagesOptions = {}): MessageSample[] {
  const ctx: BodyContext = options.table ? { kinds: kindModelsOf(options.table) } : sampleBodyContext;
  const perCase = options.perCase ?? 2;
  return MESSAGE_SAMPLE_CASES.flatMap((c, i) =>
    fc.sample(fc.noBias(arbReloadMessageFor(c, options)), { seed: (seed + i * 0x9e3779b1) | 0, numRuns: perCase }).map((message): MessageSample => {
      const bytes = encodeReloadMessage(message, { body: ctx });
      return { case: c, code: encodeMessageBody(message.body, ctx).code, message, bytes };
    }),
  );
}
