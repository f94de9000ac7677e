import { describe, expect, it } from 'vitest';
import { encodeWith } from '../wire/codec/writer.js';
import { slabKeptBy } from '../wire/testing/slab-retention.js';
import { createMemoryBackend } from './memory-backend.js';
import { describeStorageBackendContract } from './storage-backend.contract.js';
import { id16, record, single } from './testing/records.js';

describeStorageBackendContract('memory', async () => createMemoryBackend());

describe('memory backend', () => {
  it('keeps a stored value in bytes of its own, not a view of the byte slab its encoding came from', async () => {
    // What the check sees: an encoding held keeps its slab.
    const held: Uint8Array[] = [];
    expect(await slabKeptBy(() => held.push(encodeWith((w) => w.u32(1))))).toBe(true);
    const backend = createMemoryBackend();
    expect(await slabKeptBy(() => backend.put(record({ resourceId: id16(1), value: single('kept') })))).toBe(false);
    expect(await backend.get(id16(1), 7, { model: 'single' })).toBeDefined();
  });
});
