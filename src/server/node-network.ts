/**
 * The PeerNetwork of a Node peer run by `chordphone serve` or `chordphone peer`: the real network
 * of reload/overlay (WebSocket bootstrap links bound by the signed hello, WebRTC data channels
 * made by Attach through node-datachannel), with the STUN/TURN servers of the configuration. The
 * server's first peer also accepts WebSocket links on the bootstrap path of its HTTP(S) servers
 * and names its own WebSocket URL as its address.
 */
import { systemClock } from '../platform/system-clock.js';
import { webCryptoHasher, webCryptoRandom } from '../platform/web-crypto.js';
import { createNodeWebRtcNetwork, serveWebSocketBootstrap } from '../reload/overlay/node/index.js';
import { overlayHashOf, overlayParametersOf, type PeerNetwork } from '../reload/overlay/index.js';
import { createIceAppChannels } from '../reload/overlay/ice-app-channels.js';
import { ApplicationId } from '../reload/wire/methods/app-attach.js';
import type { NodeNetworkFactory } from './chordphone-server.js';

export const nodeNetwork: NodeNetworkFactory = async ({ security, configuration, iceServers, accept, address, logger }) => {
  const overlayParameters = overlayParametersOf(configuration, await overlayHashOf(configuration.instanceName, webCryptoHasher));
  const network = createNodeWebRtcNetwork(
    { clock: systemClock, random: webCryptoRandom, signer: security.signer, verifier: security.verifier, epochClock: () => Date.now(), ...(logger ? { logger } : {}) },
    { overlayParameters, iceServers: iceServers.map((s) => ({ ...s })), ...(address ? { address } : {}) },
  );
  const endpoints = (accept?.servers ?? []).map((server) => serveWebSocketBootstrap(server, network, { path: accept!.path, clock: systemClock, ...(logger ? { logger } : {}) }));
  const appChannels = createIceAppChannels({ ice: network.ice, clock: systemClock, existing: network }, { applications: [ApplicationId.SIP] });
  const withEndpoints: PeerNetwork = {
    ...network,
    // AppAttach's SIP channels (RFC 6940 §6.5.2, RFC 7904 §5), reusing a link's peer connection where one exists.
    appChannels,
    close() {
      for (const e of endpoints) e.close();
      appChannels.close();
      network.close();
    },
  };
  return withEndpoints;
};
