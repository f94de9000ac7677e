/**
 * The one signing and verifying interface of a peer (RFC 6940 §6.3.4 messages, §7.1 stored
 * data). Transport signs every message it originates and verifies every message addressed to
 * it; storage verifies every StoredData signature before storing and again after fetching.
 * Real X.509 identities implement it (reload/security, issue "Identity and trust"); the
 * simulator's fast signer lives in src/sim and cannot be selected by production code.
 */
import type { NodeId } from '../wire/ids.js';
import type { GenericCertificate, Signature, SignerIdentity } from '../wire/security-block.js';
import type { AbortOptions } from '../runtime/components.js';
import type { MaybePromise } from '../runtime/maybe-promise.js';
import { ReloadError } from '../runtime/reload-error.js';
import { ErrorCode } from '../wire/message-codes.js';

/** Who signed, as proved by a verified certificate chain. */
export interface VerifiedSigner {
  /** The Node-ID the signature was made for (one of the certificate's Node-IDs). */
  readonly nodeId: NodeId;
  /** Every Node-ID the certificate holds (for NODE-MULTIPLE / USER-NODE-MATCH checks, §7.3). */
  readonly nodeIds: readonly NodeId[];
  /** The certificate's user name (rfc822Name, §11.3), for USER-MATCH. */
  readonly userName: string;
  /**
   * The certificates that proved the signer: its peer certificate, then the intermediates of the
   * validated path (not the root-cert, which §6.3.4 leaves out of a SecurityBlock). A peer that
   * stores a value this signer signed keeps them with it (§6.3.4: "a peer storing data is
   * obligated to retain certificates for the data that it holds"). Absent where no certificate
   * proves a signer (the simulator's fast signatures).
   */
  readonly certificates?: readonly GenericCertificate[];
}

/** This peer's identity: signs with its key and says which certificates prove it. */
export interface Signer {
  readonly nodeId: NodeId;
  readonly userName: string;
  /** The certificates to put in a SecurityBlock so others can verify our signatures (§6.3.4). */
  certificates(): readonly GenericCertificate[];
  /** The SignerIdentity that `sign` will put in the Signature (it is part of the signed input, §6.3.4). */
  identity(): SignerIdentity;
  /**
   * Sign `input` (already built per §6.3.4 or §7.1, SignerIdentity included): the signature at
   * once when it is made without waiting, else a promise of it (MaybePromise).
   */
  sign(input: Uint8Array, options?: AbortOptions): MaybePromise<Signature>;
}

export interface VerifyOptions extends AbortOptions {
  /**
   * The Node-ID the caller believes signed (e.g. the sender a request claims to come from);
   * a signature made for any other Node-ID is refused with Error_Forbidden (§6.3.4).
   */
  readonly claimedNodeId?: NodeId;
}

/** Checks signatures made by others. */
export interface Verifier {
  /**
   * Verify `signature` over `input`, finding the signer's certificate among `certificates`
   * (or a cache). The signer, or ReloadError Error_Forbidden thrown: at once when the check needs
   * no wait, else a promise that resolves with the signer or rejects (MaybePromise).
   */
  verify(input: Uint8Array, signature: Signature, certificates: readonly GenericCertificate[], options?: VerifyOptions): MaybePromise<VerifiedSigner>;
  /**
   * The certificates (peer certificate, then intermediates) of a signer this verifier has already
   * validated, by the SignerIdentity its signatures carry; empty when it knows none. Storage keeps
   * the certificates of the values it holds itself (held-certificates.ts, §6.3.4); this is its
   * fallback for records stored before it did. Optional: a verifier without certificates has none.
   */
  certificatesFor?(identity: SignerIdentity): readonly GenericCertificate[];
}

/**
 * Error_Forbidden because the signer's certificate is neither in the SecurityBlock nor known to the
 * verifier (§6.3.4: "In systems that have an alternative certificate distribution mechanism, some
 * certificates MAY be omitted"). A caller may fetch it through the Certificate Store Usage (§8)
 * and verify again.
 */
export class CertificateUnknownError extends ReloadError {
  override readonly name: string = 'CertificateUnknownError';
  constructor(reason: string) {
    super(ErrorCode.Error_Forbidden, new TextEncoder().encode(reason));
  }
}
