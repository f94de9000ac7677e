/**
 * The SIP-REGISTRATION Kind (RFC 7904 §7) as the usage reads and writes it: Kind-ID 1, a
 * dictionary keyed by the storing peer's Node-ID, USER-NODE-MATCH, values SipRegistration
 * (§3.2, codec in reload/wire). `sipRegistrationKindBlock` is the `<kind>` an overlay
 * configuration lists so its peers store registrations (§11.1 required-kinds).
 */
import { KindId } from '../../reload/wire/message-codes.js';
import type { DomainRestriction, KindBlock } from '../../reload/wire/config/overlay-configuration.js';
import type { Destination } from '../../reload/wire/destination.js';
import type { NodeId } from '../../reload/wire/ids.js';
import { sipResourceName, type SipRegistration } from '../../reload/wire/storage/kinds/sip-registration.js';
import { aorDomainRefusal, type AorDomains } from './aor-domains.js';
import { SipUsageError } from './sip-usage-error.js';

export const SIP_REGISTRATION_KIND = KindId.SIP_REGISTRATION;

/**
 * The `<kind name="SIP-REGISTRATION">` of a configuration; the IANA data model and policy apply
 * (§11.1); `domainRestriction` is RFC 7904 §3.4's (absent: any AoR).
 */
export function sipRegistrationKindBlock(limits: { maxCount?: number; maxSize?: number; domainRestriction?: DomainRestriction } = {}): KindBlock {
  return {
    kind: {
      name: 'SIP-REGISTRATION',
      dataModel: 'DICTIONARY',
      accessControl: 'USER-NODE-MATCH',
      maxCount: limits.maxCount ?? 16,
      maxSize: limits.maxSize ?? 512,
      ...(limits.domainRestriction ? { domainRestriction: limits.domainRestriction } : {}),
      extensions: [],
    },
  };
}

/** A route registration to this device (§3.2 sip_registration_route, a one-entry destination list). */
export function routeRegistration(nodeId: NodeId, contactPrefs = ''): SipRegistration {
  return { kind: 'route', contactPrefs: new TextEncoder().encode(contactPrefs), destinationList: [{ kind: 'node', nodeId } satisfies Destination] };
}

/** A forwarding registration (§3.2 sip_registration_uri): "in order to contact me, dereference this AOR". */
export function uriRegistration(aor: string): SipRegistration {
  return { kind: 'uri', uri: new TextEncoder().encode(aor) };
}

/**
 * The Resource Name of an AoR (§7: without the scheme, escapes decoded), or SipUsageError
 * `invalid-aor`; with `domains`, also `foreign-domain` when the overlay does not accept the AoR's
 * domain (§3.4; §4.1 "AOR domain not supported by overlay").
 */
export function aorResourceName(aor: string, domains?: AorDomains): string {
  const name = sipResourceName(aor);
  if (!name) throw new SipUsageError('invalid-aor', `${aor} is not an address of record of the form user@host`);
  if (domains !== undefined) requireAorDomain(name, domains);
  return name;
}

/** SipUsageError `foreign-domain` unless `domains` admits the AoR whose Resource Name (already decoded) is `resourceName`. */
export function requireAorDomain(resourceName: string, domains: AorDomains): void {
  const refusal = aorDomainRefusal(domains, resourceName);
  if (refusal !== undefined) throw new SipUsageError('foreign-domain', refusal);
}
