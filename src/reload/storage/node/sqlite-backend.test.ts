import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { describeStorageBackendContract } from '../storage-backend.contract.js';
import { id16, record, single } from '../testing/records.js';
import { openSqliteBackend } from './sqlite-backend.js';

const dir = mkdtempSync(join(tmpdir(), 'chordphone-sqlite-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;

describeStorageBackendContract('sqlite :memory:', async () => openSqliteBackend({ filename: ':memory:' }));
describeStorageBackendContract('sqlite file', async () => openSqliteBackend({ filename: join(dir, `contract-${n++}.db`) }));

describe('sqlite backend on disk', () => {
  it('keeps records across close and reopen', async () => {
    const filename = join(dir, 'persist.db');
    const r = record({ resourceId: id16(1), value: single('kept') });
    const first = openSqliteBackend({ filename });
    await first.write({ puts: [r], generations: [{ resourceId: id16(1), kind: 7, generation: 12n }] });
    await first.close();
    const second = openSqliteBackend({ filename });
    expect(await second.kindState(id16(1), 7)).toEqual({ generation: 12n, records: [r] });
    expect(await second.usage()).toEqual({ count: 1, bytes: r.size });
    await second.close();
  });
});
