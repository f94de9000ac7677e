/**
 * The RELOAD decoders under fuzz (`fuzz.ts`) and their corpora, built from `sampleMessages`:
 * - `reload-message`: decodeReloadMessage (§6.3 with the body of §6.3.3), then decodeExtensions
 *   and describeReloadMessage of what decodes;
 * - `message-body`: decodeMessageBody on `message_code (2 bytes) ‖ body`, so mutations hit the
 *   body's own length fields more often and the code can be swapped;
 * - `extension`: the known extension decoders on `message_code ‖ type ‖ extension_contents`;
 * - `kind-value`: the payload decoders of the IANA Kinds (RFC 7904 SipRegistration, §9
 *   TurnServer, §8 certificates, RFC 7374 REDIR) on `kind (4 bytes) ‖ value`;
 * - `framed`: decodeFramedMessage (§6.6.2);
 * - `scanner`: MessageScanner.push of bare messages, FramedMessages and fragments;
 * - `reassembler`: Reassembler.add (§6.7) of the fragments concatenated in one input (split by
 *   each fragment's `length` field), then decodeReloadMessage of what completes;
 * - `forwarding-header`: decodeForwardingHeaderOnly of messages and fragments.
 */
import fc from 'fast-check';
import { decodeMessageBody, encodeMessageBody, type BodyContext } from '../message-body.js';
import { decodeExtensions, decodeReloadMessage, encodeReloadMessage, type ReloadMessage, type ReloadMessageLimits } from '../reload-message.js';
import { describeReloadMessage } from '../describe.js';
import { DEFAULT_MAX_MESSAGE_SIZE, decodeForwardingHeaderOnly } from '../forwarded-message.js';
import { FORWARDING_HEADER_FIXED_SIZE, FRAGMENT_FIELD_OFFSET, LENGTH_FIELD_OFFSET } from '../forwarding-header.js';
import { encodeFramedMessage, decodeFramedMessage, FramedMessageType } from '../framing.js';
import { Reassembler, fragmentMessage, MIN_FRAGMENT_BODY } from '../fragmentation.js';
import { MessageScanner } from '../message-scanner.js';
import { isRequestCode, KindId, MessageCode, MessageExtensionType } from '../message-codes.js';
import { DTLS_FINGERPRINT_EXTENSION, decodeDtlsFingerprint } from '../methods/dtls-fingerprint.js';
import { decodeDiagnosticsRequest, decodeDiagnosticsResponse } from '../methods/diagnostics.js';
import { SELF_TUNING_DATA_EXTENSION, decodeSelfTuningData } from '../methods/chord.js';
import { decodeCertificateValue } from '../storage/kinds/certificate.js';
import { decodeRedirServiceProvider } from '../storage/kinds/redir.js';
import { decodeSipRegistration } from '../storage/kinds/sip-registration.js';
import { decodeTurnServer } from '../storage/kinds/turn-server.js';
import { arbKindValue } from './storage.arb.js';
import { FuzzRandom, type CorpusEntry, type FieldHint, type FuzzTarget } from './fuzz.js';
import { sampleBodyContext, type MessageSample } from './message-samples.js';
import { concatBytes } from '../codec/concat-bytes.js';

const MESSAGE_CODES: readonly number[] = Object.values(MessageCode);
/** Extension types whose contents we decode (dtls-fingerprint.ts, RFC 7851 §4.2, RFC 7363 §6.5). */
const KNOWN_EXTENSION_TYPES: readonly number[] = [DTLS_FINGERPRINT_EXTENSION, MessageExtensionType.Diagnostic_Ping, SELF_TUNING_DATA_EXTENSION];
const EXTENSION_TYPES: readonly number[] = [...KNOWN_EXTENSION_TYPES, 1, 0, 0x100];
const DESTINATION_TYPES: readonly number[] = [1, 2, 3, 0, 4, 0x7f, 0x80, 0xff];
const IDENTITY_TYPES: readonly number[] = [1, 2, 3, 0, 4];

function be(b: Uint8Array, at: number, width: number): number {
  let v = 0;
  for (let i = 0; i < width; i++) v = v * 256 + (b[at + i] ?? 0);
  return v;
}

const lengthHint = (offset: number, width: 1 | 2 | 3 | 4, start: number, len: number): FieldHint => ({ kind: 'length', offset, width, start, end: start + len });

/** Hints for a destination list filling base..end. */
function destinationHints(b: Uint8Array, base: number, end: number, out: FieldHint[]): void {
  for (let p = base; p < end && p < b.length; ) {
    out.push({ kind: 'enum', offset: p, width: 1, values: DESTINATION_TYPES });
    if ((b[p] ?? 0) & 0x80) {
      p += 2;
      continue;
    }
    const l = be(b, p + 1, 1);
    out.push(lengthHint(p + 1, 1, p + 2, l));
    p += 2 + l;
  }
}

/**
 * The known fields of a valid encoded message (or fragment) starting at `base`: the header's
 * `length` and list lengths, each destination and option, message_code, the body and extension
 * lengths, each extension, and the SecurityBlock's lengths.
 */
export function messageHints(b: Uint8Array, base = 0): FieldHint[] {
  const out: FieldHint[] = [];
  const total = be(b, base + LENGTH_FIELD_OFFSET, 4);
  out.push(lengthHint(base + LENGTH_FIELD_OFFSET, 4, base, total));
  const via = be(b, base + 32, 2);
  const dest = be(b, base + 34, 2);
  const opts = be(b, base + 36, 2);
  let p = base + FORWARDING_HEADER_FIXED_SIZE;
  out.push(lengthHint(base + 32, 2, p, via), lengthHint(base + 34, 2, p + via, dest), lengthHint(base + 36, 2, p + via + dest, opts));
  destinationHints(b, p, p + via, out);
  destinationHints(b, p + via, p + via + dest, out);
  for (let q = p + via + dest; q < p + via + dest + opts && q < b.length; q += 4 + be(b, q + 2, 2)) out.push(lengthHint(q + 2, 2, q + 4, be(b, q + 2, 2)));
  p += via + dest + opts;
  if (be(b, base + FRAGMENT_FIELD_OFFSET, 4) !== 0xc0000000) return out; // a fragment: the rest is a piece
  out.push({ kind: 'enum', offset: p, width: 2, values: MESSAGE_CODES });
  const bodyLength = be(b, p + 2, 4);
  out.push(lengthHint(p + 2, 4, p + 6, bodyLength));
  p += 6 + bodyLength;
  const extLength = be(b, p, 4);
  out.push(lengthHint(p, 4, p + 4, extLength));
  for (let q = p + 4; q < p + 4 + extLength && q < b.length; q += 7 + be(b, q + 3, 4)) {
    out.push({ kind: 'enum', offset: q, width: 2, values: EXTENSION_TYPES }, lengthHint(q + 3, 4, q + 7, be(b, q + 3, 4)));
  }
  p += 4 + extLength;
  const certs = be(b, p, 2);
  out.push(lengthHint(p, 2, p + 2, certs));
  for (let q = p + 2; q < p + 2 + certs && q < b.length; q += 3 + be(b, q + 1, 2)) out.push(lengthHint(q + 1, 2, q + 3, be(b, q + 1, 2)));
  p += 2 + certs + 2; // certificates, then SignatureAndHashAlgorithm
  out.push({ kind: 'enum', offset: p, width: 1, values: IDENTITY_TYPES });
  const identity = be(b, p + 1, 2);
  out.push(lengthHint(p + 1, 2, p + 3, identity));
  p += 3 + identity;
  out.push(lengthHint(p, 2, p + 2, be(b, p, 2)));
  return out;
}

/** A ReloadMessage for the allocation check: a LeaveReq's decoded ChordLeaveData is a view of its raw overlay_specific_data, counted once. */
function forAllocation(m: ReloadMessage): ReloadMessage {
  if (m.body.name !== 'leave_req' || !m.body.value.chordLeaveData) return m;
  const { chordLeaveData: _view, ...value } = m.body.value;
  return { ...m, body: { name: 'leave_req', value } };
}

function decodeWhole(bytes: Uint8Array, limits: ReloadMessageLimits): unknown[] {
  const m = decodeReloadMessage(bytes, limits);
  const code = m.body.name === 'unknown' ? m.body.code : MessageCode[m.body.name];
  const extensions = decodeExtensions(code, m.extensions);
  describeReloadMessage(m);
  return [forAllocation(m), extensions.map((e) => (e.name === 'unknown' ? null : e.value))];
}

/** Options for `reloadFuzzTargets`. */
export interface ReloadFuzzOptions {
  /** Decodes the samples' kind-dependent bodies (default sampleBodyContext). */
  readonly body?: BodyContext;
  /** max-message-size for every decoder and the Reassembler (default 5000). */
  readonly maxMessageSize?: number;
  /** Seed for the corpus choices (certificate sizes, fragment sizes). */
  readonly seed?: number;
}

/** The most pieces the reassembler target feeds from one input. */
const MAX_PIECES = 64;

/** Split concatenated fragments by each one's forwarding-header `length` (the rest is the last piece). */
export function splitFragments(input: Uint8Array): Uint8Array[] {
  const pieces: Uint8Array[] = [];
  let p = 0;
  while (p < input.length && pieces.length < MAX_PIECES) {
    const l = input.length - p >= LENGTH_FIELD_OFFSET + 4 ? be(input, p + LENGTH_FIELD_OFFSET, 4) : 0;
    const end = l >= LENGTH_FIELD_OFFSET + 4 && p + l <= input.length ? p + l : input.length;
    pieces.push(input.subarray(p, end));
    p = end;
  }
  return pieces;
}

/**
 * A copy of `sample` made larger with a certificate of `size` bytes in its SecurityBlock (real
 * messages carry ~1 KB X.509 certificates), re-encoded; undefined if it would exceed `max`.
 */
function withCertificate(sample: MessageSample, rng: FuzzRandom, size: number, ctx: BodyContext, max: number): Uint8Array | undefined {
  const certificate = new Uint8Array(size);
  for (let i = 0; i < size; i++) certificate[i] = rng.int(256);
  const m = sample.message;
  const bigger: ReloadMessage = { ...m, securityBlock: { ...m.securityBlock, certificates: [...m.securityBlock.certificates, { type: 0, certificate }] } };
  const bytes = encodeReloadMessage(bigger, { body: ctx });
  return bytes.length <= max ? bytes : undefined;
}

/** The decoders under fuzz with their corpora (see the file comment). */
export function reloadFuzzTargets(samples: readonly MessageSample[], options: ReloadFuzzOptions = {}): FuzzTarget[] {
  const ctx = options.body ?? sampleBodyContext;
  const maxMessageSize = options.maxMessageSize ?? DEFAULT_MAX_MESSAGE_SIZE;
  const limits: ReloadMessageLimits = { body: ctx, maxMessageSize };
  const rng = new FuzzRandom(options.seed ?? 1);

  const messages: CorpusEntry[] = samples.map((s) => ({ bytes: s.bytes, fields: messageHints(s.bytes) }));

  const bodies: CorpusEntry[] = samples.map((s) => {
    const body = encodeMessageBody(s.message.body, ctx).bytes;
    const bytes = new Uint8Array(2 + body.length);
    bytes[0] = s.code >>> 8;
    bytes[1] = s.code & 0xff;
    bytes.set(body, 2);
    return { bytes, fields: [{ kind: 'enum', offset: 0, width: 2, values: MESSAGE_CODES }] };
  });

  const extensions: CorpusEntry[] = samples.flatMap((s) =>
    s.message.extensions
      .filter((e) => KNOWN_EXTENSION_TYPES.includes(e.type))
      .map((e) => {
        const bytes = new Uint8Array(4 + e.extensionContents.length);
        bytes.set([s.code >>> 8, s.code & 0xff, e.type >>> 8, e.type & 0xff]);
        bytes.set(e.extensionContents, 4);
        const fields: FieldHint[] = [
          { kind: 'enum', offset: 0, width: 2, values: [MessageCode.ping_req, MessageCode.ping_ans] },
          { kind: 'enum', offset: 2, width: 2, values: EXTENSION_TYPES },
        ];
        return { bytes, fields };
      }),
  );

  const kindIds = [KindId.SIP_REGISTRATION, KindId.TURN_SERVICE, KindId.CERTIFICATE_BY_NODE, KindId.CERTIFICATE_BY_USER, KindId.REDIR];
  const kindValues: CorpusEntry[] = kindIds.flatMap((kind, i) =>
    fc.sample(fc.noBias(arbKindValue(kind)), { seed: (options.seed ?? 1) + i, numRuns: 8 }).map((value) => {
      const bytes = new Uint8Array(4 + value.length);
      new DataView(bytes.buffer).setUint32(0, kind);
      bytes.set(value, 4);
      return { bytes, fields: [{ kind: 'enum', offset: 0, width: 4, values: kindIds }] };
    }),
  );

  // Fragment sets (§6.7): larger copies of every third sample, cut into 2..5 pieces.
  const fragmentSets: Uint8Array[][] = [];
  samples.forEach((s, i) => {
    if (i % 3 !== 0) return;
    const big = withCertificate(s, rng, rng.range(600, 2000), ctx, maxMessageSize);
    if (!big) return;
    const headerLength = decodeForwardingHeaderOnly(big, { maxMessageSize }).headerLength;
    const pieces = fragmentMessage(big, headerLength + MIN_FRAGMENT_BODY + rng.int(Math.max(1, big.length - headerLength - 2 * MIN_FRAGMENT_BODY)));
    if (pieces.length > 1) fragmentSets.push(pieces);
  });
  const fragments: CorpusEntry[] = fragmentSets.flat().map((bytes) => ({ bytes, fields: messageHints(bytes) }));
  const reassembly: CorpusEntry[] = fragmentSets.map((set) => {
    // Usually in order; sometimes reversed (the last fragment first).
    const ordered = rng.chance(0.25) ? [...set].reverse() : set;
    const fields: FieldHint[] = [];
    let at = 0;
    for (const f of ordered) {
      fields.push(...messageHints(f, at));
      at += f.length;
    }
    return { bytes: concatBytes(...ordered), fields };
  });

  const frame = (e: CorpusEntry, sequence: number): CorpusEntry => {
    const bytes = encodeFramedMessage({ kind: 'data', sequence, message: e.bytes });
    const fields: FieldHint[] = [
      { kind: 'enum', offset: 0, width: 1, values: [FramedMessageType.data, FramedMessageType.ack, 0, 0x82] },
      { kind: 'length', offset: 5, width: 3, start: 8, end: bytes.length },
      ...messageHints(bytes, 8),
    ];
    return { bytes, fields };
  };
  const acks: CorpusEntry[] = [0, 1, 0xffffffff].map((n) => ({
    bytes: encodeFramedMessage({ kind: 'ack', ackSequence: n, received: (n * 0x9e3779b1) >>> 0 }),
    fields: [{ kind: 'enum', offset: 0, width: 1, values: [FramedMessageType.data, FramedMessageType.ack, 0] }],
  }));
  const framed: CorpusEntry[] = [...messages.map((e, i) => frame(e, i)), ...fragments.map((e, i) => frame(e, 1000 + i)), ...acks];

  return [
    { name: 'reload-message', weight: 4, corpus: messages, run: (input) => decodeWhole(input, limits) },
    { name: 'message-body', weight: 2, corpus: bodies, run: (input) => [decodeMessageBody(be(input, 0, 2), input.subarray(2), ctx, 2)] },
    {
      name: 'extension',
      weight: 1,
      corpus: extensions,
      run: (input) => {
        const code = be(input, 0, 2);
        const type = be(input, 2, 2);
        const contents = input.subarray(4);
        if (type === DTLS_FINGERPRINT_EXTENSION) return [decodeDtlsFingerprint(contents)];
        if (type === MessageExtensionType.Diagnostic_Ping) return [isRequestCode(code) ? decodeDiagnosticsRequest(contents) : decodeDiagnosticsResponse(contents)];
        if (type === SELF_TUNING_DATA_EXTENSION) return [decodeSelfTuningData(contents)];
        return [];
      },
    },
    {
      name: 'kind-value',
      weight: 1,
      corpus: kindValues,
      run: (input) => {
        const value = input.subarray(4);
        switch (be(input, 0, 4)) {
          case KindId.SIP_REGISTRATION:
            return [decodeSipRegistration(value)];
          case KindId.TURN_SERVICE:
            return [decodeTurnServer(value)];
          case KindId.CERTIFICATE_BY_NODE:
          case KindId.CERTIFICATE_BY_USER:
            return [decodeCertificateValue(value)];
          case KindId.REDIR:
            return [decodeRedirServiceProvider(value)];
          default:
            return [];
        }
      },
    },
    { name: 'framed', weight: 1, corpus: framed, run: (input) => [decodeFramedMessage(input)] },
    {
      name: 'scanner',
      weight: 1,
      corpus: [...messages, ...framed, ...fragments],
      run: (input) => {
        const item = new MessageScanner(limits).push(input, 'peer', 0);
        return item.kind === 'message' ? [forAllocation(item.message), item.bytes] : [item];
      },
    },
    {
      name: 'reassembler',
      weight: 1,
      corpus: reassembly,
      run: (input) => {
        const reassembler = new Reassembler({ maxMessageSize });
        const complete: Uint8Array[] = [];
        const decoded: unknown[] = [];
        for (const piece of splitFragments(input)) {
          const result = reassembler.add(piece, 0, 'peer');
          if (result.status === 'complete') {
            complete.push(result.message);
            decoded.push(decodeWhole(result.message, limits)[0]);
          }
        }
        return [complete, decoded];
      },
    },
    {
      name: 'forwarding-header',
      weight: 1,
      corpus: [...messages, ...fragments],
      run: (input) => [decodeForwardingHeaderOnly(input, { maxMessageSize })],
    },
  ];
}
