/**
 * The early request for the configuration (configuration-prefetch.ts, issue 5): asked once, at
 * once, for the well-known URL of the page's server; the overlay's first GET of that URL takes its
 * answer (or its failure), and every later request goes to the server again.
 */
import { describe, expect, it } from 'vitest';
import { configurationUrl, prefetchConfiguration, RELOAD_CONFIG_WELL_KNOWN, withPrefetch, type FetchFunction } from './configuration-prefetch.js';

/** A fetch answering each request with a numbered body; records what was asked. */
function server(fail = false) {
  const asked: { url: string; init: RequestInit | undefined }[] = [];
  const fetchFn: FetchFunction = async (url, init) => {
    asked.push({ url, init });
    if (fail) throw new TypeError('Failed to fetch');
    return new Response(`answer ${asked.length}`);
  };
  return { asked, fetchFn };
}

describe('configurationUrl', () => {
  it('is the well-known path on the page’s origin, or the URL itself when it names the document', () => {
    expect(configurationUrl('http://127.0.0.1:4301/#/overlay?x=1')).toBe(`http://127.0.0.1:4301${RELOAD_CONFIG_WELL_KNOWN}`);
    expect(configurationUrl('https://example.org/some/page?call=bob')).toBe('https://example.org/.well-known/reload-config');
    expect(configurationUrl('https://example.org/.well-known/reload-config')).toBe('https://example.org/.well-known/reload-config');
  });
});

describe('prefetchConfiguration and withPrefetch', () => {
  it('asks once at once (no cached copy), and answers the first GET of that URL from it', async () => {
    const { asked, fetchFn } = server();
    const prefetch = prefetchConfiguration('http://127.0.0.1:4301/?call=bob', fetchFn);
    expect(asked).toEqual([{ url: 'http://127.0.0.1:4301/.well-known/reload-config', init: { cache: 'no-cache' } }]);
    const fetching = withPrefetch(fetchFn, prefetch);
    expect(await (await fetching(prefetch.url, { cache: 'no-cache', signal: new AbortController().signal })).text()).toBe('answer 1');
    expect(asked).toHaveLength(1);
    // A second load (e.g. a restart after a ConfigUpdate) asks the server again.
    expect(await (await fetching(prefetch.url, { cache: 'no-cache' })).text()).toBe('answer 2');
    expect(asked).toHaveLength(2);
  });

  it('leaves other requests alone: other URLs, and a POST to the same URL', async () => {
    const { asked, fetchFn } = server();
    const prefetch = prefetchConfiguration('http://127.0.0.1:4301/', fetchFn);
    const fetching = withPrefetch(fetchFn, prefetch);
    expect(await (await fetching('http://127.0.0.1:4301/.well-known/reload-enrollment', { method: 'POST', body: 'csr' })).text()).toBe('answer 2');
    expect(await (await fetching(prefetch.url, { method: 'POST', body: 'x' })).text()).toBe('answer 3');
    expect(asked.map((a) => a.url)).toEqual([prefetch.url, 'http://127.0.0.1:4301/.well-known/reload-enrollment', prefetch.url]);
    // The prefetched answer is still there for the GET.
    expect(await (await fetching(prefetch.url)).text()).toBe('answer 1');
  });

  it('gives a failed early request to whoever takes it, once', async () => {
    const { asked, fetchFn } = server(true);
    const prefetch = prefetchConfiguration('http://127.0.0.1:4301/', fetchFn);
    const fetching = withPrefetch(fetchFn, prefetch);
    await expect(fetching(prefetch.url)).rejects.toThrow('Failed to fetch');
    await expect(fetching(prefetch.url)).rejects.toThrow('Failed to fetch');
    expect(asked).toHaveLength(2);
  });

  it('without a prefetch is the plain fetch', async () => {
    const { asked, fetchFn } = server();
    expect(withPrefetch(fetchFn, undefined)).toBe(fetchFn);
    expect(asked).toHaveLength(0);
  });
});
