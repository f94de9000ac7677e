/**
 * The browser's composition root for the overlay: a tab is one RELOAD peer whose key stays in
 * IndexedDB (non-extractable, idb-key-store.ts), whose records live in IndexedDB (idb-backend.ts,
 * one database per overlay and Node-ID, with `navigator.storage.persist()` asked for), which joins
 * through a bootstrap WebSocket of the page's own server and links to other peers by WebRTC data
 * channels set up with Attach (browser-network.ts).
 */
import { systemClock, systemWallClock } from '../../platform/system-clock.js';
import { webCryptoRandom } from '../../platform/web-crypto.js';
import { IdbKeyStore } from '../../reload/security/idb-key-store.js';
import type { KeyStore } from '../../reload/security/key-store.js';
import { logEntryText, type Logger } from '../../reload/runtime/components.js';
import { browserWebLocks } from '../../reload/runtime/web-locks.js';
import { OVERLAY_DEBUG_KEY } from './overlay-debug-key.js';
import { openIdbBackend } from '../../reload/storage/idb-backend.js';
import { toHex } from '../../reload/wire/codec/hex.js';
import type { Configuration } from '../../reload/wire/config/overlay-configuration.js';
import { browserWebRtcInit, createBrowserNetwork } from './browser-network.js';
import type { ConfigurationPrefetch } from './configuration-prefetch.js';
import { iceServersOf } from './ice-servers.js';
import { createOfferPool, JOIN_OFFERS, type OfferPool } from './offer-pool.js';
import { MAX_DEVICE_SLOTS } from './device-slot.js';
import { createOverlay, type Overlay } from './overlay.js';
import { safeLocalStorage } from '../browser-storage.js';
import { bootstrapForPage } from './bootstrap-for-page.js';
import { overlayModeSetting } from './overlay-mode.js';
import type { OverlayMode } from '../../reload/overlay/index.js';

/**
 * The IndexedDB key store, opening at once (IndexedDB opens asynchronously): the opening overlaps
 * fetching the configuration (issue 5: page load → joined).
 */
function eagerIdbKeyStore(): KeyStore {
  const store = IdbKeyStore.open();
  // A failure to open shows at the first use.
  store.catch(() => undefined);
  return {
    load: async (name) => (await store).load(name),
    save: async (name, c) => (await store).save(name, c),
    delete: async (name) => (await store).delete(name),
  };
}

/** A user name for open enrollment when the person has not chosen one (the softphone UI will ask). */
export function guestUserName(): string {
  return `guest-${toHex(webCryptoRandom.bytes(3))}`;
}

/**
 * `?debug` in the page URL, or OVERLAY_DEBUG_KEY set in localStorage: the overlay's log goes to
 * the console, one line per entry with its fields as JSON (readable where the console is captured
 * as text: Playwright's e2e output, a phone's remote console).
 */
export function consoleLogger(pageUrl: string = location.href): Logger | undefined {
  let stored: string | null | undefined;
  try {
    stored = safeLocalStorage()?.getItem(OVERLAY_DEBUG_KEY);
  } catch {
    stored = undefined;
  }
  if (!new URL(pageUrl).searchParams.has('debug') && !stored) return undefined;
  const line = (level: 'debug' | 'info' | 'warn' | 'error') => (message: string, fields?: Record<string, unknown>) => console[level](`[overlay] ${new Date().toISOString()} ${logEntryText(message, fields)}`);
  return { debug: line('debug'), info: line('info'), warn: line('warn'), error: line('error') };
}

/** Another identity than the tab's default guest (the call screen's "User name" + "Join"). */
export interface BrowserOverlayOptions {
  readonly userName?: () => string;
  readonly credentialsName?: (configuration: Configuration) => string;
  /** Which Node-ID of the certificate (overlay-client.ts JoinOverlayInit.nodeIdSlot), or its claim (overlay.ts OverlayInit). */
  readonly nodeIdSlot?: number | Promise<number>;
  /** Peer or client (overlay-mode.ts); default the page's setting (`?mode=client`, remembered in localStorage). */
  readonly mode?: OverlayMode;
  /** The configuration already asked for (early-boot.ts, configuration-prefetch.ts): the first load of it takes that answer. */
  readonly configuration?: ConfigurationPrefetch;
}

export function createBrowserOverlay(pageUrl: string = location.href, options: BrowserOverlayOptions = {}): Overlay {
  const logger = consoleLogger(pageUrl);
  const mode = options.mode ?? overlayModeSetting(pageUrl, safeLocalStorage());
  let prepared: OfferPool | undefined;
  const locks = browserWebLocks();
  return createOverlay(
    {
      ...(logger ? { logger } : {}),
      crypto: globalThis.crypto,
      wallClock: systemWallClock,
      fetch: (url, init) => fetch(url, init),
      ...(options.configuration ? { prefetched: options.configuration } : {}),
      keyStore: eagerIdbKeyStore(),
      // The tabs share that key store: one at a time gets (or makes) an identity (peer-identity.ts).
      ...(locks ? { locks } : {}),
      openStorage: async (overlay, nodeId) => {
        // Ask the browser to keep our records (ARCHITECTURE.md "Storage"); a refusal changes nothing else.
        void navigator.storage?.persist?.().catch(() => false);
        return openIdbBackend({ overlay, nodeId });
      },
      // The join's Attaches find their ICE candidates gathered (offer-pool.ts): gathering starts
      // once the configuration (its STUN/TURN servers) is verified, while the identity is made.
      prepareNetwork: (configuration) => {
        prepared?.close();
        prepared = createOfferPool({ clock: systemClock, ...(logger ? { logger } : {}) }, browserWebRtcInit(iceServersOf(configuration)), { count: mode === 'client' ? 1 : JOIN_OFFERS });
      },
      createNetwork: (init) => {
        // For the first network only (a restart's configuration may name other ICE servers).
        const pool = prepared;
        prepared = undefined;
        return createBrowserNetwork({ ...init, ...(pool ? { preparedOffers: pool } : {}), ...(logger ? { logger } : {}) });
      },
    },
    {
      serverUrl: pageUrl,
      userName: options.userName ?? guestUserName,
      ...(options.credentialsName ? { credentialsName: options.credentialsName } : {}),
      ...(options.nodeIdSlot !== undefined ? { nodeIdSlot: options.nodeIdSlot } : {}),
      // OUR CHOICE: the tabs of a browser share an identity's certificate, one Node-ID per device
      // slot (device-slot.ts): enrolling asks for every slot's at once (our server gives up to 8),
      // so a later tab reuses the certificate rather than enrolling again (RFC 6940 §11.3 nodeids).
      enrollNodeIds: MAX_DEVICE_SLOTS,
      chooseBootstrap: (urls) => bootstrapForPage(urls, pageUrl),
      mode,
    },
  );
}
