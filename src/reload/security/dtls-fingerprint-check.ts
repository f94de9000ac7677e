/**
 * Binding a data channel to a RELOAD identity (ARCHITECTURE.md "Attach over WebRTC"; RFC 6940
 * §6.4.2.1 "a transport channel that is bound to the Node-ID"): the DTLS certificate fingerprint
 * travels in the private DTLS-fingerprint extension (0xC001, wire/methods/dtls-fingerprint.ts) of
 * a *signed* Attach or AppAttach, so once transport has verified that message (§6.3.4) the
 * fingerprint is vouched for by the sender's X.509 certificate and Node-ID. The link layer then
 * refuses a data channel whose DTLS handshake shows another certificate.
 *
 * Use (link layer, e.g. reload/links/webrtc):
 * ```ts
 * const expected = expectedDtlsFingerprint(attachAnswer.sender, attachAnswer.extensions, peerNodeId);
 * // after the DTLS handshake, with the remote certificate's DER (RTCDtlsTransport.getRemoteCertificates())
 * // or the fingerprint the stack reports (e.g. node-datachannel's remote description `a=fingerprint`):
 * const verdict = await checkDtlsFingerprint(crypto, expected, { certificate: der });   // or { sdpFingerprint: 'sha-256 AB:…' }
 * if (!verdict.ok) { channel.close(); log(verdict.error.message); }
 * ```
 */
import { ReloadError } from '../runtime/reload-error.js';
import { bytesEqual, toHex } from '../wire/codec/hex.js';
import { DecodeError } from '../wire/codec/decode-error.js';
import type { NodeId } from '../wire/ids.js';
import type { MessageExtension } from '../wire/message-contents.js';
import { DTLS_FINGERPRINT_EXTENSION, decodeDtlsFingerprint, dtlsFingerprintFromSdp, type DtlsFingerprint } from '../wire/methods/dtls-fingerprint.js';
import { bufferSource } from './security-components.js';
import type { VerifiedSigner } from './signer.js';

/** The fingerprint a verified Attach vouches for, and whose it is. */
export interface ExpectedDtlsFingerprint {
  readonly nodeId: NodeId;
  readonly fingerprint: DtlsFingerprint;
}

/** What the DTLS handshake showed of the remote side: its certificate (DER) or the fingerprint its stack reports. */
export type RemoteDtlsIdentity =
  | { readonly certificate: Uint8Array }
  | { readonly sdpFingerprint: string }
  | { readonly hashFunction: string; readonly fingerprint: Uint8Array };

export type DtlsFingerprintVerdict = { readonly ok: true } | { readonly ok: false; readonly error: ReloadError };

/** RFC 8122 hash names WebCrypto can compute (sha-1 only for checking old peers' fingerprints). */
const WEBCRYPTO_HASH: Readonly<Record<string, string>> = { 'sha-1': 'SHA-1', 'sha-256': 'SHA-256', 'sha-384': 'SHA-384', 'sha-512': 'SHA-512' };

const ascii = (b: Uint8Array) => String.fromCharCode(...b).toLowerCase();
const refuse = (reason: string): DtlsFingerprintVerdict => ({ ok: false, error: ReloadError.of('Error_Forbidden', reason) });

/**
 * The DTLS fingerprint of a verified Attach/AppAttach (request or answer) from `signer`, checked to
 * be the peer the channel is meant for (`expectedNodeId`). Throws ReloadError Error_Forbidden when
 * the message is from another Node-ID, carries no fingerprint, or a malformed one.
 */
export function expectedDtlsFingerprint(signer: VerifiedSigner, extensions: readonly MessageExtension[], expectedNodeId: NodeId): ExpectedDtlsFingerprint {
  if (!bytesEqual(signer.nodeId, expectedNodeId)) {
    throw ReloadError.of('Error_Forbidden', `the Attach was signed by Node-ID ${toHex(signer.nodeId)}, not the expected ${toHex(expectedNodeId)}`);
  }
  const ext = extensions.find((e) => e.type === DTLS_FINGERPRINT_EXTENSION);
  if (!ext) throw ReloadError.of('Error_Forbidden', 'the Attach carries no DTLS fingerprint (extension 0xC001): the data channel cannot be bound to its Node-ID');
  try {
    return { nodeId: signer.nodeId, fingerprint: decodeDtlsFingerprint(ext.extensionContents) };
  } catch (e) {
    if (e instanceof DecodeError) throw ReloadError.of('Error_Forbidden', `malformed DTLS fingerprint extension: ${e.message}`);
    throw e;
  }
}

/**
 * Accept the data channel only if its remote DTLS certificate is the one the signed Attach named:
 * same hash function, same digest. `crypto` is needed only when `remote` is a certificate.
 */
export async function checkDtlsFingerprint(crypto: Crypto, expected: ExpectedDtlsFingerprint, remote: RemoteDtlsIdentity): Promise<DtlsFingerprintVerdict> {
  const hashName = ascii(expected.fingerprint.hashFunction);
  let actual: Uint8Array;
  if ('certificate' in remote) {
    const algorithm = WEBCRYPTO_HASH[hashName];
    if (!algorithm) return refuse(`the Attach's fingerprint uses hash ${hashName}, which cannot be checked (sha-1, sha-256, sha-384, sha-512)`);
    actual = new Uint8Array(await crypto.subtle.digest(algorithm, bufferSource(remote.certificate)));
  } else {
    const parsed = 'sdpFingerprint' in remote ? dtlsFingerprintFromSdp(remote.sdpFingerprint) : { hashFunction: new TextEncoder().encode(remote.hashFunction.toLowerCase()), fingerprint: remote.fingerprint };
    if (!parsed) return refuse('the data channel reported a malformed DTLS fingerprint');
    if (ascii(parsed.hashFunction) !== hashName) return refuse(`the data channel's DTLS fingerprint uses ${ascii(parsed.hashFunction)}, the signed Attach ${hashName}`);
    actual = parsed.fingerprint;
  }
  if (!bytesEqual(actual, expected.fingerprint.fingerprint)) {
    return refuse(`the data channel's DTLS certificate (${hashName} ${toHex(actual)}) is not the one Node-ID ${toHex(expected.nodeId)} signed in its Attach (${toHex(expected.fingerprint.fingerprint)})`);
  }
  return { ok: true };
}
