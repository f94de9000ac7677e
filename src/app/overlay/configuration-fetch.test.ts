/**
 * Fetching the configuration (RFC 6940 §11.2) and verifying it before it is accepted (§11.1), with
 * a real signed document (a configuration-signer's and kind-signer's X.509 signature): the
 * document can be read before the verification ends (loadConfiguration's `unverified`, issue 5),
 * but a tampered one is refused by `verified` (and by fetchConfiguration), and a failed fetch
 * fails both.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { signConfigurationDocument } from '../../reload/security/configuration-signer.js';
import { TestPki } from '../../reload/testing/test-pki.js';
import { ConfigurationFetchError, fetchConfiguration, loadConfiguration, type ConfigurationFetchDeps } from './configuration-fetch.js';
import { prefetchConfiguration } from './configuration-prefetch.js';

const URL_ = 'http://127.0.0.1:1/.well-known/reload-config';

let pki: TestPki;
let xml: string;

beforeAll(async () => {
  pki = await TestPki.create();
  const signer = await (await pki.peer(`signer@${pki.overlay}`)).signer();
  const configuration = pki.configuration({ configurationSigners: [signer.nodeId], kindSigners: [signer.nodeId], sequence: 7 });
  xml = await signConfigurationDocument({ configurations: [configuration] }, signer, { kindSigner: signer });
});

/** A fetch answering `body` (or `status`) for the configuration URL; records what was asked. */
function serving(body: string, status = 200) {
  const asked: string[] = [];
  const deps: ConfigurationFetchDeps = {
    crypto: globalThis.crypto,
    wallClock: pki.wallClock,
    fetch: async (url) => {
      asked.push(url);
      return new Response(body, { status });
    },
  };
  return { deps, asked };
}

describe('loadConfiguration', () => {
  it('reads the document at once and accepts the same configuration once its signature verifies', async () => {
    const { deps, asked } = serving(xml);
    const loading = loadConfiguration(deps, 'http://127.0.0.1:1/call/bob');
    const unverified = await loading.unverified;
    const verified = await loading.verified;
    expect(asked).toEqual([URL_]);
    expect(unverified.configuration.instanceName).toBe(pki.overlay);
    expect(verified.configuration).toEqual(unverified.configuration);
    expect(verified.configuration.sequence).toBe(7);
    expect(verified.xml).toBe(xml);
    expect(verified.url).toBe(URL_);
  });

  it('refuses a document altered after signing in `verified`, though `unverified` could read it', async () => {
    const tampered = xml.replace('sequence="7"', 'sequence="8"');
    expect(tampered).not.toBe(xml);
    const loading = loadConfiguration(serving(tampered).deps, URL_);
    expect((await loading.unverified).configuration.sequence).toBe(8);
    await expect(loading.verified).rejects.toBeInstanceOf(ConfigurationFetchError);
    await expect(loading.verified).rejects.toThrow(/was refused/);
    await expect(fetchConfiguration(serving(tampered).deps, URL_)).rejects.toThrow(/was refused/);
  });

  it('fails both when the server does not serve a configuration', async () => {
    const loading = loadConfiguration(serving('not found', 404).deps, URL_);
    await expect(loading.unverified).rejects.toThrow(/answered HTTP 404/);
    await expect(loading.verified).rejects.toThrow(/answered HTTP 404/);
  });

  it('says the server is starting when it answers 503 (its document not signed yet), not that it may not be a Chordphone server', async () => {
    const loading = loadConfiguration(serving('starting', 503).deps, URL_);
    await expect(loading.verified).rejects.toThrow(/answered HTTP 503: the server is starting; try again in a moment$/);
  });

  it('fails both, as ConfigurationFetchError, on a document that is not a configuration', async () => {
    const loading = loadConfiguration(serving('<html>hello</html>').deps, URL_);
    await expect(loading.unverified).rejects.toBeInstanceOf(ConfigurationFetchError);
    await expect(loading.verified).rejects.toBeInstanceOf(ConfigurationFetchError);
  });
});

describe('loadConfiguration with a prefetched answer (configuration-prefetch.ts, issue 5)', () => {
  /** A server answering the signed document first, then a tampered one (sequence 8): tells which answer a load used. */
  function answering(fail = false) {
    const asked: { url: string; init: RequestInit | undefined }[] = [];
    const fetchFn = async (url: string, init?: RequestInit) => {
      asked.push({ url, init });
      if (fail) throw new TypeError('Failed to fetch');
      return new Response(asked.length === 1 ? xml : xml.replace('sequence="7"', 'sequence="8"'));
    };
    const deps = (prefetched: ReturnType<typeof prefetchConfiguration> | undefined): ConfigurationFetchDeps => ({
      crypto: globalThis.crypto,
      wallClock: pki.wallClock,
      fetch: fetchFn,
      ...(prefetched ? { prefetched } : {}),
    });
    return { asked, fetchFn, deps };
  }

  it('answers the first load from the early request, and a second load (a restart after a ConfigUpdate) asks the server again', async () => {
    const { asked, fetchFn, deps } = answering();
    const prefetch = prefetchConfiguration('http://127.0.0.1:1/?call=bob', fetchFn);
    expect(asked).toEqual([{ url: URL_, init: { cache: 'no-cache' } }]);
    const first = loadConfiguration(deps(prefetch), 'http://127.0.0.1:1/call/bob', { signal: new AbortController().signal });
    expect((await first.verified).configuration.sequence).toBe(7);
    expect(asked).toHaveLength(1);
    const second = loadConfiguration(deps(prefetch), 'http://127.0.0.1:1/call/bob');
    expect((await second.unverified).configuration.sequence).toBe(8);
    expect(asked).toHaveLength(2);
    expect(asked[1]).toMatchObject({ url: URL_, init: { cache: 'no-cache' } });
  });

  it('leaves a load of another server’s configuration alone, and keeps the early answer for its own', async () => {
    const { asked, fetchFn, deps } = answering();
    const prefetch = prefetchConfiguration('http://127.0.0.1:1/', fetchFn);
    const other = loadConfiguration(deps(prefetch), 'http://127.0.0.2:1/');
    expect((await other.unverified).url).toBe('http://127.0.0.2:1/.well-known/reload-config');
    expect(asked.map((a) => a.url)).toEqual([URL_, 'http://127.0.0.2:1/.well-known/reload-config']);
    // The prefetched answer is still there for the load of its URL.
    expect((await loadConfiguration(deps(prefetch), URL_).verified).configuration.sequence).toBe(7);
    expect(asked).toHaveLength(2);
  });

  it('gives a failed early request to the first load, as ConfigurationFetchError; the next asks again', async () => {
    const { asked, fetchFn, deps } = answering(true);
    const prefetch = prefetchConfiguration('http://127.0.0.1:1/', fetchFn);
    const first = loadConfiguration(deps(prefetch), URL_);
    await expect(first.verified).rejects.toBeInstanceOf(ConfigurationFetchError);
    await expect(first.verified).rejects.toThrow('Failed to fetch');
    expect(asked).toHaveLength(1);
    await expect(loadConfiguration(deps(prefetch), URL_).unverified).rejects.toThrow('Failed to fetch');
    expect(asked).toHaveLength(2);
  });

  // A guest tab closed while the early request hangs: its start ends now (and gives its device
  // slot back), not when the server at last answers.
  it('a load’s signal ends its wait for an early answer that hangs; the early request is not cut', async () => {
    const { asked, deps } = answering();
    let answer!: (r: Response) => void;
    const hanging = async (url: string, init?: RequestInit) => (asked.push({ url, init }), new Promise<Response>((resolve) => (answer = resolve)));
    const prefetch = prefetchConfiguration(URL_, hanging);
    const abort = new AbortController();
    const loading = loadConfiguration(deps(prefetch), URL_, { signal: abort.signal });
    let ended: unknown;
    loading.verified.catch((e: unknown) => (ended = e));
    abort.abort();
    await new Promise((r) => setTimeout(r, 0));
    expect(ended).toBeInstanceOf(ConfigurationFetchError);
    await expect(loading.unverified).rejects.toThrow(/cannot fetch the overlay configuration/);
    // Only the early request was made, without the load's signal; its late answer harms nothing.
    expect(asked).toEqual([{ url: URL_, init: { cache: 'no-cache' } }]);
    answer(new Response(xml));
    // A load already aborted does not wait at all.
    const again = prefetchConfiguration(URL_, hanging);
    await expect(loadConfiguration(deps(again), URL_, { signal: abort.signal }).verified).rejects.toBeInstanceOf(ConfigurationFetchError);
  });

  it('without a prefetch every load asks the server', async () => {
    const { asked, deps } = answering();
    await loadConfiguration(deps(undefined), URL_).verified;
    await loadConfiguration(deps(undefined), URL_).unverified;
    expect(asked).toHaveLength(2);
  });
});
