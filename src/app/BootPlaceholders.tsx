/**
 * What the first paint shows while the overlay and phone code loads (main.tsx): the header's status
 * and the open view drawn as they will be (the Phone view's panels come from
 * first-run/FirstRunParts.tsx, the same markup the live view uses, disabled), in the slots the real
 * parts take (App.tsx), so nothing moves when they arrive. The header status carries the same
 * `data-testid="phone-status"` and `data-phase`, so there is one status on the page at every moment;
 * the overlay placeholder carries the same role and `data-phase` as OverlayPanel's status.
 */
import { CallTargetPanel, FirstRunPanel, IdentityPanel, StepsList } from './first-run/FirstRunParts.js';
import { joinSteps } from './first-run/join-steps.js';
import { NameForm } from './first-run/NameForm.js';
import { Panel } from './Panel.js';
import { VIEWS, type ViewId } from './views.js';
import './first-run/first-run.css';

/** `userName`: a returning user's name (first-run/last-user.ts), shown at once. */
export function StatusPlaceholder({ userName }: { userName?: string | undefined }) {
  return (
    <p className="phone-status" data-testid="phone-status" data-phase="joining" aria-live="polite">
      <span className="state-dot state-dot--joining" aria-hidden="true" />
      <span className="phone-status-text">
        {userName ? <strong>{userName}</strong> : null} <span className="phone-state">Joining…</span>
      </span>
    </p>
  );
}

const FIRST_STEPS = joinSteps({ phase: 'idle', phaseMs: {} }, 'joining');

/** The Phone view before the session: the first run, or a returning user's card (the dialer's room is kept by boot-slots.css). */
function PhonePlaceholder({ userName }: { userName?: string | undefined }) {
  const callTarget = typeof location === 'undefined' ? undefined : new URLSearchParams(location.search).get('call')?.trim();
  const steps = <StepsList steps={FIRST_STEPS} label="Joining steps" />;
  return (
    <div className="phone-view" data-testid="phone-view" data-screen={userName ? 'joined' : 'first-run'}>
      {callTarget && !userName ? <CallTargetPanel address={callTarget} /> : null}
      {userName ? (
        <IdentityPanel userName={userName} body={steps} />
      ) : (
        <FirstRunPanel switching={false} form={<NameForm domain={undefined} busy />} stepsHeading="Connecting this browser to the overlay" steps={steps} />
      )}
    </div>
  );
}

/**
 * The open view while its code loads; with `error`, the sentence that it could not load (without
 * role=alert: the header's status says it once for the page).
 */
export function ViewPlaceholder({ view, userName, error }: { view: ViewId; userName?: string | undefined; error?: string | undefined }) {
  if (view === 'overlay') return <OverlayPlaceholder error={error} />;
  if (view === 'phone' && !error) return <PhonePlaceholder userName={userName} />;
  const label = VIEWS.find((v) => v.id === view)?.label ?? view;
  return <Panel title={label}>{error ? <p className="note-result error">{error} Reload the page to try again.</p> : null}</Panel>;
}

/** `error`: the overlay code could not be loaded (network gone, server updated under the tab). */
export function OverlayPlaceholder({ error }: { error?: string | undefined }) {
  return (
    <Panel title="Overlay">
      <p className="status" role="status" data-phase={error ? 'failed' : 'idle'}>
        <span className={`status-badge ${error ? 'status-bad' : ''}`} aria-hidden="true">
          {error ? 'Error' : 'Joining'}
        </span>
        <span>{error ? `${error} Reload the page to try again.` : 'Starting…'}</span>
      </p>
    </Panel>
  );
}
