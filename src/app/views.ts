/**
 * The app's views (issue 7) and how one view sends the user to another. Light on purpose: the
 * shell (App.tsx, initial JavaScript) imports it; the views themselves load with the session
 * (session-boot.tsx). The address bar carries the view as a hash route (`#/history`,
 * `#/chat/bob@overlay`), so a reload or the Back button keeps the user where they were; `?call=bob`
 * stays a query (the Share link, issue 6).
 */
import { useSyncExternalStore } from 'react';
import type { PhoneSession } from './phone/phone-session.js';

export const VIEWS = [
  { id: 'phone', label: 'Phone' },
  { id: 'contacts', label: 'Contacts' },
  { id: 'history', label: 'History' },
  { id: 'chat', label: 'Chat' },
  { id: 'overlay', label: 'Overlay' },
  { id: 'settings', label: 'Settings' },
] as const;

export type ViewId = (typeof VIEWS)[number]['id'];

/** Where to go: a view, and for `chat` / `phone` the address it is about (a chat thread, the dialer's address). */
export interface ViewTarget {
  readonly view: ViewId;
  readonly with?: string;
}

export type Navigate = (to: ViewTarget) => void;

/** What every view gets. */
export interface ViewProps {
  readonly session: PhoneSession;
  readonly navigate: Navigate;
  /** The open route (the shell passes it): `with` is the chat thread or the dialer's prefilled address. */
  readonly target?: ViewTarget;
}

/** `#/chat/bob%40overlay` → { view: 'chat', with: 'bob@overlay' }; anything unknown → the phone. */
export function viewFromHash(hash: string): ViewTarget {
  const [id = '', ...rest] = hash.replace(/^#\/?/, '').split('/');
  const view = VIEWS.find((v) => v.id === id)?.id ?? 'phone';
  const param = rest.join('/');
  let decoded = '';
  try {
    decoded = decodeURIComponent(param);
  } catch {
    decoded = '';
  }
  return decoded ? { view, with: decoded } : { view };
}

export function hashOf(to: ViewTarget): string {
  return `#/${to.view}${to.with ? `/${encodeURIComponent(to.with)}` : ''}`;
}

const subscribeHash = (listener: () => void) => {
  window.addEventListener('hashchange', listener);
  return () => window.removeEventListener('hashchange', listener);
};
const readHash = () => (typeof location === 'undefined' ? '' : location.hash);

/** The address bar's hash (`#/chat/bob`), kept current on `hashchange`. */
export function useLocationHash(): string {
  return useSyncExternalStore(subscribeHash, readHash, () => '');
}
