/**
 * The app shell bound to the phone session: the shell shows the overlay in use now (a new one
 * after "Join" with another user name) and the call screen.
 */
import { useSyncExternalStore } from 'react';
import { App } from '../App.js';
import { CallScreen } from './CallScreen.js';
import type { PhoneSession } from './phone-session.js';

export function SessionApp({ session, callTarget }: { session: PhoneSession; callTarget?: string | undefined }) {
  const s = useSyncExternalStore(session.subscribe, session.getSnapshot);
  return <App overlay={s.overlay} phone={<CallScreen session={session} {...(callTarget ? { callTarget } : {})} />} />;
}
