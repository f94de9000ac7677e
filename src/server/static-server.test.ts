import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from 'node:http';
import { mkdtemp, mkdir, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { PortInUseError, startStaticServer, type StaticServer } from './static-server.js';

const SECRET = 'top-secret-outside-root';
/** A script large and repetitive enough that gzip makes it much smaller. */
const BIG_SCRIPT = Array.from({ length: 2000 }, (_, i) => `export const value${i} = ${i};`).join('\n');

interface Reply {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: string;
  readonly bytes: Buffer;
}

/** Sends `path` exactly as given (node:http does not normalise the request target). */
function send(base: string, path: string, method = 'GET', headers: Record<string, string> = {}): Promise<Reply> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    const req = request({ hostname, port, path, method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const bytes = Buffer.concat(chunks);
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: bytes.toString('utf8'), bytes });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

describe('startStaticServer', () => {
  let dir: string;
  let server: StaticServer;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'chordphone-static-'));
    const root = join(dir, 'dist');
    await mkdir(join(root, 'assets'), { recursive: true });
    await writeFile(join(root, 'index.html'), '<!doctype html><title>Chordphone</title>');
    await writeFile(join(root, 'assets', 'index-AbC123.js'), 'console.log(1)');
    await writeFile(join(root, 'assets', 'index-AbC123.css'), 'body{}');
    await writeFile(join(root, 'assets', 'big-XyZ789.js'), BIG_SCRIPT);
    await writeFile(join(root, 'changing.json'), '{"v":1}');
    await writeFile(join(root, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
    await writeFile(join(root, 'data.unknownext'), 'x');
    await writeFile(join(dir, 'secret.txt'), SECRET);
    await symlink(join(dir, 'secret.txt'), join(root, 'link.txt'));
    await symlink(dir, join(root, 'up'));
    server = await startStaticServer({ root, port: 0, host: '127.0.0.1' });
  });

  afterAll(async () => {
    await server?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('reports its URL', () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
  });

  it('serves index.html at / with security headers and revalidation', async () => {
    const r = await send(server.url, '/');
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(r.body).toContain('<title>Chordphone</title>');
    expect(r.headers['x-content-type-options']).toBe('nosniff');
    expect(r.headers['content-security-policy']).toContain("script-src 'self'");
    expect(r.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(r.headers['cache-control']).toBe('no-cache');
    expect(r.headers['etag']).toBeTruthy();
  });

  it.each([
    ['/call/alice', 'an app route'],
    ['/settings?tab=1', 'an app route with a query'],
    ['/assets', 'a directory'],
    ['/assets/', 'a directory with a slash'],
  ])('falls back to index.html for %s (%s)', async (path) => {
    const r = await send(server.url, path);
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(r.body).toContain('<title>Chordphone</title>');
  });

  it.each([
    ['/assets/index-AbC123.js', 'text/javascript; charset=utf-8', 'public, max-age=31536000, immutable'],
    ['/assets/index-AbC123.css', 'text/css; charset=utf-8', 'public, max-age=31536000, immutable'],
    ['/favicon.svg', 'image/svg+xml', 'no-cache'],
    ['/data.unknownext', 'application/octet-stream', 'no-cache'],
  ])('serves %s as %s', async (path, type, cache) => {
    const r = await send(server.url, path);
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toBe(type);
    expect(r.headers['cache-control']).toBe(cache);
    expect(r.headers['x-content-type-options']).toBe('nosniff');
  });

  it.each(['/missing.js', '/assets/index-nope.css', '/favicon.ico'])('answers 404 for the missing file %s', async (path) => {
    const r = await send(server.url, path);
    expect(r.status).toBe(404);
    expect(r.headers['content-type']).toBe('text/plain; charset=utf-8');
  });

  it.each([
    ['/../secret.txt', [404]],
    ['/../../../../etc/passwd', [200]], // extension-less: the app's index.html, not /etc/passwd
    ['/assets/../../secret.txt', [404]],
    ['/%2e%2e/secret.txt', [404]],
    ['/..%2fsecret.txt', [403]],
    ['/assets/..%2f..%2fsecret.txt', [403]],
    ['/%2e%2e%2fsecret.txt', [403]],
    ['/..%5csecret.txt', [400]],
    ['/assets%5c..%5c..%5csecret.txt', [400]],
    ['/secret.txt%00.html', [400]],
    ['/%E0%A4%A', [400]],
    ['/link.txt', [404]],
    ['/up/secret.txt', [404]],
    ['//etc/passwd', [200]], // a scheme-relative target: also just the app route /passwd
  ])('never serves anything outside the root: %s', async (path, statuses) => {
    const r = await send(server.url, path);
    expect(statuses).toContain(r.status);
    expect(r.body).not.toContain(SECRET);
    expect(r.body).not.toContain('root:');
    if (r.status === 200) expect(r.body).toContain('<title>Chordphone</title>');
  });

  it('sends a compressible file gzipped to a client that accepts gzip, the same bytes once unzipped, with its own ETag', async () => {
    const plain = await send(server.url, '/assets/big-XyZ789.js');
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.body).toBe(BIG_SCRIPT);
    expect(plain.headers.vary).toBe('Accept-Encoding');
    const zipped = await send(server.url, '/assets/big-XyZ789.js', 'GET', { 'Accept-Encoding': 'gzip, deflate, br' });
    expect(zipped.headers['content-encoding']).toBe('gzip');
    expect(Number(zipped.headers['content-length'])).toBe(zipped.bytes.length);
    expect(zipped.bytes.length).toBeLessThan(BIG_SCRIPT.length / 3);
    expect(gunzipSync(zipped.bytes).toString('utf8')).toBe(BIG_SCRIPT);
    expect(zipped.headers.etag).not.toBe(plain.headers.etag);
    // Each representation revalidates with its own ETag.
    const again = await send(server.url, '/assets/big-XyZ789.js', 'GET', { 'Accept-Encoding': 'gzip', 'If-None-Match': `"other", ${String(zipped.headers.etag)}` });
    expect(again.status).toBe(304);
    expect(again.headers['content-encoding']).toBeUndefined();
    // The identity form's ETag does not validate the gzip form.
    expect((await send(server.url, '/assets/big-XyZ789.js', 'GET', { 'Accept-Encoding': 'gzip', 'If-None-Match': String(plain.headers.etag) })).status).toBe(200);
    // gzip refused (q=0): identity.
    const refused = await send(server.url, '/assets/big-XyZ789.js', 'GET', { 'Accept-Encoding': 'gzip;q=0, br' });
    expect(refused.headers['content-encoding']).toBeUndefined();
    expect(refused.body).toBe(BIG_SCRIPT);
  });

  it('serves a file kept in memory anew once it changes on disk (a new build in place)', async () => {
    const root = join(dir, 'dist');
    expect((await send(server.url, '/changing.json')).body).toBe('{"v":1}');
    await writeFile(join(root, 'changing.json'), '{"v":22}');
    const changed = await send(server.url, '/changing.json');
    expect(changed.body).toBe('{"v":22}');
    expect(changed.headers['content-length']).toBe('8');
  });

  it('answers HEAD with headers and no body', async () => {
    const r = await send(server.url, '/assets/index-AbC123.js', 'HEAD');
    expect(r.status).toBe(200);
    expect(r.headers['content-length']).toBe(String('console.log(1)'.length));
    expect(r.body).toBe('');
  });

  it('answers 304 when the ETag matches', async () => {
    const first = await send(server.url, '/favicon.svg');
    const etag = first.headers['etag'];
    expect(typeof etag).toBe('string');
    const second = await send(server.url, '/favicon.svg', 'GET', { 'If-None-Match': etag as string });
    expect(second.status).toBe(304);
    expect(second.body).toBe('');
  });

  it('refuses other methods with 405 and Allow', async () => {
    const r = await send(server.url, '/', 'POST');
    expect(r.status).toBe(405);
    expect(r.headers['allow']).toBe('GET, HEAD');
  });

  it('rejects a port in use with a one-line PortInUseError', async () => {
    const port = Number(new URL(server.url).port);
    const attempt = startStaticServer({ root: join(dir, 'dist'), port, host: '127.0.0.1' });
    await expect(attempt).rejects.toBeInstanceOf(PortInUseError);
    await expect(attempt).rejects.toThrow(`port ${port} is already in use; pass --port to pick another`);
  });

  it('frees the port on close', async () => {
    const other = await startStaticServer({ root: join(dir, 'dist'), port: 0, host: '127.0.0.1' });
    const port = Number(new URL(other.url).port);
    await other.close();
    await other.close(); // idempotent
    const again = await startStaticServer({ root: join(dir, 'dist'), port, host: '127.0.0.1' });
    await again.close();
  });
});
