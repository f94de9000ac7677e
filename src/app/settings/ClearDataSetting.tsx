/**
 * Settings: "Clear identity and data". A confirm step that says what is lost, then the session is
 * closed, the app's databases and stored keys deleted (clear-data.ts) and the page loaded again:
 * the first run.
 */
import { useEffect, useId, useRef, useState } from 'react';
import type { PhoneSession } from '../phone/phone-session.js';
import { clearAppData, type ClearOutcome } from './clear-data.js';

export interface ClearDataSettingProps {
  readonly session: PhoneSession;
  /** The user's full name now (for the confirm text), if known. */
  readonly userName: string | undefined;
  /** Deletes the data (default: this browser's IndexedDB and localStorage). */
  readonly clear?: () => Promise<ClearOutcome>;
  /** Loads the app again from its start (default: the page without its query and route). */
  readonly restart: () => void;
}

const browserClear = () => clearAppData({ indexedDB: globalThis.indexedDB, localStorage: globalThis.localStorage });

export function ClearDataSetting({ session, userName, clear = browserClear, restart }: ClearDataSettingProps) {
  const headingId = useId();
  const confirmId = useId();
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>();
  const cancelRef = useRef<HTMLButtonElement>(null);
  const openRef = useRef<HTMLButtonElement>(null);

  /** Whether the confirm step was open (closing it gives the focus back to the button that opened it). */
  const wasConfirming = useRef(false);

  // The confirm step takes the focus (its safe choice first); closing it gives the focus back.
  useEffect(() => {
    if (confirming) cancelRef.current?.focus();
    else if (wasConfirming.current) openRef.current?.focus();
    wasConfirming.current = confirming;
  }, [confirming]);

  const cancel = () => setConfirming(false);

  const onDelete = async () => {
    setBusy(true);
    setError(undefined);
    session.close();
    const outcome = await clear();
    if (outcome.failed.length > 0) {
      setBusy(false);
      setError(`Some data could not be deleted (${outcome.failed.map((f) => `${f.name}: ${f.reason}`).join('; ')}). Close the other Chordphone tabs, then press Delete everything again.`);
      return;
    }
    restart();
  };

  return (
    <section className="settings-section settings-danger" aria-labelledby={headingId}>
      <h3 id={headingId}>Clear identity and data</h3>
      {!confirming ? (
        <>
          <p className="muted settings-explain">Deletes everything Chordphone keeps in this browser and starts again from the first run.</p>
          <button ref={openRef} type="button" onClick={() => setConfirming(true)}>
            Clear identity and data…
          </button>
        </>
      ) : (
        <div
          className="settings-confirm"
          role="group"
          aria-labelledby={confirmId}
          onKeyDown={(e) => {
            if (e.key === 'Escape' && !busy) cancel();
          }}
        >
          <p id={confirmId}>
            <strong>Delete everything Chordphone keeps in this browser?</strong> This cannot be undone. You lose:
          </p>
          <ul>
            <li>
              the keys and certificates of every user name used in this browser{userName ? ` (${userName} among them)` : ''}: those names stay taken in
              the overlay, and this browser cannot use them again;
            </li>
            <li>your contacts, call history and chat messages;</li>
            <li>the records this browser stored in the overlay, and your settings here.</li>
          </ul>
          <div className="settings-actions">
            <button ref={cancelRef} type="button" onClick={cancel} disabled={busy}>
              Cancel
            </button>
            <button type="button" className="settings-danger-button" onClick={() => void onDelete()} disabled={busy}>
              {busy ? 'Deleting…' : 'Delete everything'}
            </button>
          </div>
        </div>
      )}
      {error && (
        <p className="settings-result settings-error" role="alert">
          {error}
        </p>
      )}
    </section>
  );
}
