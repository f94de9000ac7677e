/**
 * The first run's live check of a typed user name: the enrollment server's own rule
 * (reload/security/user-name.ts `prepareUserName`, what src/server/enrollment-route.ts issues by),
 * applied while the person types, so they read what is wrong before pressing "Join". Whether a
 * name is taken only the server knows (open enrollment: first come, first served); its refusal is
 * shown after "Join" (takenNameText).
 */
import { prepareUserName, userNameDomain } from '../../reload/security/user-name.js';

/** The rule in words, shown under the "User name" box. */
export const USER_NAME_RULE = 'Letters a–z, digits and . _ + - (1 to 64, not starting or ending with a dot). Capitals become small letters.';

export type NameCheck =
  /** Nothing typed yet. */
  | { readonly kind: 'empty' }
  /** `userName`: the full name the person would get (`alice@chordphone.local`), when the domain is known. */
  | { readonly kind: 'ok'; readonly local: string; readonly userName: string | undefined }
  | { readonly kind: 'invalid'; readonly error: string };

/** A domain only to check the local part with, before the overlay's own is known. */
const ANY_DOMAIN = 'overlay.invalid';

/**
 * Check `typed` (`alice`, `Alice`, `alice@chordphone.local`) against the enrollment rule for the
 * overlay `domain` (undefined until the configuration has been fetched).
 */
export function checkUserName(typed: string, domain: string | undefined): NameCheck {
  if (typed.trim() === '') return { kind: 'empty' };
  const prepared = prepareUserName(typed, domain ?? ANY_DOMAIN);
  if ('error' in prepared) return { kind: 'invalid', error: capitalize(prepared.error) };
  const full = prepared.userName;
  const local = full.slice(0, full.lastIndexOf('@'));
  if (typed.includes('@')) {
    // The enrollment server refuses another domain (enrollment.ts: "user names in this overlay end in @…").
    if (domain !== undefined && userNameDomain(full) !== domain.toLowerCase()) return { kind: 'invalid', error: `User names in this overlay end in @${domain}: type just ${local}.` };
    if (domain === undefined) return { kind: 'ok', local, userName: undefined };
  }
  return { kind: 'ok', local, userName: domain === undefined ? undefined : full };
}

/**
 * The session's error after "Join", in plain words with the fix. The server's refusal of a taken
 * name (`the user name x@y is already taken by someone else: choose another one`) is its own
 * words; the fix is said once more as an instruction.
 */
export function joinErrorText(error: string): string {
  const text = capitalize(error.trim());
  if (/already taken/i.test(text)) return `${text.replace(/[.:]?\s*choose another one\.?$/i, '.')} Choose another user name and press Join again.`;
  return /[.!?]$/.test(text) ? text : `${text}.`;
}

function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
