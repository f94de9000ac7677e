/**
 * What a person types in "Call address" (`bob`, `bob@overlay`, `sip:bob@overlay`) turned into the
 * AoR to call (RFC 7904 §2: user@domain, `sip:` scheme), or an AddressError that says what is
 * wrong and how to fix it. User names follow the enrollment server's rules (reload/security
 * user-name.ts: a-z 0-9 . _ + -, case-insensitive), so anything a person can be called is accepted.
 * The domain must be one the overlay serves (RFC 7904 §3.4, §4.1: the configuration's
 * domain-restriction, usages/sip aorDomainsOf; by default the overlay's own domain).
 */
import { prepareUserName } from '../reload/security/user-name.js';
import { acceptsNoAorDomain, admitsAorDomain, describeAorDomains, exampleAorDomain, overlayDomainOnly, type AorDomains } from '../usages/sip/index.js';
import { noAorDomainText } from './phone-error.js';

export type AddressErrorCode = 'empty' | 'unsupported-scheme' | 'bad-user' | 'bad-domain' | 'other-overlay' | 'has-parameters';

export class AddressError extends Error {
  override readonly name: string = 'AddressError';

  constructor(
    readonly code: AddressErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export interface CallAddress {
  /** `sip:bob@overlay`. */
  readonly aor: string;
  /** `bob`. */
  readonly user: string;
  readonly domain: string;
}

/**
 * Parse a typed address for the overlay `domain`, whose AoR domains are `domains` (default:
 * `domain` only); throws AddressError.
 */
export function parseCallAddress(input: string, domain: string, domains: AorDomains = overlayDomainOnly(domain)): CallAddress {
  let s = input.trim();
  if (/^<.*>$/.test(s)) s = s.slice(1, -1).trim();
  if (s === '') throw new AddressError('empty', 'Type the name of the person to call, for example bob.');
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(s);
  if (scheme) {
    const name = scheme[1]!.toLowerCase();
    if (name === 'sips') throw new AddressError('unsupported-scheme', `"${input.trim()}" asks for sips:, which this phone does not offer; type sip:${s.slice(scheme[0].length)} or just the name.`);
    if (name !== 'sip') throw new AddressError('unsupported-scheme', `"${name}:" addresses cannot be called here; type a user name such as bob, or sip:bob@${domain}.`);
    s = s.slice(scheme[0].length);
  }
  if (/[;?]/.test(s)) throw new AddressError('has-parameters', `"${input.trim()}" has URI parameters (after ; or ?); type only the name, for example ${s.split(/[;?]/, 1)[0]}.`);
  if (/\s/.test(s)) throw new AddressError('bad-user', `"${input.trim()}" contains a space; user names have no spaces.`);
  const at = s.lastIndexOf('@');
  const user = at < 0 ? s : s.slice(0, at);
  const host = at < 0 ? domain : s.slice(at + 1);
  if (user === '' && at < 0) throw new AddressError('empty', `"${input.trim()}" has no user name after the scheme; type the name, for example sip:bob@${domain} or just bob.`);
  if (user === '') throw new AddressError('bad-user', `"${input.trim()}" has nothing before the @; type the user name, for example bob@${domain}.`);
  if (host === '') throw new AddressError('bad-domain', `"${input.trim()}" has nothing after the @; type just the name, for example ${user}.`);
  let decoded = user;
  try {
    decoded = decodeURIComponent(user);
  } catch {
    throw new AddressError('bad-user', `"${user}" has a broken %-escape.`);
  }
  const prepared = prepareUserName(`${decoded}@${host}`, domain);
  if ('error' in prepared) {
    const code: AddressErrorCode = /domain/.test(prepared.error) && !/user name/.test(prepared.error) ? 'bad-domain' : 'bad-user';
    throw new AddressError(code, `"${input.trim()}": ${prepared.error}.`);
  }
  const full = prepared.userName;
  const localPart = full.slice(0, full.lastIndexOf('@'));
  const hostPart = full.slice(full.lastIndexOf('@') + 1);
  // RFC 7904 §4.1: "AOR domain not supported by overlay?": it cannot be resolved here.
  if (!admitsAorDomain(domains, hostPart)) throw new AddressError('other-overlay', otherOverlayText(localPart, hostPart, domain, domains, at >= 0));
  return { aor: `sip:${full}`, user: localPart, domain: hostPart };
}

/**
 * The AoR of a received SIP URI's user and host (JsSIP has decoded the user's escapes), written as
 * parseCallAddress writes AoRs (`sip:` + the prepared, lower-case user name), so a message from
 * `sip:Bob@Chordphone.test` lands in the thread `bob` opens, and threads stored before the AoR's
 * domain was kept (the overlay's domain added to a user name) keep their key. A user name the
 * enrollment rules refuse is kept as it came, the host lower-cased (RFC 3261 §19.1.4).
 */
export function aorOfUri(user: string, host: string): string {
  const prepared = prepareUserName(`${user}@${host}`, host);
  return 'error' in prepared ? `sip:${user}@${host.toLowerCase()}` : `sip:${prepared.userName}`;
}

/** What is wrong with `user@host` in an overlay that does not serve `host`, and what to type instead. */
function otherOverlayText(user: string, host: string, domain: string, domains: AorDomains, typedDomain: boolean): string {
  if (acceptsNoAorDomain(domains)) return noAorDomainText('be called on this overlay');
  const served = `this overlay serves only addresses in ${describeAorDomains(domains)}`;
  const example = exampleAorDomain(domains);
  // A name alone gets the overlay's own domain, which this overlay does not serve (RFC 7904 §3.4 patterns without it).
  if (!typedDomain) return `A name alone means ${user}@${host}, but ${served}; type the full address, ${example === undefined ? 'in one of those domains' : `for example ${user}@${example}`}.`;
  const typeInstead =
    example === domain.toLowerCase() ? `to call someone in ${example} type just the name, for example ${user}` : example === undefined ? 'type an address in one of those domains' : `type the full address, for example ${user}@${example}`;
  return `${user}@${host} cannot be called here: ${served}; ${typeInstead}.`;
}
