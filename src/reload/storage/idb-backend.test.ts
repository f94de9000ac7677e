import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { idbDatabaseName, openIdbBackend } from './idb-backend.js';
import { describeStorageBackendContract } from './storage-backend.contract.js';
import { id16, NODE_A, record, single } from './testing/records.js';

let n = 0;

describeStorageBackendContract('indexeddb (fake-indexeddb)', async () => openIdbBackend({ overlay: `contract-${n++}.example`, nodeId: NODE_A }));

describe('indexeddb backend', () => {
  it('names one database per overlay and Node-ID', () => {
    expect(idbDatabaseName('chordphone.example', id16(0xab, 1))).toBe('chordphone-storage/chordphone.example/ab000000000000000000000000000001');
  });

  it('keeps records across close and reopen', async () => {
    const r = record({ resourceId: id16(1), value: single('kept') });
    const first = await openIdbBackend({ overlay: 'persist.example', nodeId: NODE_A });
    await first.write({ puts: [r], generations: [{ resourceId: id16(1), kind: 7, generation: 12n }] });
    await first.close();
    const second = await openIdbBackend({ overlay: 'persist.example', nodeId: NODE_A });
    expect(await second.kindState(id16(1), 7)).toEqual({ generation: 12n, records: [r] });
    expect(await second.usage()).toEqual({ count: 1, bytes: r.size });
    await second.close();
  });
});
