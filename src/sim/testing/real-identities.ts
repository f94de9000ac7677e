/**
 * Real X.509 identities for the simulator (tests and benches only, Node): one test CA, and per peer
 * a real key pair, a certificate from that CA in the RFC 6940 §11.3 form, an X509Signer and its own
 * X509Verifier (own certificate cache) trusting the CA as the configuration's root-cert. Plugs into
 * chord-overlay.ts through `ChordOverlayInit.identity`, in place of the fast signer.
 *
 * WebCrypto works on a thread pool, outside the job queue the VirtualClock drains, so the crypto
 * given to signers and verifiers is `trackedCrypto`: each operation is registered with
 * `clock.track`, and virtual time waits for it (it costs no virtual time).
 */
import type { VirtualClock } from '../virtual-clock.js';
import { SeededRandom } from '../seeded-random.js';
import type { SimIdentity } from '../chord-overlay.js';
import { simConfiguration } from '../chord-overlay.js';
import { TestPki } from '../../reload/testing/test-pki.js';
import { X509Signer } from '../../reload/security/x509-signer.js';
import { X509Verifier } from '../../reload/security/x509-verifier.js';
import { signatureAlgorithmElements, trustPolicyFromConfiguration } from '../../reload/security/trust-policy.js';
import type { SignatureKeyType } from '../../reload/security/signature-algorithm.js';
import type { WallClock } from '../../reload/security/security-components.js';
import type { Configuration } from '../../reload/wire/config/overlay-configuration.js';
import { NODE_ID_LENGTH, type NodeId } from '../../reload/wire/ids.js';

/** WebCrypto whose every `subtle` operation is tracked by `clock` (see the file comment). */
export function trackedCrypto(clock: Pick<VirtualClock, 'track'>, crypto: Crypto = globalThis.crypto): Crypto {
  const subtle = crypto.subtle;
  const trackedSubtle = new Proxy(subtle, {
    get(target, prop) {
      const v: unknown = Reflect.get(target, prop, target);
      if (typeof v !== 'function') return v;
      return (...args: unknown[]) => clock.track(Promise.resolve((v as (...a: unknown[]) => Promise<unknown>).apply(target, args)));
    },
  });
  return {
    subtle: trackedSubtle,
    getRandomValues: <T extends ArrayBufferView>(array: T) => crypto.getRandomValues(array),
    randomUUID: () => crypto.randomUUID(),
  } as Crypto;
}

/** A peer's credentials, made before the overlay starts. */
export interface RealCredentials {
  readonly keys: CryptoKeyPair;
  readonly certificate: Uint8Array;
  readonly nodeId: NodeId;
  readonly userName: string;
}

export interface RealIdentities {
  readonly pki: TestPki;
  /** Configuration overrides for the simulated overlay: the CA as root-cert, the key types allowed. */
  readonly configuration: Partial<Configuration>;
  /** Credentials of peer `i` (made on demand in `prepare`). */
  readonly credentials: RealCredentials[];
  /** Make credentials for peers 0 … n-1 (in parallel, `concurrency` at a time). */
  prepare(n: number, concurrency?: number): Promise<void>;
  /** The identity of peer `index` (its credentials must be prepared): for ChordOverlayInit.identity. */
  identity(index: number): SimIdentity;
  /** An identity over any credentials (e.g. issued by another CA, or expired), verified by this overlay's trust. */
  identityOf(credentials: RealCredentials, nodeId?: NodeId): Promise<SimIdentity>;
}

export interface RealIdentitiesInit {
  readonly clock: Pick<VirtualClock, 'track'>;
  /** Key type of the peers (default ecdsa-p256, allowed by the configuration); the CA is RSA. */
  readonly keyType?: SignatureKeyType;
  /** Instance name (default the simulator's). */
  readonly instanceName?: string;
  /** Calendar time of the verifiers (default the test PKI's fixed "now"). */
  readonly wallClock?: WallClock;
  /** Override the user name of peer `i` (default `peer<i>@sim.chordphone.invalid`). */
  readonly userName?: (index: number) => string;
  /**
   * Seed of the peers' Node-IDs: peer `i` gets the `i`-th Node-ID drawn from a SeededRandom with
   * this seed, whatever order `prepare` makes the credentials in, so the ring is the same every run
   * and a failure can be replayed. Default: Node-IDs from WebCrypto (a different ring each run).
   */
  readonly seed?: number;
}

export async function createRealIdentities(init: RealIdentitiesInit): Promise<RealIdentities> {
  const instanceName = init.instanceName ?? simConfiguration().instanceName;
  const keyType = init.keyType ?? 'ecdsa-p256';
  const pki = await TestPki.create({ overlay: instanceName });
  const configuration: Partial<Configuration> = { instanceName, rootCerts: [pki.ca.rootCertificate], extensions: signatureAlgorithmElements(['ecdsa-p256']) };
  const policy = trustPolicyFromConfiguration(simConfiguration(configuration));
  const crypto = trackedCrypto(init.clock);
  const wallClock = init.wallClock ?? pki.wallClock;
  const credentials: RealCredentials[] = [];
  const userName = init.userName ?? ((i: number) => `peer${i}@sim.chordphone.invalid`);
  const signers = new Map<number, X509Signer>();
  // Peer i's Node-ID is the i-th drawn, so it depends on the seed and i only. `prepare` asks in index
  // order already (each worker takes the next index and draws before its first await); drawing by
  // index here keeps that true by construction, not by how `prepare` schedules its workers.
  const seeded = init.seed === undefined ? undefined : new SeededRandom(init.seed);
  const seededNodeIds: NodeId[] = [];
  const nodeIdsOf = (i: number): { nodeIds?: readonly NodeId[] } => {
    if (!seeded) return {};
    while (seededNodeIds.length <= i) seededNodeIds.push(seeded.bytes(NODE_ID_LENGTH));
    return { nodeIds: [seededNodeIds[i]!] };
  };

  const make = async (i: number): Promise<void> => {
    const peer = await pki.peer(userName(i), { keyType, ...nodeIdsOf(i) });
    credentials[i] = { keys: peer.keys, certificate: peer.certificate, nodeId: peer.nodeIds[0]!, userName: peer.userName };
    signers.set(i, await X509Signer.create({ crypto }, { privateKey: peer.keys.privateKey, certificates: [peer.certificate], overlay: instanceName }));
  };
  const verifier = () => new X509Verifier({ crypto, wallClock }, { policy });

  return {
    pki,
    configuration,
    credentials,
    async prepare(n, concurrency = 8) {
      let next = 0;
      const worker = async () => {
        while (next < n) {
          const i = next++;
          if (!signers.has(i)) await make(i);
        }
      };
      await Promise.all(Array.from({ length: Math.max(1, concurrency) }, worker));
    },
    identity(index) {
      const signer = signers.get(index);
      if (!signer) throw new RangeError(`no credentials prepared for peer ${index}`);
      return { signer, verifier: verifier() };
    },
    async identityOf(c, nodeId) {
      const signer = await X509Signer.create({ crypto }, { privateKey: c.keys.privateKey, certificates: [c.certificate], overlay: instanceName, nodeId: nodeId ?? c.nodeId });
      return { signer, verifier: verifier() };
    },
  };
}
