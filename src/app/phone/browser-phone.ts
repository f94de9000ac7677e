/**
 * The browser's Phone (issue 6): composed on a tab's joined overlay peer. AppAttach (RFC 6940
 * §6.5.2) over the peer's transport and its network's application channels (browser-network.ts:
 * a second data channel on a link's peer connection where one exists), the microphone from
 * getUserMedia (kept open between calls, KEEP_MICROPHONE_MS), media ICE with the configuration's
 * STUN/TURN servers. `start()` registers the user's AoR in the overlay (RFC 7904 §3), so this
 * resolves once the phone can call and be called.
 */
import { systemClock } from '../../platform/system-clock.js';
import { webCryptoRandom } from '../../platform/web-crypto.js';
import { aorDomainsOf, Phone } from '../../phone/index.js';
import { AppAttachService } from '../../reload/overlay/index.js';
import { ApplicationId } from '../../reload/wire/methods/app-attach.js';
import { consoleLogger } from '../overlay/browser-overlay.js';
import { iceServersFor, iceServersOf } from '../overlay/ice-servers.js';
import { userIceOverride } from '../settings/settings-store.js';
import type { JoinedOverlay } from '../overlay/overlay-client.js';

export interface BrowserPhone {
  readonly phone: Phone;
  /** Unregister (RFC 7904: removed on leave) and stop taking AppAttaches. */
  stop(): Promise<void>;
}

/** The microphone (and camera when asked); a page that is not a secure context gets none, and says so. */
function userMedia(c: { audio: boolean; video: boolean }): Promise<MediaStream> {
  if (!navigator.mediaDevices) return Promise.reject(new Error('this page is not a secure context, so the browser offers no microphone: open the https:// address of the server instead'));
  return navigator.mediaDevices.getUserMedia(c);
}

/**
 * The microphone, once a call opened it, stays open this long after the last call (the browser
 * shows it in use meanwhile), so the next call or answer does not wait for getUserMedia.
 */
const KEEP_MICROPHONE_MS = 30_000;

export async function startBrowserPhone(joined: JoinedOverlay, getMedia: (c: { audio: boolean; video: boolean }) => Promise<MediaStream> = userMedia): Promise<BrowserPhone> {
  const network = joined.network.appChannels;
  if (!network) throw new Error('this overlay network has no application channels (AppAttach), so it cannot carry calls');
  const apps = new AppAttachService({ transport: joined.peer.transport, network, clock: systemClock }, { applications: [ApplicationId.SIP] });
  // The phone's log (AoR lookups, AppAttaches, registration refreshes) goes where the overlay's does (`?debug`).
  const logger = consoleLogger();
  const phone = new Phone(
    { overlay: joined.peer, apps, clock: systemClock, random: webCryptoRandom, getMedia, ...(logger ? { logger } : {}) },
    {
      user: joined.peer.userName,
      domain: joined.configuration.instanceName,
      // RFC 7904 §3.4: the AoR domains the overlay's SIP-REGISTRATION Kind accepts.
      aorDomains: aorDomainsOf(joined.configuration),
      // The user's STUN/TURN override (Settings) where set, else the configuration's: read at each call
      // (Phone reads rtcConfiguration when it makes or answers one), so a change applies to the next call.
      rtcConfiguration: {
        get iceServers() {
          return iceServersFor(iceServersOf(joined.configuration), userIceOverride());
        },
      },
      keepMediaMs: KEEP_MICROPHONE_MS,
    },
  );
  try {
    await phone.start();
  } catch (e) {
    apps.close();
    throw e;
  }
  return {
    phone,
    async stop() {
      await phone.stop();
      apps.close();
    },
  };
}
