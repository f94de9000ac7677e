/**
 * The user name of a RELOAD certificate (RFC 6940 §11.3): "A single name (the "user name") that
 * this user is allowed to use in the overlay, using type rfc822Name. Enrollment servers SHOULD take
 * care to allow only legal characters in the name (e.g., no embedded NULs)". §11.3 also lets
 * "Applications using RELOAD ... define any needed string preparation".
 *
 * OUR STRING PREPARATION (what the enrollment server issues): `local@domain`, ASCII only (an
 * rfc822Name is an IA5String), lower case so that `Alice` and `alice` cannot be two people in a
 * phone book, local part 1–64 of `a-z 0-9 . _ + -` not starting or ending with `.` and without
 * `..`, domain a DNS-style name. A name given without `@` gets the overlay's domain.
 *
 * On receipt (a certificate someone else's CA issued, or a self-signed one) we check only that the
 * name is a plausible rfc822Name: printable ASCII, no space, one `@` with text on both sides.
 */

const LOCAL_PART = /^[a-z0-9_+-](?:[a-z0-9._+-]{0,62}[a-z0-9_+-])?$/;
const DOMAIN_LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
/** RFC 5321 §4.5.3.1.3: a path is at most 256 octets, so an address at most 254. */
export const MAX_USER_NAME_LENGTH = 254;

/** A name prepared for issuing, or why it cannot be issued. */
export type PreparedUserName = { readonly userName: string } | { readonly error: string };

/**
 * Prepare a requested user name: trim, lower-case, add `@defaultDomain` when there is no `@`,
 * and check it against the rules above.
 */
export function prepareUserName(requested: string, defaultDomain: string): PreparedUserName {
  const trimmed = requested.trim();
  if (trimmed === '') return { error: 'the user name is empty' };
  if (/[^\x21-\x7e]/.test(trimmed)) return { error: 'a user name may hold only ASCII letters, digits and . _ + - (no spaces or other characters)' };
  const full = (trimmed.includes('@') ? trimmed : `${trimmed}@${defaultDomain}`).toLowerCase();
  if (full.length > MAX_USER_NAME_LENGTH) return { error: `a user name is at most ${MAX_USER_NAME_LENGTH} characters` };
  const at = full.indexOf('@');
  if (at !== full.lastIndexOf('@')) return { error: 'a user name has one @' };
  const local = full.slice(0, at);
  const domain = full.slice(at + 1);
  if (!LOCAL_PART.test(local) || local.includes('..')) {
    return { error: `"${local}" is not allowed: use 1–64 letters, digits and . _ + - (not starting or ending with a dot)` };
  }
  if (!isDomainName(domain)) return { error: `"${domain}" is not a domain name` };
  return { userName: full };
}

/** The domain part of a user name (after the `@`). */
export function userNameDomain(userName: string): string {
  return userName.slice(userName.lastIndexOf('@') + 1);
}

/** Whether `name` is a plausible rfc822Name to accept in a received certificate. */
export function isPlausibleUserName(name: string): boolean {
  if (name.length === 0 || name.length > MAX_USER_NAME_LENGTH) return false;
  if (/[^\x21-\x7e]/.test(name)) return false;
  const at = name.indexOf('@');
  return at > 0 && at === name.lastIndexOf('@') && at < name.length - 1;
}

function isDomainName(domain: string): boolean {
  if (domain.length === 0 || domain.length > 253) return false;
  return domain.split('.').every((label) => DOMAIN_LABEL.test(label));
}
