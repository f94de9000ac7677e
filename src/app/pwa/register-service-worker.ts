/**
 * Registers public/sw.js (the app shell worker, issue 7's "installable as a PWA"). Production
 * builds only: under the dev server a cached shell would hide edits. main.tsx:
 *
 * ```ts
 * if (import.meta.env.PROD) void registerServiceWorker();
 * ```
 * (main.tsx does so once the session code is due: the first join done, or at most
 * SESSION_CODE_MAX_WAIT_MS, so the install's fetches do not compete with a join in progress.)
 * A new build's worker waits until every Chordphone tab is closed (no skipWaiting: an open tab may
 * still lazy-load chunks of its own build); `onUpdateWaiting` may offer "reload to update".
 */

export interface RegisterServiceWorkerOptions {
  /** Default `navigator.serviceWorker` when the browser has one. */
  readonly container?: Pick<ServiceWorkerContainer, 'register'>;
  /** Default `/sw.js`. */
  readonly url?: string;
  /** Default `/`. */
  readonly scope?: string;
  /** A newer worker is installed and waiting for the open tabs to close. */
  readonly onUpdateWaiting?: (registration: ServiceWorkerRegistration) => void;
  /** Registration failed (it never stops the app). Default: ignored. */
  readonly onError?: (error: unknown) => void;
}

export type ServiceWorkerOutcome = { readonly registered: true; readonly registration: ServiceWorkerRegistration } | { readonly registered: false; readonly reason: 'unsupported' | 'failed' };

export async function registerServiceWorker(options: RegisterServiceWorkerOptions = {}): Promise<ServiceWorkerOutcome> {
  const container = options.container ?? (typeof navigator !== 'undefined' && 'serviceWorker' in navigator ? navigator.serviceWorker : undefined);
  if (!container) return { registered: false, reason: 'unsupported' };
  try {
    // updateViaCache 'none': sw.js and its importScripts (/sw-precache.js) are always checked with
    // the server, so a new build is noticed on the next visit.
    const registration = await container.register(options.url ?? '/sw.js', { scope: options.scope ?? '/', updateViaCache: 'none' });
    const notify = options.onUpdateWaiting;
    if (notify) {
      // A waiting worker while one is active: a newer build is ready.
      if (registration.waiting && registration.active) notify(registration);
      registration.addEventListener('updatefound', () => {
        const installing = registration.installing;
        installing?.addEventListener('statechange', () => {
          if (installing.state === 'installed' && registration.active) notify(registration);
        });
      });
    }
    return { registered: true, registration };
  } catch (e) {
    options.onError?.(e);
    return { registered: false, reason: 'failed' };
  }
}
