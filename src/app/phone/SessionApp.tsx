/**
 * The app's parts bound to the phone session: the overlay status shows the overlay in use now (a
 * new one after "Join" with another user name); the call screen drives the session. main.tsx puts
 * them into the shell's slots once their code has loaded (the shell itself never remounts, so
 * nothing typed elsewhere on the page is lost).
 */
import { useSyncExternalStore } from 'react';
import { App } from '../App.js';
import { OverlayPanel } from '../OverlayPanel.js';
import { CallScreen } from './CallScreen.js';
import type { PhoneSession } from './phone-session.js';

export function SessionOverlayPanel({ session }: { session: PhoneSession }) {
  const s = useSyncExternalStore(session.subscribe, session.getSnapshot);
  return <OverlayPanel overlay={s.overlay} />;
}

export function SessionCallScreen({ session, callTarget }: { session: PhoneSession; callTarget?: string | undefined }) {
  return <CallScreen session={session} {...(callTarget ? { callTarget } : {})} />;
}

/** The whole app on one session. */
export function SessionApp({ session, callTarget }: { session: PhoneSession; callTarget?: string | undefined }) {
  return <App overlay={<SessionOverlayPanel session={session} />} phone={<SessionCallScreen session={session} callTarget={callTarget} />} />;
}
