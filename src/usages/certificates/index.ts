/** usages/certificates: the Certificate Store Usage (RFC 6940 §8), CERTIFICATE_BY_NODE and CERTIFICATE_BY_USER. */
export { CertificateStore, type CertificateStoreDeps, type CertificateStoreInit, type CertificateValidator } from './certificate-store.js';
export { certificateKindBlocks, type CertificateKindLimits } from './certificate-kinds.js';
