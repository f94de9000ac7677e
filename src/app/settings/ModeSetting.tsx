/**
 * Settings: "Client mode" versus peer (RFC 7890 §3.2, RFC 6940 §4.2). A switch; the change applies
 * by joining again with the same user name, after a confirm that says so (a call in progress ends).
 */
import { useId, useState } from 'react';
import type { OverlayMode } from '../../reload/overlay/index.js';
import { describeError } from '../error-text.js';
import type { PhoneSession } from '../phone/phone-session.js';
import { rejoinFailedText, rejoinSession } from './rejoin.js';
import { saveMode, type SettingsStore } from './settings-store.js';

export interface ModeSettingProps {
  readonly session: PhoneSession;
  readonly store: SettingsStore | undefined;
  /** The mode remembered now (what the next join uses). */
  readonly saved: OverlayMode;
  readonly onSaved: (mode: OverlayMode) => void;
  readonly reload: () => void;
}

export function ModeSetting({ session, store, saved, onSaved, reload }: ModeSettingProps) {
  const headingId = useId();
  const switchId = useId();
  const explainId = useId();
  const confirmId = useId();
  const [chosen, setChosen] = useState<OverlayMode>(saved);
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<{ readonly ok: boolean; readonly text: string } | undefined>();
  const pending = chosen !== saved;

  const apply = async () => {
    try {
      saveMode(store, chosen);
    } catch (e) {
      setMessage({ ok: false, text: `The browser would not keep the setting (${describeError(e)}). Allow this site to store data, then try again.` });
      return;
    }
    onSaved(chosen);
    setBusy(true);
    try {
      setMessage({ ok: true, text: `Joining again as a ${chosen}…` });
      const outcome = await rejoinSession(session, reload);
      if (outcome === 'rejoined') setMessage({ ok: true, text: `Joined again as a ${chosen}.` });
    } catch (e) {
      setMessage({ ok: false, text: rejoinFailedText(e, { choiceKept: true }) });
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="settings-section" aria-labelledby={headingId}>
      <h3 id={headingId}>Client mode</h3>
      <div className="settings-switch">
        <input
          type="checkbox"
          role="switch"
          id={switchId}
          checked={chosen === 'client'}
          aria-checked={chosen === 'client'}
          aria-describedby={explainId}
          disabled={busy}
          onChange={(e) => {
            setMessage(undefined);
            setChosen(e.target.checked ? 'client' : 'peer');
          }}
        />
        <label htmlFor={switchId}>Client mode</label>
      </div>
      <p id={explainId} className="muted settings-explain">
        As a peer (the default) this browser is part of the ring: it routes messages and stores records for other people. In client mode it uses the
        overlay only through one peer it attaches to, and routes and stores nothing for others (RFC 7890 §3.2): lighter on a phone’s battery and
        data. Calls and messages work the same. A change applies by joining the overlay again with the same user name.
      </p>
      {pending && (
        <div className="settings-confirm" role="group" aria-labelledby={confirmId}>
          <p id={confirmId}>
            Join again as a {chosen} now? This takes a few seconds, and a call in progress ends.
          </p>
          <div className="settings-actions">
            <button type="button" onClick={() => void apply()} disabled={busy}>
              Rejoin now
            </button>
            <button type="button" onClick={() => setChosen(saved)} disabled={busy}>
              Cancel
            </button>
          </div>
        </div>
      )}
      {message && (
        <p className={message.ok ? 'settings-result' : 'settings-result settings-error'} role={message.ok ? 'status' : 'alert'} data-testid="mode-result">
          {message.text}
        </p>
      )}
    </section>
  );
}
