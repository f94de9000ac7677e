/**
 * The user's settings (issue 7 Settings), kept in the browser's localStorage, typed and checked on
 * the way in and out: a stored value that does not read back (another version, edited by hand,
 * half-written) gives the defaults, never a crash.
 *
 * - `mode`: `peer` or `client` (RFC 7890 §3.2: a client uses the overlay through its attached peer
 *   and routes and stores nothing for others). Kept where overlay-mode.ts keeps it, so the page's
 *   `?mode=` and this setting are one choice (the latest wins).
 * - `iceServers`: the user's own STUN/TURN servers instead of the overlay configuration's
 *   (ice-servers.ts iceServersFor); undefined = the overlay's. Checked with the parser of the
 *   server's `--stun` / `--turn` (parseIceServer).
 *
 * ```ts
 * const store = safeLocalStorage();
 * const result = parseIceOverride({ stun: 'stun.example.org:3478', turnUrl: '', turnUsername: '', turnCredential: '' });
 * if (result.ok) saveIceOverride(store, result.servers);
 * loadSettings(store);   // { mode: 'peer', iceServers: [{ urls: 'stun:stun.example.org:3478' }] }
 * ```
 */
import type { OverlayMode } from '../../reload/overlay/index.js';
import { safeLocalStorage } from '../browser-storage.js';
import { parseIceServer, type IceServer } from '../overlay/ice-servers.js';
import { rememberedOverlayMode, saveOverlayMode } from '../overlay/overlay-mode.js';

/** The localStorage key of the STUN/TURN override. */
export const ICE_OVERRIDE_KEY = 'chordphone.ice-servers';

/** What the stored override looks like (versioned, so a later format can tell). */
const FORMAT_VERSION = 1;
/** More servers than anyone types; a longer stored list is not ours. */
const MAX_SERVERS = 8;

export interface Settings {
  readonly mode: OverlayMode;
  /** The user's STUN/TURN servers; undefined = the overlay configuration's. */
  readonly iceServers: readonly IceServer[] | undefined;
}

export const DEFAULT_SETTINGS: Settings = { mode: 'peer', iceServers: undefined };

/** Where settings are kept (localStorage; a Map-backed stand-in in tests). */
export type SettingsStore = Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;


/** The settings in `store`; defaults for anything missing or unreadable. */
export function loadSettings(store: SettingsStore | undefined): Settings {
  return { mode: rememberedOverlayMode(store), iceServers: loadIceOverride(store) };
}

/** Remember the overlay mode (applies to the next join). */
export function saveMode(store: SettingsStore | undefined, mode: OverlayMode): void {
  saveOverlayMode(mode, store);
}

/** The stored STUN/TURN override, or undefined when there is none or it does not read back. */
export function loadIceOverride(store: SettingsStore | undefined): IceServer[] | undefined {
  let text: string | null | undefined;
  try {
    text = store?.getItem(ICE_OVERRIDE_KEY);
  } catch {
    return undefined;
  }
  if (!text) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const { v, servers } = value as { v?: unknown; servers?: unknown };
  if (v !== FORMAT_VERSION || !Array.isArray(servers) || servers.length === 0 || servers.length > MAX_SERVERS) return undefined;
  const out: IceServer[] = [];
  for (const s of servers as unknown[]) {
    const checked = checkStoredServer(s);
    if (!checked) return undefined;
    out.push(checked);
  }
  return out;
}

/** One stored server, checked with the same parser as when it was typed; undefined when it is not one. */
function checkStoredServer(s: unknown): IceServer | undefined {
  if (typeof s !== 'object' || s === null) return undefined;
  const { urls, username, credential } = s as Record<string, unknown>;
  if (typeof urls !== 'string') return undefined;
  if (username !== undefined && typeof username !== 'string') return undefined;
  if (credential !== undefined && typeof credential !== 'string') return undefined;
  const m = /^(stun|turns?):(.*)$/i.exec(urls);
  if (!m) return undefined;
  try {
    const scheme = m[1]!.toLowerCase();
    if (scheme === 'stun') return username === undefined && credential === undefined ? parseIceServer(urls, 'stun') : undefined;
    if (username === undefined || credential === undefined) return undefined;
    return parseIceServer(`${scheme}:${username}:${credential}@${m[2]!}`, 'turn');
  } catch {
    return undefined;
  }
}

/** Keep `servers` as the override; undefined (or an empty list) goes back to the overlay's servers. */
export function saveIceOverride(store: SettingsStore | undefined, servers: readonly IceServer[] | undefined): void {
  if (!servers || servers.length === 0) {
    store?.removeItem(ICE_OVERRIDE_KEY);
    return;
  }
  store?.setItem(ICE_OVERRIDE_KEY, JSON.stringify({ v: FORMAT_VERSION, servers }));
}

/** The STUN/TURN form's fields, as typed. */
export interface IceOverrideFields {
  /** STUN servers, separated by commas, spaces or new lines. */
  readonly stun: string;
  readonly turnUrl: string;
  readonly turnUsername: string;
  readonly turnCredential: string;
}

export type IceOverrideField = keyof IceOverrideFields;

export type IceOverrideResult =
  | { readonly ok: true; readonly servers: IceServer[] }
  | { readonly ok: false; readonly errors: Readonly<Partial<Record<IceOverrideField, string>>> };

const STUN_EXAMPLE = 'stun:stun.example.org:3478';

/**
 * The form's fields as ICE servers, each checked with parseIceServer (the server's `--stun` /
 * `--turn` parser); errors per field, in plain words with the fix.
 */
export function parseIceOverride(fields: IceOverrideFields): IceOverrideResult {
  const errors: Partial<Record<IceOverrideField, string>> = {};
  const servers: IceServer[] = [];
  const stunList = fields.stun.split(/[\s,]+/).filter((t) => t !== '');
  for (const text of stunList) {
    if (/^turns?:/i.test(text)) {
      errors.stun = `${text} is a TURN server: put it in the TURN server field below.`;
      break;
    }
    try {
      servers.push(parseIceServer(text, 'stun'));
    } catch {
      errors.stun = `“${text}” is not a STUN server address. Write it as host:port or stun:host:port, for example ${STUN_EXAMPLE}; separate several with commas.`;
      break;
    }
  }
  const turnUrl = fields.turnUrl.trim();
  const username = fields.turnUsername.trim();
  const credential = fields.turnCredential;
  if (turnUrl === '') {
    if (username !== '' || credential !== '') errors.turnUrl = 'Type the TURN server’s address (for example turn:turn.example.org:3478), or clear the user name and credential.';
  } else if (/^stun:/i.test(turnUrl)) {
    errors.turnUrl = `${turnUrl} is a STUN server: put it in the STUN servers field above.`;
  } else {
    const m = /^(turns?:)?(.*)$/i.exec(turnUrl)!;
    const scheme = (m[1] ?? 'turn:').toLowerCase();
    const rest = m[2]!;
    if (rest.includes('@')) {
      errors.turnUrl = 'Type only the address here (turn:host:port); the user name and credential go in their own fields.';
    } else if (username === '' || credential === '') {
      if (username === '') errors.turnUsername = 'A TURN server needs a user name: type the one its operator gave you.';
      if (credential === '') errors.turnCredential = 'A TURN server needs a credential (its password): type the one its operator gave you.';
    } else if (/[:@\s]/.test(username)) {
      errors.turnUsername = 'A TURN user name here cannot contain “:”, “@” or spaces.';
    } else if (/[@\s]/.test(credential)) {
      errors.turnCredential = 'A TURN credential here cannot contain “@” or spaces.';
    } else {
      try {
        servers.push(parseIceServer(`${scheme}${username}:${credential}@${rest}`, 'turn'));
      } catch {
        errors.turnUrl = `“${turnUrl}” is not a TURN server address. Write it as turn:host:port or turns:host:port, for example turn:turn.example.org:3478.`;
      }
    }
  }
  if (Object.keys(errors).length > 0) return { ok: false, errors };
  if (servers.length === 0) return { ok: false, errors: { stun: `Type at least one STUN or TURN server (for example ${STUN_EXAMPLE}), or press “Use the overlay’s servers”.` } };
  return { ok: true, servers };
}

/** The form's fields showing `servers` (the stored override), for editing. */
export function iceOverrideFieldsOf(servers: readonly IceServer[] | undefined): IceOverrideFields {
  const stun = (servers ?? []).filter((s) => /^stun:/i.test(s.urls)).map((s) => s.urls);
  const turn = (servers ?? []).find((s) => /^turns?:/i.test(s.urls));
  return { stun: stun.join(', '), turnUrl: turn?.urls ?? '', turnUsername: turn?.username ?? '', turnCredential: turn?.credential ?? '' };
}

/** The user's STUN/TURN override in this browser (read at each join and each call), or undefined. */
export function userIceOverride(): IceServer[] | undefined {
  return loadIceOverride(safeLocalStorage());
}
