/** usages/sip: the SIP usage for RELOAD (RFC 7904): registrations, AoR lookup, GRUUs. */
export { SipUsageError, type SipUsageErrorCode } from './sip-usage-error.js';
export { buildGruu, parseGruu, encodeGrParameter, decodeGrParameter, type Gruu } from './gruu.js';
export { SIP_REGISTRATION_KIND, sipRegistrationKindBlock, routeRegistration, uriRegistration, aorResourceName } from './sip-registration-kind.js';
export { SipRegistrar, type SipRegistrarDeps, type SipRegistrarInit, type SipRegistrarState } from './sip-registrar.js';
export { lookupAor, type AorContact, type AorLookupOptions } from './aor-lookup.js';
export {
  aorDomainsOf,
  aorDomainKindRules,
  aorDomainRefusal,
  admitsAorDomain,
  acceptsNoAorDomain,
  describeAorDomains,
  exampleAorDomain,
  ignoredAorDomainPatterns,
  overlayDomainOnly,
  type AorDomains,
} from './aor-domains.js';
