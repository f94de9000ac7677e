import { EncodeError } from '../../codec/decode-error.js';
import { decodeAll, type Reader } from '../../codec/reader.js';
import { encodeWith, type Writer } from '../../codec/writer.js';
import { NODE_ID_LENGTH, type NodeId } from '../../ids.js';

/**
 * RFC 6940 §8: the value (DataValue.value) of a CERTIFICATE_BY_NODE (0x3) or CERTIFICATE_BY_USER
 * (0x10) array entry. §8 defines no wrapper structure, so the value is the certificate itself:
 * the DER encoding of an X.509 certificate (as Wireshark's dissector also reads it). New
 * certificates are appended (array index 0xFFFFFFFF) so that an old and a new certificate for the
 * same Node-ID can coexist during renewal.
 *
 * The codec checks only the outer DER framing (one definite-length SEQUENCE filling the value);
 * parsing the certificate is reload/security's job.
 */
export type CertificateValue = Uint8Array;

/** DER tag of a constructed SEQUENCE (X.690 §8.9). */
const DER_SEQUENCE = 0x30;

/** The outer DER SEQUENCE header of a certificate; returns the content length it announces. */
function readDerSequenceHeader(r: Reader): number {
  const at = r.offset;
  const tag = r.u8('tag');
  if (tag !== DER_SEQUENCE) r.fail('tag', `a certificate is a DER SEQUENCE (0x30), got 0x${tag.toString(16)}`, at);
  const lenAt = r.offset;
  const first = r.u8('length');
  if (first < 0x80) return first;
  const n = first & 0x7f;
  // X.690 §10.1 (DER): definite form, minimal length octets; 4 octets are far beyond any certificate.
  if (n === 0 || n > 4) r.fail('length', n === 0 ? 'indefinite length is not DER' : `${n} length octets`, lenAt);
  let len = 0;
  for (let i = 0; i < n; i++) len = len * 256 + r.u8('length');
  if (len < 0x80 || (n > 1 && len < 1 << (8 * (n - 1)))) r.fail('length', `length ${len} is not in minimal DER form`, lenAt);
  return len;
}

export function readCertificateValue(r: Reader): CertificateValue {
  return r.scope('Certificate', () => {
    const start = r.offset;
    const contentLength = readDerSequenceHeader(r);
    const headerLength = r.offset - start;
    if (contentLength > r.remaining()) r.fail('length', `length ${contentLength} exceeds the ${r.remaining()} bytes that remain`, start + 1);
    r.fixed('content', contentLength);
    return r.bytes.slice(start, start + headerLength + contentLength);
  });
}

export function writeCertificateValue(w: Writer, v: CertificateValue): void {
  w.bytes(v, 'Certificate');
}

/** A certificate kind's DataValue.value: exactly one DER certificate. */
export function decodeCertificateValue(bytes: Uint8Array): CertificateValue {
  return decodeAll(bytes, 'Certificate', readCertificateValue);
}

/** Checks the DER framing as the decoder does, so we never store what peers would reject. */
export function encodeCertificateValue(v: CertificateValue): Uint8Array {
  try {
    decodeCertificateValue(v);
  } catch (e) {
    throw new EncodeError('Certificate', e instanceof Error ? e.message : String(e));
  }
  return encodeWith((w) => writeCertificateValue(w, v));
}

/**
 * RFC 6940 §8: CERTIFICATE_BY_USER is stored at the Resource-ID of "the user name in the
 * certificate": its UTF-8 bytes are the Resource Name.
 */
export function certificateByUserResourceName(userName: string): Uint8Array {
  return new TextEncoder().encode(userName);
}

/**
 * RFC 6940 §8: CERTIFICATE_BY_NODE is stored at the Resource-ID of "the Node-ID in the
 * certificate" (so not at the Node-ID itself, but at its hash): the raw Node-ID bytes are the
 * Resource Name, as NODE-MATCH (§7.3.2) hashes the Node-ID.
 */
export function certificateByNodeResourceName(nodeId: NodeId): Uint8Array {
  if (nodeId.length !== NODE_ID_LENGTH) throw new EncodeError('nodeId', `a Node-ID is ${NODE_ID_LENGTH} bytes, got ${nodeId.length}`);
  return nodeId.slice();
}
