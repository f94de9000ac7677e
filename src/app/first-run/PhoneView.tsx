/**
 * The Phone view (issue 7): the first run until the person has chosen a user name, then who they
 * are (their AoR, Share) and the dialer.
 *
 * - First run (a guest tab, or "Switch user", or a join by name that failed): pick a user name,
 *   checked live against the enrollment rule; after "Join" the progress steps configuration →
 *   certificate → bootstrap → joined → registered, the form staying (a refused name is corrected
 *   in place); once registered, the card below with the Share link and QR code. A guest whose
 *   overlay failed also gets "Try again" (a new guest overlay: PhoneSession.rejoinAsGuest).
 * - Joined by name (also a returning user at boot, while it joins): "You are alice@…", the join's
 *   steps until registered and then Share, "Switch user", and the Dialer (call/Dialer.tsx).
 * - `/?call=bob` adds "Call bob" on top of the first run: a first visit from a shared link calls
 *   in one click as a guest, without choosing a name first (once joined, the Dialer offers it).
 */
import { useEffect, useState } from 'react';
import { Dialer } from '../call/Dialer.js';
import { useSessionSnapshot } from '../call/use-phone.js';
import { describeError } from '../error-text.js';
import { localPart, type PhoneSession } from '../phone/phone-session.js';
import type { ViewProps } from '../views.js';
import { CallTargetPanel, FirstRunPanel, IdentityPanel } from './FirstRunParts.js';
import { guestRetry } from './guest-retry.js';
import { JoinSteps } from './JoinSteps.js';
import { NameForm } from './NameForm.js';
import { ShareCard } from './ShareCard.js';
import './first-run.css';

function FirstRun({ session, switching, onCancel }: { session: PhoneSession; switching: boolean; onCancel: (() => void) | undefined }) {
  const s = useSessionSnapshot(session);
  const busy = !s.guest && (s.phase === 'joining' || s.phase === 'registering');
  const domain = s.domain ?? s.overlay.getSnapshot().overlayName;
  const [joiningAs, setJoiningAs] = useState<string | undefined>();
  return (
    <FirstRunPanel
      switching={switching}
      form={<NameForm session={session} domain={domain} busy={busy} onCancel={onCancel} autoFocus={switching} onJoining={setJoiningAs} />}
      error={s.phase === 'failed' ? s.error : undefined}
      onRetry={guestRetry(session, s)}
      stepsHeading={s.guest ? 'Connecting this browser to the overlay' : `Joining as ${s.userName ?? joiningAs ?? 'your user name'}`}
      steps={<JoinSteps overlay={s.overlay} phase={s.phase} />}
    />
  );
}

function IdentityCard({ session, onSwitch, returningUser }: { session: PhoneSession; onSwitch: () => void; returningUser: string | undefined }) {
  const s = useSessionSnapshot(session);
  const userName = s.userName ?? s.overlay.getSnapshot().userName ?? returningUser;
  return (
    <IdentityPanel
      userName={userName ?? 'joining…'}
      body={s.phase === 'ready' && s.userName ? <ShareCard local={localPart(s.userName)} /> : <JoinSteps overlay={s.overlay} phase={s.phase} />}
      onSwitch={onSwitch}
    />
  );
}

function CallTarget({ session, address }: { session: PhoneSession; address: string }) {
  const s = useSessionSnapshot(session);
  const [error, setError] = useState<string | undefined>();
  const call = async () => {
    setError(undefined);
    try {
      await session.dial(address);
    } catch (e) {
      setError(describeError(e));
    }
  };
  return <CallTargetPanel address={address} onCall={s.phase === 'ready' ? () => void call() : undefined} error={error} />;
}

/** `callTarget`: `/?call=bob`'s address; `returningUser`: the name this browser is joining with at boot (shown before the AoR is known). */
export function PhoneView({ session, navigate, target, callTarget, returningUser }: ViewProps & { callTarget?: string | undefined; returningUser?: string | undefined }) {
  const s = useSessionSnapshot(session);
  // Choosing a name: a guest, until a join by name is registered; a named user after "Switch
  // user"; anyone whose join by name failed.
  const [choosing, setChoosing] = useState(s.guest === true);
  const [switched, setSwitched] = useState(false);
  useEffect(() => {
    if (s.guest) setChoosing(true);
    else if (s.phase === 'ready') {
      setChoosing(false);
      setSwitched(false);
    }
  }, [s.guest, s.phase]);
  const picking = choosing || (!s.guest && s.phase === 'failed');
  const cancel = switched && s.phase === 'ready' ? () => (setChoosing(false), setSwitched(false)) : undefined;
  const startSwitch = () => (setChoosing(true), setSwitched(true));
  return (
    <div className="phone-view" data-testid="phone-view" data-screen={picking ? 'first-run' : 'joined'}>
      {/* Once joined, the Dialer offers "Call bob" itself. */}
      {callTarget && picking && <CallTarget session={session} address={callTarget} />}
      {picking ? <FirstRun session={session} switching={switched} onCancel={cancel} /> : <IdentityCard session={session} onSwitch={startSwitch} returningUser={returningUser} />}
      {!picking && <Dialer session={session} navigate={navigate} {...(target ? { target } : {})} />}
    </div>
  );
}
