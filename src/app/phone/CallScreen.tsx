/**
 * The call screen (issue 6), minimal: the names below are what tests and assistive technology
 * rely on. "User name" + "Join" choose who this tab is; "Call address" (`bob`, `bob@overlay`,
 * `sip:bob@overlay`) + "Call" place a call; an incoming call offers "Answer" and "Decline"; a call
 * in progress "Hang up" and "Mute". `/?call=bob` offers "Call bob" as soon as the phone is ready.
 * Errors are the PhoneError / AddressError messages, in plain words. A text chat (SIP MESSAGE)
 * sends to the address in "Call address".
 */
import { useCallback, useEffect, useId, useRef, useState, useSyncExternalStore, type FormEvent } from 'react';
import type { CallSnapshot, Phone, PhoneSnapshot } from '../../phone/index.js';
import { Panel } from '../Panel.js';
import { remoteStreamOf } from './call-media.js';
import type { PhoneSession, PhoneSessionSnapshot } from './phone-session.js';

const NO_PHONE: PhoneSnapshot = { state: 'stopped', aor: '', calls: [], messages: [], error: undefined };

function usePhoneSnapshot(phone: Phone | undefined): PhoneSnapshot {
  const subscribe = useCallback((l: () => void) => phone?.subscribe(l) ?? (() => {}), [phone]);
  const get = useCallback(() => phone?.snapshot() ?? NO_PHONE, [phone]);
  return useSyncExternalStore(subscribe, get);
}

const SESSION_TEXT: Record<PhoneSessionSnapshot['phase'], string> = {
  joining: 'Joining the overlay…',
  registering: 'Registering your address in the overlay…',
  ready: 'Ready: you can call and be called at',
  failed: 'The phone is not working:',
  closed: 'The phone is closed.',
};

function callLine(c: CallSnapshot): string {
  const who = c.remoteUser;
  switch (c.state) {
    case 'calling':
      return `Calling ${who}…`;
    case 'ringing':
      return `Ringing ${who}…`;
    case 'incoming':
      return `${who} is calling you.`;
    case 'connected':
      return `In a call with ${who}${c.muted ? ' (muted)' : ''}${c.held ? ' (on hold)' : ''}.`;
    case 'ended':
      return `The call with ${who} ended.`;
    case 'failed':
      return c.error?.message ?? `The call with ${who} failed.`;
  }
}

/** Plays the call's remote audio. */
function RemoteAudio({ session, callId }: { session: PhoneSession; callId: string }) {
  const ref = useRef<HTMLAudioElement>(null);
  useEffect(() => {
    const call = session.call(callId);
    const stream = call && remoteStreamOf(call);
    if (ref.current && stream) ref.current.srcObject = stream;
  }, [session, callId]);
  return <audio ref={ref} autoPlay />;
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

export function CallScreen({ session, callTarget }: { session: PhoneSession; callTarget?: string }) {
  const s = useSyncExternalStore(session.subscribe, session.getSnapshot);
  const p = usePhoneSnapshot(s.phone);
  const nameId = useId();
  const addressId = useId();
  const textId = useId();
  const [name, setName] = useState('');
  const [address, setAddress] = useState(callTarget ?? '');
  const [text, setText] = useState('');
  const [error, setError] = useState<string | undefined>();
  const ready = s.phase === 'ready' && p.state === 'ready';
  const active = p.calls.filter((c) => c.state !== 'ended' && c.state !== 'failed');
  const finished = p.calls.filter((c) => c.state === 'ended' || c.state === 'failed').at(-1);

  const run = async (what: () => Promise<unknown>) => {
    setError(undefined);
    try {
      await what();
    } catch (e) {
      setError(message(e));
    }
  };
  const onJoin = (e: FormEvent) => {
    e.preventDefault();
    void run(() => session.join(name));
  };
  const dial = (to: string) => run(() => session.dial(to));
  const onCall = (e: FormEvent) => {
    e.preventDefault();
    void dial(address);
  };
  const onSend = (e: FormEvent) => {
    e.preventDefault();
    void run(async () => {
      await s.phone?.sendMessage(address, text);
      setText('');
    });
  };

  return (
    <Panel title="Phone">
      <p className="phone-status" data-testid="phone-status" data-phase={s.phase} aria-live="polite">
        {SESSION_TEXT[s.phase]} {s.phase === 'ready' ? <strong data-testid="phone-aor">{s.userName}</strong> : s.phase === 'failed' ? s.error : ''}
      </p>
      <form className="row" onSubmit={onJoin}>
        <label htmlFor={nameId}>User name</label>
        <input id={nameId} value={name} onChange={(e) => setName(e.target.value)} placeholder="alice" autoComplete="username" />
        <button type="submit" disabled={name.trim() === ''}>
          Join
        </button>
      </form>
      <form className="row" onSubmit={onCall}>
        <label htmlFor={addressId}>Call address</label>
        <input id={addressId} value={address} onChange={(e) => setAddress(e.target.value)} placeholder="bob" />
        <button type="submit" disabled={!ready}>
          Call
        </button>
      </form>
      {callTarget && (
        <p>
          <button type="button" disabled={!ready} onClick={() => void dial(callTarget)}>
            Call {callTarget}
          </button>
        </p>
      )}
      {active.map((c) => (
        <div key={c.id} className="call" data-testid="call" data-call-id={c.id} data-state={c.state} data-direction={c.direction}>
          <p>{callLine(c)}</p>
          {c.state === 'incoming' && (
            <p>
              <button type="button" onClick={() => void run(() => session.call(c.id)!.answer())}>
                Answer
              </button>{' '}
              <button type="button" onClick={() => session.call(c.id)?.decline()}>
                Decline
              </button>
            </p>
          )}
          {c.state !== 'incoming' && (
            <p>
              <button type="button" onClick={() => session.call(c.id)?.hangup()}>
                Hang up
              </button>{' '}
              {c.state === 'connected' && (
                <button type="button" aria-pressed={c.muted} onClick={() => session.call(c.id)?.mute(!c.muted)}>
                  Mute
                </button>
              )}
            </p>
          )}
          {c.state === 'connected' && <RemoteAudio session={session} callId={c.id} />}
        </div>
      ))}
      {finished && active.length === 0 && (
        <p className={finished.state === 'failed' ? 'note-result error' : 'note-result'} data-testid="call-outcome" data-state={finished.state} role={finished.state === 'failed' ? 'alert' : undefined}>
          {callLine(finished)}
        </p>
      )}
      {error && (
        <p className="note-result error" data-testid="phone-error" role="alert">
          {error}
        </p>
      )}
      <form className="row" onSubmit={onSend}>
        <label htmlFor={textId}>Message</label>
        <input id={textId} value={text} onChange={(e) => setText(e.target.value)} maxLength={1000} />
        <button type="submit" disabled={!ready || text === ''}>
          Send message
        </button>
      </form>
      {p.messages.length > 0 && (
        <ul className="messages" data-testid="messages" aria-label="Messages">
          {p.messages.map((m, i) => (
            <li key={i} data-direction={m.direction}>
              {m.direction === 'incoming' ? `${m.peer}: ` : `to ${m.peer}: `}
              {m.text}
            </li>
          ))}
        </ul>
      )}
    </Panel>
  );
}
