/**
 * The heavy half of the app, loaded by main.tsx behind `import()` (issue 7: the initial JavaScript
 * stays small): starts the phone session on the tab's boot overlay (overlay-boot.ts, its own
 * chunk, already joining), the call recorder (history), and gives the shell's parts bound to them
 * (the header status, the call layer, the views). JsSIP and every view come in through here.
 */
import type { ComponentType } from 'react';
import { UnreadBadge } from './chat/UnreadBadge.js';
import { MissedCallBadge } from './history/MissedCallBadge.js';
import { startRecorder } from './history/recorder.js';
import type { BootedOverlay } from './overlay-boot.js';
import { callTargetOf, startBrowserPhoneSession } from './phone/browser-session.js';
import { SessionCallLayer, SessionStatus, SessionView } from './phone/SessionApp.js';
import type { Navigate, ViewId, ViewTarget } from './views.js';

export interface BootedSession {
  /** The user's address and state, for the shell's header. */
  readonly Status: ComponentType;
  /** Incoming and current calls, above every view. */
  readonly CallLayer: ComponentType<{ readonly navigate: Navigate }>;
  /** The count beside a view's link in the navigation (missed calls, unread messages), or nothing. */
  readonly Badge: ComponentType<{ readonly view: ViewId }>;
  /** The open view. */
  readonly View: ComponentType<{ readonly target: ViewTarget; readonly navigate: Navigate }>;
}

/**
 * Starts the phone session (once per page) on the tab's boot overlay (overlay-boot.ts: a guest's
 * is joining already; a returning user's is never started). `returningUser`: the name this browser last
 * joined with (first-run/last-user.ts): joined with at once, no guest step. Without it the tab
 * boots as a guest, so a first visit to `/?call=bob` calls in one click while the first run asks
 * for a name.
 */
export function bootSession(returningUser: string | undefined, boot: BootedOverlay): BootedSession {
  // The phone (issue 6): registers the user once joined; sets and keeps window.chordphone.overlay / .phone current (debug-handle.ts).
  const session = startBrowserPhoneSession(boot, location.href, returningUser);
  const stopRecorder = startRecorder(session);
  window.addEventListener('pagehide', () => {
    stopRecorder();
    session.close();
  });
  const callTarget = callTargetOf();
  return {
    Status: () => <SessionStatus session={session} returningUser={returningUser} />,
    CallLayer: ({ navigate }) => <SessionCallLayer session={session} navigate={navigate} />,
    Badge: ({ view }) => (view === 'history' ? <MissedCallBadge session={session} /> : view === 'chat' ? <UnreadBadge session={session} /> : null),
    View: ({ target, navigate }) => <SessionView session={session} target={target} navigate={navigate} callTarget={callTarget} returningUser={returningUser} />,
  };
}
