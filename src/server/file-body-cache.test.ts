import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acceptsGzip, FileBodyCache, type FileVersion } from './file-body-cache.js';

describe('acceptsGzip (RFC 9110 §12.5.3)', () => {
  it.each([
    [undefined, false],
    ['', false],
    ['gzip', true],
    ['gzip, deflate, br', true],
    ['br;q=1.0, gzip;q=0.5', true],
    ['GZIP', true],
    ['x-gzip', true],
    ['gzip;q=0', false],
    ['gzip; q=0.0, *', false],
    ['br, *', true],
    ['br, *;q=0', false],
    ['identity', false],
    ['deflate, br', false],
  ] as const)('%j → %s', (header, expected) => {
    expect(acceptsGzip(header)).toBe(expected);
  });
});

describe('FileBodyCache', () => {
  let dir: string;
  const version = async (path: string): Promise<FileVersion> => {
    const s = await stat(path);
    return { path, size: s.size, mtimeMs: s.mtimeMs };
  };
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'chordphone-body-cache-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('keeps a body, gzips it once, and gives identity for a body gzip cannot shrink', async () => {
    const text = join(dir, 'a.js');
    await writeFile(text, 'x'.repeat(10_000));
    const cache = new FileBodyCache();
    const first = await cache.body(await version(text), true);
    expect(first.encoding).toBe('gzip');
    expect(gunzipSync(first.body).toString()).toBe('x'.repeat(10_000));
    // The same Buffer: made once.
    expect((await cache.body(await version(text), true)).body).toBe(first.body);
    expect((await cache.body(await version(text), false)).body.length).toBe(10_000);
    const random = join(dir, 'r.bin');
    await writeFile(random, randomBytes(4096));
    expect((await cache.body(await version(random), true)).encoding).toBe('identity');
  });

  it('reads and gzips a file once for many requests at once, and counts it once', async () => {
    const text = join(dir, 'many.js');
    await writeFile(text, 'y'.repeat(20_000));
    const cache = new FileBodyCache();
    const v = await version(text);
    const answers = await Promise.all(Array.from({ length: 5 }, () => cache.body(v, true)));
    expect(new Set(answers.map((a) => a.body)).size).toBe(1);
    expect(cache.size).toBe(20_000 + answers[0]!.body.length);
  });

  it('drops the oldest bodies past its byte limit', async () => {
    const cache = new FileBodyCache(25_000);
    const files = await Promise.all(
      [0, 1, 2].map(async (i) => {
        const p = join(dir, `f${i}.bin`);
        await writeFile(p, Buffer.alloc(10_000, i));
        return version(p);
      }),
    );
    for (const f of files) await cache.body(f, false);
    expect(cache.size).toBeLessThanOrEqual(25_000);
    expect(cache.size).toBe(20_000);
  });
});
