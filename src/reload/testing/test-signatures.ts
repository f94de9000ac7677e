/**
 * Test-only signatures (never for production): one digest, and the open scheme that message
 * transport tests sign with.
 *
 * `testDigest` is the "signature value" of every test scheme: a 4-byte FNV-1a digest of the signed
 * input, so a message or value altered after signing fails verification. Two schemes use it, and
 * differ on purpose in who may sign:
 * - here, stubSigner/stubVerifier: open. The SignerIdentity's hash is the signer's Node-ID, and
 *   any Node-ID verifies, so transport tests can craft messages from any node without setup;
 * - storage/testing/fake-trust.ts, FakeTrust: closed. The identity names a registered signer with
 *   its user name, several Node-IDs and a certificate, and an unregistered one is refused, as the
 *   §7.3 access control rules (USER-MATCH, NODE-MULTIPLE) and §6.3.4 certificate keeping need.
 * The simulator has its own scheme, in src/sim.
 */
import { CertificateUnknownError, type Signer, type Verifier } from '../security/signer.js';
import { ReloadError } from '../runtime/reload-error.js';
import { toHex } from '../wire/codec/hex.js';
import type { SignerIdentity } from '../wire/security-block.js';

/** The test schemes' signature value: the FNV-1a digest of `input`, 4 bytes. */
export function testDigest(input: Uint8Array): Uint8Array {
  let h = 0x811c9dc5;
  for (const b of input) h = Math.imul(h ^ b, 0x01000193) >>> 0;
  const out = new Uint8Array(4);
  new DataView(out.buffer).setUint32(0, h);
  return out;
}

/** Whether `signatureValue` is testDigest(input). */
export function testDigestMatches(signatureValue: Uint8Array, input: Uint8Array): boolean {
  const expected = testDigest(input);
  return signatureValue.length === expected.length && signatureValue.every((b, i) => b === expected[i]);
}

/**
 * When a test scheme's signer and verifier answer: at once ('sync', as the simulator's scheme,
 * which throws rather than rejects) or with a promise ('async', as WebCrypto's X509Signer and
 * X509Verifier). Signer.sign and Verifier.verify return MaybePromise, and message
 * transport takes another code path for each (runtime/maybe-promise.ts): its behaviour tests run
 * under both (SIGNATURE_TIMINGS), one suite for the two kinds, as libp2p runs one suite against
 * every transport.
 */
export type SignatureTiming = 'sync' | 'async';
export const SIGNATURE_TIMINGS: readonly SignatureTiming[] = ['async', 'sync'];

/** `answer()` at once ('sync': what it throws, thrown) or as a promise ('async': what it throws, a rejection). */
function timed<T>(timing: SignatureTiming, answer: () => T): T | Promise<T> {
  if (timing === 'sync') return answer();
  try {
    return Promise.resolve(answer());
  } catch (e) {
    return Promise.reject(e);
  }
}

/** The open scheme's Signer: the Node-ID as identity, testDigest of the input as the value. */
export function stubSigner(nodeId: Uint8Array, timing: SignatureTiming = 'async'): Signer {
  const identity: SignerIdentity = { identityType: 1, hashAlg: 0, hash: nodeId };
  return {
    nodeId,
    userName: 'stub',
    certificates: () => [],
    identity: () => identity,
    sign: (input) => timed(timing, () => ({ algorithm: { hash: 0, signature: 0 }, identity, signatureValue: testDigest(input) })),
  };
}

/** The open scheme's Verifier: any Node-ID named by the identity, if the value is testDigest of the input. */
export function stubVerifierOf(timing: SignatureTiming): Verifier {
  return {
    verify: (input, signature) =>
      timed(timing, () => {
        if (!('hash' in signature.identity) || !testDigestMatches(signature.signatureValue, input)) throw ReloadError.of('Error_Forbidden', 'bad signature');
        return { nodeId: signature.identity.hash, nodeIds: [signature.identity.hash], userName: 'stub' };
      }),
  };
}

/** stubVerifierOf('async'). */
export const stubVerifier: Verifier = stubVerifierOf('async');

/**
 * stubVerifierOf(timing), except that the certificate of a signer not in `known` (hex Node-IDs)
 * was omitted and is not cached (X509Verifier's CertificateUnknownError, §6.3.4): rejected with
 * it, or thrown ('sync').
 */
export function omittedUnlessKnown(known: ReadonlySet<string>, timing: SignatureTiming = 'async'): Verifier {
  const verifier = stubVerifierOf(timing);
  return {
    verify(input, signature, certificates, options) {
      if ('hash' in signature.identity && !known.has(toHex(signature.identity.hash))) return timed(timing, () => { throw new CertificateUnknownError('no certificate has that cert_hash'); });
      return verifier.verify(input, signature, certificates, options);
    },
  };
}
