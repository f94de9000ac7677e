/**
 * A Node peer's (and the enrollment server's CA's) key store on disk (ARCHITECTURE.md
 * "Identity": "a Node peer keeps its key and certificate on disk (private key file mode 0600)").
 *
 * For credentials named N, in the store's directory (mode 0700):
 * - `N.key.pem`: the private key, PKCS#8 PEM ("PRIVATE KEY"), mode 0600;
 * - `N.pub.pem`: the public key, SubjectPublicKeyInfo PEM ("PUBLIC KEY"), mode 0644;
 * - `N.cert.pem`: the certificate chain, certificate first, PEM ("CERTIFICATE"), mode 0644
 *   (absent before enrollment).
 * The files are the usual OpenSSL formats, so `openssl x509 -in N.cert.pem -text` reads them.
 * Saving needs an extractable private key; loading imports it non-extractable.
 */
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { KeyStore, StoredCredentials } from '../key-store.js';
import { bufferSource, type CryptoDeps } from '../security-components.js';
import { keyImportParams, type SignatureKeyType } from '../signature-algorithm.js';
import { keyTypeOfSubjectPublicKeyInfo } from '../reload-certificate.js';
import { PemConverter } from '../x509.js';
import { ensurePrivateDirectory, writeFileAtomic } from './private-file.js';

export const PRIVATE_KEY_FILE_MODE = 0o600;
const PUBLIC_FILE_MODE = 0o644;

export interface FileKeyStoreInit {
  /** The directory holding the files. */
  readonly directory: string;
}

export class FileKeyStore implements KeyStore {
  constructor(
    private readonly deps: CryptoDeps,
    private readonly init: FileKeyStoreInit,
  ) {}

  /** The private key file of credentials `name`. */
  keyFile(name: string): string {
    return this.file(name, 'key');
  }

  async load(name: string): Promise<StoredCredentials | undefined> {
    const { subtle } = this.deps.crypto;
    const keyPem = await readOptional(this.file(name, 'key'));
    if (keyPem === undefined) return undefined;
    const pubPem = await readOptional(this.file(name, 'pub'));
    if (pubPem === undefined) throw new Error(`${this.file(name, 'pub')} is missing beside ${this.file(name, 'key')}`);
    const spki = new Uint8Array(PemConverter.decodeFirst(pubPem));
    const type = keyTypeOfSubjectPublicKeyInfo(spki);
    if (!type) throw new Error(`${this.file(name, 'pub')}: not an RSA (≥ 2048 bits) or ECDSA P-256 key`);
    const privateKey = await subtle.importKey('pkcs8', PemConverter.decodeFirst(keyPem), keyImportParams(type), false, ['sign']);
    const publicKey = await subtle.importKey('spki', bufferSource(spki), keyImportParams(type), true, ['verify']);
    const certPem = await readOptional(this.file(name, 'cert'));
    const certificates = certPem === undefined ? [] : PemConverter.decode(certPem).map((b) => new Uint8Array(b));
    return { keys: { privateKey, publicKey }, certificates };
  }

  async save(name: string, credentials: StoredCredentials): Promise<void> {
    const { subtle } = this.deps.crypto;
    if (!credentials.keys.privateKey.extractable) throw new TypeError('a key saved to disk must be extractable (generate it with extractable = true)');
    await ensurePrivateDirectory(this.init.directory);
    const pkcs8 = await subtle.exportKey('pkcs8', credentials.keys.privateKey);
    const spki = await subtle.exportKey('spki', credentials.keys.publicKey);
    // Each file is replaced atomically, but not the three together: the private key goes last, so
    // that a save cut short (a crash, Ctrl-C on a first start, a full disk) leaves no key file, and
    // `load` finds nothing and the credentials are made again, instead of a key without its public
    // key or certificate, which `load` refuses on every start until someone deletes it by hand.
    await writeFileAtomic(this.file(name, 'pub'), PemConverter.encode(spki, PemConverter.PublicKeyTag), PUBLIC_FILE_MODE);
    if (credentials.certificates.length > 0) {
      const pem = credentials.certificates.map((c) => PemConverter.encode(bufferSource(c), PemConverter.CertificateTag)).join('\n');
      await writeFileAtomic(this.file(name, 'cert'), pem, PUBLIC_FILE_MODE);
    } else {
      await rm(this.file(name, 'cert'), { force: true });
    }
    await writeFileAtomic(this.file(name, 'key'), PemConverter.encode(pkcs8, PemConverter.PrivateKeyTag), PRIVATE_KEY_FILE_MODE);
  }

  async delete(name: string): Promise<void> {
    for (const kind of ['key', 'pub', 'cert'] as const) await rm(this.file(name, kind), { force: true });
  }

  private file(name: string, kind: 'key' | 'pub' | 'cert'): string {
    if (!/^[A-Za-z0-9._-]+$/.test(name) || name.startsWith('.')) throw new RangeError(`"${name}" is not a usable credentials name (letters, digits, . _ -)`);
    return join(this.init.directory, `${name}.${kind}.pem`);
  }
}


async function readOptional(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
}
