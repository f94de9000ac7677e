/**
 * The HTTPS certificate the server makes for itself (ARCHITECTURE.md "HTTPS": "off localhost, the
 * server serves HTTPS with a certificate it makes for its own LAN addresses"): ECDSA P-256,
 * self-signed, subjectAltName = the LAN IPs, `localhost`, 127.0.0.1, ::1, the host name and
 * `<host>.local`; serverAuth. Kept in `<data>/tls/` (key mode 0600) and made again when the
 * addresses change or it is within a week of expiry. Browsers show a warning once for it; that is
 * the price of HTTPS without a public name.
 */
import { readFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import { join } from 'node:path';
import { webCryptoRandom } from '../platform/web-crypto.js';
import { serialNumber } from '../reload/security/certificate-authority.js';
import { writeFileAtomic } from '../reload/security/node/private-file.js';
import {
  BasicConstraintsExtension,
  Extension,
  KeyUsageFlags,
  KeyUsagesExtension,
  PemConverter,
  SubjectAlternativeNameExtension,
  X509Certificate,
  X509CertificateGenerator,
} from '../reload/security/x509.js';

export interface TlsCredentials {
  /** PEM, for `https.createServer({ key, cert })`. */
  readonly key: string;
  readonly cert: string;
  /** The names and addresses the certificate covers. */
  readonly names: readonly string[];
  /** SHA-256 fingerprint, colon-separated hex (what a browser's warning page shows). */
  readonly fingerprint: string;
}

const DAY_MS = 86_400_000;
const LIFETIME_MS = 397 * DAY_MS; // the longest browsers accept for a server certificate
const ECDSA_P256 = { name: 'ECDSA', namedCurve: 'P-256' } as const;
/** id-kp-serverAuth (RFC 5280 §4.2.1.12) in an extendedKeyUsage extension (2.5.29.37). */
const SERVER_AUTH_EKU_DER = Uint8Array.from([0x30, 0x0a, 0x06, 0x08, 0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x03, 0x01]);

/** The names a certificate for these addresses covers, deduplicated, in a stable order. */
export function tlsNames(ips: readonly string[], host: string): string[] {
  const names = ['localhost', '127.0.0.1', '::1', ...ips];
  if (/^[a-z0-9-]+(\.[a-z0-9-]+)*$/i.test(host)) names.push(host.toLowerCase(), ...(host.includes('.') ? [] : [`${host.toLowerCase()}.local`]));
  return [...new Set(names)];
}

/** Load `<dir>/server.{key,cert}.pem` if they cover `names` and are not near expiry; else make new ones. */
export async function loadOrCreateTlsCredentials(dir: string, names: readonly string[], crypto: Crypto = globalThis.crypto): Promise<TlsCredentials> {
  const keyPath = join(dir, 'server.key.pem');
  const certPath = join(dir, 'server.cert.pem');
  const existing = await readExisting(keyPath, certPath, names, crypto);
  if (existing) return existing;
  const keys = (await crypto.subtle.generateKey(ECDSA_P256, true, ['sign', 'verify'])) as CryptoKeyPair;
  const now = Date.now();
  const cert = await X509CertificateGenerator.createSelfSigned(
    {
      serialNumber: serialNumber(webCryptoRandom),
      name: [{ CN: ['Chordphone server'] }],
      notBefore: new Date(now - DAY_MS),
      notAfter: new Date(now + LIFETIME_MS),
      keys,
      signingAlgorithm: { name: 'ECDSA', hash: 'SHA-256' },
      extensions: [
        new BasicConstraintsExtension(false, undefined, true),
        new KeyUsagesExtension(KeyUsageFlags.digitalSignature, true),
        new Extension('2.5.29.37', false, SERVER_AUTH_EKU_DER),
        new SubjectAlternativeNameExtension(
          names.map((n) => (isIP(n) ? { type: 'ip' as const, value: n } : { type: 'dns' as const, value: n })),
          false,
        ),
      ],
    },
    crypto,
  );
  const pkcs8 = await crypto.subtle.exportKey('pkcs8', keys.privateKey);
  const key = PemConverter.encode(pkcs8, PemConverter.PrivateKeyTag);
  const certPem = cert.toString('pem');
  await writeFileAtomic(keyPath, key, 0o600);
  await writeFileAtomic(certPath, certPem, 0o644);
  return { key, cert: certPem, names: [...names], fingerprint: await fingerprintOf(cert, crypto) };
}

async function readExisting(keyPath: string, certPath: string, names: readonly string[], crypto: Crypto): Promise<TlsCredentials | undefined> {
  try {
    const [key, certPem] = await Promise.all([readFile(keyPath, 'utf8'), readFile(certPath, 'utf8')]);
    const cert = new X509Certificate(certPem);
    if (cert.notAfter.getTime() - Date.now() < 7 * DAY_MS) return undefined;
    const san = cert.getExtension(SubjectAlternativeNameExtension);
    const covered = new Set(san?.names.items.map((n) => n.value.toLowerCase()) ?? []);
    if (!names.every((n) => covered.has(n.toLowerCase()))) return undefined;
    return { key, cert: certPem, names: [...names], fingerprint: await fingerprintOf(cert, crypto) };
  } catch {
    return undefined;
  }
}

async function fingerprintOf(cert: X509Certificate, crypto: Crypto): Promise<string> {
  const hash = new Uint8Array(await cert.getThumbprint('SHA-256', crypto));
  return [...hash].map((b) => b.toString(16).padStart(2, '0').toUpperCase()).join(':');
}
