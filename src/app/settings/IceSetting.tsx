/**
 * Settings: the user's own STUN and TURN servers instead of the overlay's (settings-store.ts). They
 * apply to the next call (media ICE) and, for links to other peers (Attach ICE), from the next
 * join; "Rejoin with these servers" joins again at once. Each field says in words what is wrong with it.
 */
import { useId, useState, type FormEvent } from 'react';
import { describeError } from '../error-text.js';
import type { IceServer } from '../overlay/ice-servers.js';
import type { PhoneSession } from '../phone/phone-session.js';
import { rejoinFailedText, rejoinSession } from './rejoin.js';
import { iceOverrideFieldsOf, parseIceOverride, saveIceOverride, type IceOverrideField, type IceOverrideFields, type SettingsStore } from './settings-store.js';

export interface IceSettingProps {
  readonly session: PhoneSession;
  readonly store: SettingsStore | undefined;
  /** The stored override (undefined: the overlay's servers). */
  readonly saved: readonly IceServer[] | undefined;
  /** The overlay configuration's servers; undefined until the configuration is known. */
  readonly overlayServers: readonly IceServer[] | undefined;
  readonly onSaved: (servers: readonly IceServer[] | undefined) => void;
  readonly reload: () => void;
}

const FIELDS: readonly { readonly field: IceOverrideField; readonly label: string; readonly placeholder: string; readonly type: 'text' | 'password'; readonly autoComplete: string }[] = [
  { field: 'stun', label: 'STUN servers', placeholder: 'stun:stun.example.org:3478', type: 'text', autoComplete: 'off' },
  { field: 'turnUrl', label: 'TURN server', placeholder: 'turn:turn.example.org:3478', type: 'text', autoComplete: 'off' },
  { field: 'turnUsername', label: 'TURN user name', placeholder: '', type: 'text', autoComplete: 'off' },
  { field: 'turnCredential', label: 'TURN credential', placeholder: '', type: 'password', autoComplete: 'new-password' },
];

const listOf = (servers: readonly IceServer[] | undefined) =>
  servers === undefined ? 'as soon as the overlay’s configuration is in' : servers.length === 0 ? 'none (direct connections only)' : servers.map((s) => s.urls).join(', ');

export function IceSetting({ session, store, saved, overlayServers, onSaved, reload }: IceSettingProps) {
  const headingId = useId();
  const baseId = useId();
  const [fields, setFields] = useState<IceOverrideFields>(() => iceOverrideFieldsOf(saved));
  const [errors, setErrors] = useState<Partial<Record<IceOverrideField, string>>>({});
  const [message, setMessage] = useState<{ readonly ok: boolean; readonly text: string; readonly rejoin: boolean } | undefined>();
  const [busy, setBusy] = useState(false);

  const persist = (servers: readonly IceServer[] | undefined): boolean => {
    try {
      saveIceOverride(store, servers);
    } catch (e) {
      setMessage({ ok: false, text: `The browser would not keep the setting (${describeError(e)}). Allow this site to store data, then try again.`, rejoin: false });
      return false;
    }
    onSaved(servers);
    return true;
  };

  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    const result = parseIceOverride(fields);
    if (!result.ok) {
      setErrors(result.errors);
      setMessage(undefined);
      // Keyboard and screen-reader users land on the first field to fix.
      const first = FIELDS.find((f) => result.errors[f.field] !== undefined);
      if (first) document.getElementById(`${baseId}-${first.field}`)?.focus();
      return;
    }
    setErrors({});
    if (persist(result.servers)) setMessage({ ok: true, text: `Saved: ${listOf(result.servers)}. The next call uses them; links to other peers use them from the next join.`, rejoin: true });
  };

  const onReset = () => {
    setErrors({});
    setFields(iceOverrideFieldsOf(undefined));
    if (persist(undefined)) setMessage({ ok: true, text: `Back to the overlay’s servers: ${listOf(overlayServers)}.`, rejoin: true });
  };

  const onRejoin = async () => {
    setBusy(true);
    try {
      const outcome = await rejoinSession(session, reload);
      if (outcome === 'rejoined') setMessage({ ok: true, text: 'Joined again with these servers.', rejoin: false });
    } catch (e) {
      setMessage({ ok: false, text: rejoinFailedText(e), rejoin: false });
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="settings-section" aria-labelledby={headingId}>
      <h3 id={headingId}>STUN and TURN servers</h3>
      <p className="muted settings-explain">
        Calls and links between browsers find a way through routers with STUN, and relay through TURN where nothing else works. The overlay names
        its own servers; type yours here to use them instead.
      </p>
      <p data-testid="ice-in-use">
        In use: {saved ? <>your servers, {listOf(saved)}</> : <>the overlay’s servers, {listOf(overlayServers)}</>}
      </p>
      <form className="settings-form" onSubmit={onSubmit} noValidate>
        {FIELDS.map((f) => {
          const id = `${baseId}-${f.field}`;
          const error = errors[f.field];
          return (
            <div className="settings-field" key={f.field}>
              <label htmlFor={id}>{f.label}</label>
              <input
                id={id}
                type={f.type}
                value={fields[f.field]}
                placeholder={f.placeholder}
                autoComplete={f.autoComplete}
                spellCheck={false}
                autoCapitalize="off"
                aria-invalid={error !== undefined}
                aria-describedby={error !== undefined ? `${id}-error` : undefined}
                onChange={(e) => setFields((old) => ({ ...old, [f.field]: e.target.value }))}
              />
              {error !== undefined && (
                <p id={`${id}-error`} className="settings-error" role="alert">
                  {error}
                </p>
              )}
            </div>
          );
        })}
        <div className="settings-actions">
          <button type="submit" disabled={busy}>
            Save servers
          </button>
          <button type="button" onClick={onReset} disabled={busy}>
            Use the overlay’s servers
          </button>
        </div>
      </form>
      {message && (
        <div className={message.ok ? 'settings-result' : 'settings-result settings-error'} role={message.ok ? 'status' : 'alert'} data-testid="ice-result">
          <p>{message.text}</p>
          {message.rejoin && (
            <button type="button" onClick={() => void onRejoin()} disabled={busy}>
              Rejoin with these servers
            </button>
          )}
        </div>
      )}
    </section>
  );
}
