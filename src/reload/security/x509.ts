/**
 * The one door to `@peculiar/x509` (ARCHITECTURE.md "Libraries": certificates and CSRs).
 *
 * @peculiar/x509 resolves its algorithm providers through tsyringe, which throws at load time
 * ("tsyringe requires a reflect polyfill") unless `Reflect.getMetadata` exists. An ES module's
 * imports are evaluated in the order they are written, in Node and in a Vite/Rollup bundle alike,
 * so importing `reflect-metadata` here, before re-exporting the library, installs the polyfill
 * before the library's own module runs. Every file of ours imports X.509 from this module only
 * (x509.test.ts greps the tree for direct imports), so no entry point needs a polyfill line of
 * its own and the browser bundle gets it wherever X.509 is used.
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
