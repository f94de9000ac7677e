/**
 * TESTS ONLY: the real test overlay of reload/overlay/testing with the SIP-REGISTRATION Kind
 * (RFC 7904 §7) configured and AppAttach for SIP (5060); users' certificates carry their AoR as
 * user name (`alice@chordphone.test`), as USER-NODE-MATCH wants (§3.3).
 */
import { buildAppOverlay, type AppOverlay, type AppOverlayInit, type AppOverlayPeer } from '../../../reload/overlay/testing/app-overlay-fixture.js';
import type { DomainRestriction } from '../../../reload/wire/config/index.js';
import { aorDomainKindRules } from '../aor-domains.js';
import { sipRegistrationKindBlock } from '../sip-registration-kind.js';

export type SipOverlay = AppOverlay;
export type SipOverlayPeer = AppOverlayPeer;

/**
 * `domainRestriction`: the SIP-REGISTRATION Kind's RFC 7904 §3.4 element (default none); every
 * peer applies it as storing peer, as composePeer's peers do.
 */
export function buildSipOverlay(init: Omit<AppOverlayInit, 'requiredKinds' | 'kindRules'> & { readonly domainRestriction?: DomainRestriction } = {}): Promise<SipOverlay> {
  const { domainRestriction, ...rest } = init;
  return buildAppOverlay({ ...rest, requiredKinds: [sipRegistrationKindBlock(domainRestriction ? { domainRestriction } : {})], kindRules: aorDomainKindRules });
}
