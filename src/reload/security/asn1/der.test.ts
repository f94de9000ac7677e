import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DecodeError } from '../../wire/codec/decode-error.js';
import { fromHex, toHex } from '../../wire/codec/hex.js';
import {
  bitString,
  booleanValue,
  characterString,
  children,
  DerReader,
  DerTag,
  integerBytes,
  objectIdentifier,
  readAll,
  readDer,
  smallInteger,
  timeValue,
  unsignedIntegerBytes,
  type DerElement,
} from './der.js';
import {
  derBitString,
  derBoolean,
  derContext,
  derGeneralizedTime,
  derIa5String,
  derNamedBits,
  derNull,
  derOctetString,
  derOid,
  derPrintableString,
  derSequence,
  derSetOf,
  derSmallInteger,
  derTime,
  derTlv,
  derUnsignedInteger,
  derUtcTime,
  derUtf8String,
} from './der-writer.js';

const hex = (h: string): Uint8Array => fromHex(h)!;

/** Every TLV of `bytes`, depth first, constructed ones opened. Throws only DecodeError on bad input. */
function walk(bytes: Uint8Array): number {
  let count = 0;
  const visit = (el: DerElement) => {
    count++;
    if (el.tag & 0x20) readAll(el, 'child', (r, f) => visit(r.read(f)));
  };
  visit(readDer(bytes, 'root'));
  return count;
}

describe('DER reader: well-formed input', () => {
  const rows: readonly { name: string; der: string; tag: number; value: string; headerLength: number }[] = [
    { name: 'short length', der: '0403010203', tag: 0x04, value: '010203', headerLength: 2 },
    { name: 'empty value', der: '0500', tag: 0x05, value: '', headerLength: 2 },
    { name: 'long form, one octet (128)', der: `0481 80${'00'.repeat(128)}`, tag: 0x04, value: '00'.repeat(128), headerLength: 3 },
    { name: 'long form, two octets (256)', der: `0482 0100${'ab'.repeat(256)}`, tag: 0x04, value: 'ab'.repeat(256), headerLength: 4 },
    { name: 'context constructed [3]', der: 'a303020101', tag: 0xa3, value: '020101', headerLength: 2 },
  ];
  for (const row of rows) {
    it(row.name, () => {
      const el = readDer(hex(row.der.replace(/ /g, '')), 'X');
      expect({ tag: el.tag, value: toHex(el.value), headerLength: el.headerLength, path: el.path }).toEqual({ tag: row.tag, value: row.value, headerLength: row.headerLength, path: 'X' });
    });
  }

  it('reads nested elements with absolute offsets and dotted paths', () => {
    const seq = readDer(hex('3006 0201 05 0401 ff'.replace(/ /g, '')), 'S', DerTag.SEQUENCE);
    const r = children(seq);
    const a = r.read('a', DerTag.INTEGER);
    const b = r.read('b', DerTag.OCTET_STRING);
    r.end();
    expect([a.offset, a.path, smallInteger(a), b.offset, b.path, toHex(b.value)]).toEqual([2, 'S.a', 5, 5, 'S.b', 'ff']);
  });

  it('readOptional takes the element only when its tag is next', () => {
    const r = new DerReader(hex('0101ff0500'), 'S');
    expect(r.readOptional('missing', 0xa0)).toBeUndefined();
    expect(booleanValue(r.readOptional('flag', DerTag.BOOLEAN)!)).toBe(true);
    r.read('null', DerTag.NULL);
    expect(r.done).toBe(true);
  });
});

describe('DER reader: malformed input raises DecodeError with path and offset', () => {
  const rows: readonly { name: string; der: string; offset: number; reason: RegExp }[] = [
    { name: 'empty input', der: '', offset: 0, reason: /truncated/ },
    { name: 'length octet missing', der: '04', offset: 1, reason: /length octet is missing/ },
    { name: 'value truncated', der: '040301', offset: 0, reason: /truncated: length 3/ },
    { name: 'long-form length octets truncated', der: '048201', offset: 1, reason: /length octets run past/ },
    { name: 'indefinite length', der: '3080020100 0000', offset: 1, reason: /indefinite length/ },
    { name: 'long form for a short length (not minimal)', der: '04810101', offset: 1, reason: /minimum number of octets/ },
    { name: 'long form with a leading zero octet (not minimal)', der: `048200ff${'00'.repeat(255)}`, offset: 1, reason: /minimum number of octets/ },
    { name: 'oversized length (5 octets)', der: '04850000000001 00', offset: 1, reason: /oversized/ },
    { name: 'length far past the input (4 octets)', der: '0484ffffffff00', offset: 0, reason: /truncated/ },
    { name: 'reserved length octet 0xff', der: '04ff', offset: 1, reason: /oversized/ },
    { name: 'trailing bytes', der: '050000', offset: 2, reason: /1 trailing byte/ },
    { name: 'high tag number form', der: '1f2100', offset: 0, reason: /high tag numbers/ },
  ];
  for (const row of rows) {
    it(row.name, () => {
      let caught: unknown;
      try {
        readDer(hex(row.der.replace(/ /g, '')), 'Certificate');
      } catch (e) {
        caught = e;
      }
      expect(caught).toBeInstanceOf(DecodeError);
      const e = caught as DecodeError;
      expect({ path: e.path, offset: e.offset }).toEqual({ path: 'Certificate', offset: row.offset });
      expect(e.reason).toMatch(row.reason);
    });
  }

  it('a wrong tag names the expected one', () => {
    expect(() => readDer(hex('0500'), 'X', DerTag.SEQUENCE)).toThrow(/expected tag 0x30, found 0x5/);
  });

  it('an inner length past its parent is refused at the inner element', () => {
    // SEQUENCE of 3 bytes holding an OCTET STRING that claims 5.
    const r = children(readDer(hex('3003040501'), 'S'));
    expect(() => r.read('inner')).toThrow(DecodeError);
  });

  it('children() of a primitive element is refused', () => {
    expect(() => children(readDer(hex('0400'), 'X'))).toThrow(/primitive/);
  });
});

describe('DER primitive values', () => {
  it('INTEGER must be minimal and, where required, non-negative', () => {
    expect(toHex(unsignedIntegerBytes(readDer(hex('0202 0080'.replace(' ', '')), 'n')))).toBe('80');
    expect(() => integerBytes(readDer(hex('02020001'), 'n'))).toThrow(/not minimally encoded/);
    expect(() => integerBytes(readDer(hex('0202ff80'), 'n'))).toThrow(/not minimally encoded/);
    expect(() => integerBytes(readDer(hex('0200'), 'n'))).toThrow(/at least one/);
    expect(() => unsignedIntegerBytes(readDer(hex('020180'), 'n'))).toThrow(/negative/);
    expect(() => smallInteger(readDer(hex('020180'), 'n'))).toThrow(/negative/);
    expect(() => smallInteger(readDer(hex('02050100000000'), 'n'))).toThrow(/above/);
  });

  it('OBJECT IDENTIFIER arcs, including large ones and the 2.x first-octet rule', () => {
    for (const oid of ['1.2.840.113549.1.1.11', '2.5.29.17', '1.3.6.1.4.1.99999.1', '2.999.3', '0.9.2342.19200300.100.1.25']) {
      expect(objectIdentifier(readDer(derOid(oid), 'oid'))).toBe(oid);
    }
    expect(toHex(derOid('1.2.840.113549.1.1.11'))).toBe('06092a864886f70d01010b');
    expect(() => objectIdentifier(readDer(hex('0600'), 'oid'))).toThrow(/at least one/);
    expect(() => objectIdentifier(readDer(derTlv(DerTag.OBJECT_IDENTIFIER, Uint8Array.of(0x2a, ...new Array<number>(40).fill(0xff), 0x7f)), 'oid'))).toThrow(/longer than 32 octets/);
    expect(() => objectIdentifier(readDer(hex('06022a81'), 'oid'))).toThrow(/ends inside/);
    expect(() => objectIdentifier(readDer(hex('0603 2a 80 01'.replace(/ /g, '')), 'oid'))).toThrow(/not minimally/);
  });

  it('BIT STRING unused bits', () => {
    expect(bitString(readDer(derNamedBits([0]), 'b'))).toEqual({ bytes: hex('80'), unusedBits: 7 });
    expect(toHex(derNamedBits([0, 5]))).toBe('03020284');
    expect(toHex(derNamedBits([5, 6]))).toBe('03020106');
    expect(toHex(derNamedBits([8]))).toBe('0303070080');
    expect(() => bitString(readDer(hex('030207ff'), 'b'))).toThrow(/unused bits are not zero/);
    expect(() => bitString(readDer(hex('030108'), 'b'))).toThrow(/unused-bits/);
    expect(() => bitString(readDer(hex('0300'), 'b'))).toThrow(/unused-bits/);
  });

  it('BOOLEAN is 0x00 or 0xFF', () => {
    expect(booleanValue(readDer(derBoolean(true), 'b'))).toBe(true);
    expect(booleanValue(readDer(derBoolean(false), 'b'))).toBe(false);
    expect(() => booleanValue(readDer(hex('010101'), 'b'))).toThrow(DecodeError);
  });

  it('character strings', () => {
    expect(characterString(readDer(derUtf8String('Zürich ☎'), 's'))).toBe('Zürich ☎');
    expect(characterString(readDer(derPrintableString("Root CA (1)"), 's'))).toBe('Root CA (1)');
    expect(characterString(readDer(derIa5String('alice@example.org'), 's'))).toBe('alice@example.org');
    expect(characterString(readDer(derIa5String('reload://x', 0x86), 's'))).toBe('reload://x');
    expect(characterString(readDer(derTlv(DerTag.BMPString, hex('00410042')), 's'))).toBe('AB');
    expect(characterString(readDer(derTlv(DerTag.UniversalString, hex('0001f4de')), 's'))).toBe('\u{1f4de}');
    expect(characterString(readDer(derOctetString(hex('41')), 's'))).toBeUndefined();
    expect(() => characterString(readDer(derTlv(DerTag.UTF8String, hex('c3')), 's'))).toThrow(/UTF-8/);
    expect(() => characterString(readDer(derTlv(DerTag.PrintableString, hex('40')), 's'))).toThrow(/PrintableString/);
    expect(() => characterString(readDer(derTlv(DerTag.IA5String, hex('c3a9')), 's'))).toThrow(/IA5String/);
    expect(() => derIa5String('é')).toThrow(RangeError);
  });

  it('UTCTime and GeneralizedTime (RFC 5280 §4.1.2.5)', () => {
    const d = new Date(Date.UTC(2026, 0, 2, 3, 4, 5));
    expect(new TextDecoder().decode(readDer(derTime(d), 't').value)).toBe('260102030405Z');
    expect(timeValue(readDer(derUtcTime(d), 't'))).toEqual(d);
    const far = new Date(Date.UTC(2050, 0, 1));
    expect(readDer(derTime(far), 't').tag).toBe(DerTag.GeneralizedTime);
    expect(timeValue(readDer(derGeneralizedTime(far), 't'))).toEqual(far);
    expect(timeValue(readDer(derTlv(DerTag.UTCTime, new TextEncoder().encode('500101000000Z')), 't')).getUTCFullYear()).toBe(1950);
    expect(timeValue(readDer(derTlv(DerTag.UTCTime, new TextEncoder().encode('491231235959Z')), 't')).getUTCFullYear()).toBe(2049);
    for (const bad of ['2601020304Z', '260102030405', '260102030405+0100', '261302030405Z', '260230000000Z', '260102240000Z']) {
      expect(() => timeValue(readDer(derTlv(DerTag.UTCTime, new TextEncoder().encode(bad)), 't')), bad).toThrow(DecodeError);
    }
    expect(() => timeValue(readDer(derTlv(DerTag.GeneralizedTime, new TextEncoder().encode('20260102030405.5Z')), 't'))).toThrow(DecodeError);
  });
});

describe('DER writer', () => {
  it('writes minimal lengths, read back to the same value', () => {
    for (const n of [0, 1, 127, 128, 255, 256, 65535, 65536, 70000]) {
      const el = readDer(derOctetString(new Uint8Array(n)), 'x');
      expect(el.value.length).toBe(n);
      expect(el.headerLength).toBe(n < 128 ? 2 : n < 256 ? 3 : n < 65536 ? 4 : 5);
    }
  });

  it('INTEGER: leading zeros dropped, a sign octet before a high bit', () => {
    expect(toHex(derUnsignedInteger(hex('0000ff')))).toBe('020200ff');
    expect(toHex(derUnsignedInteger(hex('00')))).toBe('020100');
    expect(toHex(derSmallInteger(2))).toBe('020102');
    expect(toHex(derSmallInteger(256))).toBe('02020100');
  });

  it('SET OF sorts its encodings (X.690 §11.6); context tags; NULL', () => {
    expect(toHex(derSetOf(hex('0402ffff'), hex('0401aa'), hex('0402aaaa')))).toBe('310b0401aa0402aaaa0402ffff');
    expect(toHex(derContext(0, true, derSmallInteger(2)))).toBe('a003020102');
    expect(toHex(derContext(1, false, hex('61')))).toBe('810161');
    expect(toHex(derNull())).toBe('0500');
    expect(toHex(derBitString(hex('01')))).toBe('03020001');
  });

  it('a written structure reads back element for element', () => {
    const der = derSequence(derSmallInteger(5), derOid('2.5.4.3'), derSequence(derUtf8String('x'), derBoolean(true)), derContext(3, true, derOctetString(new Uint8Array(300))));
    expect(walk(der)).toBe(8);
  });
});

describe('DER reader: property', () => {
  const tree: fc.Arbitrary<Uint8Array> = fc.letrec((tie) => ({
    node: fc.oneof(
      { depthSize: 'small' },
      fc.uint8Array({ maxLength: 300 }).map(derOctetString),
      fc.nat().map(derSmallInteger),
      fc.array(tie('node') as fc.Arbitrary<Uint8Array>, { maxLength: 4 }).map((items) => derSequence(...items)),
    ),
  })).node as fc.Arbitrary<Uint8Array>;

  it('mutated or cut DER raises only DecodeError, never loops', () => {
    fc.assert(
      fc.property(tree, fc.nat(), fc.integer({ min: 0, max: 255 }), fc.boolean(), (der, at, byte, cut) => {
        const bytes = der.slice();
        if (cut) {
          try {
            walk(bytes.subarray(0, at % (bytes.length + 1)));
          } catch (e) {
            if (!(e instanceof DecodeError)) throw e;
          }
          return;
        }
        bytes[at % bytes.length] = byte;
        try {
          walk(bytes);
        } catch (e) {
          if (!(e instanceof DecodeError)) throw e;
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('any byte string raises only DecodeError', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        try {
          walk(bytes);
        } catch (e) {
          if (!(e instanceof DecodeError)) throw e;
        }
      }),
      { numRuns: 2000 },
    );
  });
});
