import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { arbDataModel, arbStoredData } from '../wire/testing/storage.arb.js';
import { encodeStoredDataBytes } from './record-encoding.js';
import { recordKeyBytes, recordKeyOf, recordKeyTag, storedDataSize } from './stored-record.js';
import { compareIds } from './ring-range.js';

describe('stored records', () => {
  it('storedDataSize is the length of the StoredData encoding (§7)', () => {
    fc.assert(
      fc.property(
        arbDataModel.chain((m) => arbStoredData(m)),
        (d) => {
          expect(storedDataSize(d)).toBe(encodeStoredDataBytes(d).length);
        },
      ),
    );
  });

  it('key tags and key bytes sort the same way (memory/IndexedDB versus SQLite)', () => {
    const arbKey = fc.oneof(
      fc.integer({ min: 0, max: 0xffffffff }).map((index) => ({ model: 'array' as const, index })),
      fc.uint8Array({ maxLength: 6 }).map((key) => ({ model: 'dictionary' as const, key })),
    );
    fc.assert(
      fc.property(arbKey, arbKey, (a, b) => {
        fc.pre(a.model === b.model);
        const tags = Math.sign(recordKeyTag(a) < recordKeyTag(b) ? -1 : recordKeyTag(a) > recordKeyTag(b) ? 1 : 0);
        expect(tags).toBe(Math.sign(compareIds(recordKeyBytes(a), recordKeyBytes(b))));
      }),
    );
    expect(recordKeyOf({ model: 'single', singleValueEntry: { exists: true, value: new Uint8Array(0) } })).toEqual({ model: 'single' });
  });
});
