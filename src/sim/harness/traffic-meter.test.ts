import { describe, expect, it } from 'vitest';
import type { MemoryFrame } from '../../reload/links/memory/index.js';
import { encodeFramedMessage } from '../../reload/wire/framing.js';
import { MessageCode } from '../../reload/wire/message-codes.js';
import { classOfCode, FrameClassifier, trafficBetween, TrafficMeter } from './traffic-meter.js';

/**
 * The start of a RELOAD message as RFC 6940 §6.3.2 lays it out (38 fixed bytes of forwarding
 * header, then the lists) followed by MessageContents' message_code (§6.3.3); the classifier
 * reads no further, so the rest is left out.
 */
function message(code: number, opts: { tx?: number; txHigh?: number; fragmentOffset?: number; via?: number } = {}): Uint8Array {
  const via = opts.via ?? 0;
  const b = new Uint8Array(38 + via + 2 + 4);
  const v = new DataView(b.buffer);
  v.setUint32(0, 0xd2454c4f); // relo_token
  v.setUint32(4, 0x0c0ffee0); // overlay
  v.setUint16(8, 0); // configuration_sequence
  v.setUint8(10, 0x0a); // version
  v.setUint8(11, 100); // ttl
  v.setUint32(12, (0xc0000000 | (opts.fragmentOffset ?? 0)) >>> 0); // fragment
  v.setUint32(16, b.length); // length
  v.setUint32(20, opts.txHigh ?? 0); // transaction_id, high half
  v.setUint32(24, opts.tx ?? 1); // transaction_id, low half
  v.setUint32(28, 0); // max_response_length
  v.setUint16(32, via); // via_list_length
  v.setUint16(34, 0); // destination_list_length
  v.setUint16(36, 0); // options_length
  v.setUint16(38 + via, code); // message_code
  return b;
}

const data = (m: Uint8Array) => encodeFramedMessage({ kind: 'data', sequence: 0, message: m });
const ack = encodeFramedMessage({ kind: 'ack', ackSequence: 0, received: 0 });
const probe = encodeFramedMessage({ kind: 'data', sequence: 1, message: new Uint8Array(0) });

describe('traffic classes', () => {
  it.each([
    ['update_req', 'upkeep'],
    ['update_ans', 'upkeep'],
    ['ping_req', 'upkeep'],
    ['probe_ans', 'upkeep'],
    ['route_query_req', 'upkeep'],
    ['attach_req', 'upkeep'],
    ['join_ans', 'upkeep'],
    ['leave_req', 'upkeep'],
    ['store_req', 'workload'],
    ['fetch_ans', 'workload'],
    ['stat_req', 'workload'],
    ['find_req', 'workload'],
    ['app_attach_req', 'other'],
    ['error', 'other'],
  ] as const)('%s is %s', (name, cls) => {
    expect(classOfCode(MessageCode[name])).toBe(cls);
  });

  it('classifies frames: acks and probes are upkeep, messages by code, errors and fragments by transaction', () => {
    const c = new FrameClassifier();
    expect(c.classify(ack, 0)).toEqual({ cls: 'upkeep', label: 'framing_ack', carriesMessage: false });
    expect(c.classify(probe, 0)).toEqual({ cls: 'upkeep', label: 'framing_probe', carriesMessage: false });
    expect(c.classify(data(message(MessageCode.fetch_req, { tx: 7, via: 17 })), 0)).toEqual({ cls: 'workload', label: 'fetch_req', carriesMessage: true });
    expect(c.classify(data(message(MessageCode.error, { tx: 7 })), 10)).toEqual({ cls: 'workload', label: 'error', carriesMessage: true });
    expect(c.classify(data(message(MessageCode.update_req, { tx: 8 })), 20)).toMatchObject({ cls: 'upkeep', label: 'update_req' });
    // A later fragment has no message code at its start: it takes its transaction's class.
    expect(c.classify(data(message(0x4242, { tx: 8, fragmentOffset: 1200 })), 30)).toEqual({ cls: 'upkeep', label: 'fragment', carriesMessage: true });
    expect(c.classify(data(message(MessageCode.error, { tx: 99 })), 40)).toMatchObject({ cls: 'other', label: 'error' });
    expect(c.classify(Uint8Array.of(1, 2, 3), 50)).toMatchObject({ cls: 'other', label: 'unknown' });
  });

  it('tells apart transaction ids that share a half (all 64 bits name a transaction)', () => {
    const c = new FrameClassifier();
    const halves = [0, 1, 0x7fffffff, 0x80000000, 0xffffffff];
    // Every pair of halves is a transaction: the store requests on even high halves, updates on odd ones.
    const cls = (hi: number) => (halves.indexOf(hi) % 2 === 0 ? 'workload' : 'upkeep');
    for (const hi of halves) for (const lo of halves) c.classify(data(message(cls(hi) === 'workload' ? MessageCode.store_req : MessageCode.update_req, { txHigh: hi, tx: lo })), 0);
    for (const hi of halves) for (const lo of halves) expect(c.classify(data(message(MessageCode.error, { txHigh: hi, tx: lo })), 10).cls).toBe(cls(hi));
    // A request seen again keeps the class it was first seen with; an unknown id is `other`.
    c.classify(data(message(MessageCode.update_req, { txHigh: 0, tx: 1 })), 20);
    expect(c.classify(data(message(MessageCode.error, { txHigh: 0, tx: 1 })), 30).cls).toBe('workload');
    expect(c.classify(data(message(MessageCode.error, { txHigh: 2, tx: 1 })), 30).cls).toBe('other');
    expect(c.classify(data(message(0x4242, { txHigh: 0xffffffff, tx: 0, fragmentOffset: 100 })), 40)).toEqual({ cls: 'workload', label: 'fragment', carriesMessage: true });
  });

  it('forgets transaction ids after a few minutes (bounded memory)', () => {
    const c = new FrameClassifier();
    c.classify(data(message(MessageCode.store_req, { tx: 5 })), 0);
    expect(c.classify(data(message(MessageCode.error, { tx: 5 })), 150_000).cls).toBe('workload');
    expect(c.classify(data(message(MessageCode.error, { tx: 5 })), 300_000).cls).toBe('other');
  });

  it('meters frames from a tap and diffs snapshots', () => {
    let emit: (f: MemoryFrame) => void = () => {};
    const network = { tap: (fn: (f: MemoryFrame) => void) => ((emit = fn), () => (emit = () => {})) };
    const meter = new TrafficMeter(network);
    const frame = (bytes: Uint8Array, at = 0): MemoryFrame => ({ at, from: 'a', to: 'b', bytes, dropped: false });
    emit(frame(data(message(MessageCode.update_req))));
    const before = meter.snapshot();
    const upd = data(message(MessageCode.update_req, { tx: 2 }));
    const store = data(message(MessageCode.store_req, { tx: 3 }));
    emit(frame(upd));
    emit(frame(ack));
    emit(frame(store));
    const diff = trafficBetween(before, meter.snapshot());
    expect(diff.total).toEqual({ frames: 3, bytes: upd.length + ack.length + store.length, messages: 2 });
    expect(diff.byClass.upkeep).toEqual({ frames: 2, bytes: upd.length + ack.length, messages: 1 });
    expect(diff.byClass.workload).toEqual({ frames: 1, bytes: store.length, messages: 1 });
    expect(Object.keys(diff.byCode)).toEqual(['framing_ack', 'store_req', 'update_req']);
    meter.close();
    emit(frame(store));
    expect(meter.snapshot().total.frames).toBe(4);
  });
});
