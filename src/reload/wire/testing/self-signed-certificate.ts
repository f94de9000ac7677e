/**
 * Test-only (Node): a real self-signed X.509 v3 certificate, made at test time with node:crypto,
 * for the RELOAD SecurityBlock and CERTIFICATE_BY_USER values of the Wireshark cross-check. It has
 * the shape RFC 6940 §11.3 enrollment gives a peer: the user name as an rfc822Name and the Node-ID
 * as a `reload:` URI in subjectAltName, an ECDSA P-256 key, signed with ecdsa-with-SHA256.
 * Only the few DER forms a certificate needs are written here (X.690 §8, definite lengths).
 */
import { createPublicKey, generateKeyPairSync, sign, X509Certificate } from 'node:crypto';
import { concatBytes } from '../codec/concat-bytes.js';

/** One DER TLV with a definite length (short form below 128, long form above). */
function tlv(tag: number, ...content: Uint8Array[]): Uint8Array {
  const body = concatBytes(...content);
  const n = body.length;
  const len = n < 0x80 ? [n] : n < 0x100 ? [0x81, n] : n < 0x10000 ? [0x82, n >> 8, n & 0xff] : [0x83, n >> 16, (n >> 8) & 0xff, n & 0xff];
  return concatBytes(Uint8Array.of(tag, ...len), body);
}

const seq = (...c: Uint8Array[]): Uint8Array => tlv(0x30, ...c);
const set = (...c: Uint8Array[]): Uint8Array => tlv(0x31, ...c);
const ascii = (s: string): Uint8Array => new TextEncoder().encode(s);

function oid(dotted: string): Uint8Array {
  const [a = 0, b = 0, ...rest] = dotted.split('.').map(Number);
  const out = [a * 40 + b];
  for (const arc of rest) {
    const groups = [arc & 0x7f];
    for (let v = arc >>> 7; v > 0; v >>>= 7) groups.unshift((v & 0x7f) | 0x80);
    out.push(...groups);
  }
  return tlv(0x06, Uint8Array.from(out));
}

/** A positive INTEGER from big-endian bytes (a 0x00 is prefixed when the top bit is set). */
function integer(bytes: Uint8Array): Uint8Array {
  return tlv(0x02, (bytes[0] ?? 0) & 0x80 ? concatBytes(Uint8Array.of(0), bytes) : bytes);
}

/** UTCTime `YYMMDDhhmmssZ` (RFC 5280 §4.1.2.5.1: dates through 2049). */
function utcTime(d: Date): Uint8Array {
  const two = (n: number): string => String(n).padStart(2, '0');
  const text = `${two(d.getUTCFullYear() % 100)}${two(d.getUTCMonth() + 1)}${two(d.getUTCDate())}${two(d.getUTCHours())}${two(d.getUTCMinutes())}${two(d.getUTCSeconds())}Z`;
  return tlv(0x17, ascii(text));
}

const ECDSA_WITH_SHA256 = seq(oid('1.2.840.10045.4.3.2'));

export interface SelfSignedCertificateInit {
  /** The user name (RFC 6940 §11.3: an rfc822Name in subjectAltName, and here also the CN). */
  readonly userName: string;
  /** The Node-ID, written as `reload://<hex node-id>@<overlay>/` in subjectAltName (§11.3). */
  readonly nodeId: Uint8Array;
  readonly overlay: string;
  readonly notBefore: Date;
  readonly notAfter: Date;
  /** Big-endian serial number bytes. */
  readonly serial: Uint8Array;
}

/** A self-signed ECDSA P-256 certificate (DER), checked by Node's own X.509 parser and verifier. */
export function makeSelfSignedCertificate(init: SelfSignedCertificateInit): Uint8Array {
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const spki = new Uint8Array(publicKey.export({ type: 'spki', format: 'der' }));
  const name = seq(set(seq(oid('2.5.4.3'), tlv(0x0c, ascii(init.userName)))));
  const nodeHex = Array.from(init.nodeId, (b) => b.toString(16).padStart(2, '0')).join('');
  const subjectAltName = seq(
    oid('2.5.29.17'),
    tlv(0x04, seq(tlv(0x81, ascii(init.userName)), tlv(0x86, ascii(`reload://${nodeHex}@${init.overlay}/`)))),
  );
  const tbs = seq(
    tlv(0xa0, integer(Uint8Array.of(2))), // version v3
    integer(init.serial),
    ECDSA_WITH_SHA256,
    name,
    seq(utcTime(init.notBefore), utcTime(init.notAfter)),
    name,
    spki,
    tlv(0xa3, seq(subjectAltName)),
  );
  const signature = new Uint8Array(sign('sha256', tbs, privateKey)); // DER ECDSA-Sig-Value
  const der = seq(tbs, ECDSA_WITH_SHA256, tlv(0x03, Uint8Array.of(0), signature));
  const parsed = new X509Certificate(der);
  if (!parsed.verify(createPublicKey(publicKey.export({ type: 'spki', format: 'pem' })))) {
    throw new Error('self-signed certificate does not verify');
  }
  return der;
}
