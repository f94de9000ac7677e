import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { DecodeError } from './codec/decode-error.js';
import { toHex } from './codec/hex.js';
import { decodeForwardedMessage, decodeForwardingHeaderOnly, encodeForwardedMessage, encodeWithForwardingHeader, type ForwardedMessage } from './forwarded-message.js';
import { RELOAD_VERSION, UNFRAGMENTED, fragmentField } from './forwarding-header.js';
import {
  MIN_FRAGMENT_BODY,
  REASSEMBLY_TIMEOUT_MS,
  Reassembler,
  fragmentMessage,
  maxFragmentSizeForPmtu,
} from './fragmentation.js';
import { arbEnvelopeMessageContents, arbForwardedMessage, arbMessageContents } from './testing/envelope.arb.js';
import { expectOnlyDecodeError } from './testing/codec-test-kit.js';

const NODE = new Uint8Array(16).fill(0x11);

/** A store_req-shaped message of exactly `total` bytes (header 56, contents 10 + body, security block 9), relayed by `via` (18 bytes each). */
function messageOfSize(total: number, transactionId = 0x0102030405060708n, via: readonly Uint8Array[] = []): Uint8Array {
  const fixed = 56 + 18 * via.length + 10 + 9;
  const m: ForwardedMessage = {
    forwardingHeader: {
      overlay: 0x01020304,
      configurationSequence: 1,
      version: RELOAD_VERSION,
      ttl: 100,
      fragment: UNFRAGMENTED,
      length: 0,
      transactionId,
      maxResponseLength: 0,
      viaList: via.map((nodeId) => ({ kind: 'node' as const, nodeId })),
      destinationList: [{ kind: 'node', nodeId: NODE }],
      options: [],
    },
    messageContents: {
      messageCode: 0x0007,
      messageBody: Uint8Array.from({ length: total - fixed }, (_, i) => i & 0xff),
      extensions: [],
    },
    securityBlock: { certificates: [], signature: { algorithm: { hash: 4, signature: 1 }, identity: { identityType: 3 }, signatureValue: new Uint8Array(0) } },
  };
  const b = encodeForwardedMessage(m);
  expect(b.length).toBe(total);
  return b;
}

/** `fragment` and `length` of an encoded fragment, as hex (bytes 12..19 of the header). */
const fragmentAndLength = (b: Uint8Array): string => toHex(b.slice(12, 20));

describe('fragmentMessage (RFC 6940 §6.7)', () => {
  it('leaves a message that fits alone', () => {
    const m = messageOfSize(500);
    expect(fragmentMessage(m, 500)).toEqual([m]);
  });

  it('splits 2000 bytes at 600 into four equal pieces (fragment-field table)', () => {
    const m = messageOfSize(2000); // body after the 56-byte header: 1944 bytes = 4 × 486
    const parts = fragmentMessage(m, 600);
    // fragment (high bit | last bit | offset) and length of each piece, written by hand:
    expect(parts.map(fragmentAndLength)).toEqual([
      '80000000' + '0000021e', // offset 0, not last, 56 + 486 = 542 bytes
      '800001e6' + '0000021e', // offset 486
      '800003cc' + '0000021e', // offset 972
      'c00005b2' + '0000021e', // offset 1458, last fragment
    ]);
    for (const p of parts) {
      // Every piece repeats the whole header except fragment and length.
      expect(toHex(p.slice(0, 12))).toBe(toHex(m.slice(0, 12)));
      expect(toHex(p.slice(20, 56))).toBe(toHex(m.slice(20, 56)));
      expect(p.length).toBeLessThanOrEqual(600);
      expect(p.length - 56).toBeGreaterThanOrEqual(MIN_FRAGMENT_BODY);
    }
    expect(toHex(Uint8Array.from(parts.flatMap((p) => [...p.slice(56)])))).toBe(toHex(m.slice(56)));
  });

  it('spreads a remainder over the first pieces (1001 bytes of body at 400 bytes of room)', () => {
    const m = messageOfSize(56 + 1001);
    const parts = fragmentMessage(m, 56 + 400);
    expect(parts.map((p) => p.length - 56)).toEqual([334, 334, 333]);
    expect(parts.map((p) => decodeForwardingHeaderOnly(p).header.fragment)).toEqual([0x80000000, 0x8000014e, 0xc000029c]);
  });

  it('does not fragment when a piece would hold under 256 bytes of body (IP fragmentation instead)', () => {
    const m = messageOfSize(56 + 1000);
    expect(fragmentMessage(m, 56 + 255)).toEqual([m]); // room for less than 256 bytes
    expect(fragmentMessage(m, 56 + 300)).toEqual([m]); // 4 pieces of 250 bytes
    expect(fragmentMessage(m, 56 + 500)).toHaveLength(2);
  });

  it('refragments a piece: offsets continue, the last bit only where the input had it', () => {
    const m = messageOfSize(56 + 2000);
    const [first, second] = fragmentMessage(m, 56 + 1000);
    expect(first && second).toBeTruthy();
    if (!first || !second) return;
    expect(decodeForwardingHeaderOnly(second).header.fragment).toBe(0xc00003e8);
    expect(fragmentMessage(first, 56 + 500).map((p) => decodeForwardingHeaderOnly(p).header.fragment)).toEqual([0x80000000, 0x800001f4]);
    expect(fragmentMessage(second, 56 + 500).map((p) => decodeForwardingHeaderOnly(p).header.fragment)).toEqual([0x800003e8, 0xc00005dc]);
  });

  it('allows 32 bytes for the via list to grow', () => {
    expect(maxFragmentSizeForPmtu(1200)).toBe(1168);
  });

  it('rejects input that is not a RELOAD message', () => {
    expect(() => fragmentMessage(new Uint8Array(1000), 500)).toThrow(DecodeError);
  });
});

describe('Reassembler', () => {
  const m = messageOfSize(2000);
  const parts = fragmentMessage(m, 600);
  const [p0, p1, p2, p3] = parts as [Uint8Array, Uint8Array, Uint8Array, Uint8Array];

  it('passes a whole message straight through', () => {
    const r = new Reassembler();
    expect(r.add(messageOfSize(300), 0)).toEqual({ status: 'complete', message: messageOfSize(300) });
    expect(r.pendingMessages).toBe(0);
  });

  it('reassembles in order into the original bytes', () => {
    const r = new Reassembler();
    expect(r.add(p0, 0).status).toBe('pending');
    expect(r.add(p1, 1).status).toBe('pending');
    expect(r.add(p2, 2).status).toBe('pending');
    const done = r.add(p3, 3);
    expect(done.status).toBe('complete');
    if (done.status === 'complete') {
      expect(toHex(done.message)).toBe(toHex(m));
      expect(decodeForwardedMessage(done.message).forwardingHeader.length).toBe(2000);
    }
    expect(r.pendingMessages).toBe(0);
    expect(r.pendingBytes).toBe(0);
  });

  it('reassembles out of order (last first)', () => {
    const r = new Reassembler();
    for (const p of [p3, p1, p0]) expect(r.add(p, 0).status).toBe('pending');
    const done = r.add(p2, 0);
    expect(done.status === 'complete' && toHex(done.message) === toHex(m)).toBe(true);
  });

  it('ignores exact duplicates', () => {
    const r = new Reassembler();
    r.add(p0, 0);
    expect(r.add(p0, 1)).toEqual({ status: 'duplicate' });
    r.add(p3, 2);
    expect(r.add(p3, 2)).toEqual({ status: 'duplicate' });
    r.add(p1, 3);
    expect(r.add(p2, 4).status).toBe('complete');
  });

  it('fills in from a retransmission cut at other places (another path, §6.7), where the bytes agree', () => {
    const r = new Reassembler();
    expect(r.add(p0, 0).status).toBe('pending');
    const other = fragmentMessage(m, 1100); // two pieces of 972 bytes: the first covers p0 and more
    expect(r.add(other[0] as Uint8Array, 1).status).toBe('pending');
    // Held: p0's 486 body bytes, then the 486 more of other[0] (one header).
    expect(r.pendingBytes).toBe(972 + 56);
    const done = r.add(other[1] as Uint8Array, 2);
    expect(done.status === 'complete' && toHex(done.message) === toHex(m)).toBe(true);
    expect(r.pendingBytes).toBe(0);
  });

  it('takes a piece wholly inside what it holds as a duplicate', () => {
    const r = new Reassembler();
    const other = fragmentMessage(m, 1100);
    r.add(other[0] as Uint8Array, 0);
    expect(r.add(p1, 1)).toEqual({ status: 'duplicate' });
    expect(r.pendingBytes).toBe(972 + 56);
  });

  it('rejects an overlapping piece whose bytes differ and drops the message', () => {
    const r = new Reassembler();
    r.add(p0, 0);
    const altered = (fragmentMessage(m, 1100)[0] as Uint8Array).slice();
    altered[100] = (altered[100] ?? 0) ^ 0xff; // inside p0's part
    expect(r.add(altered, 1)).toMatchObject({ status: 'rejected', reason: 'overlap' });
    expect(r.pendingMessages).toBe(0);
    expect(r.pendingBytes).toBe(0);
  });

  it('property: pieces of the first transmission that arrived, then a retransmission cut anywhere, make the message', () => {
    fc.assert(
      // Both below the message size (2,000 bytes): a retransmission that comes whole is complete by itself.
      fc.property(fc.integer({ min: 400, max: 1999 }), fc.integer({ min: 400, max: 1999 }), fc.array(fc.boolean(), { minLength: 8, maxLength: 8 }), fc.boolean(), (mtu1, mtu2, arrived, reversed) => {
        const r = new Reassembler();
        const first = fragmentMessage(m, mtu1);
        // Some of the first transmission's pieces arrive (not all: else it is complete already).
        const kept = first.filter((_, i) => arrived[i % arrived.length] && i < first.length - 1);
        for (const piece of kept) expect(r.add(piece, 0).status).toBe('pending');
        const second = fragmentMessage(m, mtu2);
        const order = reversed ? [...second].reverse() : second;
        // Fed until it completes (a piece after that would start a new partial, as any late duplicate does).
        let done: string | undefined;
        for (const piece of order) {
          const x = r.add(piece, 1);
          expect(x.status).not.toBe('rejected');
          if (x.status === 'complete') {
            done = toHex(x.message);
            break;
          }
        }
        expect(done).toBe(toHex(m));
        expect(r.pendingBytes).toBe(0);
      }),
      { numRuns: 200 },
    );
  });

  it('rejects a same-offset piece with different bytes', () => {
    const r = new Reassembler();
    r.add(p1, 0);
    const altered = p1.slice();
    altered[altered.length - 1] = (altered[altered.length - 1] ?? 0) ^ 0xff;
    expect(r.add(altered, 0)).toMatchObject({ status: 'rejected', reason: 'overlap' });
  });

  it('rejects inconsistent last fragments', () => {
    const r = new Reassembler();
    r.add(p3, 0); // message ends at 1944
    const shorter = fragmentMessage(messageOfSize(1500), 600); // same transaction id, ends earlier
    expect(r.add(shorter[shorter.length - 1] as Uint8Array, 0)).toMatchObject({ status: 'rejected', reason: 'inconsistent' });
    expect(r.pendingMessages).toBe(0);
  });

  it('rejects a last fragment that ends before a piece held reaches, the furthest held last', () => {
    const r = new Reassembler();
    // Held out of order, so the piece reaching furthest (p2) was not the last one added.
    for (const p of [p2, p0]) expect(r.add(p, 0).status).toBe('pending');
    const shorter = fragmentMessage(messageOfSize(1200), 600); // same transaction id, body ends at 1144, inside p2
    expect(r.add(shorter[shorter.length - 1] as Uint8Array, 0)).toMatchObject({ status: 'rejected', reason: 'inconsistent', detail: expect.stringContaining('a piece reaches') });
    expect(r.pendingMessages).toBe(0);
  });

  it('rejects a piece past a known end', () => {
    const r = new Reassembler();
    const small = fragmentMessage(messageOfSize(1200), 600); // 3 pieces, body ends at 1144
    expect(r.add(small[small.length - 1] as Uint8Array, 0).status).toBe('pending');
    expect(r.add(p2, 0)).toMatchObject({ status: 'rejected', reason: 'inconsistent' });
  });

  it('keeps messages from different sources apart', () => {
    const r = new Reassembler();
    r.add(p0, 0, 'link-a');
    r.add(p1, 0, 'link-b');
    expect(r.pendingMessages).toBe(2);
  });

  it('drops partial messages after the timeout (15 s by default)', () => {
    expect(REASSEMBLY_TIMEOUT_MS).toBe(15_000);
    const r = new Reassembler();
    r.add(p0, 1_000);
    r.add(p1, 15_999);
    expect(r.pendingMessages).toBe(1);
    expect(r.expire(16_000)).toBe(1);
    expect(r.pendingMessages).toBe(0);
    expect(r.pendingBytes).toBe(0);
    // The remaining pieces now start a new message that never completes.
    expect(r.add(p2, 16_001).status).toBe('pending');
    expect(r.add(p3, 16_002).status).toBe('pending');
  });

  it('a later fragment expires stale partials before it is added', () => {
    const r = new Reassembler({ timeoutMs: 100 });
    r.add(p0, 0);
    expect(r.add(p1, 100).status).toBe('pending');
    expect(r.pendingMessages).toBe(1);
    expect(r.pendingBytes).toBe(p1.length - 56);
  });

  it('bounds the number of concurrent messages', () => {
    const r = new Reassembler({ maxConcurrentMessages: 2 });
    const first = (tid: bigint) => fragmentMessage(messageOfSize(2000, tid), 600)[0] as Uint8Array;
    expect(r.add(first(1n), 0).status).toBe('pending');
    expect(r.add(first(2n), 0).status).toBe('pending');
    expect(r.add(first(3n), 0)).toMatchObject({ status: 'rejected', reason: 'too-many-messages' });
    expect(r.pendingMessages).toBe(2);
    // Pieces of messages already held are still accepted.
    expect(r.add(fragmentMessage(messageOfSize(2000, 1n), 600)[1] as Uint8Array, 0).status).toBe('pending');
  });

  it('bounds the bytes held in total', () => {
    const r = new Reassembler({ maxTotalBytes: 1500 });
    expect(r.add(p0, 0).status).toBe('pending'); // 56 + 486 held
    expect(r.add(p1, 0).status).toBe('pending'); // + 486 = 1028
    expect(r.add(p2, 0)).toMatchObject({ status: 'rejected', reason: 'out-of-memory' }); // + 486 > 1500: message dropped
    expect(r.pendingMessages).toBe(0);
    expect(r.pendingBytes).toBe(0);
  });

  it('bounds a message by max-message-size', () => {
    const r = new Reassembler({ maxMessageSize: 1999 });
    expect(r.add(p0, 0).status).toBe('pending');
    expect(r.add(p3, 0)).toMatchObject({ status: 'rejected', reason: 'too-large' });
    expect(r.pendingMessages).toBe(0);
  });

  it('measures max-message-size without the via list relays added (as route-decision.ts does)', () => {
    // 2000 bytes as its originator sent it; two relays added 36 bytes of via list on the way.
    const relayed = fragmentMessage(messageOfSize(2036, 9n, [new Uint8Array(16).fill(0x22), new Uint8Array(16).fill(0x33)]), 700);
    const r = new Reassembler({ maxMessageSize: 2000 });
    const results = relayed.map((piece) => r.add(piece, 0));
    expect(results.at(-1)).toMatchObject({ status: 'complete' });
    const over = fragmentMessage(messageOfSize(2037, 10n, [new Uint8Array(16).fill(0x22), new Uint8Array(16).fill(0x33)]), 700);
    expect(over.map((piece) => r.add(piece, 0).status)).toContain('rejected');
  });

  it('bounds the number of separate pieces per message (adjacent ones count once)', () => {
    const r = new Reassembler({ maxFragmentsPerMessage: 1 });
    for (const p of [p0, p1]) expect(r.add(p, 0).status).toBe('pending');
    expect(r.add(p3, 0)).toMatchObject({ status: 'rejected', reason: 'too-many-fragments' });
    expect(r.pendingBytes).toBe(0);
  });

  it('a retransmission filling the gaps between every other piece stays within the piece bound (adjacent pieces merge)', () => {
    // max-message-size 5000: at most ceil(5000 / 256) = 20 pieces per message (§6.7's smallest piece).
    const big = messageOfSize(5000);
    const first = fragmentMessage(big, 330); // 19 pieces of about 260 bytes
    expect(first).toHaveLength(19);
    const r = new Reassembler();
    for (const [i, piece] of first.entries()) if (i % 2 === 0 && i < first.length - 1) expect(r.add(piece, 0).status).toBe('pending');
    // Cut elsewhere (another path, §6.7): each gap is filled by parts of one or two pieces.
    let done: string | undefined;
    for (const piece of fragmentMessage(big, 456)) {
      const x = r.add(piece, 1);
      expect(x.status).not.toBe('rejected');
      if (x.status === 'complete') done = toHex(x.message);
    }
    expect(done).toBe(toHex(big));
    expect(r.pendingBytes).toBe(0);
  });

  it('pieces with gaps between them are held to maxFragmentsPerMessage separate runs; filling a gap joins two', () => {
    const r = new Reassembler({ maxFragmentsPerMessage: 4 });
    const header = decodeForwardingHeaderOnly(p0).header;
    const body = decodeForwardingHeaderOnly(m).payload;
    const piece = (at: number) => encodeWithForwardingHeader({ ...header, fragment: fragmentField(at, false) }, body.subarray(at, at + MIN_FRAGMENT_BODY));
    for (const at of [0, 300, 600, 900]) expect(r.add(piece(at), 0).status).toBe('pending');
    // 200..456 brings 256..300 only: the first two runs become one, room again.
    expect(r.add(piece(200), 0).status).toBe('pending');
    expect(r.add(piece(1200), 0).status).toBe('pending');
    expect(r.add(piece(1500), 0)).toMatchObject({ status: 'rejected', reason: 'too-many-fragments' });
    expect(r.pendingBytes).toBe(0);
  });

  it('refuses a non-last piece under 256 bytes of body (RFC 6940 §6.7) before holding anything', () => {
    // The review's flood: max-message-size 64,000, one-byte pieces in order from one link.
    const r = new Reassembler({ maxMessageSize: 64_000 });
    const big = messageOfSize(2000);
    const header = decodeForwardingHeaderOnly(fragmentMessage(big, 600)[0] as Uint8Array).header;
    const body = decodeForwardingHeaderOnly(big).payload;
    const tiny = (at: number) => encodeWithForwardingHeader({ ...header, fragment: fragmentField(at, false) }, body.subarray(at, at + 1));
    expect(r.add(tiny(0), 0)).toMatchObject({ status: 'rejected', reason: 'too-small' });
    for (let at = 1; at < 1000; at++) expect(r.add(tiny(at), 0).status).toBe('rejected');
    expect(r.pendingMessages).toBe(0);
    expect(r.pendingBytes).toBe(0);
    // 255 bytes is still short; 256 is a piece.
    const sized = (at: number, n: number) => encodeWithForwardingHeader({ ...header, fragment: fragmentField(at, false) }, body.subarray(at, at + n));
    expect(r.add(sized(0, MIN_FRAGMENT_BODY - 1), 0)).toMatchObject({ status: 'rejected', reason: 'too-small' });
    expect(r.add(sized(0, MIN_FRAGMENT_BODY), 0).status).toBe('pending');
  });

  it('pieces of 256 bytes that each bring one new byte are held to 4 × maxFragmentsPerMessage pieces per message', () => {
    // Every piece overlaps what is held and adds one byte at its end: one run, many pieces held.
    const r = new Reassembler({ maxFragmentsPerMessage: 2 });
    const big = messageOfSize(2000);
    const header = decodeForwardingHeaderOnly(fragmentMessage(big, 600)[0] as Uint8Array).header;
    const body = decodeForwardingHeaderOnly(big).payload;
    const sliding = (at: number) => encodeWithForwardingHeader({ ...header, fragment: fragmentField(at, false) }, body.subarray(at, at + MIN_FRAGMENT_BODY));
    for (let at = 0; at < 8; at++) expect(r.add(sliding(at), 0).status).toBe('pending');
    expect(r.add(sliding(8), 0)).toMatchObject({ status: 'rejected', reason: 'too-many-fragments' });
    expect(r.pendingBytes).toBe(0);
  });

  it('raises DecodeError for a malformed fragment header', () => {
    const r = new Reassembler();
    const bad = p0.slice();
    bad[0] = 0;
    expect(() => r.add(bad, 0)).toThrow(DecodeError);
  });
});

describe('fragmentation properties', () => {
  const bigMessages = arbForwardedMessage({
    messageContents: fc.oneof(arbMessageContents({ messageBody: fc.uint8Array({ minLength: 0, maxLength: 4000, size: 'max' }) }), arbEnvelopeMessageContents),
  });

  it('fragments in any order reassemble into the original bytes', () => {
    fc.assert(
      fc.property(bigMessages, fc.integer({ min: 0, max: 1200 }), fc.nat(), (msg, extra, seed) => {
        const bytes = encodeForwardedMessage(msg);
        const headerLength = decodeForwardingHeaderOnly(bytes, { maxMessageSize: 1e9 }).headerLength;
        const max = headerLength + MIN_FRAGMENT_BODY + extra;
        const parts = fragmentMessage(bytes, max);
        for (const p of parts) {
          if (parts.length > 1) expect(p.length).toBeLessThanOrEqual(max);
        }
        // Shuffle with a small LCG driven by the seed.
        const order = parts.slice();
        let s = seed;
        for (let i = order.length - 1; i > 0; i--) {
          s = (s * 1103515245 + 12345) % 2 ** 31;
          const j = s % (i + 1);
          [order[i], order[j]] = [order[j] as Uint8Array, order[i] as Uint8Array];
        }
        const r = new Reassembler({ maxMessageSize: 1e6 });
        let result = r.add(order[0] as Uint8Array, 0);
        for (const p of order.slice(1)) {
          expect(result.status).toBe('pending');
          result = r.add(p, 0);
        }
        expect(result.status).toBe('complete');
        if (result.status === 'complete') expect(toHex(result.message)).toBe(toHex(bytes));
        expect(r.pendingBytes).toBe(0);
      }),
      { numRuns: 150 },
    );
  });

  it('mutated fragments give a result or DecodeError, never anything else', () => {
    fc.assert(
      fc.property(bigMessages, fc.array(fc.tuple(fc.nat(), fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 6 }), (msg, edits) => {
        const bytes = encodeForwardedMessage(msg);
        const parts = fragmentMessage(bytes, 400).map((p) => p.slice());
        for (const [which, at, v] of edits) {
          const p = parts[which % parts.length] as Uint8Array;
          p[at % p.length] = v;
        }
        const r = new Reassembler({ maxConcurrentMessages: 2, maxTotalBytes: 4000 });
        for (const p of parts) {
          expectOnlyDecodeError(() => r.add(p, 0));
        }
        expect(r.pendingBytes).toBeLessThanOrEqual(4000);
        expect(r.pendingMessages).toBeLessThanOrEqual(2);
      }),
      { numRuns: 150 },
    );
  });
});
