/**
 * The heavy half of the app, loaded by main.tsx behind `import()` (issue 7: the initial JavaScript
 * stays small): starts the tab's overlay peer and the phone session, and gives the two panels bound
 * to them. RELOAD, the security layer and JsSIP all come in through here.
 */
import type { ComponentType } from 'react';
import { createBrowserOverlay } from './overlay/browser-overlay.js';
import { callTargetOf, startBrowserPhoneSession } from './phone/browser-session.js';
import { SessionCallScreen, SessionOverlayPanel } from './phone/SessionApp.js';

export interface BootedSession {
  /** The call screen, for the shell's phone slot. */
  readonly Phone: ComponentType;
  /** The overlay status (and ring view), for the shell's overlay slot. */
  readonly Overlay: ComponentType;
}

/** Starts the overlay and the phone (once per page). */
export function bootSession(): BootedSession {
  const overlay = createBrowserOverlay();
  // For tests and the curious: the API object (window.chordphone.overlay in the console).
  (globalThis as { chordphone?: unknown }).chordphone = { overlay };
  // The status view shows a failure; nothing more to do with it here.
  overlay.start().catch(() => {});
  // The phone (issue 6): registers the user once joined; keeps window.chordphone.overlay / .phone current.
  const session = startBrowserPhoneSession(overlay);
  window.addEventListener('pagehide', () => session.close());
  const callTarget = callTargetOf();
  return {
    Phone: () => <SessionCallScreen session={session} callTarget={callTarget} />,
    Overlay: () => <SessionOverlayPanel session={session} />,
  };
}
