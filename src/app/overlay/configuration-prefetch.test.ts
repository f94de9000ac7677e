/**
 * The early request for the configuration (configuration-prefetch.ts, issue 5): asked once, at
 * once, for the well-known URL of the page's server, its answer (or its failure) given out once.
 * How the first load of the configuration takes it, and later ones ask the server again, is in
 * configuration-fetch.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { configurationUrl, prefetchConfiguration, RELOAD_CONFIG_WELL_KNOWN, type FetchFunction } from './configuration-prefetch.js';

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

describe('prefetchConfiguration', () => {
  it('asks once at once (no cached copy), and gives the answer out once', async () => {
    const { asked, fetchFn } = server();
    const prefetch = prefetchConfiguration('http://127.0.0.1:4301/?call=bob', fetchFn);
    expect(asked).toEqual([{ url: 'http://127.0.0.1:4301/.well-known/reload-config', init: { cache: 'no-cache' } }]);
    expect(prefetch.url).toBe('http://127.0.0.1:4301/.well-known/reload-config');
    expect(await (await prefetch.take())?.text()).toBe('answer 1');
    expect(prefetch.take()).toBeUndefined();
    expect(asked).toHaveLength(1);
  });

  it('gives a failed early request to whoever takes it, once, and never as an unhandled rejection', async () => {
    const { asked, fetchFn } = server(true);
    const prefetch = prefetchConfiguration('http://127.0.0.1:4301/', fetchFn);
    // Not taken at once: its failure must not surface as an unhandled rejection meanwhile.
    await new Promise((r) => setTimeout(r, 0));
    await expect(prefetch.take()).rejects.toThrow('Failed to fetch');
    expect(prefetch.take()).toBeUndefined();
    expect(asked).toHaveLength(1);
  });
});
