/**
 * The Chordphone app shell (issue 7): a header with the brand and the user's address and state, the
 * main navigation (one link per view, a bottom bar on a phone, a side bar on a wide screen), the
 * call layer (incoming and current calls, above whichever view is open) and the open view.
 *
 * The shell itself is light (first paint, issue 7's initial-JavaScript budget): it knows the routes
 * (views.ts, hash routes so a reload or Back keeps the place) but every part bound to the phone
 * session comes in through `parts` (main.tsx: placeholders while the session code loads, then the
 * real parts from session-boot.tsx). The decoder, the other tool of the Overlay view, loads behind
 * its own `import()`, so it works even when the session code cannot load. Each part sits in a slot
 * with a reserved height (boot-slots.css), so the page does not jump while it joins.
 */
import { lazy, useCallback, type ReactNode } from 'react';
import { LazyPart } from './LazyPart.js';
import { Panel } from './Panel.js';
import { hashOf, useLocationHash, VIEWS, viewFromHash, type Navigate, type ViewId, type ViewTarget } from './views.js';
import './boot-slots.css';

const DecoderPanel = lazy(() => import('./DecoderPanel.js').then((m) => ({ default: m.DecoderPanel })));

/** What the shell shows of the session (main.tsx fills these). */
export interface ShellParts {
  /** The user's address and state, for the header. */
  readonly status: ReactNode;
  /** The call layer: incoming-call and in-call screens, always mounted. */
  readonly callLayer: (navigate: Navigate) => ReactNode;
  /** The open view (for `overlay`, the overlay panel; the shell adds the decoder below it). */
  readonly view: (target: ViewTarget, navigate: Navigate) => ReactNode;
  /** A count beside a view's link (missed calls on History, unread messages on Chat), or nothing. */
  readonly badge?: (view: ViewId) => ReactNode;
}

/** The open route, from the address bar's hash; `navigate` adds a history entry (Back returns). */
export function useRoute(): [ViewTarget, Navigate] {
  const hash = useLocationHash();
  const navigate = useCallback<Navigate>((to) => {
    const next = hashOf(to);
    if (location.hash !== next) location.hash = next;
  }, []);
  return [viewFromHash(hash), navigate];
}

export function App({ parts }: { parts: ShellParts }) {
  const [target, navigate] = useRoute();
  return (
    <div className="shell">
      <header className="masthead">
        <img src="/favicon.svg" alt="" width="32" height="32" />
        <h1 className="brand">Chordphone</h1>
        <div className="masthead-status">{parts.status}</div>
      </header>

      <nav aria-label="Main" className="main-nav">
        <ul>
          {VIEWS.map((v) => (
            <li key={v.id}>
              <a href={hashOf({ view: v.id })} aria-current={v.id === target.view ? 'page' : undefined} data-view={v.id}>
                {v.label}
                {parts.badge?.(v.id)}
              </a>
            </li>
          ))}
        </ul>
      </nav>

      <main className="content">
        <div className="call-layer-slot">{parts.callLayer(navigate)}</div>
        <div className={`boot-slot view-slot view-slot--${target.view}`} data-view={target.view}>
          {parts.view(target, navigate)}
        </div>
        {target.view === 'overlay' && (
          <div className="boot-slot boot-slot--decoder">
            <LazyPart what="the message decoder" fallback={<Panel title="RELOAD message decoder">{null}</Panel>}>
              <DecoderPanel />
            </LazyPart>
          </div>
        )}
      </main>

      <footer className="colophon">
        <p>Chordphone {__APP_VERSION__}</p>
      </footer>
    </div>
  );
}
