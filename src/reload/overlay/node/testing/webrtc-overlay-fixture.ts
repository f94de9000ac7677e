/**
 * TESTS ONLY (Node): a real overlay on loopback. Real certificates (a TestPki, ECDSA P-256), a
 * seed peer whose network serves the WebSocket bootstrap endpoint on a Node HTTP server
 * (`ws://127.0.0.1:<port>/reload`), and peers added one by one that join through that URL and
 * make their other links by Attach over WebRTC data channels (node-datachannel, bindAddress
 * 127.0.0.1).
 *
 * ```ts
 * const o = await startWebRtcOverlay({ requiredKinds });   // the seed has joined
 * const p = await o.addPeer();                              // created and joined through o.url
 * await o.close();
 * ```
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { systemClock } from '../../../../platform/system-clock.js';
import { webCryptoHasher, webCryptoRandom } from '../../../../platform/web-crypto.js';
import type { WebSocketBootstrap } from '../../../links/websocket/node/index.js';
import { TestPki } from '../../../testing/test-pki.js';
import type { X509Signer } from '../../../security/x509-signer.js';
import { createMemoryBackend } from '../../../storage/index.js';
import type { Configuration } from '../../../wire/config/index.js';
import { createOverlayPeer, overlayHashOf, overlayParametersOf } from '../../overlay-peer.js';
import type { OverlayMode, OverlayPeer } from '../../overlay-types.js';
import type { WebRtcPeerNetwork } from '../../webrtc-network.js';
import { createNodeWebRtcNetwork, serveWebSocketBootstrap } from '../node-network.js';

export interface RealPeer {
  readonly index: number;
  readonly peer: OverlayPeer;
  readonly network: WebRtcPeerNetwork;
  readonly signer: X509Signer;
}

export interface WebRtcOverlay {
  readonly url: string;
  readonly pki: TestPki;
  readonly configuration: Configuration;
  readonly peers: readonly RealPeer[];
  /** A new peer, joined through the seed's URL; resolves once it is part of the ring (a client: once attached). */
  addPeer(options?: { readonly mode?: OverlayMode }): Promise<RealPeer>;
  close(): Promise<void>;
}

export async function startWebRtcOverlay(init: Partial<Pick<Configuration, 'requiredKinds'>> = {}): Promise<WebRtcOverlay> {
  const pki = await TestPki.create({ keyType: 'ecdsa-p256' });
  const configuration = pki.configuration(init.requiredKinds ? { requiredKinds: init.requiredKinds } : {});
  const overlayHash = await overlayHashOf(configuration.instanceName, webCryptoHasher);
  const overlayParameters = overlayParametersOf(configuration, overlayHash);
  const verifier = pki.verifier();
  const server: Server = createServer((_q, r) => r.writeHead(404).end());
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}/reload`;
  const peers: RealPeer[] = [];
  const endpoints: WebSocketBootstrap[] = [];

  const create = async (mode?: OverlayMode): Promise<RealPeer> => {
    const index = peers.length;
    const signer = await (await pki.peer(`peer${index}@${pki.overlay}`, { keyType: 'ecdsa-p256' })).signer();
    const network = createNodeWebRtcNetwork(
      { clock: systemClock, random: webCryptoRandom, signer, verifier, crypto: globalThis.crypto },
      { overlayParameters, bindAddress: '127.0.0.1', ...(index === 0 ? { address: url } : {}) },
    );
    const peer = createOverlayPeer(
      { clock: systemClock, random: webCryptoRandom, hasher: webCryptoHasher, signer, verifier, network, storage: createMemoryBackend(), epochClock: () => Date.now() },
      { configuration, overlayHash, ...(mode ? { mode } : {}) },
    );
    const p = { index, peer, network, signer };
    peers.push(p);
    return p;
  };

  const seed = await create();
  endpoints.push(serveWebSocketBootstrap(server, seed.network, { path: '/reload', clock: systemClock }));
  await seed.peer.join([]);

  return {
    url,
    pki,
    configuration,
    peers,
    async addPeer(options = {}) {
      const p = await create(options.mode);
      await p.peer.join([url]);
      return p;
    },
    async close() {
      for (const p of peers) p.peer.close();
      for (const e of endpoints) e.close();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
