/**
 * The tab's overlay mode setting (issue 5 "Client mode", RFC 7890 §2.2): `peer` (the default) joins
 * the ring; `client` (e.g. a phone on battery) only attaches to the peer responsible for its
 * Node-ID and uses the overlay through it (reload/overlay/client-overlay.ts). `?mode=client` or
 * `?mode=peer` in the page URL chooses and is remembered; without it the remembered choice holds.
 */
import type { OverlayMode } from '../../reload/overlay/index.js';

/** The localStorage key the choice is kept under. */
export const OVERLAY_MODE_KEY = 'chordphone.overlay-mode';

/** Where the choice is remembered (the browser's localStorage; anything with the same two methods in tests). */
export type ModeSettingStore = Pick<Storage, 'getItem' | 'setItem'>;

function parseMode(text: string | null | undefined): OverlayMode | undefined {
  const t = text?.trim().toLowerCase();
  return t === 'client' || t === 'peer' ? t : undefined;
}

/** The mode for a page at `pageUrl`: the URL's `mode` (then remembered), else the remembered one, else `peer`. */
export function overlayModeSetting(pageUrl: string, store: ModeSettingStore | undefined): OverlayMode {
  const fromUrl = parseMode(new URL(pageUrl).searchParams.get('mode'));
  if (fromUrl) {
    try {
      store?.setItem(OVERLAY_MODE_KEY, fromUrl);
    } catch {
      // Storage refused (private mode, quota): the URL's choice still holds for this load.
    }
    return fromUrl;
  }
  let stored: string | null | undefined;
  try {
    stored = store?.getItem(OVERLAY_MODE_KEY);
  } catch {
    stored = undefined;
  }
  return parseMode(stored) ?? 'peer';
}

/** The browser's localStorage, or undefined where reading it throws (sandboxed frames) or there is none. */
export function browserModeStore(): ModeSettingStore | undefined {
  try {
    return globalThis.localStorage ?? undefined;
  } catch {
    return undefined;
  }
}

/** Remember `mode` for the next loads (the UI's setting). */
export function saveOverlayMode(mode: OverlayMode, store: ModeSettingStore | undefined): void {
  store?.setItem(OVERLAY_MODE_KEY, mode);
}
