/**
 * React access to the tab user's app store (app-store-hub.ts): `useAppStore` for the store itself,
 * `useStoreQuery` for data read from it (read again after every write, and when the user switches),
 * `useMissedCallCount` for the shell's History badge.
 */
import { useEffect, useState, useSyncExternalStore } from 'react';
import { describeError } from '../error-text.js';
import type { PhoneSession } from '../phone/phone-session.js';
import { appStoreHub, type AppStoreView } from './app-store-hub.js';
import type { AppStore } from './app-store.js';

export function useAppStore(session: PhoneSession): AppStoreView {
  const hub = appStoreHub(session);
  return useSyncExternalStore(hub.subscribe, hub.getSnapshot, hub.getSnapshot);
}

export interface StoreQuery<T> {
  /** Undefined while the first read runs (or when there is no store). */
  readonly data: T | undefined;
  readonly error: string | undefined;
}

/**
 * `query` run on the current user's store, again after each write and when `deps` change. The
 * previous data stays shown while a re-read runs (no flicker); a read for another user is dropped.
 */
export function useStoreQuery<T>(session: PhoneSession, query: (store: AppStore) => Promise<T>, deps: readonly unknown[] = []): StoreQuery<T> {
  const { store, revision, error: openError } = useAppStore(session);
  const [state, setState] = useState<{ store: AppStore | undefined; data: T | undefined; error: string | undefined }>({ store: undefined, data: undefined, error: undefined });
  useEffect(() => {
    if (!store) return;
    let live = true;
    query(store).then(
      (data) => live && setState({ store, data, error: undefined }),
      (e: unknown) => live && setState((s) => ({ store, data: s.store === store ? s.data : undefined, error: describeError(e) })),
    );
    return () => {
      live = false;
    };
    // `query` is re-created each render; `deps` name what it reads.
  }, [store, revision, ...deps]);
  const current = state.store === store ? state : { data: undefined, error: undefined };
  return { data: current.data, error: openError ?? current.error };
}

/** Missed calls the user has not seen in the History view yet (0 without a store). */
export function useMissedCallCount(session: PhoneSession): number {
  return useStoreQuery(session, (s) => s.history.unseenMissed()).data ?? 0;
}

/** Received messages not read yet, across all threads. */
export function useUnreadMessageCount(session: PhoneSession): number {
  return useStoreQuery(session, async (s) => (await s.chat.threads()).reduce((n, t) => n + t.unread, 0)).data ?? 0;
}
