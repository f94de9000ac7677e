/**
 * The browser's PeerNetwork: the real network of reload/overlay with the browser's own parts: its
 * WebSocket to dial the bootstrap URL, and its RTCPeerConnection (through simple-peer) for the
 * data channels Attach makes, with the STUN/TURN servers of the configuration (or the user's own, Settings).
 */
import { systemClock } from '../../platform/system-clock.js';
import { webCryptoHasher, webCryptoRandom } from '../../platform/web-crypto.js';
import { overlayHashOf, overlayParametersOf, type PeerNetwork, type PreparedOffers } from '../../reload/overlay/index.js';
import { createWebRtcNetwork } from '../../reload/overlay/webrtc-network.js';
import { createIceAppChannels } from '../../reload/overlay/ice-app-channels.js';
import { ApplicationId } from '../../reload/wire/methods/app-attach.js';
import type { WebSocketConstructor } from '../../reload/links/websocket/index.js';
import type { WebRtcInit } from '../../reload/links/webrtc/index.js';
import type { Logger } from '../../reload/runtime/components.js';
import type { Configuration } from '../../reload/wire/config/overlay-configuration.js';
import type { PeerSecurity } from './compose-peer.js';
import { gatherSettingsFor } from './gather-settings.js';
import { iceServersFor, type IceServer } from './ice-servers.js';
import { userIceOverride } from '../settings/settings-store.js';

/** The browser's WebRTC settings for the configured ICE servers: the user's STUN/TURN override (Settings) where set, else the configuration's; host-only gathering ends early (gather-settings.ts). */
export function browserWebRtcInit(configured: readonly IceServer[]): WebRtcInit {
  const servers = iceServersFor(configured, userIceOverride());
  return { rtcConfiguration: { iceServers: servers }, ...gatherSettingsFor(servers) };
}

export async function createBrowserNetwork(init: {
  readonly security: PeerSecurity;
  readonly configuration: Configuration;
  readonly iceServers: readonly IceServer[];
  readonly logger?: Logger;
  /** Offers gathered ahead (offer-pool.ts), taken by the first Attaches. */
  readonly preparedOffers?: PreparedOffers;
}): Promise<PeerNetwork> {
  const { security, configuration, iceServers, logger, preparedOffers } = init;
  const overlayParameters = overlayParametersOf(configuration, await overlayHashOf(configuration.instanceName, webCryptoHasher));
  const network = createWebRtcNetwork(
    {
      clock: systemClock,
      random: webCryptoRandom,
      signer: security.signer,
      verifier: security.verifier,
      WebSocket: globalThis.WebSocket as unknown as WebSocketConstructor,
      epochClock: () => Date.now(),
      // Check each data channel's remote DTLS certificate (RTCDtlsTransport.getRemoteCertificates)
      // against the fingerprint of the signed Attach once more (security/dtls-fingerprint-check.ts).
      crypto: globalThis.crypto,
      ...(logger ? { logger } : {}),
    },
    { overlayParameters, webrtc: browserWebRtcInit(iceServers), ...(preparedOffers ? { preparedOffers } : {}) },
  );
  // AppAttach's SIP channels (RFC 6940 §6.5.2, RFC 7904 §5): a second data channel on a link's peer connection where one exists.
  return { ...network, appChannels: createIceAppChannels({ ice: network.ice, clock: systemClock, existing: network }, { applications: [ApplicationId.SIP] }) };
}
