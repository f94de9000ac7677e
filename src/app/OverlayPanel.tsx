/**
 * The overlay status view (issue 5): joined or not, Node-ID, user name, the link table,
 * predecessor and successors, a note to store and fetch (to see the overlay at work), and the
 * pcap of this tab's RELOAD traffic. All of it comes from the `Overlay` API object's snapshot.
 * Below it the ring view (issue 7, src/app/ring/RingView.tsx, loaded behind `import()`): the same
 * neighbours plus the finger table, on a picture of the Chord ring.
 */
import { shortNodeId } from './node-id-text.js';
import { lazy, useId, useMemo, useState, type FormEvent } from 'react';
import type { Overlay, OverlaySnapshot } from './overlay/overlay.js';
import { describeError } from './error-text.js';
import { PHASE_TEXT } from './overlay/phase-text.js';
import { IdentityFacts } from './overlay/IdentityFacts.js';
import { CaptureDownload } from './CaptureDownload.js';
import { LazyPart } from './LazyPart.js';
import { Panel } from './Panel.js';
import { ringStatusOf } from './ring/ring-status.js';
import { useOverlaySnapshot } from './overlay/use-overlay.js';

const RingView = lazy(() => import('./ring/RingView.js').then((m) => ({ default: m.RingView })));

export function OverlayPanel({ overlay }: { overlay: Overlay }) {
  const s = useOverlaySnapshot(overlay);
  const noteId = useId();
  const whoId = useId();
  const peerId = useId();
  const [target, setTarget] = useState('');
  const [note, setNote] = useState('');
  const [who, setWho] = useState('');
  const [result, setResultState] = useState<{ readonly ok: boolean; readonly text: string; readonly seq: number } | undefined>();
  // Each outcome is numbered, so that a repeated identical answer still shows as new (and tests can wait for it).
  const setResult = (r: { readonly ok: boolean; readonly text: string }) => setResultState((old) => ({ ...r, seq: (old?.seq ?? 0) + 1 }));
  const joined = s.phase === 'joined';
  // A new snapshot (the overlay changed) is a new ring; the fingers come from the peer's status then.
  // The ring's centre shows the user part only ("alice", not "alice@chordphone.local"): it must fit inside the circle.
  const ring = useMemo(() => ringStatusOf(s, overlay.peer, s.userName ? { userName: s.userName.split('@')[0]! } : {}), [s, overlay]);

  const onStore = async (e: FormEvent) => {
    e.preventDefault();
    try {
      await overlay.storeNote(note);
      setResult({ ok: true, text: `Stored your note at ${s.userName ?? 'your user name'}.` });
    } catch (x) {
      setResult({ ok: false, text: `Store failed: ${describeError(x)}` });
    }
  };
  const onFetch = async (e: FormEvent) => {
    e.preventDefault();
    try {
      const got = await overlay.fetchNote(who);
      setResult({ ok: true, text: got === undefined ? `${who} has no note.` : `${who}’s note: ${got}` });
    } catch (x) {
      setResult({ ok: false, text: `Fetch failed: ${describeError(x)}` });
    }
  };

  const onAttach = async (e: FormEvent) => {
    e.preventDefault();
    try {
      await overlay.attach(target);
      setResult({ ok: true, text: `Linked directly to ${shortNodeId(target.trim().toLowerCase())}.` });
    } catch (x) {
      setResult({ ok: false, text: `Attach failed: ${describeError(x)}` });
    }
  };

  return (
    <Panel title="Overlay">
      <p className="status" role="status" data-phase={s.phase}>
        <span className={`status-badge ${joined ? 'status-ok' : s.phase === 'failed' ? 'status-bad' : ''}`} aria-hidden="true">
          {joined ? 'Joined' : s.phase === 'failed' ? 'Error' : 'Joining'}
        </span>
        <span>
          {PHASE_TEXT[s.phase]} {s.phase === 'failed' ? s.error : joined ? '' : s.detail}
        </span>
      </p>
      <dl className="facts">
        <IdentityFacts overlayName={s.overlayName} userName={s.userName} snapshot={s} testIds={{ overlay: 'overlay-name', user: 'user-name', nodeId: 'node-id', mode: 'overlay-mode' }} />
        <dt>Links</dt>
        <dd data-testid="link-count">{s.links.length}</dd>
        <dt>Predecessor</dt>
        <dd className="mono" data-testid="predecessor">
          {s.predecessors[0] ? shortNodeId(s.predecessors[0]) : '—'}
        </dd>
        <dt>Successors</dt>
        <dd className="mono" data-testid="successors">
          {s.successors.length > 0 ? s.successors.map(shortNodeId).join(', ') : '—'}
        </dd>
        {s.joinMs !== undefined && (
          <>
            <dt>Join time</dt>
            <dd data-testid="join-ms">
              {s.joinMs} ms{s.reusedIdentity ? ' (stored identity)' : ' (enrolled)'}
            </dd>
          </>
        )}
      </dl>
      {/* The table's room is kept (boot-slots.css) so the page does not jump as links come and go. */}
      <div className="links-slot">
        {s.links.length > 0 && (
          <table className="links">
            <caption>Link table</caption>
            <thead>
              <tr>
                <th scope="col">Neighbour</th>
                <th scope="col">Link</th>
                <th scope="col">State</th>
                <th scope="col">RTT</th>
              </tr>
            </thead>
            <tbody>
              {s.links.map((l) => (
                <tr key={l.nodeId} data-node-id={l.nodeId} data-transport={l.transport}>
                  <td className="mono" title={l.nodeId}>
                    {shortNodeId(l.nodeId)}
                  </td>
                  <td>{l.transport === 'webrtc' ? 'data channel' : l.transport === 'websocket' ? 'WebSocket' : l.remoteAddress}</td>
                  <td>{l.state}</td>
                  <td>{l.rttMs === undefined ? '—' : `${l.rttMs} ms`}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </div>
      <form className="row" onSubmit={onStore}>
        <label htmlFor={noteId}>Your note</label>
        <input id={noteId} value={note} maxLength={200} onChange={(e) => setNote(e.target.value)} disabled={!joined} />
        <button type="submit" disabled={!joined}>
          Store note
        </button>
      </form>
      <form className="row" onSubmit={onFetch}>
        <label htmlFor={whoId}>Someone’s user name</label>
        <input id={whoId} value={who} onChange={(e) => setWho(e.target.value)} disabled={!joined} placeholder="name@overlay" />
        <button type="submit" disabled={!joined || who.trim() === ''}>
          Fetch note
        </button>
      </form>
      <form className="row" onSubmit={onAttach}>
        <label htmlFor={peerId}>Node-ID to link to</label>
        <input id={peerId} value={target} onChange={(e) => setTarget(e.target.value)} disabled={!joined} className="mono" />
        <button type="submit" disabled={!joined || target.trim() === ''}>
          Attach
        </button>
      </form>
      {result && (
        <p className={result.ok ? 'note-result' : 'note-result error'} data-testid="note-result" data-seq={result.seq} role={result.ok ? undefined : 'alert'}>
          {result.text}
        </p>
      )}
      <CaptureDownload overlay={overlay} />
      <div className="ring-slot">
        {ring ? (
          <LazyPart what="the ring view">
            <RingView status={ring} />
          </LazyPart>
        ) : null}
      </div>
    </Panel>
  );
}
