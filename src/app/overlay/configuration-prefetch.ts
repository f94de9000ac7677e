/**
 * The configuration document's URL (RFC 6940 §11.2) and an early request for it: early-boot.ts asks
 * for the document while the overlay's code is still loading (issue 5: page load → joined), and
 * the first load of that configuration takes the answer (configuration-fetch.ts `prefetched`,
 * which still verifies it, §11.1). Light: part of the initial JavaScript (no parser, no crypto here).
 */
import { untilAborted } from './until-aborted.js';

/** RFC 6940 §11.2 / §14.19 well-known path. */
export const RELOAD_CONFIG_WELL_KNOWN = '/.well-known/reload-config';

/** The well-known configuration URL of a server given by any URL on it (or the URL itself when it names the document). */
export function configurationUrl(base: string): string {
  const u = new URL(base);
  return u.pathname === RELOAD_CONFIG_WELL_KNOWN ? u.href : new URL(RELOAD_CONFIG_WELL_KNOWN, u).href;
}

/** How the configuration is asked for (configuration-fetch.ts): always revalidated, never an old copy. */
export const CONFIGURATION_REQUEST: RequestInit = { cache: 'no-cache' };

export type FetchFunction = (url: string, init?: RequestInit) => Promise<Response>;

/** A configuration request made ahead of its use; its answer is given out once. */
export interface ConfigurationPrefetch {
  readonly url: string;
  /**
   * The answer (or the failure) of the early request, the first time; undefined after. With a
   * signal, the wait for it ends (rejected with the signal's reason) when the signal aborts: the
   * overlay closed while the request hangs stops waiting at once (and gives its tab's device slot
   * back, overlay-boot.ts). The request itself goes on; its answer is not used.
   */
  take(options?: { readonly signal?: AbortSignal }): Promise<Response> | undefined;
}

/** Ask for the configuration of the server of `pageUrl` now. */
export function prefetchConfiguration(pageUrl: string, fetchFn: FetchFunction = (u, i) => fetch(u, i)): ConfigurationPrefetch {
  const url = configurationUrl(pageUrl);
  let answer: Promise<Response> | undefined = fetchFn(url, CONFIGURATION_REQUEST);
  // Not taken (or taken late): a failure is reported by whoever takes it, never as unhandled.
  answer.catch(() => undefined);
  return {
    url,
    take(options = {}) {
      const a = answer;
      answer = undefined;
      return a && untilAborted(a, options.signal);
    },
  };
}
