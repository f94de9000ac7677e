/**
 * The Phone view's panels as plain markup (no session): the first paint (BootPlaceholders.tsx,
 * initial JavaScript) and the live view (PhoneView.tsx) draw the same panels, so nothing moves
 * when the session arrives. Light on purpose: only React and the step model's types.
 */
import type { ReactNode } from 'react';
import { ErrorNote } from '../ErrorNote.js';
import { Panel } from '../Panel.js';
import type { JoinStep } from './join-steps.js';
import { joinErrorText } from './name-rules.js';

/** The lede of the first run: what Chordphone is, for someone who has never seen it. */
export const ABOUT =
  'Chordphone is a softphone that runs in your browser with no SIP server behind it. Every open tab is a peer in one RELOAD overlay (RFC 6940); the overlay itself is the SIP location service (RFC 7904), so people call each other by address, and the call runs directly between browsers over WebRTC. This build calls other people by address (audio, text messages). Choose a user name: people call you by it.';

const MARK = { done: '✓', current: '…', pending: '', failed: '✕' } as const;

/** Five rows, one line each: the list keeps its height while the steps change. */
export function StepsList({ steps, label }: { steps: readonly JoinStep[]; label: string }) {
  return (
    <ol className="join-steps" aria-label={label} aria-live="polite" data-testid="join-steps">
      {steps.map((s) => (
        <li key={s.id} data-step={s.id} data-state={s.state} aria-current={s.state === 'current' ? 'step' : undefined}>
          <span className="join-step-mark" aria-hidden="true">
            {MARK[s.state]}
          </span>
          <span className="join-step-label">{s.label}</span>
          <span className="join-step-detail">
            <span className="visually-hidden">: </span>
            {s.detail}
          </span>
        </li>
      ))}
    </ol>
  );
}

export function JoinError({ error }: { error: string | undefined }) {
  return <ErrorNote error={error && joinErrorText(error)} testId="phone-error" />;
}

/**
 * The first run (or "Switch user"): the name form, an error, and the join's steps. `onRetry`: a
 * guest whose overlay failed joins again as the guest (PhoneSession.rejoinAsGuest).
 */
export function FirstRunPanel({
  switching,
  form,
  error,
  onRetry,
  stepsHeading,
  steps,
}: {
  switching: boolean;
  form: ReactNode;
  error?: string | undefined;
  onRetry?: (() => void) | undefined;
  stepsHeading: string;
  steps: ReactNode;
}) {
  return (
    <Panel title={switching ? 'Switch user' : 'Choose your user name'}>
      {!switching && <p className="lede">{ABOUT}</p>}
      {form}
      <JoinError error={error} />
      {onRetry && (
        <p>
          <button type="button" className="primary" data-testid="guest-retry" onClick={onRetry}>
            Try again
          </button>
        </p>
      )}
      <h3 className="steps-heading">{stepsHeading}</h3>
      {steps}
    </Panel>
  );
}

/** Who this tab is: the AoR, then the join's steps (until registered) or Share, and "Switch user". */
export function IdentityPanel({ userName, body, onSwitch }: { userName: string; body: ReactNode; onSwitch?: (() => void) | undefined }) {
  return (
    <Panel title="Your address">
      <p className="you-are">
        You are <strong className="aor">{userName}</strong>
      </p>
      <div className="identity-body">{body}</div>
      <p>
        <button type="button" disabled={!onSwitch} onClick={onSwitch}>
          Switch user
        </button>
      </p>
    </Panel>
  );
}

/** `/?call=bob`: "Call bob" in one click. */
export function CallTargetPanel({ address, onCall, error }: { address: string; onCall?: (() => void) | undefined; error?: string | undefined }) {
  return (
    <section className="panel call-target" aria-label={`Call ${address}`}>
      <p>
        {address} shared their address with you.{' '}
        <button type="button" className="primary" disabled={!onCall} onClick={onCall}>
          Call {address}
        </button>
      </p>
      <ErrorNote error={error} testId="phone-error" />
    </section>
  );
}
