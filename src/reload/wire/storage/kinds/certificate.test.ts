import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EncodeError } from '../../codec/decode-error.js';
import { arbCertificateValue } from '../../testing/storage.arb.js';
import {
  certificateByNodeResourceName,
  certificateByUserResourceName,
  decodeCertificateValue,
  encodeCertificateValue,
} from './certificate.js';
import { decodeErrorPath, hex } from '../../testing/codec-test-kit.js';

describe('certificate Kinds (RFC 6940 §8)', () => {
  it('a DER SEQUENCE, short length form', () => {
    const bytes = hex('30 03 02 01 05'); // SEQUENCE { INTEGER 5 }
    expect(decodeCertificateValue(bytes)).toEqual(bytes);
    expect(encodeCertificateValue(bytes)).toEqual(bytes);
  });

  it('a DER SEQUENCE, long length form', () => {
    const bytes = Uint8Array.from([0x30, 0x82, 0x01, 0x00, ...new Uint8Array(256)]);
    expect(decodeCertificateValue(bytes)).toEqual(bytes);
  });

  it.each([
    ['not a SEQUENCE', '31 00', 'Certificate.tag'],
    ['indefinite length', '30 80 00 00', 'Certificate.length'],
    ['non-minimal length', '30 81 05 01 02 03 04 05', 'Certificate.length'],
    ['length beyond the value', '30 05 01', 'Certificate.length'],
    ['trailing byte', '30 00 00', 'Certificate'],
    ['empty', '', 'Certificate.tag'],
  ])('%s', (_name, text, path) => {
    expect(decodeErrorPath(() => decodeCertificateValue(hex(text)))).toBe(path);
    expect(() => encodeCertificateValue(hex(text))).toThrow(EncodeError);
  });

  it('Resource Names: the user name, and the raw Node-ID', () => {
    expect(certificateByUserResourceName('alice@example.com')).toEqual(new TextEncoder().encode('alice@example.com'));
    const nodeId = new Uint8Array(16).fill(7);
    expect(certificateByNodeResourceName(nodeId)).toEqual(nodeId);
    expect(() => certificateByNodeResourceName(new Uint8Array(20))).toThrow(EncodeError);
  });

  it('properties', () => {
    fc.assert(
      fc.property(arbCertificateValue, (v) => {
        expect(decodeCertificateValue(encodeCertificateValue(v))).toEqual(v);
      }),
    );
  });
});
