/**
 * DER encoders (ITU-T X.690 §8, §10, §11) for the structures we write: PKCS#10 requests and
 * self-signed certificates. Each returns the whole TLV; constructed values take their encoded
 * children. Lengths are definite and minimal (X.690 §10.1).
 */
import { concatBytes } from '../../wire/codec/concat-bytes.js';
import { DerTag } from './der.js';
import { compareBytes } from '../../wire/codec/hex.js';

/** A TLV with identifier octet `tag` around `contents`. */
export function derTlv(tag: number, ...contents: readonly Uint8Array[]): Uint8Array {
  const value = contents.length === 1 ? contents[0]! : concatBytes(...contents);
  const n = value.length;
  let header: Uint8Array;
  if (n < 0x80) {
    header = new Uint8Array([tag, n]);
  } else {
    const octets: number[] = [];
    for (let v = n; v > 0; v = Math.floor(v / 256)) octets.unshift(v % 256);
    header = new Uint8Array([tag, 0x80 | octets.length, ...octets]);
  }
  return concatBytes(header, value);
}

export const derSequence = (...items: readonly Uint8Array[]): Uint8Array => derTlv(DerTag.SEQUENCE, ...items);

/** A SET OF: X.690 §11.6, the encodings in ascending order. */
export function derSetOf(...items: readonly Uint8Array[]): Uint8Array {
  const sorted = [...items].sort(compareBytes);
  return derTlv(DerTag.SET, ...sorted);
}

/** A context-specific tag [n]: constructed for EXPLICIT tagging or a constructed IMPLICIT type. */
export const derContext = (n: number, constructed: boolean, ...contents: readonly Uint8Array[]): Uint8Array => derTlv(0x80 | (constructed ? 0x20 : 0) | n, ...contents);

/** A non-negative INTEGER from its big-endian magnitude (leading zeros dropped, a sign octet added). */
export function derUnsignedInteger(magnitude: Uint8Array): Uint8Array {
  let i = 0;
  while (i < magnitude.length - 1 && magnitude[i] === 0) i++;
  const digits = magnitude.length === 0 ? new Uint8Array([0]) : magnitude.subarray(i);
  return derTlv(DerTag.INTEGER, digits[0]! & 0x80 ? concatBytes(new Uint8Array([0]), digits) : digits);
}

/** A small non-negative INTEGER. */
export function derSmallInteger(n: number): Uint8Array {
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`not a non-negative integer: ${n}`);
  const octets: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) octets.unshift(v % 256);
  return derUnsignedInteger(new Uint8Array(octets));
}

/** An OBJECT IDENTIFIER from dotted form (X.690 §8.19). */
export function derOid(oid: string): Uint8Array {
  if (!/^[0-2](\.(0|[1-9]\d*))+$/.test(oid)) throw new RangeError(`not an OBJECT IDENTIFIER: ${oid}`);
  const arcs = oid.split('.').map(BigInt);
  const [a, b, ...rest] = arcs as [bigint, bigint, ...bigint[]];
  if (a < 2n && b >= 40n) throw new RangeError(`not an OBJECT IDENTIFIER: ${oid}`);
  const out: number[] = [];
  for (const arc of [a * 40n + b, ...rest]) {
    const group: number[] = [Number(arc & 0x7fn)];
    for (let v = arc >> 7n; v > 0n; v >>= 7n) group.unshift(Number(v & 0x7fn) | 0x80);
    out.push(...group);
  }
  return derTlv(DerTag.OBJECT_IDENTIFIER, new Uint8Array(out));
}

/** A BIT STRING of whole octets. */
export const derBitString = (bytes: Uint8Array, unusedBits = 0): Uint8Array => derTlv(DerTag.BIT_STRING, new Uint8Array([unusedBits]), bytes);

/**
 * A named-bit BIT STRING (X.690 §11.2.2: trailing zero bits removed) from bit numbers, bit 0
 * being the most significant bit of the first octet (KeyUsage, RFC 5280 §4.2.1.3).
 */
export function derNamedBits(bits: readonly number[]): Uint8Array {
  if (bits.length === 0) return derBitString(new Uint8Array(0));
  const last = Math.max(...bits);
  const bytes = new Uint8Array((last >> 3) + 1);
  for (const bit of bits) bytes[bit >> 3]! |= 0x80 >> (bit & 7);
  return derBitString(bytes, 7 - (last & 7));
}

export const derOctetString = (bytes: Uint8Array): Uint8Array => derTlv(DerTag.OCTET_STRING, bytes);
export const derBoolean = (value: boolean): Uint8Array => derTlv(DerTag.BOOLEAN, new Uint8Array([value ? 0xff : 0]));
export const derNull = (): Uint8Array => derTlv(DerTag.NULL);
export const derUtf8String = (text: string): Uint8Array => derTlv(DerTag.UTF8String, new TextEncoder().encode(text));

export function derPrintableString(text: string): Uint8Array {
  if (!/^[A-Za-z0-9 '()+,\-./:=?]*$/.test(text)) throw new RangeError(`not a PrintableString: ${text}`);
  return derTlv(DerTag.PrintableString, ascii(text));
}

/** An IA5String, or with `tag` an IMPLICIT one (rfc822Name [1], uniformResourceIdentifier [6]). */
export function derIa5String(text: string, tag: number = DerTag.IA5String): Uint8Array {
  if (/[^\x00-\x7f]/.test(text)) throw new RangeError(`not an IA5String: ${text}`);
  return derTlv(tag, ascii(text));
}

function ascii(text: string): Uint8Array {
  return Uint8Array.from(text, (c) => c.charCodeAt(0));
}

const two = (n: number) => String(n).padStart(2, '0');

export function derUtcTime(date: Date): Uint8Array {
  const y = date.getUTCFullYear();
  if (y < 1950 || y > 2049) throw new RangeError(`UTCTime covers 1950–2049, not ${y}`);
  return derTlv(DerTag.UTCTime, ascii(`${two(y % 100)}${stamp(date)}Z`));
}

export function derGeneralizedTime(date: Date): Uint8Array {
  const y = date.getUTCFullYear();
  if (y < 0 || y > 9999) throw new RangeError(`GeneralizedTime covers years 0–9999, not ${y}`);
  return derTlv(DerTag.GeneralizedTime, ascii(`${String(y).padStart(4, '0')}${stamp(date)}Z`));
}

/** RFC 5280 §4.1.2.5: UTCTime through 2049, GeneralizedTime from 2050. Milliseconds are dropped. */
export function derTime(date: Date): Uint8Array {
  const y = date.getUTCFullYear();
  return y >= 1950 && y <= 2049 ? derUtcTime(date) : derGeneralizedTime(date);
}

function stamp(d: Date): string {
  return `${two(d.getUTCMonth() + 1)}${two(d.getUTCDate())}${two(d.getUTCHours())}${two(d.getUTCMinutes())}${two(d.getUTCSeconds())}`;
}
