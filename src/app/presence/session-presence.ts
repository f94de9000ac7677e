/**
 * The contacts' presence for the tab's session (issue 7): one PresenceScheduler per user, looking
 * AoRs up on the overlay in use now (registrationLookup on `session.getSnapshot().overlay.peer`,
 * so a peer restarted by a ConfigUpdate is used at once). When "Join" switches user, the old
 * scheduler is closed (its lookups aborted) and a new one starts with the new user's contacts.
 *
 * ```ts
 * const presence = sessionPresence(session);   // memoised per session
 * presence.want('contacts', aors);             // watched: the union of every source's AoRs
 * const entries = usePresence(session, aors);  // React: a Map aor → PresenceEntry
 * ```
 */
import { useCallback, useEffect, useSyncExternalStore } from 'react';
import { systemClock } from '../../platform/system-clock.js';
import { perSession } from '../phone/per-session.js';
import type { PhoneSession } from '../phone/phone-session.js';
import { createPresenceScheduler, type PresenceDeps, type PresenceEntry, type PresenceInit, type PresenceScheduler } from './presence-scheduler.js';
import { registrationLookup } from './registration-lookup.js';

export interface SessionPresence {
  /** The scheduler of the current user; undefined before the session has a user. */
  current(): PresenceScheduler | undefined;
  /**
   * Watch `aors` for `source` (the contact list, an open chat thread), replacing what that source
   * asked before; undefined stops that source. The scheduler watches the union of all sources.
   */
  want(source: string, aors: readonly string[] | undefined): void;
  /** Told when `current()` changes (user switch). */
  subscribe(listener: () => void): () => void;
  close(): void;
}

export interface SessionPresenceDeps {
  readonly clock?: PresenceDeps['clock'];
  readonly random?: PresenceDeps['random'];
  /** Default: registrationLookup on the session's overlay peer. */
  readonly lookup?: PresenceDeps['lookup'];
  readonly init?: PresenceInit;
}

/** The presence of `session` (created on first use; later deps are ignored). */
export const sessionPresence: (session: PhoneSession, deps?: SessionPresenceDeps) => SessionPresence = perSession(createSessionPresence);

export function createSessionPresence(session: PhoneSession, deps: SessionPresenceDeps = {}): SessionPresence {
  const lookup: PresenceDeps['lookup'] =
    deps.lookup ??
    ((aor, options) => {
      const peer = session.getSnapshot().overlay.peer;
      if (!peer) return Promise.reject(new Error('not joined to the overlay'));
      return registrationLookup(peer)(aor, options);
    });
  const listeners = new Set<() => void>();
  let key: string | undefined;
  let scheduler: PresenceScheduler | undefined;
  const sources = new Map<string, readonly string[]>();
  const apply = () => scheduler?.setContacts([...new Set([...sources.values()].flat())]);

  const follow = () => {
    const s = session.getSnapshot();
    const next = s.userName && s.domain ? `${s.domain}/${s.userName}` : undefined;
    if (next === key) return;
    key = next;
    scheduler?.close();
    // The new user has other contacts: every source asks again (usePresence re-runs on the new scheduler).
    sources.clear();
    scheduler = next ? createPresenceScheduler({ clock: deps.clock ?? systemClock, random: deps.random ?? { float: () => Math.random() }, lookup }, deps.init) : undefined;
    for (const l of [...listeners]) l();
  };
  const unsubscribe = session.subscribe(follow);
  follow();

  return {
    current: () => scheduler,
    want(source, aors) {
      if (aors) sources.set(source, aors);
      else sources.delete(source);
      apply();
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    close() {
      unsubscribe();
      scheduler?.close();
      scheduler = undefined;
      listeners.clear();
    },
  };
}

const NONE: ReadonlyMap<string, PresenceEntry> = new Map();

/**
 * The presence of `aors`, watched by the current user's scheduler as `source`. The contact list
 * (`keep`) stays watched after its view closes: the scheduler keeps refreshing it while the tab is
 * open (at most 2 lookups at once, each contact once a minute ± 20 %, offline ones backing off),
 * so reopening the view shows presence at once; a chat thread's peer is watched while it is open.
 */
export function usePresence(session: PhoneSession, aors: readonly string[] | undefined, source = 'contacts', keep = true): ReadonlyMap<string, PresenceEntry> {
  const presence = sessionPresence(session);
  const scheduler = useSyncExternalStore(presence.subscribe, presence.current, presence.current);
  const joined = aors?.join('\n');
  useEffect(() => {
    if (!scheduler || joined === undefined) return;
    presence.want(source, joined === '' ? [] : joined.split('\n'));
    return keep ? undefined : () => presence.want(source, undefined);
  }, [presence, scheduler, joined, source, keep]);
  const subscribe = useCallback((l: () => void) => scheduler?.subscribe(l) ?? (() => {}), [scheduler]);
  const get = useCallback(() => scheduler?.getSnapshot() ?? NONE, [scheduler]);
  return useSyncExternalStore(subscribe, get, get);
}
