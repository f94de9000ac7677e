/**
 * Node only: the real PeerNetwork (webrtc-network.ts) with Node's parts — `ws` to dial bootstrap
 * URLs, node-datachannel for data channels — and the WebSocket bootstrap endpoint of a peer
 * that serves one (`chordphone serve`, the seed of tests).
 *
 * ```ts
 * const network = createNodeWebRtcNetwork({ clock, random, signer, verifier }, { overlayParameters, address: 'ws://127.0.0.1:8080/reload' });
 * const endpoint = serveWebSocketBootstrap(httpServer, network, { path: '/reload', clock });
 * const peer = createOverlayPeer({ ..., network }, { configuration, overlayHash });
 * ```
 */
import type { Server as HttpServer } from 'node:http';
import type { Server as HttpsServer } from 'node:https';
import type { Clock, Logger } from '../../runtime/components.js';
import { nodeRtcConfiguration, nodeWrtc } from '../../links/webrtc/node/index.js';
import type { WebRtcInit } from '../../links/webrtc/index.js';
import { attachWebSocketBootstrap, nodeWebSocket, type WebSocketBootstrap } from '../../links/websocket/node/index.js';
import type { WebSocketLinkInit } from '../../links/websocket/index.js';
import { createWebRtcNetwork, type WebRtcNetworkDeps, type WebRtcNetworkInit, type WebRtcPeerNetwork } from '../webrtc-network.js';

export interface NodeWebRtcNetworkInit extends Omit<WebRtcNetworkInit, 'webrtc'> {
  /** STUN/TURN servers (RTCIceServer), e.g. from `--stun` / `--turn`. */
  readonly iceServers?: readonly RTCIceServer[];
  /** Gather host candidates on this local address only (e.g. `127.0.0.1` for tests on loopback). */
  readonly bindAddress?: string;
  /** Other WebRTC settings (timeouts); `wrtc` and `rtcConfiguration` are set here. */
  readonly webrtc?: Omit<WebRtcInit, 'wrtc' | 'rtcConfiguration'>;
}

/** The real network for a Node peer. */
export function createNodeWebRtcNetwork(deps: Omit<WebRtcNetworkDeps, 'WebSocket'>, init: NodeWebRtcNetworkInit): WebRtcPeerNetwork {
  const { iceServers, bindAddress, webrtc, ...rest } = init;
  return createWebRtcNetwork(
    { ...deps, WebSocket: nodeWebSocket },
    { ...rest, webrtc: { ...webrtc, wrtc: nodeWrtc, rtcConfiguration: nodeRtcConfiguration(iceServers ?? [], bindAddress) } },
  );
}

export interface WebSocketBootstrapServeInit {
  /** URL path, e.g. `/reload`. */
  readonly path: string;
  readonly clock: Clock;
  readonly logger?: Logger;
  readonly link?: WebSocketLinkInit;
}

/** Accept bootstrap WebSocket links on `path` of `server` and hand them to `network` (its peer gets them once bound). */
export function serveWebSocketBootstrap(server: HttpServer | HttpsServer, network: WebRtcPeerNetwork, init: WebSocketBootstrapServeInit): WebSocketBootstrap {
  return attachWebSocketBootstrap(server, { ...init, onLink: (link) => network.acceptLink(link) });
}
