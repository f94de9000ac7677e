/**
 * A strict reader of DER (ITU-T X.690 §8, §10), the encoding of X.509 certificates (RFC 5280
 * §4.1: "the certificate ... MUST be DER encoded") and PKCS#10 requests (RFC 2986).
 *
 * Strict: definite lengths only (X.690 §10.1 "The definite form of length encoding shall be
 * used"), in the fewest octets (§10.1 "encoded in the minimum number of octets"), low tag
 * numbers only (X.509 uses no tag above 30), every length within the input, no trailing bytes.
 * Any violation is a DecodeError with a path and the absolute offset; nothing else is thrown,
 * and every loop advances by at least one identifier and one length octet.
 */
import { DecodeError } from '../../wire/codec/decode-error.js';

/** Universal tags (X.680 §8.6) and the identifier octets of the forms X.509 uses. */
export const DerTag = {
  BOOLEAN: 0x01,
  INTEGER: 0x02,
  BIT_STRING: 0x03,
  OCTET_STRING: 0x04,
  NULL: 0x05,
  OBJECT_IDENTIFIER: 0x06,
  UTF8String: 0x0c,
  PrintableString: 0x13,
  TeletexString: 0x14,
  IA5String: 0x16,
  UTCTime: 0x17,
  GeneralizedTime: 0x18,
  UniversalString: 0x1c,
  BMPString: 0x1e,
  SEQUENCE: 0x30,
  SET: 0x31,
} as const;

/** The longest length we read: 4 length octets (4 GiB) is far beyond any certificate. */
const MAX_LENGTH_OCTETS = 4;

/** One TLV. `value` and `der` are views of the input. */
export interface DerElement {
  /** The identifier octet (class, constructed bit and tag number). */
  readonly tag: number;
  /** Absolute offset of the identifier octet. */
  readonly offset: number;
  /** Identifier and length octets. */
  readonly headerLength: number;
  /** The contents octets. */
  readonly value: Uint8Array;
  /** The whole TLV. */
  readonly der: Uint8Array;
  /** Where this element is, for errors (`Certificate.tbsCertificate.subject`). */
  readonly path: string;
}

export function derError(path: string, offset: number, reason: string): DecodeError {
  const dot = path.lastIndexOf('.');
  return new DecodeError({ path, structure: dot < 0 ? path : path.slice(0, dot), field: dot < 0 ? path : path.slice(dot + 1), offset, reason });
}

/** Reads consecutive TLVs from `bytes`, whose first byte is at absolute `baseOffset`. */
export class DerReader {
  private at = 0;

  constructor(
    private readonly bytes: Uint8Array,
    private readonly path: string,
    private readonly baseOffset = 0,
  ) {}

  /** Whether every byte has been read. */
  get done(): boolean {
    return this.at >= this.bytes.length;
  }

  /** The next identifier octet, or undefined at the end. */
  peekTag(): number | undefined {
    return this.bytes[this.at];
  }

  /** The next TLV; with `tag`, it must have that identifier octet. */
  read(field: string, tag?: number): DerElement {
    const path = this.path ? `${this.path}.${field}` : field;
    const start = this.at;
    const offset = this.baseOffset + start;
    const id = this.bytes[start];
    if (id === undefined) throw derError(path, offset, 'truncated: expected a TLV, the input ended');
    if ((id & 0x1f) === 0x1f) throw derError(path, offset, `tag 0x${id.toString(16)}: high tag numbers are not used by X.509`);
    if (tag !== undefined && id !== tag) throw derError(path, offset, `expected tag 0x${tag.toString(16)}, found 0x${id.toString(16)}`);
    const first = this.bytes[start + 1];
    if (first === undefined) throw derError(path, offset + 1, 'truncated: the length octet is missing');
    let length: number;
    let headerLength: number;
    if (first < 0x80) {
      length = first;
      headerLength = 2;
    } else if (first === 0x80) {
      throw derError(path, offset + 1, 'indefinite length (X.690 §10.1: DER uses the definite form)');
    } else {
      const n = first & 0x7f;
      if (n > MAX_LENGTH_OCTETS) throw derError(path, offset + 1, `length of ${n} octets is oversized (at most ${MAX_LENGTH_OCTETS})`);
      if (start + 2 + n > this.bytes.length) throw derError(path, offset + 1, 'truncated: the length octets run past the input');
      length = 0;
      for (let i = 0; i < n; i++) length = length * 256 + this.bytes[start + 2 + i]!;
      if (this.bytes[start + 2] === 0 || length < 0x80) throw derError(path, offset + 1, `length ${length} is not in the minimum number of octets (X.690 §10.1)`);
      headerLength = 2 + n;
    }
    const end = start + headerLength + length;
    if (end > this.bytes.length) throw derError(path, offset, `truncated: length ${length} runs ${end - this.bytes.length} byte(s) past the input`);
    this.at = end;
    return { tag: id, offset, headerLength, value: this.bytes.subarray(start + headerLength, end), der: this.bytes.subarray(start, end), path };
  }

  /** The next TLV if it has identifier `tag` (an OPTIONAL or DEFAULT component), else undefined. */
  readOptional(field: string, tag: number): DerElement | undefined {
    return this.peekTag() === tag ? this.read(field, tag) : undefined;
  }

  /** Throws unless every byte has been read. */
  end(): void {
    if (!this.done) throw derError(this.path, this.baseOffset + this.at, `${this.bytes.length - this.at} trailing byte(s)`);
  }
}

/** Exactly one TLV filling `bytes` (no trailing bytes). */
export function readDer(bytes: Uint8Array, path: string, tag?: number): DerElement {
  const el = new DerReader(bytes, '').read(path, tag);
  if (el.der.length !== bytes.length) throw derError(path, el.der.length, `${bytes.length - el.der.length} trailing byte(s)`);
  return el;
}

/** A reader over the contents of a constructed element. */
export function children(el: DerElement): DerReader {
  if (!(el.tag & 0x20)) throw derError(el.path, el.offset, `tag 0x${el.tag.toString(16)} is primitive, a constructed element was expected`);
  return new DerReader(el.value, el.path, el.offset + el.headerLength);
}

/** Every child of a constructed element (a SEQUENCE OF / SET OF), each checked by `read`. */
export function readAll<T>(el: DerElement, item: string, read: (r: DerReader, field: string) => T): T[] {
  const r = children(el);
  const out: T[] = [];
  for (let i = 0; !r.done; i++) out.push(read(r, `${item}[${i}]`));
  return out;
}

/** A DER INTEGER's contents, checked minimal (X.690 §8.3.2). Two's complement, big-endian. */
export function integerBytes(el: DerElement): Uint8Array {
  const v = el.value;
  if (v.length === 0) throw derError(el.path, el.offset, 'an INTEGER has at least one contents octet');
  if (v.length > 1 && ((v[0] === 0 && !(v[1]! & 0x80)) || (v[0] === 0xff && v[1]! & 0x80))) throw derError(el.path, el.offset, 'INTEGER is not minimally encoded (X.690 §8.3.2)');
  return v;
}

/** A non-negative INTEGER as its magnitude (the sign octet removed). */
export function unsignedIntegerBytes(el: DerElement): Uint8Array {
  const v = integerBytes(el);
  if (v[0]! & 0x80) throw derError(el.path, el.offset, 'a negative INTEGER where a non-negative one is required');
  return v.length > 1 && v[0] === 0 ? v.subarray(1) : v;
}

/** A small non-negative INTEGER (version, pathLenConstraint). */
export function smallInteger(el: DerElement, max = 0x7fffffff): number {
  const v = unsignedIntegerBytes(el);
  let n = 0;
  for (const b of v) {
    n = n * 256 + b;
    if (n > max) throw derError(el.path, el.offset, `INTEGER above ${max}`);
  }
  return n;
}

/** An OBJECT IDENTIFIER in dotted form (X.690 §8.19). */
export function objectIdentifier(el: DerElement): string {
  const v = el.value;
  if (el.tag !== DerTag.OBJECT_IDENTIFIER) throw derError(el.path, el.offset, 'expected an OBJECT IDENTIFIER');
  if (v.length === 0) throw derError(el.path, el.offset, 'an OBJECT IDENTIFIER has at least one subidentifier');
  const arcs: string[] = [];
  let n = 0n;
  let startOfArc = true;
  for (let i = 0; i < v.length; i++) {
    const b = v[i]!;
    // X.690 §8.19.2: "the leading octet of the subidentifier shall not have the value 0x80".
    if (startOfArc && b === 0x80) throw derError(el.path, el.offset, 'OBJECT IDENTIFIER subidentifier is not minimally encoded');
    n = (n << 7n) | BigInt(b & 0x7f);
    // 128-bit arcs (2.25 UUIDs) take 19 octets; nothing in X.509 needs more than 32 (a bound on the work).
    if (n >> 224n) throw derError(el.path, el.offset, 'OBJECT IDENTIFIER subidentifier longer than 32 octets');
    startOfArc = !(b & 0x80);
    if (!startOfArc) continue;
    if (arcs.length === 0) {
      const first = n < 40n ? 0n : n < 80n ? 1n : 2n;
      arcs.push(first.toString(), (n - first * 40n).toString());
    } else {
      arcs.push(n.toString());
    }
    n = 0n;
  }
  if (!startOfArc) throw derError(el.path, el.offset, 'OBJECT IDENTIFIER ends inside a subidentifier');
  return arcs.join('.');
}

/** A BIT STRING's bits (X.690 §8.6, §11.2: unused bits are zero). */
export function bitString(el: DerElement): { readonly bytes: Uint8Array; readonly unusedBits: number } {
  const v = el.value;
  if (el.tag !== DerTag.BIT_STRING) throw derError(el.path, el.offset, 'expected a BIT STRING');
  const unusedBits = v[0];
  if (unusedBits === undefined || unusedBits > 7 || (v.length === 1 && unusedBits !== 0)) throw derError(el.path, el.offset, 'BIT STRING has a bad unused-bits octet');
  const bytes = v.subarray(1);
  if (unusedBits && (bytes[bytes.length - 1]! & ((1 << unusedBits) - 1)) !== 0) throw derError(el.path, el.offset, 'BIT STRING unused bits are not zero (X.690 §11.2.1)');
  return { bytes, unusedBits };
}

/** A BOOLEAN (X.690 §11.1: TRUE is 0xFF). */
export function booleanValue(el: DerElement): boolean {
  if (el.tag !== DerTag.BOOLEAN || el.value.length !== 1 || (el.value[0] !== 0 && el.value[0] !== 0xff)) throw derError(el.path, el.offset, 'BOOLEAN must be one octet 0x00 or 0xFF');
  return el.value[0] === 0xff;
}

function latin1(v: Uint8Array): string {
  let s = '';
  for (const b of v) s += String.fromCharCode(b);
  return s;
}
const PRINTABLE = /^[A-Za-z0-9 '()+,\-./:=?]*$/;

/** A character string of the kinds X.509 names and general names use, or undefined for another tag. */
export function characterString(el: DerElement): string | undefined {
  const v = el.value;
  switch (el.tag) {
    case DerTag.UTF8String:
      try {
        return new TextDecoder('utf-8', { fatal: true }).decode(v);
      } catch {
        throw derError(el.path, el.offset, 'UTF8String is not valid UTF-8');
      }
    case DerTag.PrintableString: {
      const s = latin1(v);
      if (!PRINTABLE.test(s)) throw derError(el.path, el.offset, 'PrintableString has a character outside its set (X.680 §41.4)');
      return s;
    }
    case DerTag.IA5String:
    case 0x80 | 1: // rfc822Name [1] IMPLICIT IA5String
    case 0x80 | 2: // dNSName [2] IMPLICIT IA5String
    case 0x80 | 6: // uniformResourceIdentifier [6] IMPLICIT IA5String
      if (v.some((b) => b > 0x7f)) throw derError(el.path, el.offset, 'IA5String has a byte above 0x7F');
      return latin1(v);
    case DerTag.TeletexString:
      return latin1(v);
    case DerTag.BMPString: {
      if (v.length % 2) throw derError(el.path, el.offset, 'BMPString has an odd length');
      let s = '';
      for (let i = 0; i < v.length; i += 2) s += String.fromCharCode((v[i]! << 8) | v[i + 1]!);
      return s;
    }
    case DerTag.UniversalString: {
      if (v.length % 4) throw derError(el.path, el.offset, 'UniversalString length is not a multiple of 4');
      let s = '';
      for (let i = 0; i < v.length; i += 4) {
        const cp = ((v[i]! << 24) | (v[i + 1]! << 16) | (v[i + 2]! << 8) | v[i + 3]!) >>> 0;
        if (cp > 0x10ffff) throw derError(el.path, el.offset, 'UniversalString has a code point above U+10FFFF');
        s += String.fromCodePoint(cp);
      }
      return s;
    }
    default:
      return undefined;
  }
}

const TIME_FORMS = {
  [DerTag.UTCTime]: /^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/,
  [DerTag.GeneralizedTime]: /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/,
} as const;

/**
 * A Time (RFC 5280 §4.1.2.5): UTCTime YYMMDDHHMMSSZ (YY ≥ 50 is 19YY, else 20YY) or
 * GeneralizedTime YYYYMMDDHHMMSSZ, seconds present, Zulu, no fractions.
 */
export function timeValue(el: DerElement): Date {
  if (el.tag !== DerTag.UTCTime && el.tag !== DerTag.GeneralizedTime) throw derError(el.path, el.offset, 'expected UTCTime or GeneralizedTime');
  const m = TIME_FORMS[el.tag].exec(latin1(el.value));
  if (!m) throw derError(el.path, el.offset, `time is not in the form RFC 5280 §4.1.2.5 requires (${el.tag === DerTag.UTCTime ? 'YYMMDDHHMMSSZ' : 'YYYYMMDDHHMMSSZ'})`);
  const [year, month, day, hour, minute, second] = m.slice(1).map(Number) as [number, number, number, number, number, number];
  const fullYear = el.tag === DerTag.UTCTime ? (year >= 50 ? 1900 + year : 2000 + year) : year;
  // RFC 5280 §4.1.2.5: "dates through the year 2049 MUST be encoded as UTCTime".
  if (el.tag === DerTag.GeneralizedTime && fullYear < 2050) throw derError(el.path, el.offset, `a date in ${fullYear} is UTCTime, not GeneralizedTime (RFC 5280 §4.1.2.5)`);
  const ms = Date.UTC(fullYear, month - 1, day, hour, minute, second);
  const d = new Date(ms);
  if (d.getUTCFullYear() !== fullYear || d.getUTCMonth() !== month - 1 || d.getUTCDate() !== day || hour > 23 || minute > 59 || second > 59) {
    throw derError(el.path, el.offset, 'time is not a valid calendar date');
  }
  return d;
}
