/**
 * `chordphone serve` as a library: one process that serves the built app, the signed overlay
 * configuration (RFC 6940 §11.1, §11.2), the enrollment server (§11.3), a WebSocket bootstrap
 * endpoint (ARCHITECTURE.md "Bootstrap", §11.4), and is itself the first peer of the overlay, with
 * its identity (CA, own key and certificate) and records under the data directory.
 *
 * Listening: HTTP on `host:port` (127.0.0.1 by default: a secure context for browsers on this
 * machine), and HTTPS on every address at `httpsPort` with a certificate made for the machine's
 * LAN addresses (tls-certificate.ts), since getUserMedia and crypto.subtle need a secure context
 * off localhost. The bootstrap endpoint answers on RELOAD_WS_PATH of both.
 *
 * `extraPeers` more headless peers (for demos and tests) join through the first one over
 * WebSocket, each with its own identity and records (`peer-1` …).
 */
import { join } from 'node:path';
import type { Server } from 'node:http';
import { systemClock, systemWallClock } from '../platform/system-clock.js';
import { webCryptoRandom } from '../platform/web-crypto.js';
import type { PeerNetwork } from '../reload/overlay/index.js';
import { writeFileAtomic } from '../reload/security/node/private-file.js';
import type { Logger } from '../reload/runtime/components.js';
import { EnrollmentService } from '../reload/security/enrollment.js';
import { X509Signer } from '../reload/security/x509-signer.js';
import { closeBackendAfterStores, type StorageBackend } from '../reload/storage/index.js';
import { openSqliteBackend } from '../reload/storage/node/index.js';
import type { Configuration } from '../reload/wire/config/overlay-configuration.js';
import { toHex } from '../reload/wire/codec/hex.js';
import { composePeer, peerSecurity, type ComposedPeer, type PeerSecurity } from '../app/overlay/compose-peer.js';
import { createTrafficCapture, type TrafficCapture } from '../app/overlay/capture-network.js';
import type { IceServer } from '../app/overlay/ice-servers.js';
import { prepareDataDirectory } from './data-directory.js';
import { enrollmentRoute } from './enrollment-route.js';
import { lanAddresses, urlHost, type LanAddresses } from './lan-addresses.js';
import { CONFIG_FILE, loadOrCreateOverlayDocument, type OverlayDocument } from './overlay-document.js';
import { PcapFileWriter } from './pcap-file-writer.js';
import { reloadConfigRoute } from './reload-config-route.js';
import { extraPeerName, FIRST_PEER_NAME, ServerIdentity, type PeerCredentials } from './server-identity.js';
import { startStaticServer, type StaticServer } from './static-server.js';
import { loadOrCreateTlsCredentials, tlsNames } from './tls-certificate.js';

/** Where the WebSocket bootstrap endpoint answers. */
export const RELOAD_WS_PATH = '/reload';
export const DEFAULT_OVERLAY = 'chordphone.local';

/**
 * Makes the network of one peer of this process (the real one: node-network.ts). The first peer
 * also accepts WebSocket links on `accept.path` of `accept.servers`.
 */
export type NodeNetworkFactory = (init: {
  readonly security: PeerSecurity;
  readonly configuration: Configuration;
  readonly iceServers: readonly IceServer[];
  readonly accept?: { readonly servers: readonly Server[]; readonly path: string };
  /** The peer's own WebSocket URL, when it accepts links. */
  readonly address?: string;
  readonly logger?: Logger;
}) => PeerNetwork | Promise<PeerNetwork>;

export interface ChordphoneServerInit {
  readonly distDir: string;
  readonly dataDir: string;
  readonly overlay?: string;
  /** HTTP port on `host`; 0 picks a free one. */
  readonly port: number;
  readonly host?: string;
  /** HTTPS port on every address; undefined: no HTTPS. 0 picks a free one. */
  readonly httpsPort?: number;
  readonly extraPeers?: number;
  readonly iceServers?: readonly IceServer[];
  /** Write every peer's RELOAD traffic of this process here (pcap). */
  readonly pcapFile?: string;
  readonly network: NodeNetworkFactory;
  readonly logger?: Logger;
  /** Each peer's own logger (its lines say which peer wrote them); default `logger`. */
  readonly peerLogger?: (name: string) => Logger;
  /** For tests: the LAN addresses to use instead of this machine's. */
  readonly lan?: LanAddresses;
  /** Told of each step while starting. */
  readonly progress?: (line: string) => void;
}

/** One peer run by the server. */
export interface ServerPeer {
  readonly name: string;
  readonly credentials: PeerCredentials;
  readonly peer: ComposedPeer;
}

export interface ChordphoneServer {
  /** `http://127.0.0.1:PORT/`. */
  readonly localUrl: string;
  /** `https://LAN-IP:PORT/` for each LAN address (empty without HTTPS). */
  readonly lanUrls: readonly string[];
  /** SHA-256 fingerprint of the HTTPS certificate (to compare with the browser's warning page). */
  readonly tlsFingerprint?: string;
  readonly document: OverlayDocument;
  readonly bootstrapUrls: readonly string[];
  /** The first peer, then the extras. */
  readonly peers: readonly ServerPeer[];
  readonly capture?: TrafficCapture;
  close(): Promise<void>;
}

export async function startChordphoneServer(init: ChordphoneServerInit): Promise<ChordphoneServer> {
  const progress = init.progress ?? (() => {});
  const overlay = (init.overlay ?? DEFAULT_OVERLAY).toLowerCase();
  const dataDir = await prepareDataDirectory(init.dataDir);
  const crypto = globalThis.crypto;
  const identity = await ServerIdentity.open({ crypto }, { dataDir, overlay });
  const own = await identity.peer(FIRST_PEER_NAME);
  const closers: (() => Promise<void> | void)[] = [];
  const close = async () => {
    for (const c of closers.splice(0).reverse()) {
      try {
        await c();
      } catch {
        // keep closing the rest
      }
    }
  };
  try {
    let document: OverlayDocument | undefined;
    const enrollment = new EnrollmentService(
      { crypto, random: webCryptoRandom, clock: systemClock, wallClock: systemWallClock, ...(init.logger ? { logger: init.logger } : {}) },
      {
        authority: identity.authority,
        mode: { kind: 'open' },
        registry: identity.registry,
        keyTypes: ['rsa', 'ecdsa-p256'],
        userNameDomain: overlay,
        // The names of the server's own peers, also of extra peers a later start adds (§13.3 unique).
        reservedUserName: (userName) => identity.reservesUserName(userName),
        // A workshop: many browsers and `chordphone peer --count N` behind one address.
        rateLimit: { burst: 200, windowMs: 60_000 },
        // §11.3 nodeids: one user's devices (browser tabs sharing a key) each take a Node-ID of the certificate.
        maxNodeIds: 8,
      },
    );
    const routes = [reloadConfigRoute(() => document?.xml), enrollmentRoute(enrollment)];
    const http = await startStaticServer({ root: init.distDir, port: init.port, host: init.host ?? '127.0.0.1', routes });
    closers.push(() => http.close());
    const lan = init.lan ?? lanAddresses();
    let https: StaticServer | undefined;
    let tlsFingerprint: string | undefined;
    if (init.httpsPort !== undefined) {
      const tls = await loadOrCreateTlsCredentials(join(dataDir, 'tls'), tlsNames(lan.ips, lan.hostname));
      tlsFingerprint = tls.fingerprint;
      // Every address, IPv6 too: lanUrls, the certificate and the bootstrap and enrollment URLs
      // name the LAN's IPv6 addresses beside its IPv4 ones (lan-addresses.ts), so HTTPS must
      // answer on them (`0.0.0.0` is IPv4 only: a phone given the IPv6 URL was refused).
      https = await startStaticServer({ root: init.distDir, port: init.httpsPort, host: undefined, routes, tls, portOption: '--https-port' });
      closers.push(() => https?.close());
    }
    const httpsHosts = https ? (lan.ips.length > 0 ? lan.ips : ['localhost']) : [];
    const localUrl = http.url;
    const lanUrls = https ? httpsHosts.map((h) => `https://${urlHost(h)}:${https!.port}/`) : [];
    const bootstrapUrls = [`ws://${new URL(localUrl).host}${RELOAD_WS_PATH}`, ...httpsHosts.map((h) => `wss://${urlHost(h)}:${https!.port}${RELOAD_WS_PATH}`)];
    document = await loadOrCreateOverlayDocument(dataDir, {
      overlay,
      rootCert: identity.rootCertificate,
      signer: await X509Signer.create({ crypto }, { privateKey: own.keys.privateKey, certificates: own.certificates, overlay }),
      enrollmentServers: https ? httpsHosts.map((h) => `https://${urlHost(h)}:${https!.port}/.well-known/reload-enrollment`) : [`https://localhost:${http.port}/.well-known/reload-enrollment`],
      bootstrapWebSockets: bootstrapUrls,
      ...(init.iceServers ? { iceServers: init.iceServers } : {}),
    });
    const configuration = document.configuration;
    progress(`overlay ${overlay}, configuration sequence ${configuration.sequence ?? 0}`);

    const capture = init.pcapFile ? createTrafficCapture() : undefined;
    if (capture && init.pcapFile) {
      const writer = await PcapFileWriter.open(init.pcapFile, capture);
      closers.push(() => writer.close());
    }
    const servers = [http.server, ...(https ? [https.server] : [])];
    const peers: ServerPeer[] = [];
    // RFC 6940 §8: "A user/node MUST store its certificate"; a failure is reported, not fatal.
    const publishCertificate = async (p: ServerPeer) => {
      try {
        await p.peer.publishCertificate();
      } catch (e) {
        progress(`${p.name} could not publish its certificate (${e instanceof Error ? e.message : String(e)})`);
      }
    };
    const startPeer = async (name: string, credentials: PeerCredentials, accept: boolean): Promise<{ readonly served: ServerPeer; readonly stop: () => Promise<void> }> => {
      const logger = init.peerLogger?.(`${name}:${toHex(credentials.nodeId).slice(0, 8)}`) ?? init.logger;
      const security = await peerSecurity(configuration, credentials);
      // Held by this process from here until `stop` (node/sqlite-files.ts): closed by this, its opener.
      // Opened first: a file another process holds (StorageInUseError) or a newer release wrote
      // (StorageTooNewError) fails the start before anything else is made for this peer.
      const storage: StorageBackend = openSqliteBackend({ filename: join(dataDir, `${name}.records.sqlite`) });
      let network: PeerNetwork | undefined;
      let peer: ComposedPeer;
      try {
        network = await init.network({
          security,
          configuration,
          iceServers: init.iceServers ?? [],
          ...(accept ? { accept: { servers, path: RELOAD_WS_PATH }, address: bootstrapUrls[0]! } : {}),
          ...(logger ? { logger } : {}),
        });
        if (capture) network = capture.wrap(network);
        peer = await composePeer({
          configuration,
          configurationDocument: document!.xml,
          security,
          network,
          storage,
          // §6.5.4: a newer document signed by our configuration signer (an older copy of this data
          // directory was restored): keep it so the next start publishes after its sequence.
          onConfiguration: (_c, xml) => void writeFileAtomic(join(dataDir, CONFIG_FILE), xml, 0o644).then(() => progress('a peer sent a newer configuration; restart to publish after it'), () => undefined),
          ...(logger ? { logger } : {}),
        });
      } catch (e) {
        network?.close();
        await storage.close();
        throw e;
      }
      // Once: the peer (and so its DataStore) first, then its records.
      let stopped: Promise<void> | undefined;
      const stop = () => (stopped ??= (async () => {
        peer.close();
        await closeBackendAfterStores(storage);
      })());
      closers.push(stop);
      return { served: { name, credentials, peer }, stop };
    };
    const { served: first } = await startPeer(FIRST_PEER_NAME, own, true);
    await first.peer.join([]);
    await publishCertificate(first);
    peers.push(first);
    progress(`first peer ${toHex(own.nodeId)} (${own.userName}) started the overlay`);
    const local = bootstrapUrls[0]!;
    let failed = 0;
    for (let i = 1; i <= (init.extraPeers ?? 0); i++) {
      const name = extraPeerName(i);
      const { served: p, stop } = await startPeer(name, await identity.peer(name), false);
      try {
        await p.peer.join([local]);
        await publishCertificate(p);
        peers.push(p);
      } catch (e) {
        // One headless peer that cannot join is reported, not fatal: the server and the rest go on.
        failed++;
        await stop();
        progress(`${name} could not join (${e instanceof Error ? e.message : String(e)}); left out`);
      }
    }
    const extra = peers.length - 1;
    if (init.extraPeers) progress(`${extra} more peer${extra === 1 ? '' : 's'} joined${failed ? `, ${failed} could not` : ''}`);
    return {
      localUrl,
      lanUrls,
      ...(tlsFingerprint ? { tlsFingerprint } : {}),
      document,
      bootstrapUrls,
      peers,
      ...(capture ? { capture } : {}),
      close,
    };
  } catch (e) {
    await close();
    throw e;
  }
}
