/**
 * Which AoR domains an overlay accepts (RFC 7904 §3.4, the SIP-REGISTRATION Kind's
 * `<sip:domain-restriction>`), and the checks that apply them:
 * - the storing peer's (§3.3 "Before a Store is permitted, the Storing Peer MUST check that: The
 *   AOR of the request is a valid Resource Name with respect to the namespaces defined in the
 *   overlay configuration document"): `aorDomainKindRules`, a KindRule the peer's storage runs;
 * - the registering peer's (§3.3 "Before issuing a Store request to the overlay, any Peer SHOULD
 *   verify that the AOR of the request is a valid Resource Name"): SipRegistrar;
 * - the caller's (§4.1 "AOR domain is hosted in overlay? If the domain part of the AOR matches a
 *   domain pattern configured in the overlay, the user can continue to resolve the AOR in this
 *   overlay"): aorResourceName, phone/address.ts.
 *
 * The domain is "the right-hand side of the AOR" (§3.1), lower-cased as in its Resource Name
 * (sip-registration.ts sipResourceName); host names compare case-insensitively (RFC 3261
 * §19.1.4), so patterns match ignoring case.
 *
 * OUR CHOICE: a pattern must match the whole domain. POSIX regexec finds a match anywhere in the
 * string unless the pattern is anchored, but §3.4 reads its example `dht\.example\.com` as
 * "<user>@dht.example.com" and `.*\.my\.example` as a domain that "ends with the domain
 * my.example": read as a search, the first would admit `dht.example.com.evil` and the second any
 * domain containing `.my.example`.
 */
import type { Logger } from '../../reload/runtime/components.js';
import type { KindRule, KindRuleRequest } from '../../reload/storage/index.js';
import { userNameDomain } from '../../reload/security/user-name.js';
import { domainPatterns, isSipRegistrationKind, type DomainPattern } from '../../reload/wire/config/index.js';
import type { Configuration } from '../../reload/wire/config/index.js';
import { KindId } from '../../reload/wire/message-codes.js';
import { sipResourceName } from '../../reload/wire/storage/kinds/sip-registration.js';

/** An overlay's admissible AoR domains (RFC 7904 §3.4). */
export type AorDomains =
  /** No `<domain-restriction>`: "the default behavior is to accept any AOR". */
  | { readonly kind: 'any' }
  /** enable false or not set: "only accept AORs that match the domain name of the overlay". */
  | { readonly kind: 'overlay'; readonly domain: string }
  /** enable true: "only accept AORs that match patterns specified" (none: no AoR at all). */
  | { readonly kind: 'patterns'; readonly patterns: readonly DomainPattern[] };

/** The overlay's own domain only (as enable="false"). */
export function overlayDomainOnly(domain: string): AorDomains {
  return { kind: 'overlay', domain: domain.toLowerCase() };
}

function domainRestrictionOf(configuration: Pick<Configuration, 'requiredKinds'>) {
  return configuration.requiredKinds.map((b) => b.kind).find(isSipRegistrationKind)?.domainRestriction;
}

/** The AoR domains of `configuration`, from its SIP-REGISTRATION Kind (§3.4); patterns were checked by the parser. */
export function aorDomainsOf(configuration: Pick<Configuration, 'instanceName' | 'requiredKinds'>): AorDomains {
  const restriction = domainRestrictionOf(configuration);
  if (!restriction) return { kind: 'any' };
  if (!restriction.enable) return overlayDomainOnly(configuration.instanceName);
  return { kind: 'patterns', patterns: domainPatterns(restriction) };
}

/** Whether `domains` accepts no AoR at all (RFC 7904 §3.4 enable="true" without patterns): the one test of it. */
export function acceptsNoAorDomain(domains: AorDomains): boolean {
  return domains.kind === 'patterns' && domains.patterns.length === 0;
}

/**
 * The `<pattern>`s of `configuration` that are ignored because enable is not true (RFC 7904 §3.4
 * "MAY be present if the enable attribute ... is set to true"; OUR CHOICE in the configuration's
 * domain-restriction.ts), for a warning: the overlay accepts only its own domain.
 */
export function ignoredAorDomainPatterns(configuration: Pick<Configuration, 'requiredKinds'>): readonly string[] {
  const restriction = domainRestrictionOf(configuration);
  return restriction && !restriction.enable ? restriction.patterns : [];
}

/**
 * RFC 7904 §3.4: "Encoding of the domain name adheres to the restricted ASCII character set
 * without character escaping as defined in Section 19.1 of [RFC3261]": a host (name, IPv4, or
 * [IPv6]) with an optional port, at most 255 characters. Anything else is not matched against the
 * patterns. (The matcher is linear in the name whatever the pattern; the 255 only caps the factor.)
 */
const RESTRICTED_HOSTPORT = /^[a-z0-9.:[\]-]{1,255}$/i;

/** Whether `domains` admits an AoR whose domain is `domain`. */
export function admitsAorDomain(domains: AorDomains, domain: string): boolean {
  switch (domains.kind) {
    case 'any':
      return true;
    case 'overlay':
      return domain.toLowerCase() === domains.domain;
    case 'patterns':
      return RESTRICTED_HOSTPORT.test(domain) && domains.patterns.some((p) => p.matcher.test(domain));
  }
}

/** A literal domain written as a pattern (`dht\.example\.com`), or undefined. */
function literalOf(pattern: string): string | undefined {
  return /^(?:[a-z0-9-]|\\\.)+$/i.test(pattern) ? pattern.replace(/\\\./g, '.').toLowerCase() : undefined;
}

/** One pattern in words: `dht.example.com`, `any domain ending in .my.example`, or the pattern itself. */
function describePattern(source: string): string {
  const body = source.replace(/^\^/, '').replace(/\$$/, '');
  const literal = literalOf(body);
  if (literal) return literal;
  const suffix = /^\.[*+](\\\..+)$/.exec(body)?.[1];
  const ending = suffix === undefined ? undefined : literalOf(suffix);
  return ending ? `any domain ending in ${ending}` : `a domain matching the pattern ${source}`;
}

/** The admitted domains in words, e.g. `dht.example.com or any domain ending in .my.example`. */
export function describeAorDomains(domains: AorDomains): string {
  switch (domains.kind) {
    case 'any':
      return 'any domain';
    case 'overlay':
      return domains.domain;
    case 'patterns':
      return acceptsNoAorDomain(domains) ? 'no domain at all' : domains.patterns.map((p) => describePattern(p.source)).join(' or ');
  }
}

/** A domain to suggest to a person (the overlay's, or the first literal pattern), if there is one. */
export function exampleAorDomain(domains: AorDomains): string | undefined {
  if (domains.kind === 'overlay') return domains.domain;
  if (domains.kind === 'patterns') return domains.patterns.map((p) => literalOf(p.source.replace(/^\^/, '').replace(/\$$/, ''))).find((d) => d !== undefined);
  return undefined;
}

/**
 * Why `domains` refuses the AoR with Resource Name `resourceName`, or undefined if it admits it: a
 * diagnostic for the protocol (Error_Forbidden info, SipUsageError, a Warning header) whether the
 * AoR is registered, stored or looked up; what a person reads comes from phone/ (address.ts).
 */
export function aorDomainRefusal(domains: AorDomains, resourceName: string): string | undefined {
  if (admitsAorDomain(domains, userNameDomain(resourceName))) return undefined;
  if (acceptsNoAorDomain(domains)) {
    return `${resourceName} is not in a domain this overlay accepts: its configuration accepts no AoR domain (RFC 7904 §3.4 domain-restriction enabled without patterns)`;
  }
  return `${resourceName} is not in a domain this overlay accepts: only ${describeAorDomains(domains)} (RFC 7904 §3.4)`;
}

/**
 * The storing peer's check of RFC 7904 §3.3 as a KindRule of SIP-REGISTRATION: the certificate's
 * user name is the AoR (USER-NODE-MATCH has tied it to the Resource-ID by hashing it as it is), so
 * it must be the AoR's Resource Name itself ("The AOR of the request is a valid Resource Name":
 * `sip:alice@…`, `alice@…;x` or `alice@DHT.example.com` name a Resource-ID no lookup of the AoR
 * reaches), and its domain must be admitted; else Error_Forbidden ("If any of these checks fail, the request MUST be rejected with
 * an Error_Forbidden error"). None when the overlay accepts any AoR. Warns `logger` of ignored patterns.
 */
export function aorDomainKindRules(configuration: Pick<Configuration, 'instanceName' | 'requiredKinds'>, logger?: Pick<Logger, 'warn'>): KindRule[] {
  const ignored = ignoredAorDomainPatterns(configuration);
  if (ignored.length > 0) {
    logger?.warn('the SIP-REGISTRATION domain-restriction has patterns but enable is not "true": they are ignored, only AoRs of the overlay\'s own domain are accepted (RFC 7904 §3.4)', { patterns: ignored });
  }
  const domains = aorDomainsOf(configuration);
  if (domains.kind === 'any') return [];
  return [
    {
      kind: KindId.SIP_REGISTRATION,
      name: 'RFC 7904 §3.4 domain-restriction',
      check({ signer }: KindRuleRequest): string | undefined {
        const name = signer.userName;
        if (sipResourceName(name) !== name) return `the certificate's user name ${name} is not an AoR's Resource Name (RFC 7904 §3.3)`;
        return aorDomainRefusal(domains, name);
      },
    },
  ];
}
