/**
 * A real PKI for tests and benchmarks (never for production): a CA made on the spot, peers with
 * real keys and real certificates, and a fixed calendar time. RSA key generation is slow
 * (tens of ms), so build one TestPki per test file and reuse its peers.
 */
import type { Random } from '../runtime/components.js';
import { configurationWithDefaults, type Configuration } from '../wire/config/index.js';
import type { NodeId } from '../wire/ids.js';
import { CertificateAuthority } from '../security/certificate-authority.js';
import { fixedWallClock, type WallClock } from '../security/security-components.js';
import { keyGenParams, type SignatureKeyType } from '../security/signature-algorithm.js';
import { signatureAlgorithmElements, trustPolicyFromConfiguration, type TrustPolicy } from '../security/trust-policy.js';
import { X509Signer } from '../security/x509-signer.js';
import { X509Verifier } from '../security/x509-verifier.js';

/** Strong randomness from WebCrypto (tests only; production injects platform/web-crypto.ts's). */
export const testRandom: Random = {
  bytes: (n) => globalThis.crypto.getRandomValues(new Uint8Array(n)),
  float: () => globalThis.crypto.getRandomValues(new Uint32Array(1))[0]! / 2 ** 32,
};

export const TEST_OVERLAY = 'chordphone.test';
/** 2026-01-01T00:00:00Z: the tests' "now". */
export const TEST_NOW = Date.UTC(2026, 0, 1);
export const DAY_MS = 86_400_000;

export interface TestPeer {
  readonly keys: CryptoKeyPair;
  readonly certificate: Uint8Array;
  readonly nodeIds: readonly NodeId[];
  readonly userName: string;
  /** A signer for the `index`-th Node-ID. */
  signer(index?: number): Promise<X509Signer>;
}

export interface TestPeerOptions {
  readonly keyType?: SignatureKeyType;
  readonly nodeIdCount?: number;
  /** The Node-IDs to certify (default `nodeIdCount` random ones): tests that need the same ring every run give them. */
  readonly nodeIds?: readonly NodeId[];
  readonly notBefore?: number;
  readonly notAfter?: number;
  /** Reuse a key pair (saves generating one). */
  readonly keys?: CryptoKeyPair;
}

export class TestPki {
  readonly crypto: Crypto = globalThis.crypto;
  readonly random: Random = testRandom;

  private constructor(
    readonly ca: CertificateAuthority,
    readonly wallClock: WallClock,
    readonly overlay: string,
  ) {}

  static async create(init: { overlay?: string; keyType?: SignatureKeyType; now?: number } = {}): Promise<TestPki> {
    const wallClock = fixedWallClock(init.now ?? TEST_NOW);
    const overlay = init.overlay ?? TEST_OVERLAY;
    const ca = await CertificateAuthority.create({ crypto: globalThis.crypto, random: testRandom, wallClock }, { overlay, keyType: init.keyType ?? 'rsa' });
    return new TestPki(ca, wallClock, overlay);
  }

  /** The configuration of this overlay: the CA as root-cert, and ECDSA allowed when asked. */
  configuration(extra: Partial<Configuration> = {}, allowEcdsa = true): Configuration {
    return configurationWithDefaults({
      instanceName: this.overlay,
      rootCerts: [this.ca.rootCertificate],
      extensions: allowEcdsa ? signatureAlgorithmElements(['ecdsa-p256']) : [],
      ...extra,
    });
  }

  policy(extra: Partial<Configuration> = {}, allowEcdsa = true): TrustPolicy {
    return trustPolicyFromConfiguration(this.configuration(extra, allowEcdsa));
  }

  verifier(policy: TrustPolicy = this.policy(), wallClock: WallClock = this.wallClock): X509Verifier {
    return new X509Verifier({ crypto: this.crypto, wallClock }, { policy });
  }

  async keyPair(type: SignatureKeyType = 'rsa'): Promise<CryptoKeyPair> {
    return (await this.crypto.subtle.generateKey(keyGenParams(type), false, ['sign', 'verify'])) as CryptoKeyPair;
  }

  randomNodeId(): NodeId {
    return this.random.bytes(16);
  }

  async peer(userName: string, options: TestPeerOptions = {}): Promise<TestPeer> {
    const keys = options.keys ?? (await this.keyPair(options.keyType ?? 'rsa'));
    const nodeIds = options.nodeIds ?? Array.from({ length: options.nodeIdCount ?? 1 }, () => this.randomNodeId());
    const certificate = await this.ca.issue({
      publicKey: keys.publicKey,
      nodeIds,
      userName,
      ...(options.notBefore === undefined ? {} : { notBefore: options.notBefore }),
      ...(options.notAfter === undefined ? {} : { notAfter: options.notAfter }),
    });
    const overlay = this.overlay;
    const crypto = this.crypto;
    return {
      keys,
      certificate,
      nodeIds,
      userName,
      signer: (index = 0) => X509Signer.create({ crypto }, { privateKey: keys.privateKey, certificates: [certificate], overlay, nodeId: nodeIds[index]! }),
    };
  }
}
