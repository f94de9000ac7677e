/**
 * The one place that opens the app store for the tab's user (issue 7): the views (contacts,
 * history, chat) and the recorder share it. Stores are per user name (appStoreName(domain, user)),
 * so "Join" as someone else switches the data the views show; a store, once opened, stays open
 * for the page's life, so a call of the previous user that ends after the switch is still written
 * to that user's history.
 *
 * ```ts
 * const hub = appStoreHub(session);            // one per session (memoised)
 * hub.subscribe(() => render(hub.getSnapshot())); // { store, user, revision }: revision bumps on every write (another tab's too)
 * const store = await hub.storeFor(domain, user);
 * ```
 */
import { describeError } from '../error-text.js';
import { perSession } from '../phone/per-session.js';
import type { PhoneSession } from '../phone/phone-session.js';
import { appStoreName, openAppStore, type AppStore } from './app-store.js';

export interface AppStoreView {
  /** The full user name (`alice@chordphone.local`) whose data this is; undefined before joining. */
  readonly user: string | undefined;
  readonly domain: string | undefined;
  /** The user's store, once open. */
  readonly store: AppStore | undefined;
  /** Bumped after every write through the hub's stores, and after another tab's write to this user's store: views read again. */
  readonly revision: number;
  /** Why the store could not be opened (no IndexedDB, private mode, written by a newer chordphone), in words (describeError). */
  readonly error: string | undefined;
}

export interface AppStoreHub {
  getSnapshot(): AppStoreView;
  subscribe(listener: () => void): () => void;
  /** The store of `user` on `domain`: opened once, then the same promise. Writes through it bump `revision`. */
  storeFor(domain: string, user: string): Promise<AppStore>;
  /**
   * A message about to be sent to `aor` is recorded by its sender (the chat view, with its
   * delivery status): the recorder, seeing it in the Phone's snapshot, takes the claim instead of
   * recording it again. Returns the release for a send that failed (no snapshot entry comes).
   */
  claimSent(aor: string, text: string): () => void;
  /** True (once) when a claim for this message was made. */
  takeSent(aor: string, text: string): boolean;
  close(): void;
}

export interface AppStoreHubDeps {
  /** Opens the database `name`; default openAppStore (IndexedDB). */
  readonly open?: (name: string) => Promise<AppStore>;
}

/**
 * The channel on which each tab of this browser says which store it wrote (its name): another tab
 * of the same user (a forked call, a message, a contact added there) writes the same database, and
 * the views here must read again. OUR CHOICE: a BroadcastChannel (same origin, this browser only,
 * as IndexedDB); where there is none, views read again only after this tab's own writes.
 */
const WRITES_CHANNEL = 'chordphone-app-store-writes';

function writesChannel(onWrite: (name: string) => void): { post(name: string): void; close(): void } {
  if (typeof BroadcastChannel === 'undefined') return { post: () => {}, close: () => {} };
  const channel = new BroadcastChannel(WRITES_CHANNEL);
  // Node's channel would keep the process alive (the tests, the server's build): it must not.
  (channel as { unref?: () => void }).unref?.();
  channel.onmessage = (e: MessageEvent<unknown>) => typeof e.data === 'string' && onWrite(e.data);
  return { post: (name) => channel.postMessage(name), close: () => channel.close() };
}

/** The hub of `session` (created on first use; later deps are ignored). */
export const appStoreHub: (session: PhoneSession, deps?: AppStoreHubDeps) => AppStoreHub = perSession(createAppStoreHub);

export function createAppStoreHub(session: PhoneSession, deps: AppStoreHubDeps = {}): AppStoreHub {
  const open = deps.open ?? ((name: string) => openAppStore(name));
  const opened = new Map<string, Promise<AppStore>>();
  const listeners = new Set<() => void>();
  const claims = new Map<string, number>();
  let view: AppStoreView = { user: undefined, domain: undefined, store: undefined, revision: 0, error: undefined };
  let closed = false;

  const set = (patch: Partial<AppStoreView>) => {
    view = { ...view, ...patch };
    for (const l of [...listeners]) l();
  };
  const bump = () => {
    if (!closed) set({ revision: view.revision + 1 });
  };
  // Another tab wrote the store this tab shows: read again.
  const channel = writesChannel((name) => view.user && view.domain && name === appStoreName(view.domain, view.user) && bump());
  const wrote = (name: string) => {
    bump();
    if (!closed) channel.post(name);
  };

  const storeFor = (domain: string, user: string): Promise<AppStore> => {
    const name = appStoreName(domain, user);
    let p = opened.get(name);
    if (!p) {
      p = open(name).then((s) => notifying(s, () => wrote(name)));
      opened.set(name, p);
      // A failed open may succeed later (another tab released a blocking upgrade): forget it.
      p.catch(() => opened.get(name) === p && opened.delete(name));
    }
    return p;
  };

  const follow = () => {
    const s = session.getSnapshot();
    const user = s.userName;
    const domain = s.domain;
    if (user === view.user && domain === view.domain) return;
    set({ user, domain, store: undefined, error: undefined });
    if (!user || !domain) return;
    storeFor(domain, user).then(
      (store) => view.user === user && view.domain === domain && set({ store }),
      (e: unknown) => view.user === user && view.domain === domain && set({ error: `Contacts, history and chat cannot be kept in this browser: ${describeError(e)}` }),
    );
  };
  const unsubscribe = session.subscribe(follow);
  follow();

  const claimKey = (aor: string, text: string) => `${aor}\n${text}`;

  return {
    getSnapshot: () => view,
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    storeFor,
    claimSent(aor, text) {
      const k = claimKey(aor, text);
      claims.set(k, (claims.get(k) ?? 0) + 1);
      let released = false;
      return () => {
        if (released) return;
        released = true;
        const n = (claims.get(k) ?? 0) - 1;
        if (n > 0) claims.set(k, n);
        else claims.delete(k);
      };
    },
    takeSent(aor, text) {
      const k = claimKey(aor, text);
      const n = claims.get(k) ?? 0;
      if (n === 0) return false;
      if (n > 1) claims.set(k, n - 1);
      else claims.delete(k);
      return true;
    },
    close() {
      closed = true;
      unsubscribe();
      channel.close();
      listeners.clear();
      for (const p of opened.values()) p.then((s) => s.close(), () => {});
      opened.clear();
    },
  };
}

/** `store` with `after()` called once each write has resolved. */
function notifying(store: AppStore, after: () => void): AppStore {
  const w =
    <A extends unknown[], R>(f: (...a: A) => Promise<R>) =>
    async (...a: A): Promise<R> => {
      const r = await f(...a);
      after();
      return r;
    };
  const { contacts, history, chat } = store;
  return {
    name: store.name,
    limits: store.limits,
    contacts: { ...bind(contacts), put: w(contacts.put.bind(contacts)), add: w(contacts.add.bind(contacts)), remove: w(contacts.remove.bind(contacts)) },
    history: { ...bind(history), add: w(history.add.bind(history)), clear: w(history.clear.bind(history)), markSeen: w(history.markSeen.bind(history)) },
    chat: {
      ...bind(chat),
      append: w(chat.append.bind(chat)),
      setStatus: w(chat.setStatus.bind(chat)),
      removeThread: w(chat.removeThread.bind(chat)),
      markRead: w(chat.markRead.bind(chat)),
    },
    close: () => store.close(),
  };
}

/** The object's own function properties, bound to it. */
function bind<T extends object>(o: T): T {
  const out = {} as Record<string, unknown>;
  for (const [k, v] of Object.entries(o)) out[k] = typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(o) : v;
  return out as T;
}
