/**
 * The user name this browser last joined with (issue 7: "a returning user is joined without
 * questions"). Kept in localStorage, read synchronously at the first paint (main.tsx shows the
 * returning user's card at once, so nothing jumps when the session arrives) and at boot
 * (session-boot.tsx joins with it, no guest step). Light: part of the initial JavaScript.
 * Only a name chosen with "Join" is remembered, never a guest name.
 */
import { safeLocalStorage } from '../browser-storage.js';

const KEY = 'chordphone.user';

/** The remembered user name (local part, `alice`), if any; undefined where storage is blocked. */
export function readLastUser(storage: Pick<Storage, 'getItem'> | undefined = safeLocalStorage()): string | undefined {
  try {
    const name = storage?.getItem(KEY)?.trim();
    return name ? name : undefined;
  } catch {
    return undefined;
  }
}

export function rememberUser(name: string, storage: Pick<Storage, 'setItem'> | undefined = safeLocalStorage()): void {
  try {
    storage?.setItem(KEY, name);
  } catch {
    // Storage full or blocked: the next visit starts with the first run again, nothing worse.
  }
}

/** Forget the remembered user (Settings: "clear identity and data"); the next visit starts with the first run. */
export function forgetLastUser(storage: Pick<Storage, 'removeItem'> | undefined = safeLocalStorage()): void {
  try {
    storage?.removeItem(KEY);
  } catch {
    // Nothing remembered that could be read either.
  }
}
