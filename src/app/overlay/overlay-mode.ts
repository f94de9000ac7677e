/**
 * The tab's overlay mode setting (issue 5 "Client mode", RFC 7890 §2.2): `peer` (the default) joins
 * the ring; `client` (e.g. a phone on battery) only attaches to the peer responsible for its
 * Node-ID and uses the overlay through it (reload/overlay/client-overlay.ts). `?mode=client` or
 * `?mode=peer` in the page URL chooses and is remembered; without it the remembered choice holds.
 *
 * The latest choice wins: a URL's `mode` is taken once (the first load that carries it); a later
 * choice in Settings (issue 7, saveOverlayMode) then holds, also for overlays this page creates
 * afterwards with the same URL (a rejoin), until a URL with another `mode` comes.
 */
import type { OverlayMode } from '../../reload/overlay/index.js';

/** The localStorage key the choice is kept under. */
export const OVERLAY_MODE_KEY = 'chordphone.overlay-mode';

/** The last URL `mode` taken (so that the same URL does not undo a later choice in Settings). */
export const OVERLAY_MODE_FROM_URL_KEY = 'chordphone.overlay-mode.url';

/** Where the choice is remembered (the browser's localStorage; anything with the same two methods in tests). */
export type ModeSettingStore = Pick<Storage, 'getItem' | 'setItem'>;

/** `client` / `peer` (any case, trimmed), else undefined. */
export function parseOverlayMode(text: string | null | undefined): OverlayMode | undefined {
  const t = text?.trim().toLowerCase();
  return t === 'client' || t === 'peer' ? t : undefined;
}

function read(store: ModeSettingStore | undefined, key: string): string | null | undefined {
  try {
    return store?.getItem(key);
  } catch {
    return undefined;
  }
}

function write(store: ModeSettingStore | undefined, key: string, value: string): void {
  try {
    store?.setItem(key, value);
  } catch {
    // Storage refused (private mode, quota): the choice still holds for this load.
  }
}

/** The remembered mode (a choice in Settings, or a URL's), else `peer`. */
export function rememberedOverlayMode(store: ModeSettingStore | undefined): OverlayMode {
  return parseOverlayMode(read(store, OVERLAY_MODE_KEY)) ?? 'peer';
}

/**
 * The mode for a page at `pageUrl`: the URL's `mode` when it is new (then remembered), else the
 * remembered one, else `peer`.
 */
export function overlayModeSetting(pageUrl: string, store: ModeSettingStore | undefined): OverlayMode {
  const fromUrl = parseOverlayMode(new URL(pageUrl).searchParams.get('mode'));
  const remembered = parseOverlayMode(read(store, OVERLAY_MODE_KEY));
  if (fromUrl && (fromUrl !== parseOverlayMode(read(store, OVERLAY_MODE_FROM_URL_KEY)) || remembered === undefined)) {
    write(store, OVERLAY_MODE_KEY, fromUrl);
    write(store, OVERLAY_MODE_FROM_URL_KEY, fromUrl);
    return fromUrl;
  }
  return remembered ?? 'peer';
}


/** Remember `mode` for the next loads and joins (the UI's setting): it holds over a URL's `mode` already taken. */
export function saveOverlayMode(mode: OverlayMode, store: ModeSettingStore | undefined): void {
  store?.setItem(OVERLAY_MODE_KEY, mode);
}
