import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  Ranges,
  collapseXml,
  formatBase64,
  isNcName,
  isUtcDateTime,
  parseBase64,
  parseBoolean,
  parseHexNodeId,
  parseHexNumber,
  parseInteger,
  utcDateTimeMs,
} from './configuration-values.js';

describe('configuration values (XML Schema lexical forms, RFC 6940 §11.1.1)', () => {
  it('base64 agrees with RFC 4648 (Node Buffer as the reference)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 40 }), (b) => {
        const text = formatBase64(b);
        expect(text).toBe(Buffer.from(b).toString('base64'));
        expect(parseBase64(text)).toEqual(b);
        expect(parseBase64(`\n ${text.slice(0, 3)} \n${text.slice(3)}\t`)).toEqual(b);
      }),
    );
    expect(parseBase64('YmFkIGNlcnQK')).toEqual(new TextEncoder().encode('bad cert\n'));
    for (const bad of ['A', 'AB', 'ABC', 'AB=C', 'A===', '@@@@', 'AAAA=']) expect(parseBase64(bad)).toBeUndefined();
  });

  it('reads integers with sign, leading zeros and surrounding space, within a range', () => {
    expect(parseInteger(' 0042 ', Ranges.int)).toBe(42);
    expect(parseInteger('+7', Ranges.int)).toBe(7);
    expect(parseInteger('-2147483648', Ranges.int)).toBe(-2147483648);
    expect(parseInteger('2147483648', Ranges.int)).toBeUndefined();
    expect(parseInteger('4294967295', Ranges.unsignedInt)).toBe(4294967295);
    for (const bad of ['', '1.0', '1e3', '0x10', ' ', '--1', '١']) expect(parseInteger(bad, Ranges.int)).toBeUndefined();
  });

  it('reads xsd:boolean', () => {
    expect([parseBoolean(' true '), parseBoolean('1'), parseBoolean('false'), parseBoolean('0')]).toEqual([true, true, false, false]);
    expect(parseBoolean('True')).toBeUndefined();
  });

  it('reads hex Node-IDs and hex numbers', () => {
    expect(parseHexNodeId(' 47112162E84C69ba ')).toEqual(Uint8Array.from([0x47, 0x11, 0x21, 0x62, 0xe8, 0x4c, 0x69, 0xba]));
    expect(parseHexNodeId('abc')).toBeUndefined();
    expect(parseHexNumber('0x000A', Ranges.diagnosticKind)).toBe(10);
    expect(parseHexNumber('ffff', Ranges.diagnosticKind)).toBe(0xffff);
    expect(parseHexNumber('10000', Ranges.diagnosticKind)).toBeUndefined();
  });

  it('checks RFC 3339 UTC date-times', () => {
    for (const ok of ['2002-10-10T07:00:00Z', '2024-02-29T23:59:60.5Z', '2030-01-01T00:00:00+00:00']) expect(isUtcDateTime(ok)).toBe(true);
    for (const bad of ['2002-10-10T07:00:00', '2002-10-10 07:00:00Z', '2023-02-29T00:00:00Z', '2002-13-01T00:00:00Z', '2002-10-10T07:00:00+01:00']) {
      expect(isUtcDateTime(bad)).toBe(false);
    }
  });

  it('computes the time of an RFC 3339 UTC date-time, a leap second as second 59', () => {
    expect(utcDateTimeMs('2002-10-10T07:00:00Z')).toBe(Date.UTC(2002, 9, 10, 7));
    expect(utcDateTimeMs('2030-01-01T00:00:00.25-00:00')).toBe(Date.UTC(2030, 0, 1, 0, 0, 0, 250));
    expect(utcDateTimeMs('2016-12-31T23:59:60Z')).toBe(Date.UTC(2016, 11, 31, 23, 59, 59));
    expect(utcDateTimeMs('2016-12-31T23:59:60.5Z')).toBe(Date.UTC(2016, 11, 31, 23, 59, 59, 500));
    expect(utcDateTimeMs('0050-02-29T00:00:00Z')).toBeUndefined();
    expect(utcDateTimeMs('0048-02-29T00:00:00Z')).toBe(new Date('0048-02-29T00:00:00Z').getTime());
    for (const bad of ['2023-02-29T00:00:00Z', '2002-10-10T07:00:00+01:00', 'soon']) expect(utcDateTimeMs(bad)).toBeUndefined();
  });

  it('collapses white space and checks names', () => {
    expect(collapseXml('\n  a \t b\r\n')).toBe('a b');
    expect([isNcName('example-extension'), isNcName('_x.1'), isNcName('été')]).toEqual([true, true, true]);
    expect([isNcName('1x'), isNcName('a:b'), isNcName(''), isNcName('a b')]).toEqual([false, false, false, false]);
  });
});
