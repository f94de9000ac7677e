import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RELOAD_CONFIG_PATH, reloadConfigRoute } from './reload-config-route.js';
import { startStaticServer, type StaticServer } from './static-server.js';

let dir: string;
let server: StaticServer;
let document: string | undefined = '<overlay>one</overlay>';
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'chordphone-config-route-'));
  await writeFile(join(dir, 'index.html'), '<!doctype html><title>Chordphone</title>');
  server = await startStaticServer({ root: dir, port: 0, host: '127.0.0.1', routes: [reloadConfigRoute(() => document)] });
});
afterAll(async () => {
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

describe('GET /.well-known/reload-config (RFC 6940 §11.2)', () => {
  const url = () => new URL(RELOAD_CONFIG_PATH, server.url).href;

  it('serves the current document as application/p2p-overlay+xml with an ETag, and 304 when unchanged', async () => {
    const res = await fetch(url());
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/p2p-overlay+xml');
    expect(await res.text()).toBe(document);
    const etag = res.headers.get('etag')!;
    expect((await fetch(url(), { headers: { 'If-None-Match': etag } })).status).toBe(304);
    document = '<overlay>two</overlay>';
    const changed = await fetch(url(), { headers: { 'If-None-Match': etag } });
    expect(changed.status).toBe(200);
    expect(await changed.text()).toBe('<overlay>two</overlay>');
  });

  it('answers 503 with Retry-After, not an empty 200, while the document is not made yet (the server starting)', async () => {
    const saved = document;
    document = undefined;
    try {
      // Before: chordphone-server.ts passed `document?.xml ?? ''`, served as a 200 with an empty body and an ETag.
      const res = await fetch(url());
      expect(res.status).toBe(503);
      expect(res.headers.get('retry-after')).toBe('1');
      expect(res.headers.get('etag')).toBeNull();
    } finally {
      document = saved;
    }
    expect((await fetch(url())).status).toBe(200);
  });

  it('refuses other methods and leaves other paths to the files', async () => {
    const post = await fetch(url(), { method: 'POST', body: 'x' });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET, HEAD');
    expect(await (await fetch(server.url)).text()).toContain('<title>Chordphone</title>');
  });
});
