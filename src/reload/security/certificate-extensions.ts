/**
 * The certificate extensions RELOAD identities use (RFC 5280 §4.2): reading and writing
 * subjectAltName (§4.2.1.6), basicConstraints (§4.2.1.9) and keyUsage (§4.2.1.3).
 *
 * Extension ::= SEQUENCE { extnID OBJECT IDENTIFIER, critical BOOLEAN DEFAULT FALSE,
 * extnValue OCTET STRING } — the value is the DER of the extension's own type.
 */
import { booleanValue, bitString, characterString, children, DerTag, derError, objectIdentifier, readAll, readDer, smallInteger, type DerReader } from './asn1/der.js';
import { derBoolean, derIa5String, derNamedBits, derOctetString, derOid, derSequence } from './asn1/der-writer.js';

export const OID_SUBJECT_ALT_NAME = '2.5.29.17';
export const OID_BASIC_CONSTRAINTS = '2.5.29.19';
export const OID_KEY_USAGE = '2.5.29.15';

/** One extension of a certificate (or of a request's extensionRequest). */
export interface CertificateExtension {
  readonly extnID: string;
  readonly critical: boolean;
  /** The DER of the extension's value (extnValue's contents). */
  readonly extnValue: Uint8Array;
}

/** Read one Extension from `r`. */
export function readExtension(r: DerReader, field: string): CertificateExtension {
  const seq = children(r.read(field, DerTag.SEQUENCE));
  const extnID = objectIdentifier(seq.read('extnID', DerTag.OBJECT_IDENTIFIER));
  // DER omits a DEFAULT value (X.690 §11.5); an explicit FALSE, which some encoders write, is read as FALSE.
  const flag = seq.readOptional('critical', DerTag.BOOLEAN);
  const critical = flag ? booleanValue(flag) : false;
  const extnValue = seq.read('extnValue', DerTag.OCTET_STRING).value;
  seq.end();
  return { extnID, critical, extnValue };
}

/** Extensions ::= SEQUENCE SIZE (1..MAX) OF Extension; RFC 5280 §4.2: "MUST NOT include more than one instance of a particular extension". */
export function readExtensions(r: DerReader, field: string): CertificateExtension[] {
  const el = r.read(field, DerTag.SEQUENCE);
  const list = readAll(el, 'extension', readExtension);
  const seen = new Set<string>();
  for (const e of list) {
    if (seen.has(e.extnID)) throw derError(el.path, el.offset, `extension ${e.extnID} appears twice (RFC 5280 §4.2)`);
    seen.add(e.extnID);
  }
  return list;
}

export function encodeExtension(e: CertificateExtension): Uint8Array {
  return derSequence(derOid(e.extnID), ...(e.critical ? [derBoolean(true)] : []), derOctetString(e.extnValue));
}

/** A GeneralName (RFC 5280 §4.2.1.6): the two kinds RELOAD uses, and any other kept by its tag. */
export type GeneralName =
  | { readonly type: 'rfc822Name'; readonly value: string }
  | { readonly type: 'uniformResourceIdentifier'; readonly value: string }
  | { readonly type: 'other'; readonly tag: number; readonly name: string };

const RFC822_NAME = 0x81; // [1] IMPLICIT IA5String
const URI = 0x86; // [6] IMPLICIT IA5String
const GENERAL_NAME_KINDS = ['otherName', 'rfc822Name', 'dNSName', 'x400Address', 'directoryName', 'ediPartyName', 'uniformResourceIdentifier', 'iPAddress', 'registeredID'];

/** SubjectAltName ::= GeneralNames ::= SEQUENCE SIZE (1..MAX) OF GeneralName. Throws DecodeError. */
export function readSubjectAltName(extnValue: Uint8Array): GeneralName[] {
  const el = readDer(extnValue, 'SubjectAltName', DerTag.SEQUENCE);
  const names = readAll(el, 'generalName', (r, field): GeneralName => {
    const n = r.read(field);
    if ((n.tag & 0xc0) !== 0x80) throw derError(n.path, n.offset, 'a GeneralName is context-tagged');
    if (n.tag === RFC822_NAME) return { type: 'rfc822Name', value: characterString(n)! };
    if (n.tag === URI) return { type: 'uniformResourceIdentifier', value: characterString(n)! };
    return { type: 'other', tag: n.tag, name: GENERAL_NAME_KINDS[n.tag & 0x1f] ?? `[${n.tag & 0x1f}]` };
  });
  if (names.length === 0) throw derError(el.path, el.offset, 'GeneralNames has at least one name');
  return names;
}

export function encodeSubjectAltName(names: readonly Exclude<GeneralName, { type: 'other' }>[]): Uint8Array {
  return derSequence(...names.map((n) => derIa5String(n.value, n.type === 'rfc822Name' ? RFC822_NAME : URI)));
}

/** BasicConstraints ::= SEQUENCE { cA BOOLEAN DEFAULT FALSE, pathLenConstraint INTEGER (0..MAX) OPTIONAL }. */
export interface BasicConstraints {
  readonly cA: boolean;
  readonly pathLenConstraint?: number;
}

export function readBasicConstraints(extnValue: Uint8Array): BasicConstraints {
  const r = children(readDer(extnValue, 'BasicConstraints', DerTag.SEQUENCE));
  const flag = r.readOptional('cA', DerTag.BOOLEAN);
  const cA = flag ? booleanValue(flag) : false;
  const len = r.readOptional('pathLenConstraint', DerTag.INTEGER);
  r.end();
  return len ? { cA, pathLenConstraint: smallInteger(len) } : { cA };
}

export function encodeBasicConstraints(cA: boolean): Uint8Array {
  // X.690 §11.5: cA FALSE is the DEFAULT and is omitted (no pathLenConstraint: only a CA has one).
  return derSequence(...(cA ? [derBoolean(true)] : []));
}

/** KeyUsage bits (RFC 5280 §4.2.1.3) as flags: bit n of the BIT STRING is 1 << n. */
export const KeyUsage = {
  digitalSignature: 1 << 0,
  nonRepudiation: 1 << 1,
  keyEncipherment: 1 << 2,
  dataEncipherment: 1 << 3,
  keyAgreement: 1 << 4,
  keyCertSign: 1 << 5,
  cRLSign: 1 << 6,
  encipherOnly: 1 << 7,
  decipherOnly: 1 << 8,
} as const;

export function readKeyUsage(extnValue: Uint8Array): number {
  const { bytes } = bitString(readDer(extnValue, 'KeyUsage', DerTag.BIT_STRING));
  let flags = 0;
  for (let bit = 0; bit < Math.min(bytes.length * 8, 9); bit++) if (bytes[bit >> 3]! & (0x80 >> (bit & 7))) flags |= 1 << bit;
  return flags;
}

export function encodeKeyUsage(flags: number): Uint8Array {
  const bits: number[] = [];
  for (let bit = 0; bit < 9; bit++) if (flags & (1 << bit)) bits.push(bit);
  return derNamedBits(bits);
}
