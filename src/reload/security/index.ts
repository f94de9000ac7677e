// RELOAD identity and trust (RFC 6940 §6.3.4, §7.1, §11.1, §11.3, §13.3): X.509 signers and
// verifiers, the overlay CA and enrollment service, key stores, configuration signatures.
// Browser-safe: the Node-only file stores are in ./node.
export type { Signer, Verifier, VerifiedSigner } from './signer.js';
export { CertificateUnknownError } from './signer.js';
export type { WallClock, CryptoDeps } from './security-components.js';
export { fixedWallClock } from './security-components.js';
export type { SignatureKeyType } from './signature-algorithm.js';
export { SIGNATURE_KEY_TYPES, tlsSignatureAlgorithm, keyTypeOfTlsAlgorithm } from './signature-algorithm.js';
export type { TrustPolicy, SelfSignedDigestName } from './trust-policy.js';
export { trustPolicyFromConfiguration, signatureAlgorithmElements, CHORDPHONE_SIGNATURE_ALGORITHM_NAMESPACE } from './trust-policy.js';
export { formatReloadNodeUri, parseReloadNodeUri, type ReloadNodeUri } from './reload-uri.js';
export { prepareUserName, isPlausibleUserName } from './user-name.js';
export { parseReloadCertificate, type ReloadCertificate } from './reload-certificate.js';
export { ChainValidator, type ValidatedPath } from './chain-validator.js';
export { CertificateCache, type CachedCertificate } from './certificate-cache.js';
export { X509Signer, type X509SignerInit } from './x509-signer.js';
export { X509Verifier, type X509VerifierDeps, type X509VerifierInit, type VerifyOptions } from './x509-verifier.js';
export { CertificateAuthority, DEFAULT_PEER_CERTIFICATE_LIFETIME_MS, type IssueRequest, type CertificateAuthorityDeps } from './certificate-authority.js';
export { createCertificateRequest, readCertificateRequest } from './certificate-request.js';
export { createSelfSignedCertificate, selfSignedNodeIds } from './self-signed.js';
export { generateSigningKeys, MemoryKeyStore, type KeyStore, type StoredCredentials } from './key-store.js';
export { IdbKeyStore, IDENTITY_DATABASE } from './idb-key-store.js';
export { EnrollmentService, DEFAULT_ENROLLMENT_RATE_LIMIT, type EnrollmentHttpRequest, type EnrollmentHttpResponse, type EnrollmentMode, type EnrollmentServiceInit, type EnrollmentServiceDeps } from './enrollment.js';
export { EnrollmentErrorToken, ENROLLMENT_ERROR_TEXT, ENROLLMENT_DETAIL_HEADER, PKIX_CERT_MEDIA_TYPE, PKCS10_MEDIA_TYPE } from './enrollment-protocol.js';
export { PasswordAccounts, type Account, type AccountDirectory } from './enrollment-accounts.js';
export { MemoryNameRegistry, type NameRecord, type NameRegistryStore } from './name-registry.js';
export { enroll, EnrollmentError, type Enrollment, type EnrollRequest } from './enrollment-client.js';
export { signConfigurationDocument, verifyConfigurationDocument, type VerifiedConfigurationDocument } from './configuration-signer.js';
export { expectedDtlsFingerprint, checkDtlsFingerprint, type ExpectedDtlsFingerprint, type RemoteDtlsIdentity, type DtlsFingerprintVerdict } from './dtls-fingerprint-check.js';
