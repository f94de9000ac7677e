/**
 * An X.509 Name (RFC 5280 §4.1.2.4) as text for people and error messages, in the RFC 4514 style
 * (`CN=Root, O=Example`, RDNs in encoding order as @peculiar/x509 prints them). Names are compared
 * by their DER bytes, never by this text.
 */
import { characterString, children, derError, DerTag, objectIdentifier, readAll, type DerElement } from './asn1/der.js';
import { toHex } from '../wire/codec/hex.js';
import { derTlv, derSequence, derSetOf, derOid, derUtf8String } from './asn1/der-writer.js';

/** Short names of the attribute types (RFC 4519, RFC 4514 §3). */
const SHORT_NAMES: Readonly<Record<string, string>> = {
  '2.5.4.3': 'CN',
  '2.5.4.7': 'L',
  '2.5.4.8': 'ST',
  '2.5.4.10': 'O',
  '2.5.4.11': 'OU',
  '2.5.4.6': 'C',
  '0.9.2342.19200300.100.1.25': 'DC',
  '1.2.840.113549.1.9.1': 'E',
  '2.5.4.42': 'G',
  '2.5.4.43': 'I',
  '2.5.4.4': 'SN',
  '2.5.4.12': 'T',
};
export const OID_COMMON_NAME = '2.5.4.3';

/** RFC 4514 §2.4 escaping. */
function escape(value: string): string {
  return value
    .replace(/([,+"\\<>;])/g, '\\$1')
    .replace(/^([ #])/, '\\$1')
    .replace(/ $/, '\\ ')
    .replace(/[\r\n\t]/g, (c) => `\\${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

/**
 * Name ::= SEQUENCE OF RelativeDistinguishedName; RDN ::= SET OF AttributeTypeAndValue;
 * AttributeTypeAndValue ::= SEQUENCE { type OID, value ANY }. Checks the structure and
 * returns its text; a value that is not a character string is shown as `#` and its DER in hex.
 */
export function readNameText(el: DerElement): string {
  if (el.tag !== DerTag.SEQUENCE) throw derError(el.path, el.offset, 'a Name is a SEQUENCE OF RelativeDistinguishedName');
  return readAll(el, 'rdn', (r, field) => {
    const rdn = r.read(field, DerTag.SET);
    return readAll(rdn, 'attribute', (a, f) => {
      const atv = children(a.read(f, DerTag.SEQUENCE));
      const type = objectIdentifier(atv.read('type', DerTag.OBJECT_IDENTIFIER));
      const value = atv.read('value');
      atv.end();
      const text = characterString(value);
      return `${SHORT_NAMES[type] ?? type}=${text === undefined ? `#${toHex(value.der)}` : escape(text)}`;
    }).join('+');
  }).join(', ');
}

/** A Name of one RDN per attribute, values as UTF8String (RFC 5280 §4.1.2.4: new certificates use PrintableString or UTF8String; UTF8String takes any name). */
export function encodeName(attributes: readonly { readonly type: string; readonly value: string }[]): Uint8Array {
  return derSequence(...attributes.map((a) => derSetOf(derSequence(derOid(a.type), derUtf8String(a.value)))));
}

/** The empty Name (§11.3: "The subject distinguished name in the certificate MUST be empty"). */
export const EMPTY_NAME: Uint8Array = derTlv(DerTag.SEQUENCE);
