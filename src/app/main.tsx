/** Browser entry point: starts the tab's overlay peer and mounts the app shell into index.html's #root. */
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { callTargetOf, startBrowserPhoneSession } from './phone/browser-session.js';
import { SessionApp } from './phone/SessionApp.js';
import { createBrowserOverlay } from './overlay/browser-overlay.js';
import './app.css';

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root element');

const overlay = createBrowserOverlay();
// For tests and the curious: the API object (window.chordphone.overlay in the console).
(globalThis as { chordphone?: unknown }).chordphone = { overlay };
// The status view shows a failure; nothing more to do with it here.
overlay.start().catch(() => {});
// The phone (issue 6): registers the user once joined; keeps window.chordphone.overlay / .phone current.
const session = startBrowserPhoneSession(overlay);
window.addEventListener('pagehide', () => session.close());

createRoot(root).render(
  <StrictMode>
    <SessionApp session={session} callTarget={callTargetOf()} />
  </StrictMode>,
);
