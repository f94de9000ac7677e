import { mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FileNameRegistry } from './file-name-registry.js';

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

describe('FileNameRegistry', () => {
  it('keeps records across instances in a 0600 file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'chordphone-names-'));
    dirs.push(dir);
    const path = join(dir, 'state', 'names.json');
    const a = new FileNameRegistry(path);
    expect(await a.get('alice@x.test')).toBeUndefined();
    const record = { userName: 'alice@x.test', keyHash: 'ab', nodeIds: ['00'.repeat(16)], firstIssuedAt: 1, lastIssuedAt: 2 };
    await Promise.all([a.put(record), a.put({ ...record, userName: 'bob@x.test' })]);
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    const b = new FileNameRegistry(path);
    expect(await b.get('alice@x.test')).toEqual(record);
    expect((await b.get('bob@x.test'))?.keyHash).toBe('ab');
  });

  it.each([['{"version": 1, "records": [', 'not JSON (a file cut short)'], ['null', 'JSON null']])('names its file when the file is not a registry: %s (%s)', async (text) => {
    const dir = await mkdtemp(join(tmpdir(), 'chordphone-names-'));
    dirs.push(dir);
    await mkdir(join(dir, 'state'));
    const path = join(dir, 'state', 'names.json');
    await writeFile(path, text);
    await expect(new FileNameRegistry(path).get('alice@x.test')).rejects.toThrow(new RegExp(`^${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} is not a name registry`));
  });
});
