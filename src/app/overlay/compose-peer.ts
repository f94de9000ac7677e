/**
 * One real RELOAD peer from a verified configuration and an identity: X.509 signer and verifier
 * (RFC 6940 §6.3.4) bound to the overlay's root-certs, the injected network and storage backend,
 * the system clock and WebCrypto (src/platform). The same code composes a browser tab's peer,
 * the server's own peers and `chordphone peer`'s.
 *
 * Each peer also runs the Certificate Store Usage (RFC 6940 §8, usages/certificates): its message
 * transport looks up a signer's certificate that a SecurityBlock left out (§6.3.4 "MAY be
 * omitted") by CERTIFICATE_BY_NODE, and `publishCertificate` stores its own after joining (§8 "A
 * user/node MUST store its certificate") and keeps it stored (CertificateStore.keepPublished) until
 * the peer closes or leaves. As storing peer it applies the SIP usage's AoR domain
 * rule (RFC 7904 §3.3, §3.4: usages/sip aorDomainKindRules of the configuration).
 */
import { systemClock, systemWallClock } from '../../platform/system-clock.js';
import { webCryptoHasher, webCryptoRandom } from '../../platform/web-crypto.js';
import { openOverlayPeer, type OverlayPeer, type OverlayPeerInit, type PeerNetwork } from '../../reload/overlay/index.js';
import type { AbortOptions, Clock, Logger } from '../../reload/runtime/components.js';
import type { TransportInit } from '../../reload/transport/index.js';
import { chordReloadResourceIdHash } from '../../reload/topology/chord/chord-hash.js';
import { CertificateStore } from '../../usages/certificates/certificate-store.js';
import { aorDomainKindRules } from '../../usages/sip/index.js';
import { X509Signer } from '../../reload/security/x509-signer.js';
import { verifyConfigurationDocument } from '../../reload/security/configuration-signer.js';
import { X509Verifier } from '../../reload/security/x509-verifier.js';
import { trustPolicyFromConfiguration } from '../../reload/security/trust-policy.js';
import type { StoredCredentials } from '../../reload/security/key-store.js';
import type { StorageBackend } from '../../reload/storage/index.js';
import type { Configuration } from '../../reload/wire/config/overlay-configuration.js';
import type { NodeId } from '../../reload/wire/ids.js';

export interface PeerSecurity {
  readonly signer: X509Signer;
  readonly verifier: X509Verifier;
}

/** The signer and verifier of `credentials` in the overlay of `configuration`. */
export async function peerSecurity(configuration: Configuration, credentials: StoredCredentials, crypto: Crypto = globalThis.crypto, nodeId?: NodeId): Promise<PeerSecurity> {
  const signer = await X509Signer.create({ crypto }, { privateKey: credentials.keys.privateKey, certificates: credentials.certificates, overlay: configuration.instanceName, ...(nodeId ? { nodeId } : {}) });
  const verifier = new X509Verifier({ crypto, wallClock: systemWallClock }, { policy: trustPolicyFromConfiguration(configuration) });
  return { signer, verifier };
}

export interface ComposePeerInit extends Omit<OverlayPeerInit, 'overlayHash' | 'configuration'> {
  readonly configuration: Configuration;
  /** The signed document `configuration` came from (sent in ConfigUpdates, §6.5.4). */
  readonly configurationDocument?: string;
  readonly security: PeerSecurity;
  readonly network: PeerNetwork;
  readonly storage: StorageBackend;
  readonly logger?: Logger;
  /** The peer's time (its timers, the certificate cache's ages); default the system clock. */
  readonly clock?: Clock;
}

/** A composed peer with its Certificate Store Usage (§8). */
export interface ComposedPeer extends OverlayPeer {
  /** Publishes and looks up certificates; the transport's source for omitted ones. */
  readonly certificates: CertificateStore;
  /**
   * §8: store this peer's certificate under its user name and Node-ID (call once joined), and store
   * it again before its lifetime ends until the peer closes or leaves. Resolves with the Kinds it was appended to.
   */
  publishCertificate(options?: AbortOptions): Promise<number[]>;
}

/** The peer, not joined yet (call `join` with the bootstrap addresses). */
export async function composePeer(init: ComposePeerInit): Promise<ComposedPeer> {
  const { configuration, security, network, storage, logger, clock = systemClock, ...rest } = init;
  // The store needs the peer and the peer's transport needs the store: bound once the peer exists.
  // Its `source`, not byNode: the transport's lookup must not join a Fetch another caller started
  // (TransportInit.certificateSource, RFC 6940 §6.3.4), or it may wait for itself until its timeout.
  let source: NonNullable<TransportInit['certificateSource']> | undefined;
  const certificateSource: NonNullable<TransportInit['certificateSource']> = (nodeId, options) => (source ? source(nodeId, options) : Promise.resolve(false));
  const peer = await openOverlayPeer(
    {
      clock,
      random: webCryptoRandom,
      hasher: webCryptoHasher,
      signer: security.signer,
      verifier: security.verifier,
      network,
      storage,
      epochClock: () => Date.now(),
      // §6.5.4 ConfigUpdate: a newer document is accepted only once it verifies against the one in force.
      verifyConfigurationDocument: async (document, current) => {
        const doc = await verifyConfigurationDocument({ crypto: globalThis.crypto, wallClock: systemWallClock }, document, { previous: [current] });
        const next = doc.overlay.configurations.find((c) => c.instanceName === current.instanceName);
        if (!next) throw new Error(`the document has no configuration for ${current.instanceName}`);
        return next;
      },
      ...(logger ? { logger } : {}),
    },
    {
      configuration,
      ...rest,
      // RFC 7904 §3.3: "Before a Store is permitted, the Storing Peer MUST check that: The AOR of the request is a valid Resource Name".
      kindRules: [...aorDomainKindRules(configuration, logger), ...(rest.kindRules ?? [])],
      transport: { certificateSource, ...rest.transport },
    },
  );
  const store = new CertificateStore({ overlay: peer, resourceIdHash: chordReloadResourceIdHash(webCryptoHasher), validator: security.verifier, clock, wallClock: systemWallClock, ...(logger ? { logger } : {}) });
  source = store.source();
  // The certificate's refresh ends with the peer (a leave closes it too): its Stores would only fail.
  const { close, leave } = peer;
  return Object.assign(peer, {
    certificates: store,
    publishCertificate: (options?: AbortOptions) => store.keepPublished(security.signer.certificate, security.signer.nodeId, options),
    leave: (options?: AbortOptions) => {
      store.close();
      return leave(options);
    },
    close: () => {
      store.close();
      close();
    },
  });
}
