/**
 * The join's visible progress steps (issue 7 first run): configuration → certificate → bootstrap →
 * joined → registered, read from the overlay's phase and phase times (overlay.ts `phase`,
 * `phaseMs`: ms from start to the start of each phase) and the phone session's phase (registered
 * = the Phone stored the user's SIP-REGISTRATION, RFC 7904 §3).
 *
 * The overlay goes configuring → waiting-for-identity → checking-identity (only while another tab
 * of this browser sets up the same identity, then once this tab has it) → enrolling (only without a
 * stored certificate) → joining → joined; the session then goes registering → ready. The wait and
 * the check after it belong to the certificate step.
 */
import type { JoinPhase } from '../overlay/overlay-client.js';
import type { OverlaySnapshot } from '../overlay/overlay.js';
import { PHASE_TEXT } from '../overlay/phase-text.js';
import type { SessionPhase } from '../phone/phone-session.js';

export type JoinStepId = 'configuration' | 'certificate' | 'bootstrap' | 'joined' | 'registered';
export type JoinStepState = 'done' | 'current' | 'pending' | 'failed';

export interface JoinStep {
  readonly id: JoinStepId;
  readonly label: string;
  readonly state: JoinStepState;
  /** What happened or is happening, for people (`from the enrollment server, 310 ms`). */
  readonly detail: string;
}

const LABELS: Record<JoinStepId, string> = {
  configuration: 'Configuration',
  certificate: 'Certificate',
  bootstrap: 'Bootstrap',
  joined: 'Joined',
  registered: 'Registered',
};

const ORDER: readonly JoinStepId[] = ['configuration', 'certificate', 'bootstrap', 'joined', 'registered'];

export type JoinProgressOverlay = Pick<OverlaySnapshot, 'phase' | 'phaseMs' | 'joinMs' | 'reusedIdentity'>;

/** The step the overlay is at (the one it failed at, when failed). */
function overlayStep(o: JoinProgressOverlay): number {
  const phaseIndex: Record<JoinPhase, number> = { configuring: 0, 'waiting-for-identity': 1, 'checking-identity': 1, enrolling: 1, joining: 2, joined: 3 };
  if (o.phase === 'failed' || o.phase === 'closed') {
    // The last phase it started.
    let last = 0;
    for (const [p, i] of Object.entries(phaseIndex)) if (o.phaseMs[p as JoinPhase] !== undefined) last = Math.max(last, i);
    return last;
  }
  if (o.phase === 'idle') return 0;
  return phaseIndex[o.phase];
}

const ms = (a: number | undefined, b: number | undefined) => (a !== undefined && b !== undefined ? `${Math.max(0, b - a)} ms` : undefined);

export function joinSteps(o: JoinProgressOverlay, session: SessionPhase): JoinStep[] {
  const t = o.phaseMs;
  // The session registers (and is ready) only once the overlay has joined: then "registered" is the step.
  const failed = session === 'failed' || o.phase === 'failed';
  // Refused before the overlay began its first step (only the claim of the tab's device slot fails
  // there: every slot of the identity taken in this browser, device-slot.ts): no step failed, and
  // the error says why.
  const refusedBeforeStart = failed && Object.keys(t).length === 0;
  const at = session === 'ready' ? ORDER.length : session === 'registering' || o.phase === 'joined' ? 4 : refusedBeforeStart ? -1 : overlayStep(o);
  const stored = o.reusedIdentity === true || (t.joining !== undefined && t.enrolling === undefined);
  // Short enough for one line of a phone-sized screen.
  // Waiting for another tab's enrollment (peer-identity.ts), then checking what it stored, until this tab enrolls or joins.
  const identityPhase = o.phase === 'waiting-for-identity' || o.phase === 'checking-identity' ? o.phase : undefined;
  const details: Record<JoinStepId, { doing: string; done: string }> = {
    configuration: { doing: 'Fetching the overlay’s settings…', done: `Fetched${suffix(ms(t.configuring, t['waiting-for-identity'] ?? t.enrolling ?? t.joining))}` },
    certificate: {
      doing: identityPhase ? PHASE_TEXT[identityPhase] : 'Asking the enrollment server…',
      done: stored ? 'Stored in this browser' : `From the enrollment server${suffix(ms(t.enrolling, t.joining))}`,
    },
    bootstrap: { doing: 'Joining the ring…', done: `Through a bootstrap peer${suffix(ms(t.joining, o.joinMs))}` },
    joined: { doing: 'Joining the overlay…', done: 'A peer of the overlay' },
    registered: { doing: 'Storing your address…', done: 'You can call and be called' },
  };
  return ORDER.map((id, i) => {
    const state: JoinStepState = i < at ? 'done' : i === at ? (failed ? 'failed' : 'current') : 'pending';
    const d = details[id];
    return { id, label: LABELS[id], state, detail: state === 'done' ? d.done : state === 'current' ? d.doing : state === 'failed' ? 'Failed' : 'Waiting' };
  });
}

function suffix(s: string | undefined): string {
  return s ? ` (${s})` : '';
}
