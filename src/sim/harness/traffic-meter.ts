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
import { FramedMessageType } from '../../reload/wire/framing.js';
import { MessageCode, messageCodeName } from '../../reload/wire/message-codes.js';

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

/** Classifies frames; remembers recent transaction ids so error answers and fragments find their class. */
export class FrameClassifier {
  private recent = new Map<string, FrameClassification>();
  private older = new Map<string, FrameClassification>();
  private rotatedAt = 0;

  classify(bytes: Uint8Array, at: number): FrameClassification {
    const type = bytes[0];
    if (type === FramedMessageType.ack) return { cls: 'upkeep', label: 'framing_ack', carriesMessage: false };
    if (type !== FramedMessageType.data || bytes.length < 8) return { cls: 'other', label: 'unknown', carriesMessage: false };
    if (bytes.length === 8) return { cls: 'upkeep', label: 'framing_probe', carriesMessage: false };
    const m = bytes.subarray(8);
    if (m.length < FORWARDING_HEADER_FIXED_SIZE) return { cls: 'other', label: 'unknown', carriesMessage: true };
    const view = new DataView(m.buffer, m.byteOffset, m.byteLength);
    if (view.getUint32(0) !== RELO_TOKEN) return { cls: 'other', label: 'unknown', carriesMessage: true };
    if (at - this.rotatedAt >= TRANSACTION_MEMORY_MS) {
      this.older = this.recent;
      this.recent = new Map();
      this.rotatedAt = at;
    }
    const txKey = () => `${view.getUint32(20)}:${view.getUint32(24)}`;
    const fragmentOffset = view.getUint32(12) & 0xffffff;
    const codeAt = FORWARDING_HEADER_FIXED_SIZE + view.getUint16(32) + view.getUint16(34) + view.getUint16(36);
    if (fragmentOffset !== 0 || codeAt + 2 > m.length) {
      const key = txKey();
      const known = this.recent.get(key) ?? this.older.get(key);
      return known ? { ...known, label: 'fragment' } : { cls: 'other', label: 'fragment', carriesMessage: true };
    }
    const code = view.getUint16(codeAt);
    const label = messageCodeName(code) ?? 'unknown';
    if (code === MessageCode.error) {
      const key = txKey();
      const known = this.recent.get(key) ?? this.older.get(key);
      return { cls: known?.cls ?? 'other', label, carriesMessage: true };
    }
    const c: FrameClassification = { cls: classOfCode(code), label, carriesMessage: true };
    // Remember requests (odd codes, §6.3.3) and fragmented messages: error answers and later fragments look them up.
    if (code % 2 === 1 || (view.getUint32(12) & 0x40000000) === 0) {
      const key = txKey();
      if (!this.recent.has(key)) this.recent.set(key, c);
    }
    return c;
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
