import { beforeAll, describe, expect, it } from 'vitest';
import { ReloadError } from '../runtime/reload-error.js';
import { DTLS_FINGERPRINT_EXTENSION, DtlsSetupRole, encodeDtlsFingerprint, sdpFingerprintValue } from '../wire/methods/dtls-fingerprint.js';
import { checkDtlsFingerprint, expectedDtlsFingerprint } from './dtls-fingerprint-check.js';
import { TestPki } from '../testing/test-pki.js';

const crypto = globalThis.crypto;
const utf8 = new TextEncoder();
let pki: TestPki;
let dtlsCert: Uint8Array;
let otherCert: Uint8Array;

beforeAll(async () => {
  pki = await TestPki.create({ keyType: 'ecdsa-p256' });
  // Two real X.509 certificates stand in for the two sides' DTLS certificates.
  dtlsCert = (await pki.peer('dtls@chordphone.test', { keyType: 'ecdsa-p256' })).certificate;
  otherCert = (await pki.peer('other@chordphone.test', { keyType: 'ecdsa-p256' })).certificate;
});

const nodeA = Uint8Array.from({ length: 16 }, (_, i) => i + 1);
const nodeB = Uint8Array.from({ length: 16 }, (_, i) => 100 + i);
const signer = (nodeId: Uint8Array) => ({ nodeId, nodeIds: [nodeId], userName: 'a@chordphone.test' });

async function attachExtensions(cert: Uint8Array) {
  const fingerprint = new Uint8Array(await crypto.subtle.digest('SHA-256', cert as Uint8Array<ArrayBuffer>));
  return { fingerprint, extensions: [{ type: DTLS_FINGERPRINT_EXTENSION, critical: false, extensionContents: encodeDtlsFingerprint({ hashFunction: utf8.encode('sha-256'), fingerprint, setup: DtlsSetupRole.actpass }) }] };
}

describe('binding a data channel to the signed Attach (DTLS fingerprint 0xC001)', () => {
  it('accepts the certificate the Attach named, by certificate and by reported fingerprint', async () => {
    const { fingerprint, extensions } = await attachExtensions(dtlsCert);
    const expected = expectedDtlsFingerprint(signer(nodeA), extensions, nodeA);
    expect(await checkDtlsFingerprint(crypto, expected, { certificate: dtlsCert })).toEqual({ ok: true });
    const sdp = sdpFingerprintValue({ hashFunction: utf8.encode('sha-256'), fingerprint });
    expect(await checkDtlsFingerprint(crypto, expected, { sdpFingerprint: `a=fingerprint:${sdp}` })).toEqual({ ok: true });
    expect(await checkDtlsFingerprint(crypto, expected, { hashFunction: 'SHA-256', fingerprint })).toEqual({ ok: true });
  });

  it('refuses a data channel whose DTLS certificate differs: Error_Forbidden', async () => {
    const { extensions } = await attachExtensions(dtlsCert);
    const expected = expectedDtlsFingerprint(signer(nodeA), extensions, nodeA);
    const v = await checkDtlsFingerprint(crypto, expected, { certificate: otherCert });
    expect(v.ok).toBe(false);
    if (!v.ok) {
      expect(v.error.codeName).toBe('Error_Forbidden');
      expect(new TextDecoder().decode(v.error.info)).toMatch(/is not the one Node-ID/);
    }
    const other = await attachExtensions(otherCert);
    expect((await checkDtlsFingerprint(crypto, expected, { hashFunction: 'sha-256', fingerprint: other.fingerprint })).ok).toBe(false);
    expect((await checkDtlsFingerprint(crypto, expected, { hashFunction: 'sha-1', fingerprint: new Uint8Array(20) })).ok).toBe(false);
    expect((await checkDtlsFingerprint(crypto, expected, { sdpFingerprint: 'garbage' })).ok).toBe(false);
  });

  it('refuses an Attach from another Node-ID, or without or with a malformed fingerprint', async () => {
    const { extensions } = await attachExtensions(dtlsCert);
    const codeOf = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        return e instanceof ReloadError ? e.codeName : String(e);
      }
      return 'accepted';
    };
    expect(codeOf(() => expectedDtlsFingerprint(signer(nodeB), extensions, nodeA))).toBe('Error_Forbidden');
    expect(codeOf(() => expectedDtlsFingerprint(signer(nodeA), [], nodeA))).toBe('Error_Forbidden');
    expect(codeOf(() => expectedDtlsFingerprint(signer(nodeA), [{ ...extensions[0]!, extensionContents: Uint8Array.of(7, 1) }], nodeA))).toBe('Error_Forbidden');
  });
});
