/**
 * TESTS ONLY: the real test overlay of reload/overlay/testing with the SIP-REGISTRATION Kind
 * (RFC 7904 §7) configured and AppAttach for SIP (5060); users' certificates carry their AoR as
 * user name (`alice@chordphone.test`), as USER-NODE-MATCH wants (§3.3).
 */
import { buildAppOverlay, type AppOverlay, type AppOverlayInit, type AppOverlayPeer } from '../../../reload/overlay/testing/app-overlay-fixture.js';
import { sipRegistrationKindBlock } from '../sip-registration-kind.js';

export type SipOverlay = AppOverlay;
export type SipOverlayPeer = AppOverlayPeer;

export function buildSipOverlay(init: Omit<AppOverlayInit, 'requiredKinds'> = {}): Promise<SipOverlay> {
  return buildAppOverlay({ ...init, requiredKinds: [sipRegistrationKindBlock()] });
}
