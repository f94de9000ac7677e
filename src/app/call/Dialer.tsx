/**
 * The dialer (issue 7), shown in the Phone view once the user is joined: "Call address" (a name,
 * name@overlay or a sip: URI) and "Call", with a "Video call" option. What is wrong with a typed
 * address is said as it is typed (AddressError, in plain words) and again, as an alert, on
 * "Call". While a valid address is typed, the lookup of its registration starts (session.prepare,
 * debounced), so pressing Call finds it already on its way (issue 6 call setup). `/?call=bob`
 * offers "Call bob" in one click; `#/phone/<address>` prefills the address (contacts and history
 * send the user here that way). Failures of the call itself (not online, declined) show in the
 * call layer above every view (data-testid="call-outcome"); what stops a call from starting (a bad
 * address, a blocked microphone) shows here (data-testid="phone-error").
 */
import { useEffect, useId, useMemo, useState, type FormEvent } from 'react';
import { parseCallAddress } from '../../phone/address.js';
import { describeError } from '../error-text.js';
import { callTargetOf } from '../phone/browser-session.js';
import { ErrorNote } from '../ErrorNote.js';
import type { ViewProps } from '../views.js';
import { askNotificationPermission, notificationPermission, type NotificationPermissionState } from './call-notification.js';
import { useSessionSnapshot } from './use-phone.js';
import './call.css';

/** How long typing must pause before the address is looked up. */
const PREPARE_AFTER_MS = 250;

function pageCallTarget(): string | undefined {
  return typeof location === 'undefined' ? undefined : callTargetOf(location.href);
}

export function Dialer({ session, target }: ViewProps) {
  const s = useSessionSnapshot(session);
  const addressId = useId();
  const hintId = useId();
  const videoId = useId();
  const [callTarget] = useState(pageCallTarget);
  const prefill = target?.view === 'phone' ? target.with : undefined;
  const [address, setAddress] = useState(prefill ?? '');
  const [video, setVideo] = useState(false);
  const [error, setError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  const [permission, setPermission] = useState<NotificationPermissionState>(notificationPermission);
  const ready = s.phase === 'ready';
  const domain = s.domain;
  // RFC 7904 §3.4: the AoR domains the overlay serves (the phone's, from the configuration).
  const domains = s.phone?.domains;

  // `#/phone/<address>` while the dialer is open (a contact's or the history's "Call" button).
  useEffect(() => {
    if (prefill !== undefined) setAddress(prefill);
  }, [prefill]);

  const problem = useMemo(() => {
    if (address.trim() === '' || !domain) return undefined;
    try {
      parseCallAddress(address, domain, domains);
      return undefined;
    } catch (e) {
      return describeError(e);
    }
  }, [address, domain, domains]);

  // Start the lookup while the person is still typing (issue 6): only for an address that parses.
  useEffect(() => {
    if (!ready || problem !== undefined || address.trim() === '') return;
    const t = setTimeout(() => session.prepare(address), PREPARE_AFTER_MS);
    return () => clearTimeout(t);
  }, [session, address, ready, problem]);

  const dial = async (to: string) => {
    setError(undefined);
    setBusy(true);
    try {
      await session.dial(to, { video });
    } catch (e) {
      setError(describeError(e));
    } finally {
      setBusy(false);
    }
  };
  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    void dial(address);
  };
  const onAsk = () => void askNotificationPermission().then(setPermission);

  return (
    <section className="dialer" aria-label="Dialer">
      <form className="dialer-form" onSubmit={onSubmit}>
        <label htmlFor={addressId}>Call address</label>
        <div className="dialer-row">
          <input
            id={addressId}
            value={address}
            onChange={(e) => {
              setAddress(e.target.value);
              setError(undefined);
            }}
            placeholder="bob"
            autoComplete="off"
            autoCapitalize="none"
            spellCheck={false}
            inputMode="email"
            aria-invalid={problem !== undefined}
            aria-describedby={hintId}
          />
          <button type="submit" className="call-button" disabled={!ready || busy}>
            Call
          </button>
        </div>
        <p id={hintId} className={problem && !error ? 'dialer-hint dialer-hint--problem' : 'dialer-hint'}>
          {problem && !error ? problem : `A name (bob), name@${domain ?? 'overlay'} or sip:bob@${domain ?? 'overlay'}.`}
        </p>
        <label className="dialer-video" htmlFor={videoId}>
          <input id={videoId} type="checkbox" checked={video} onChange={(e) => setVideo(e.target.checked)} /> Video call
        </label>
      </form>
      {callTarget && (
        <p>
          <button type="button" className="call-button" disabled={!ready || busy} onClick={() => void dial(callTarget)}>
            Call {callTarget}
          </button>
        </p>
      )}
      <ErrorNote error={error} testId="phone-error" />
      {ready && permission === 'default' && (
        <p className="dialer-notify">
          Get a system notification when someone calls while this tab is in the background.{' '}
          <button type="button" onClick={onAsk}>
            Turn on call notifications
          </button>
        </p>
      )}
      {ready && permission === 'denied' && <p className="dialer-notify">Call notifications are blocked for this site; the tab still rings while it is open.</p>}
    </section>
  );
}
