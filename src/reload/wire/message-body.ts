/**
 * RFC 6940 §6.3.3: "a message_code value of join_req means that the structure named JoinReq is
 * inserted inside message_body". This is that mapping, for every method we know, as one table of
 * codecs keyed by the §14.8 registry name. Topology-specific bodies are decoded with chord-reload's
 * structures (§10), the only topology plug-in of this overlay.
 */
import { decodeAll, type Reader } from './codec/reader.js';
import { encodeWith, type Writer } from './codec/writer.js';
import { MessageCode, messageCodeName, type MessageCodeName } from './message-codes.js';
import { readErrorResponse, writeErrorResponse, type ErrorResponse } from './message-contents.js';
import { readProbeReq, writeProbeReq, readProbeAns, writeProbeAns, type ProbeReq, type ProbeAns } from './methods/probe.js';
import { readAttachReqAns, writeAttachReqAns, type AttachReqAns } from './methods/attach.js';
import {
  readAppAttachReq,
  writeAppAttachReq,
  readAppAttachAns,
  writeAppAttachAns,
  type AppAttachReq,
  type AppAttachAns,
} from './methods/app-attach.js';
import { readJoinReq, writeJoinReq, readJoinAns, writeJoinAns, type JoinReq, type JoinAns } from './methods/join.js';
import { writeLeaveReq, type LeaveReq } from './methods/leave.js';
import { readNodeId } from './ids.js';
import { readRouteQueryReq, writeRouteQueryReq, type RouteQueryReq } from './methods/route-query.js';
import { readPingReq, writePingReq, readPingAns, writePingAns, type PingReq, type PingAns } from './methods/ping.js';
import {
  readConfigUpdateReq,
  writeConfigUpdateReq,
  type ConfigUpdateReq,
} from './methods/config-update.js';
import {
  readChordUpdate,
  writeChordUpdate,
  readChordRouteQueryAns,
  writeChordRouteQueryAns,
  readChordLeaveData,
  type ChordUpdate,
  type ChordRouteQueryAns,
  type ChordLeaveData,
} from './methods/chord.js';
import { readPathTrackReq, writePathTrackReq, readPathTrackAns, writePathTrackAns, type PathTrackReq, type PathTrackAns } from './methods/diagnostics.js';
import { readStoreReq, writeStoreReq, readStoreAns, writeStoreAns, type StoreReq, type StoreAns } from './storage/store.js';
import { readFetchReq, writeFetchReq, readFetchAns, writeFetchAns, type FetchReq, type FetchAns } from './storage/fetch.js';
import { readStatReq, writeStatReq, readStatAns, writeStatAns, type StatReq, type StatAns } from './storage/stat.js';
import { readFindReq, writeFindReq, readFindAns, writeFindAns, type FindReq, type FindAns } from './storage/find.js';
import { ianaKindModels, type KindModels } from './storage/data-model.js';

/** What decoding a body needs beyond its bytes. */
export interface BodyContext {
  /** Data model of each Kind-ID (configuration kinds plus the IANA ones). */
  readonly kinds: KindModels;
}

export const defaultBodyContext: BodyContext = { kinds: ianaKindModels };

/** An empty body (LeaveAns, UpdateAns, ConfigUpdateAns: rfc6940-readings #9). */
export type EmptyBody = Record<string, never>;

/**
 * A chord-reload LeaveReq (§10.9): the generic LeaveReq whose overlay_specific_data holds
 * ChordLeaveData (empty overlay data is allowed and kept as `undefined`).
 */
export interface ChordLeaveReq extends LeaveReq {
  readonly chordLeaveData?: ChordLeaveData;
}

/** The body type of each message code, by §14.8 registry name. */
export interface MessageBodies {
  probe_req: ProbeReq;
  probe_ans: ProbeAns;
  attach_req: AttachReqAns;
  attach_ans: AttachReqAns;
  store_req: StoreReq;
  store_ans: StoreAns;
  fetch_req: FetchReq;
  fetch_ans: FetchAns;
  find_req: FindReq;
  find_ans: FindAns;
  join_req: JoinReq;
  join_ans: JoinAns;
  leave_req: ChordLeaveReq;
  leave_ans: EmptyBody;
  /** §6.4.2.3: "completely overlay specific": the whole body is a ChordUpdate (§10.7). */
  update_req: ChordUpdate;
  update_ans: EmptyBody;
  route_query_req: RouteQueryReq;
  /** §6.4.2.4: the answer is topology specific: ChordRouteQueryAns (§10.8). */
  route_query_ans: ChordRouteQueryAns;
  ping_req: PingReq;
  ping_ans: PingAns;
  stat_req: StatReq;
  stat_ans: StatAns;
  app_attach_req: AppAttachReq;
  app_attach_ans: AppAttachAns;
  config_update_req: ConfigUpdateReq;
  config_update_ans: EmptyBody;
  path_track_req: PathTrackReq;
  path_track_ans: PathTrackAns;
  error: ErrorResponse;
}
export type KnownBodyName = keyof MessageBodies;

/** A decoded body: the registry name and the typed structure, or the raw bytes of a code we do not know. */
export type MessageBody =
  | { [K in KnownBodyName]: { readonly name: K; readonly value: MessageBodies[K] } }[KnownBodyName]
  | { readonly name: 'unknown'; readonly code: number; readonly raw: Uint8Array };

interface BodyCodec<T> {
  read(r: Reader, ctx: BodyContext): T;
  write(w: Writer, v: T, ctx: BodyContext): void;
}

const empty = (structure: string): BodyCodec<EmptyBody> => ({
  read: (r) => r.scope(structure, () => ({})),
  write: () => {},
});

const chordLeaveReq: BodyCodec<ChordLeaveReq> = {
  read: (r) =>
    r.scope('LeaveReq', () => {
      const leavingPeerId = readNodeId(r, 'leavingPeerId');
      const length = r.length('overlaySpecificData', 2);
      const start = r.offset;
      // RFC 6940 §10.9: a chord-reload LeaveReq carries ChordLeaveData in overlay_specific_data.
      const chordLeaveData = length > 0 ? r.sub('overlaySpecificData', length, readChordLeaveData) : undefined;
      const overlaySpecificData = r.bytes.slice(start, start + length);
      return chordLeaveData ? { leavingPeerId, overlaySpecificData, chordLeaveData } : { leavingPeerId, overlaySpecificData };
    }),
  write: (w, v) => writeLeaveReq(w, { leavingPeerId: v.leavingPeerId, overlaySpecificData: v.overlaySpecificData }),
};

const codecs: { [K in KnownBodyName]: BodyCodec<MessageBodies[K]> } = {
  probe_req: { read: readProbeReq, write: writeProbeReq },
  probe_ans: { read: readProbeAns, write: writeProbeAns },
  attach_req: { read: readAttachReqAns, write: writeAttachReqAns },
  attach_ans: { read: readAttachReqAns, write: writeAttachReqAns },
  store_req: { read: (r, c) => readStoreReq(r, c.kinds), write: (w, v, c) => writeStoreReq(w, v, c.kinds) },
  store_ans: { read: readStoreAns, write: writeStoreAns },
  fetch_req: { read: (r, c) => readFetchReq(r, c.kinds), write: (w, v, c) => writeFetchReq(w, v, c.kinds) },
  fetch_ans: { read: (r, c) => readFetchAns(r, c.kinds), write: (w, v, c) => writeFetchAns(w, v, c.kinds) },
  find_req: { read: readFindReq, write: writeFindReq },
  find_ans: { read: readFindAns, write: writeFindAns },
  join_req: { read: readJoinReq, write: writeJoinReq },
  join_ans: { read: readJoinAns, write: writeJoinAns },
  leave_req: chordLeaveReq,
  leave_ans: empty('LeaveAns'),
  update_req: { read: readChordUpdate, write: writeChordUpdate },
  update_ans: empty('UpdateAns'),
  route_query_req: { read: readRouteQueryReq, write: writeRouteQueryReq },
  route_query_ans: { read: readChordRouteQueryAns, write: writeChordRouteQueryAns },
  ping_req: { read: readPingReq, write: writePingReq },
  ping_ans: { read: readPingAns, write: writePingAns },
  stat_req: { read: (r, c) => readStatReq(r, c.kinds), write: (w, v, c) => writeStatReq(w, v, c.kinds) },
  stat_ans: { read: (r, c) => readStatAns(r, c.kinds), write: (w, v, c) => writeStatAns(w, v, c.kinds) },
  app_attach_req: { read: readAppAttachReq, write: writeAppAttachReq },
  app_attach_ans: { read: readAppAttachAns, write: writeAppAttachAns },
  config_update_req: { read: readConfigUpdateReq, write: writeConfigUpdateReq },
  config_update_ans: empty('ConfigUpdateAns'),
  path_track_req: { read: readPathTrackReq, write: writePathTrackReq },
  path_track_ans: { read: readPathTrackAns, write: writePathTrackAns },
  error: { read: readErrorResponse, write: writeErrorResponse },
};

function isKnown(name: MessageCodeName | undefined): name is KnownBodyName {
  return name !== undefined && name in codecs;
}

/**
 * Decode a message_body by its message_code. A code we have no structure for (unassigned,
 * reserved, experimental) is returned raw; deciding what to answer is the transport's job
 * (`answerForUnknownMessageCode`). Throws only DecodeError (UnknownKindError for an unknown kind).
 * @param baseOffset where the body starts in the whole message, so errors carry absolute offsets
 */
export function decodeMessageBody(code: number, body: Uint8Array, ctx: BodyContext = defaultBodyContext, baseOffset = 0, owned = false): MessageBody {
  const name = messageCodeName(code);
  if (!isKnown(name)) return { name: 'unknown', code, raw: owned ? body : body.slice() };
  const codec = codecs[name] as BodyCodec<unknown>;
  const value = decodeAll(body, BODY_STRUCTURE_NAMES[name], (r) => codec.read(r, ctx), baseOffset, owned);
  return { name, value } as MessageBody;
}

/** Write a body straight into `w` (no intermediate buffer); returns its message_code. */
export function writeMessageBody(w: Writer, body: MessageBody, ctx: BodyContext = defaultBodyContext): number {
  if (body.name === 'unknown') {
    w.bytes(body.raw);
    return body.code;
  }
  (codecs[body.name] as BodyCodec<unknown>).write(w, body.value, ctx);
  return MessageCode[body.name];
}

/** Encode a body; returns the message_code with it. */
export function encodeMessageBody(body: MessageBody, ctx: BodyContext = defaultBodyContext): { code: number; bytes: Uint8Array } {
  let code = 0;
  const bytes = encodeWith((w) => {
    code = writeMessageBody(w, body, ctx);
  });
  return { code, bytes };
}

/** The RFC structure name of each body, so error paths start with it (`StoreReq.…`). */
const BODY_STRUCTURE_NAMES: { [K in KnownBodyName]: string } = {
  probe_req: 'ProbeReq',
  probe_ans: 'ProbeAns',
  attach_req: 'AttachReqAns',
  attach_ans: 'AttachReqAns',
  store_req: 'StoreReq',
  store_ans: 'StoreAns',
  fetch_req: 'FetchReq',
  fetch_ans: 'FetchAns',
  find_req: 'FindReq',
  find_ans: 'FindAns',
  join_req: 'JoinReq',
  join_ans: 'JoinAns',
  leave_req: 'LeaveReq',
  leave_ans: 'LeaveAns',
  update_req: 'ChordUpdate',
  update_ans: 'UpdateAns',
  route_query_req: 'RouteQueryReq',
  route_query_ans: 'ChordRouteQueryAns',
  ping_req: 'PingReq',
  ping_ans: 'PingAns',
  stat_req: 'StatReq',
  stat_ans: 'StatAns',
  app_attach_req: 'AppAttachReq',
  app_attach_ans: 'AppAttachAns',
  config_update_req: 'ConfigUpdateReq',
  config_update_ans: 'ConfigUpdateAns',
  path_track_req: 'PathTrackReq',
  path_track_ans: 'PathTrackAns',
  error: 'ErrorResponse',
};
