/**
 * Counts the traffic of a memory network by purpose, from the bytes on the links: every frame is a
 * FramedMessage (RFC 6940 §6.6.2), a `data` frame carries one RELOAD message or fragment whose
 * message_code (§6.3.3) names what it is for. Classes:
 * - `upkeep`: keeping the overlay and its links up — Chord and overlay maintenance (probe,
 *   attach, join, leave, update, route_query, ping, config_update, path_track), framing acks and
 *   link probes (empty data frames);
 * - `workload`: storage (store, fetch, stat, find). OUR CHOICE: replication and data hand-over
 *   (§10.7.4, §7) travel as store_req and count here: the code cannot tell them from a client's Store;
 * - `other`: anything else (app_attach, unknown codes, frames that are not FramedMessages).
 * Error answers (code 0xffff) and non-first fragments take the class of the message with the same
 * transaction id seen before. Bytes are counted once, when a frame is sent (lost frames included).
 */
import type { MemoryFrame } from '../../reload/links/memory/index.js';
import { FORWARDING_HEADER_FIXED_SIZE, RELO_TOKEN } from '../../reload/wire/forwarding-header.js';
import { DATA_FRAME_HEADER_SIZE, FramedMessageType } from '../../reload/wire/framing.js';
import { MessageCode, messageCodeName } from '../../reload/wire/message-codes.js';
import { readU16, readU32 } from '../../reload/wire/codec/network-order.js';

export type TrafficClass = 'upkeep' | 'workload' | 'other';

export const TRAFFIC_CLASSES: readonly TrafficClass[] = ['upkeep', 'workload', 'other'];

/** Frames, bytes and RELOAD messages (or fragments) of one class or code. */
export interface TrafficFigures {
  frames: number;
  bytes: number;
  /** RELOAD messages or fragments carried (acks and link probes carry none). */
  messages: number;
}

export interface TrafficCounts {
  readonly total: TrafficFigures;
  readonly byClass: Readonly<Record<TrafficClass, TrafficFigures>>;
  /** By message code name (`update_req`, `store_ans`, `error`), `framing_ack`, `framing_probe`, `fragment`, `unknown`. */
  readonly byCode: Readonly<Record<string, TrafficFigures>>;
}

const UPKEEP_PREFIXES = ['probe', 'attach', 'join', 'leave', 'update', 'route_query', 'ping', 'config_update', 'path_track'];
const WORKLOAD_PREFIXES = ['store', 'fetch', 'stat', 'find'];

/** The class of a message code (0xffff `error` and unknown codes: `other`). */
export function classOfCode(code: number): TrafficClass {
  const name = messageCodeName(code);
  if (!name || code === MessageCode.error) return 'other';
  const stem = name.replace(/_(req|ans)$/, '');
  if (UPKEEP_PREFIXES.includes(stem)) return 'upkeep';
  if (WORKLOAD_PREFIXES.includes(stem)) return 'workload';
  return 'other';
}

/** What one frame is: its class and a label (code name or framing_ack/framing_probe/fragment/unknown). */
export interface FrameClassification {
  readonly cls: TrafficClass;
  readonly label: string;
  readonly carriesMessage: boolean;
}

/** How long (virtual ms) a transaction id is remembered for error answers and fragments. */
const TRANSACTION_MEMORY_MS = 120_000;

// Classifications are shared, immutable values: classifying a frame allocates nothing.
const classification = (cls: TrafficClass, label: string, carriesMessage: boolean): FrameClassification => Object.freeze({ cls, label, carriesMessage });
const FRAMING_ACK = classification('upkeep', 'framing_ack', false);
const FRAMING_PROBE = classification('upkeep', 'framing_probe', false);
const UNKNOWN_FRAME = classification('other', 'unknown', false);
const UNKNOWN_MESSAGE = classification('other', 'unknown', true);
const byClass = (label: string) => ({ upkeep: classification('upkeep', label, true), workload: classification('workload', label, true), other: classification('other', label, true) });
const FRAGMENT = byClass('fragment');
const ERROR = byClass(messageCodeName(MessageCode.error) ?? 'error');
const CLASS_INDEX: Readonly<Record<TrafficClass, number>> = { upkeep: 0, workload: 1, other: 2 };
/** The classification of a complete message by its code, made once per code. */
const byCode = new Map<number, FrameClassification>();

function ofCode(code: number): FrameClassification {
  let c = byCode.get(code);
  if (c === undefined) byCode.set(code, (c = classification(classOfCode(code), messageCodeName(code) ?? 'unknown', true)));
  return c;
}

/**
 * Transaction ids (§6.3.2, 64 bits: `hi`, `lo`) and the class of the message first seen with
 * each. Keyed by the low half with the high half and the class in the value (no key string per
 * request); a second id with the same low half goes to `clashes`.
 */
class TransactionClasses {
  private readonly byLow = new Map<number, number>();
  private readonly clashes = new Map<string, TrafficClass>();

  get(hi: number, lo: number): TrafficClass | undefined {
    const v = this.byLow.get(lo | 0);
    if (v !== undefined && Math.floor(v / 4) === hi) return TRAFFIC_CLASSES[v % 4];
    return this.clashes.size === 0 ? undefined : this.clashes.get(`${hi}:${lo}`);
  }

  /** Remember `cls` for the id unless it is known already. */
  remember(hi: number, lo: number, cls: TrafficClass): void {
    const v = this.byLow.get(lo | 0);
    if (v === undefined) this.byLow.set(lo | 0, hi * 4 + CLASS_INDEX[cls]);
    else if (Math.floor(v / 4) !== hi) {
      const key = `${hi}:${lo}`;
      if (!this.clashes.has(key)) this.clashes.set(key, cls);
    }
  }
}

/** Classifies frames; remembers recent transaction ids so error answers and fragments find their class. */
export class FrameClassifier {
  private recent = new TransactionClasses();
  private older = new TransactionClasses();
  private rotatedAt = 0;

  classify(bytes: Uint8Array, at: number): FrameClassification {
    const type = bytes[0];
    if (type === FramedMessageType.ack) return FRAMING_ACK;
    if (type !== FramedMessageType.data || bytes.length < DATA_FRAME_HEADER_SIZE) return UNKNOWN_FRAME;
    if (bytes.length === DATA_FRAME_HEADER_SIZE) return FRAMING_PROBE;
    // The message starts after the data frame's 8 bytes of header (§6.6.2).
    const m = DATA_FRAME_HEADER_SIZE;
    if (bytes.length - m < FORWARDING_HEADER_FIXED_SIZE || readU32(bytes, m) !== RELO_TOKEN) return UNKNOWN_MESSAGE;
    if (at - this.rotatedAt >= TRANSACTION_MEMORY_MS) {
      this.older = this.recent;
      this.recent = new TransactionClasses();
      this.rotatedAt = at;
    }
    const hi = readU32(bytes, m + 20);
    const lo = readU32(bytes, m + 24);
    const fragment = readU32(bytes, m + 12);
    const codeAt = m + FORWARDING_HEADER_FIXED_SIZE + readU16(bytes, m + 32) + readU16(bytes, m + 34) + readU16(bytes, m + 36);
    if ((fragment & 0xffffff) !== 0 || codeAt + 2 > bytes.length) {
      const known = this.known(hi, lo);
      return known ? FRAGMENT[known] : FRAGMENT.other;
    }
    const code = readU16(bytes, codeAt);
    if (code === MessageCode.error) return ERROR[this.known(hi, lo) ?? 'other'];
    const c = ofCode(code);
    // Remember requests (odd codes, §6.3.3) and fragmented messages: error answers and later fragments look them up.
    if (code % 2 === 1 || (fragment & 0x40000000) === 0) this.recent.remember(hi, lo, c.cls);
    return c;
  }

  private known(hi: number, lo: number): TrafficClass | undefined {
    return this.recent.get(hi, lo) ?? this.older.get(hi, lo);
  }
}

const zero = (): TrafficFigures => ({ frames: 0, bytes: 0, messages: 0 });

function add(f: TrafficFigures, bytes: number, message: boolean): void {
  f.frames++;
  f.bytes += bytes;
  if (message) f.messages++;
}

/** Meters the traffic of a network (anything with MemoryNetwork's `tap`). */
export class TrafficMeter {
  private readonly classifier = new FrameClassifier();
  private readonly total = zero();
  private readonly byClass: Record<TrafficClass, TrafficFigures> = { upkeep: zero(), workload: zero(), other: zero() };
  private readonly byCode = new Map<string, TrafficFigures>();
  private readonly untap: () => void;

  constructor(network: { tap(fn: (frame: MemoryFrame) => void): () => void }) {
    this.untap = network.tap((f) => this.count(f.bytes, f.at));
  }

  /** Count one frame (the tap does this for every frame sent). */
  count(bytes: Uint8Array, at: number): void {
    const c = this.classifier.classify(bytes, at);
    add(this.total, bytes.length, c.carriesMessage);
    add(this.byClass[c.cls], bytes.length, c.carriesMessage);
    let f = this.byCode.get(c.label);
    if (!f) this.byCode.set(c.label, (f = zero()));
    add(f, bytes.length, c.carriesMessage);
  }

  /** A copy of the counts so far. */
  snapshot(): TrafficCounts {
    return {
      total: { ...this.total },
      byClass: { upkeep: { ...this.byClass.upkeep }, workload: { ...this.byClass.workload }, other: { ...this.byClass.other } },
      byCode: Object.fromEntries([...this.byCode].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([k, v]) => [k, { ...v }])),
    };
  }

  close(): void {
    this.untap();
  }
}

/** The traffic between two snapshots (`later` − `earlier`). */
export function trafficBetween(earlier: TrafficCounts, later: TrafficCounts): TrafficCounts {
  const sub = (a: TrafficFigures | undefined, b: TrafficFigures): TrafficFigures => ({
    frames: b.frames - (a?.frames ?? 0),
    bytes: b.bytes - (a?.bytes ?? 0),
    messages: b.messages - (a?.messages ?? 0),
  });
  const byCode: Record<string, TrafficFigures> = {};
  for (const [k, v] of Object.entries(later.byCode)) {
    const d = sub(earlier.byCode[k], v);
    if (d.frames > 0) byCode[k] = d;
  }
  return {
    total: sub(earlier.total, later.total),
    byClass: {
      upkeep: sub(earlier.byClass.upkeep, later.byClass.upkeep),
      workload: sub(earlier.byClass.workload, later.byClass.workload),
      other: sub(earlier.byClass.other, later.byClass.other),
    },
    byCode,
  };
}
