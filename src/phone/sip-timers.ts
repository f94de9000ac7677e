/**
 * The SIP transaction timers of the phone: JsSIP's own, so that OverlaySocket (and its
 * ResponseContexts and InboundRequests) keep a transaction exactly as long as the UA does.
 * JsSIP 3.13 does not let them be configured (lib/Timers.js: constants, T1 = 500 ms): they are read
 * from there, not copied, so an upgrade that changes them changes ours.
 */
import Timers from 'jssip/lib/Timers.js';

/**
 * 64*T1 (RFC 3261 §17.1.1.2 Timer B, §17.1.2.2 Timer F: "64*T1"): how long the UA waits for a
 * request's final response with nothing received (INVITE and non-INVITE alike), and how long
 * transaction state is kept (§17.2.1, §9.1). JsSIP 3.13: 32 000 ms.
 */
export const TRANSACTION_LIFETIME_MS: number = Timers.TIMER_B;

// The socket keeps one lifetime for INVITE and non-INVITE transactions: it must be both of JsSIP's.
if (Timers.TIMER_F !== TRANSACTION_LIFETIME_MS || TRANSACTION_LIFETIME_MS !== 64 * Timers.T1) {
  throw new Error(`JsSIP's Timer B (${Timers.TIMER_B} ms) and Timer F (${Timers.TIMER_F} ms) are not both 64*T1 (T1 ${Timers.T1} ms)`);
}
