/**
 * Call history (issue 7): the user's calls newest first (recorder.ts writes them), each with its
 * direction, outcome in words (a missed call stands out in words and weight, not by colour
 * alone), when it was and how long it lasted, and "Call back"; someone not in the contacts can be
 * added from here. Opening the view marks the missed calls seen (the shell's badge,
 * useMissedCallCount, drops to 0).
 */
import { useEffect, useState } from 'react';
import { useSessionSnapshot } from '../call/use-phone.js';
import { Panel } from '../Panel.js';
import { shortAddress } from '../contacts/contact-format.js';
import { describeError } from '../error-text.js';
import { useStoreQuery, type CallRecord } from '../store/index.js';
import type { ViewProps } from '../views.js';
import { formatDuration, formatWhen, OUTCOME_TEXT } from './call-record.js';
import '../contacts/view-common.css';
import './history.css';

/** How many rows the view shows (the store keeps 500). */
const SHOWN = 200;

export function HistoryView({ session, navigate }: ViewProps) {
  const s = useSessionSnapshot(session);
  const q = useStoreQuery(session, async (st) => ({
    rows: await st.history.list(SHOWN),
    unseen: await st.history.unseenMissed(),
    names: new Map((await st.contacts.list()).map((c) => [c.aor, c.displayName])),
    store: st,
  }));
  const [error, setError] = useState<string | undefined>();
  const ready = s.phase === 'ready';

  // Seen: the badge goes (only when there is something to mark, so the re-read does not loop).
  const unseen = q.data?.unseen ?? 0;
  const store = q.data?.store;
  useEffect(() => {
    if (store && unseen > 0) void store.history.markSeen().catch(() => {});
  }, [store, unseen]);

  const callBack = async (r: CallRecord) => {
    setError(undefined);
    try {
      await session.dial(r.aor);
      navigate({ view: 'phone' });
    } catch (e) {
      setError(describeError(e));
    }
  };

  const now = Date.now();
  return (
    <Panel title="History">
      {q.error && (
        <p className="view-alert" role="alert">
          {q.error}
        </p>
      )}
      {error && (
        <p className="view-alert" role="alert" data-testid="history-error">
          {error}
        </p>
      )}
      {!s.userName && <p className="view-note">Your calls appear here once the phone has joined the overlay.</p>}
      {q.data && q.data.rows.length === 0 && <p className="view-note">No calls yet.</p>}
      {q.data && q.data.rows.length > 0 && (
        <ol className="history-list" aria-label="Call history">
          {q.data.rows.map((r) => {
            const short = shortAddress(r.aor, s.domain);
            const name = q.data!.names.get(r.aor);
            const who = name ?? short;
            const missed = r.outcome === 'missed';
            const incoming = r.direction !== 'out';
            const line = `${incoming ? 'Incoming' : 'Outgoing'} call, ${OUTCOME_TEXT[r.outcome].toLowerCase()}`;
            return (
              <li key={r.id} className={`history-entry${missed ? ' history-entry--missed' : ''}`} data-testid="history-entry" data-outcome={r.outcome} data-direction={r.direction} data-aor={r.aor}>
                <span className="history-icon" aria-hidden="true">
                  {missed ? '✕' : incoming ? '↙' : '↗'}
                </span>
                <span className="history-who">
                  {who}
                  <span className="history-meta">
                    <span className="history-outcome">{missed ? 'Missed call' : line}</span>
                    {' · '}
                    <time dateTime={new Date(r.start).toISOString()}>{formatWhen(r.start, now)}</time>
                    {r.outcome === 'answered' && (
                      <>
                        {' · '}
                        <span aria-label={`lasted ${formatDuration(r.durationMs)}`}>{formatDuration(r.durationMs)}</span>
                      </>
                    )}
                  </span>
                </span>
                <span className="history-actions">
                  <button type="button" aria-label={`Call back ${who}`} disabled={!ready} onClick={() => void callBack(r)}>
                    Call back
                  </button>
                  {!name && (
                    <button type="button" aria-label={`Add ${short} to contacts`} onClick={() => navigate({ view: 'contacts', with: short })}>
                      Add to contacts
                    </button>
                  )}
                </span>
              </li>
            );
          })}
        </ol>
      )}
    </Panel>
  );
}
