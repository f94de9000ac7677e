/**
 * DEVIATION (ARCHITECTURE.md "Libraries before hand-written code" names @peculiar/x509 for
 * certificates and CSRs): it stays the one door to that library, but for Node-only code: the CA that issues certificates (certificate-authority.ts), the server, the
 * file key store, and tests (as an oracle). Browser-reachable modules read and make certificates
 * and requests with our own DER code (certificate.ts, certificate-request.ts, self-signed.ts)
 * instead: this library's stack (asn1js, decorator-based ASN.1 schemas, reflect-metadata,
 * tsyringe) was some 270 KB (45 %) of the overlay chunk and cost a first visit 100–200 ms to evaluate
 * (issue 5). src/app/build/browser-free.test.ts fails if it reaches the browser build again.
 *
 * @peculiar/x509 resolves its algorithm providers through tsyringe, which throws at load time
 * ("tsyringe requires a reflect polyfill") unless `Reflect.getMetadata` exists. An ES module's
 * imports are evaluated in the order they are written, in Node and in a Vite/Rollup bundle alike,
 * so importing `reflect-metadata` here, before re-exporting the library, installs the polyfill
 * before the library's own module runs. Every file of ours imports X.509 from this module only
 * (x509.test.ts greps the tree for direct imports), so no entry point needs a polyfill line of
 * its own.
 *
 * The library's default crypto provider is never relied on: every call that can take a `Crypto`
 * is given the injected one (style.md §4).
 */
import 'reflect-metadata';

export {
  AsnEcSignatureFormatter,
  AuthorityKeyIdentifierExtension,
  BasicConstraintsExtension,
  Extension,
  KeyUsageFlags,
  KeyUsagesExtension,
  Name,
  PemConverter,
  Pkcs10CertificateRequest,
  Pkcs10CertificateRequestGenerator,
  PublicKey,
  SubjectAlternativeNameExtension,
  SubjectKeyIdentifierExtension,
  X509Certificate,
  X509CertificateGenerator,
} from '@peculiar/x509';
export type { JsonGeneralName } from '@peculiar/x509';
