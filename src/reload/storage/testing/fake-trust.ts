/**
 * A fake Signer/Verifier pair for storage tests (never for production): a "signature" is the
 * test digest of the signed input (reload/testing/test-signatures.ts, whose open scheme is the
 * transport tests'; this one is closed), and the SignerIdentity's cert_hash names a registered
 * identity. So a value altered after signing, or signed by an unregistered identity, fails
 * verification, and tests choose who signs what. Each identity has a stand-in certificate, which
 * `verify` names as the one that proved the signer, as X509Verifier does.
 */
import { ReloadError } from '../../runtime/reload-error.js';
import type { VerifiedSigner, Verifier } from '../../security/signer.js';
import type { NodeId, ResourceId } from '../../wire/ids.js';
import { HashAlgorithm, SignatureAlgorithm, SignerIdentityType, type GenericCertificate, type Signature, type SignerIdentity } from '../../wire/security-block.js';
import { storedDataSignatureInput } from '../../wire/storage/stored-data-signature-input.js';
import type { StoredData, StoredDataValue } from '../../wire/storage/stored-data.js';
import { hexKey } from '../ring-range.js';
import { testDigest, testDigestMatches } from '../../testing/test-signatures.js';

/** One identity: a user name, the certificate's Node-IDs and the Node-ID it signs for. */
export interface FakeIdentity {
  readonly signer: VerifiedSigner;
  readonly identity: SignerIdentity;
  /** The §6.3.4 Signature over `input`. */
  signature(input: Uint8Array): Signature;
  /** A StoredData of `value` signed for `resource`/`kind` (§7.1). */
  sign(resource: ResourceId, kind: number, value: StoredDataValue, storageTime: bigint, lifetime?: number): StoredData;
}

export class FakeTrust implements Verifier {
  private readonly byTag = new Map<string, VerifiedSigner>();
  private next = 1;
  /** Every verify call's input, for tests that inspect what was verified. */
  readonly verified: Uint8Array[] = [];

  /** Registers an identity of `userName` whose certificate holds `nodeIds`, signing as `nodeIds[signAs]`. */
  identity(userName: string, nodeIds: readonly NodeId[], signAs = 0): FakeIdentity {
    const nodeId = nodeIds[signAs];
    if (!nodeId) throw new Error('no such Node-ID');
    const tag = new Uint8Array(8);
    new DataView(tag.buffer).setUint32(4, this.next++);
    // A stand-in for the identity's certificate, which verification names (VerifiedSigner.certificates).
    const certificate: GenericCertificate = { type: 0, certificate: new TextEncoder().encode(`certificate ${hexKey(tag)} of ${userName}`) };
    const signer: VerifiedSigner = { nodeId, nodeIds, userName, certificates: [certificate] };
    this.byTag.set(hexKey(tag), signer);
    const identity: SignerIdentity = { identityType: SignerIdentityType.cert_hash, hashAlg: HashAlgorithm.sha256, hash: tag };
    const signature = (input: Uint8Array): Signature => ({
      algorithm: { hash: HashAlgorithm.sha256, signature: SignatureAlgorithm.rsa },
      identity,
      signatureValue: testDigest(input),
    });
    return {
      signer,
      identity,
      signature,
      sign: (resource, kind, value, storageTime, lifetime = 3600) => ({
        storageTime,
        lifetime,
        value,
        signature: signature(storedDataSignatureInput(resource, kind, storageTime, value, identity)),
      }),
    };
  }

  async verify(input: Uint8Array, signature: Signature, _certificates: readonly GenericCertificate[]): Promise<VerifiedSigner> {
    this.verified.push(input);
    const id = signature.identity;
    const signer = 'hash' in id ? this.byTag.get(hexKey(id.hash)) : undefined;
    if (!signer) throw ReloadError.of('Error_Forbidden', 'unknown signer');
    if (!testDigestMatches(signature.signatureValue, input)) throw ReloadError.of('Error_Forbidden', 'bad signature');
    return signer;
  }
}
