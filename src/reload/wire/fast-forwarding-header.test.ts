import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { DecodeError } from './codec/decode-error.js';
import { Reader } from './codec/reader.js';
import { encodeWith } from './codec/writer.js';
import { decodeForwardingHeaderOnly } from './forwarded-message.js';
import { readForwardingHeaderFast } from './fast-forwarding-header.js';
import { readForwardingHeader, writeForwardingHeader, type ForwardingHeader } from './forwarding-header.js';
import { arbForwardingHeader, arbNodeId } from './testing/envelope.arb.js';

/** A header as forwarding sends it: Node-ID lists, maybe a Resource-ID last, no options. */
const arbPlainHeader: fc.Arbitrary<ForwardingHeader> = fc
  .tuple(
    arbForwardingHeader({ unknownDestinationTypes: false }),
    fc.array(arbNodeId, { maxLength: 6 }),
    fc.array(arbNodeId, { minLength: 1, maxLength: 6 }),
    fc.option(fc.uint8Array({ maxLength: 40 }), { nil: undefined }),
  )
  .map(([h, via, dest, resource]) => ({
    ...h,
    viaList: via.map((nodeId) => ({ kind: 'node' as const, nodeId })),
    destinationList: [...dest.map((nodeId) => ({ kind: 'node' as const, nodeId })), ...(resource ? [{ kind: 'resource' as const, resourceId: resource }] : [])],
    options: [],
  }));

/** Encoded header plus a payload, with `length` set to the total (what a message on a link looks like). */
function encodeWhole(h: ForwardingHeader, payload: Uint8Array): Uint8Array {
  const headerOnly = encodeWith((w) => writeForwardingHeader(w, { ...h, length: 0 }));
  const total = headerOnly.length + payload.length;
  return encodeWith((w) => {
    writeForwardingHeader(w, { ...h, length: total });
    w.bytes(payload);
  });
}

/** What the full reader makes of `bytes` (value and header size, or the DecodeError's path). */
function slow(bytes: Uint8Array, maxMessageSize: number) {
  try {
    const r = new Reader(bytes);
    const header = readForwardingHeader(r, { totalLength: bytes.length, maxMessageSize });
    return { header, headerLength: r.offset };
  } catch (e) {
    if (e instanceof DecodeError) return { error: e.path };
    throw e;
  }
}

describe('readForwardingHeaderFast (RFC 6940 §6.3.2, the per-hop path)', () => {
  it('reads plain headers as readForwardingHeader does, with views of the input', () => {
    fc.assert(
      fc.property(arbPlainHeader, fc.uint8Array({ maxLength: 32 }), (h, payload) => {
        const bytes = encodeWhole(h, payload);
        const fast = readForwardingHeaderFast(bytes, { totalLength: bytes.length, maxMessageSize: 1 << 24 });
        expect(fast).toEqual(slow(bytes, 1 << 24));
        for (const d of [...fast!.header.viaList, ...fast!.header.destinationList]) {
          expect((d.kind === 'node' ? d.nodeId : d.kind === 'resource' ? d.resourceId : undefined)?.buffer).toBe(bytes.buffer);
        }
      }),
    );
  });

  it('accepts nothing the full reader refuses, and agrees on all it accepts (any header, damaged bytes)', () => {
    const inputs = fc.oneof(
      fc.tuple(arbForwardingHeader(), fc.uint8Array({ maxLength: 16 })).map(([h, p]) => encodeWhole(h, p)),
      fc
        .tuple(arbPlainHeader, fc.uint8Array({ maxLength: 16 }), fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 3 }))
        .map(([h, p, damage]) => {
          const b = encodeWhole(h, p);
          for (const [at, v] of damage) b[at % b.length] = v;
          return b;
        }),
      fc.tuple(arbPlainHeader, fc.nat(60)).map(([h, cut]) => encodeWhole(h, new Uint8Array(0)).subarray(cut)),
    );
    fc.assert(
      fc.property(inputs, fc.constantFrom(5000, 1 << 24), (bytes, max) => {
        const fast = readForwardingHeaderFast(bytes, { totalLength: bytes.length, maxMessageSize: max });
        if (fast !== undefined) expect(fast).toEqual(slow(bytes, max));
      }),
    );
  });

  it('leaves a Resource-ID on the via list or not last on the destination list to the full reader (§6.3.2.2)', () => {
    const h = (via: number, dest: number): ForwardingHeader => ({
      overlay: 1,
      configurationSequence: 0,
      version: 10,
      ttl: 9,
      fragment: 0xc0000000,
      length: 0,
      transactionId: 1n,
      maxResponseLength: 0,
      viaList: Array.from({ length: via }, () => ({ kind: 'node' as const, nodeId: new Uint8Array(16).fill(7) })),
      destinationList: Array.from({ length: dest }, () => ({ kind: 'node' as const, nodeId: new Uint8Array(16).fill(8) })),
      options: [],
    });
    // A Node-ID entry (type 1, length 16) turned into a Resource-ID of 15 bytes (type 2, 16, 15, …).
    const asResource = (b: Uint8Array, at: number) => {
      b[at] = 2;
      b[at + 2] = 15;
      return b;
    };
    for (const bytes of [asResource(encodeWhole(h(1, 1), new Uint8Array(0)), 38), asResource(encodeWhole(h(0, 2), new Uint8Array(0)), 38)]) {
      expect(readForwardingHeaderFast(bytes, { totalLength: bytes.length })).toBeUndefined();
      expect(slow(bytes, 1 << 24)).toHaveProperty('error');
    }
    const last = asResource(encodeWhole(h(0, 2), new Uint8Array(0)), 38 + 18);
    expect(readForwardingHeaderFast(last, { totalLength: last.length })).toEqual(slow(last, 1 << 24));
  });

  it('decodeForwardingHeaderOnly gives the same result owned (fast path) or not', () => {
    fc.assert(
      fc.property(arbForwardingHeader(), fc.uint8Array({ maxLength: 16 }), (h, p) => {
        const bytes = encodeWhole(h, p);
        const outcome = (owned: boolean) => {
          try {
            return decodeForwardingHeaderOnly(bytes, { maxMessageSize: 1 << 24 }, owned);
          } catch (e) {
            if (e instanceof DecodeError) return e.path;
            throw e;
          }
        };
        expect(outcome(true)).toEqual(outcome(false));
      }),
    );
  });
});
