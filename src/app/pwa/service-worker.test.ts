/**
 * public/sw.js run in a sandbox with an in-memory Cache Storage and a scripted network: which
 * requests it answers, from where, and what it never touches.
 */
import { readFileSync } from 'node:fs';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';

const SOURCE = readFileSync(new URL('../../../public/sw.js', import.meta.url), 'utf8');
const ORIGIN = 'https://phone.example';

interface FakeRequest {
  readonly url: string;
  readonly method: string;
  readonly mode: string;
}
const get = (path: string, mode = 'no-cors'): FakeRequest => ({ url: new URL(path, ORIGIN).href, method: 'GET', mode });

function harness(options: { precache?: { version: string; files: string[] } | 'missing'; site: Record<string, string> }) {
  const caches = new Map<string, Map<string, Response>>();
  let online = true;
  const fetched: string[] = [];
  const fetch = async (req: FakeRequest | string) => {
    const url = new URL(typeof req === 'string' ? req : req.url, ORIGIN);
    fetched.push(url.pathname + url.search);
    if (!online) throw new TypeError('Failed to fetch');
    const body = options.site[url.pathname];
    if (body === undefined) return new Response('not found', { status: 404 });
    return new Response(body, { status: 200, headers: { 'content-type': url.pathname.endsWith('.js') ? 'text/javascript' : 'text/html' } });
  };
  const keyOf = (req: FakeRequest | string) => new URL(typeof req === 'string' ? req : req.url, ORIGIN).href;
  const open = async (name: string) => {
    let store = caches.get(name);
    if (!store) caches.set(name, (store = new Map()));
    const s = store;
    return {
      match: async (req: FakeRequest | string) => s.get(keyOf(req))?.clone(),
      put: async (req: FakeRequest | string, res: Response) => void s.set(keyOf(req), res),
      add: async (req: string) => {
        const res = await fetch(req);
        if (!res.ok) throw new TypeError(`bad status ${res.status}`);
        s.set(keyOf(req), res);
      },
      addAll: async (reqs: string[]) => {
        const all = await Promise.all(reqs.map((r) => fetch(r)));
        if (all.some((r) => !r.ok)) throw new TypeError('addAll: a request failed');
        all.forEach((r, i) => s.set(keyOf(reqs[i]!), r));
      },
    };
  };
  const listeners = new Map<string, (e: unknown) => void>();
  const self = {
    location: new URL('/sw.js', ORIGIN),
    clients: { claim: async () => {} },
    addEventListener: (type: string, fn: (e: unknown) => void) => listeners.set(type, fn),
    __CHORDPHONE_PRECACHE__: undefined as unknown,
  };
  const importScripts = (url: string) => {
    if (url !== '/sw-precache.js' || options.precache === 'missing' || !options.precache) throw new Error('NetworkError');
    self.__CHORDPHONE_PRECACHE__ = options.precache;
  };
  const cacheStorage = { open, keys: async () => [...caches.keys()], delete: async (n: string) => caches.delete(n) };
  runInNewContext(SOURCE, { self, caches: cacheStorage, fetch, importScripts, URL, Response, setTimeout, clearTimeout });

  const lifecycle = async (type: 'install' | 'activate') => {
    const waits: Promise<unknown>[] = [];
    listeners.get(type)!({ waitUntil: (p: Promise<unknown>) => waits.push(p) });
    await Promise.all(waits);
  };
  /** The response the worker gives, or undefined when it lets the browser handle the request. */
  const request = async (req: FakeRequest): Promise<Response | undefined> => {
    let answer: Promise<Response> | undefined;
    listeners.get('fetch')!({ request: req, respondWith: (p: Promise<Response>) => (answer = p) });
    return answer ? await answer : undefined;
  };
  return {
    caches,
    fetched,
    lifecycle,
    request,
    setOnline: (v: boolean) => (online = v),
  };
}

const SITE = {
  '/': '<!doctype html><title>shell v1</title>',
  '/assets/index-a1.js': 'console.log(1)',
  '/assets/index-e5.css': 'body{}',
  '/assets/ring-d4.js': 'export const ring = 1',
  '/manifest.webmanifest': '{}',
  '/icons/icon.svg': '<svg/>',
  '/icons/icon-192.png': 'png',
  '/icons/icon-512.png': 'png',
  '/.well-known/reload-config': '<overlay/>',
};
const PRECACHE = { version: 'abc123', files: ['/assets/index-a1.js', '/assets/index-e5.css'] };

describe('sw.js', () => {
  it('precaches the build\'s shell under a versioned cache on install, tolerating a missing fixed file', async () => {
    const h = harness({ precache: PRECACHE, site: SITE });
    await h.lifecycle('install');
    const cache = h.caches.get('chordphone-shell-abc123');
    expect(cache).toBeDefined();
    const cached = [...cache!.keys()].map((k) => new URL(k).pathname).sort();
    expect(cached).toEqual(['/', '/assets/index-a1.js', '/assets/index-e5.css', '/icons/icon-192.png', '/icons/icon-512.png', '/icons/icon.svg', '/manifest.webmanifest']);
  });

  it('fails the install when a file of the build is missing (no half shell)', async () => {
    const h = harness({ precache: { version: 'v2', files: ['/assets/gone.js'] }, site: SITE });
    await expect(h.lifecycle('install')).rejects.toThrow();
  });

  it('activation deletes older shell caches only', async () => {
    const h = harness({ precache: PRECACHE, site: SITE });
    h.caches.set('chordphone-shell-old', new Map());
    h.caches.set('someone-else', new Map());
    await h.lifecycle('install');
    await h.lifecycle('activate');
    expect([...h.caches.keys()].sort()).toEqual(['chordphone-shell-abc123', 'someone-else']);
  });

  it('navigation is network first and falls back to the cached shell offline', async () => {
    const h = harness({ precache: PRECACHE, site: { ...SITE, '/': '<!doctype html><title>shell v2</title>' } });
    await h.lifecycle('install');
    const fresh = await h.request(get('/?call=bob', 'navigate'));
    expect(await fresh!.text()).toContain('shell v2');
    h.setOnline(false);
    const offline = await h.request(get('/?call=carol', 'navigate'));
    expect(await offline!.text()).toContain('shell v2');
  });

  it('hashed assets are cache first, lazy chunks cached on first use', async () => {
    const h = harness({ precache: PRECACHE, site: SITE });
    await h.lifecycle('install');
    h.fetched.length = 0;
    expect(await (await h.request(get('/assets/index-a1.js')))!.text()).toBe('console.log(1)');
    expect(h.fetched).toEqual([]);
    await h.request(get('/assets/ring-d4.js'));
    h.setOnline(false);
    expect(await (await h.request(get('/assets/ring-d4.js')))!.text()).toBe('export const ring = 1');
  });

  it.each([
    ['the overlay configuration', get('/.well-known/reload-config')],
    ['an enrollment POST', { url: `${ORIGIN}/.well-known/reload-enrollment`, method: 'POST', mode: 'cors' }],
    ['any POST', { url: `${ORIGIN}/assets/index-a1.js`, method: 'POST', mode: 'cors' }],
    ['another origin', get('https://stun.example/x')],
    ['a source map', get('/assets/index-a1.js.map')],
    ['an unknown same-origin path', get('/capture.pcap')],
  ])('never handles %s', async (_name, req) => {
    const h = harness({ precache: PRECACHE, site: SITE });
    await h.lifecycle('install');
    expect(await h.request(req)).toBeUndefined();
    expect([...h.caches.get('chordphone-shell-abc123')!.keys()].some((k) => k.includes('well-known'))).toBe(false);
  });

  it('without a build list (dev) it still installs, as version "dev"', async () => {
    const h = harness({ precache: 'missing', site: SITE });
    await h.lifecycle('install');
    expect([...h.caches.keys()]).toEqual(['chordphone-shell-dev']);
  });
});
