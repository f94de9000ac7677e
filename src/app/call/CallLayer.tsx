/**
 * The call layer (issue 7): rendered by the shell above whichever view is open, always mounted.
 * It shows every call in progress (incoming ones first: "Answer", "Decline"; placed and connected
 * ones with their controls, ActiveCall.tsx), rings while a call comes in (a call-waiting beep
 * instead during another call; ringback while a placed call rings; web-audio.ts, ringtone.ts), shows a system notification when the
 * tab is hidden (call-notification.ts), and after the last call the outcome of the latest one
 * (data-testid="call-outcome", an alert when it failed) until dismissed or a new call starts.
 */
import { useEffect, useRef, useState } from 'react';
import type { CallSnapshot } from '../../phone/index.js';
import { systemClock } from '../../platform/system-clock.js';
import type { PhoneSession } from '../phone/phone-session.js';
import type { ViewProps } from '../views.js';
import { ActiveCall } from './ActiveCall.js';
import { callLine, isActive } from './call-format.js';
import { notifyIncomingCall } from './call-notification.js';
import { IncomingCall } from './IncomingCall.js';
import { CALL_WAITING, RING, RINGBACK, Ringtone } from './ringtone.js';
import { usePhoneSnapshot, useSessionSnapshot } from './use-phone.js';
import { unlockAudioOnGesture, webAudioToneOutput } from './web-audio.js';
import './call.css';

/**
 * Rings while a call comes in (a call-waiting beep when another call is in progress); ringback
 * while a call placed here rings at the other side and nothing else is going on.
 */
function useRingtone(incoming: boolean, inAnotherCall: boolean, ringingOut: boolean): void {
  const ring = useRef<Ringtone | undefined>(undefined);
  useEffect(() => {
    unlockAudioOnGesture();
    return () => ring.current?.stop();
  }, []);
  useEffect(() => {
    ring.current ??= new Ringtone(systemClock, webAudioToneOutput());
    if (incoming) ring.current.start(inAnotherCall ? CALL_WAITING : RING);
    else if (ringingOut) ring.current.start(RINGBACK);
    else ring.current.stop();
  }, [incoming, inAnotherCall, ringingOut]);
}

/** A system notification per ringing call while the tab is hidden; closed when it stops ringing or the tab is seen. */
function useIncomingNotifications(ringing: readonly CallSnapshot[]): void {
  const shown = useRef(new Map<string, () => void>());
  const key = ringing.map((c) => c.id).join(' ');
  useEffect(() => {
    const open = shown.current;
    const sync = () => {
      const hidden = document.visibilityState === 'hidden';
      for (const [id, close] of open) {
        if (!hidden || !ringing.some((c) => c.id === id)) {
          close();
          open.delete(id);
        }
      }
      if (hidden) for (const c of ringing) if (!open.has(c.id)) open.set(c.id, notifyIncomingCall(c.id, c.remoteUser, c.remoteAor));
    };
    sync();
    document.addEventListener('visibilitychange', sync);
    return () => document.removeEventListener('visibilitychange', sync);
    // `key` names the ringing calls: re-run when that set changes (not on every new snapshot).
  }, [key]);
  useEffect(() => {
    const open = shown.current;
    return () => {
      for (const close of open.values()) close();
      open.clear();
    };
  }, []);
}

function hold(session: PhoneSession, calls: readonly CallSnapshot[], except: string): void {
  for (const c of calls) if (c.id !== except && c.state === 'connected' && !c.onHold.local) session.call(c.id)?.hold(true);
}

export function CallLayer({ session }: ViewProps) {
  const s = useSessionSnapshot(session);
  const p = usePhoneSnapshot(s.phone);
  const [dismissed, setDismissed] = useState<string | undefined>();
  const active = p.calls.filter(isActive);
  const ringing = active.filter((c) => c.state === 'incoming');
  const others = active.filter((c) => c.state !== 'incoming');
  useRingtone(ringing.length > 0, others.length > 0, others.some((c) => c.state === 'ringing') && !others.some((c) => c.state === 'connected'));
  useIncomingNotifications(ringing);
  const finished = p.calls.filter((c) => !isActive(c)).at(-1);
  const outcome = active.length === 0 && finished && finished.id !== dismissed ? finished : undefined;
  if (active.length === 0 && !outcome) return null;
  return (
    <section className="call-layer" aria-label="Calls">
      {ringing.map((c) => (
        <IncomingCall key={c.id} snap={c} call={session.call(c.id)} others={others} holdOthers={() => hold(session, active, c.id)} />
      ))}
      {others.map((c) => (
        <ActiveCall key={c.id} snap={c} call={session.call(c.id)} holdOthers={() => hold(session, active, c.id)} />
      ))}
      {outcome && (
        <div className={outcome.state === 'failed' ? 'call-outcome note-result error' : 'call-outcome note-result'}>
          <p data-testid="call-outcome" data-state={outcome.state} role={outcome.state === 'failed' ? 'alert' : 'status'}>
            {callLine(outcome)}
          </p>
          <button type="button" onClick={() => setDismissed(outcome.id)}>
            Dismiss
          </button>
        </div>
      )}
    </section>
  );
}
