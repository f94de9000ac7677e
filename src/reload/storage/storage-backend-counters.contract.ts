/**
 * The part of the StorageBackend contract (storage-backend.contract.ts, which runs it for every
 * backend) about what a backend keeps beside its records: generation counters (kept after the last
 * record, forgotten into the floor) and the certificates the records name.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CertificateLimitError, CertificateNotHeldError, type StorageBackend } from './storage-backend.js';
import type { StoredRecord } from './stored-record.js';
import { type BackendFactory, heldCertificate, hexes, id16, R1, R2, R3, R4, record, single } from './testing/records.js';

const CA = heldCertificate('a1', 300);
const CB = heldCertificate('b2', 200);
const CC = heldCertificate('c3', 100);

/**
 * After an upgrade from an older layout that held `old` (Resource-ID 1, kind 7, generation 4, with
 * certificate 'a1' of 100 bytes) and two locations of kind 7 with only a counter (Resource-IDs 3
 * and 4: 20 and 9): the totals are counted once, and the counter-only locations are forgotten
 * first, the floor taking the higher of them.
 */
export async function expectCountersKeptByUpgrade(upgraded: StorageBackend, old: StoredRecord): Promise<void> {
  expect(await upgraded.kindState(id16(1), 7)).toEqual({ generation: 4n, records: [old] });
  expect(await upgraded.usage()).toEqual({ count: 1, bytes: old.size });
  expect(await upgraded.certificateUsage()).toEqual({ count: 1, bytes: 100 });
  expect(hexes(await upgraded.resources({ withCounters: true }))).toEqual(hexes([id16(1), id16(3), id16(4)]));
  // Two locations hold only a counter; the record's location joins them when its record (and certificate) goes.
  expect(await upgraded.forgetCounters(2)).toBe(0);
  await upgraded.delete(id16(1), 7, { model: 'single' });
  expect(await upgraded.certificateUsage()).toEqual({ count: 0, bytes: 0 });
  // The two that held only a counter since the upgrade go first; the floor is the higher.
  expect(await upgraded.forgetCounters(1)).toBe(2);
  expect((await upgraded.kindState(id16(1), 7)).generation).toBe(4n);
  expect((await upgraded.kindState(id16(4), 7)).generation).toBe(20n);
  expect(await upgraded.forgetCounters(0)).toBe(1);
  expect(hexes(await upgraded.resources({ withCounters: true }))).toEqual([]);
}

export function describeCountersAndCertificatesContract(name: string, factory: BackendFactory): void {
  describe(`StorageBackend contract, counters and certificates: ${name}`, () => {
    let b: StorageBackend;
    beforeEach(async () => {
      b = await factory();
    });
    afterEach(async () => {
      await b.close();
    });

    it('generation counters are set in a batch', async () => {
      const r = record({ resourceId: R1, value: single('a') });
      await b.write({ puts: [r], generations: [{ resourceId: R1, kind: 7, generation: 0xffffffffffffffffn }] });
      expect(await b.kindState(R1, 7)).toEqual({ generation: 0xffffffffffffffffn, records: [r] });
      await b.write({ generations: [{ resourceId: R1, kind: 7, generation: 5n }] });
      expect((await b.kindState(R1, 7)).generation).toBe(5n);
    });

    // RFC 6940 §7.4.1.1: "if the store succeeds and the data is changed, then the peer MUST increase the generation counter by at least 1".
    it('a generation counter outlives the last record, is listed only withCounters, and goes with its resource into the floor', async () => {
      await b.write({ puts: [record({ resourceId: R1, value: single('a') }), record({ resourceId: R2, value: single('b') })], generations: [{ resourceId: R1, kind: 7, generation: 5n }] });
      await b.delete(R1, 7, { model: 'single' });
      expect(await b.kindState(R1, 7)).toEqual({ generation: 5n, records: [] });
      expect(await b.kinds(R1)).toEqual([]);
      expect(await b.usage({ resourceId: R1, kind: 7 })).toEqual({ count: 0, bytes: 0 });
      expect(hexes(await b.resources())).toEqual(hexes([R2]));
      expect(hexes(await b.resources({ withCounters: true }))).toEqual(hexes([R1, R2]));
      expect(hexes(await b.resources({ withCounters: true, range: { after: R1, upTo: R1 } }))).toEqual(hexes([R2, R1]));
      // A new record there finds the counter.
      const again = record({ resourceId: R1, value: single('c') });
      await b.write({ puts: [again], generations: [{ resourceId: R1, kind: 7, generation: 6n }] });
      expect(await b.kindState(R1, 7)).toEqual({ generation: 6n, records: [again] });
      await b.delete(R1, 7, { model: 'single' });
      await b.write({ dropResources: [R1] });
      // Gone from the resources, but not lost: the floor (forgetCounters) is now 6.
      expect(await b.kindState(R1, 7)).toEqual({ generation: 6n, records: [] });
      expect(hexes(await b.resources({ withCounters: true }))).toEqual(hexes([R2]));
    });

    // StorageLimits.maxKeptCounters; §7.4.1.1 as above: the floor keeps counters going up where one was forgotten.
    it('forgetCounters forgets the longest emptied counters beyond `keep`, never one of a location with records, and raises the floor', async () => {
      const R5 = id16(0x50);
      const gens = [
        { resourceId: R1, kind: 7, generation: 5n },
        { resourceId: R2, kind: 7, generation: 9n },
        { resourceId: R3, kind: 7, generation: 2n },
        { resourceId: R4, kind: 7, generation: 3n },
        { resourceId: R5, kind: 7, generation: 4n },
      ];
      const r5 = record({ resourceId: R5, value: single('e'), expiresAt: 100 });
      await b.write({ puts: [R1, R2, R3, R4].map((resourceId) => record({ resourceId, value: single('v'), expiresAt: 1e12 })).concat(r5), generations: gens });
      // Emptied in this order: R1, R2, R3 (deleted), R5 (expired); R4 keeps its record.
      for (const r of [R1, R2, R3]) await b.delete(r, 7, { model: 'single' });
      expect(await b.deleteExpired(100)).toBe(1);
      expect(await b.forgetCounters(2)).toBe(2);
      expect(hexes(await b.resources({ withCounters: true }))).toEqual(hexes([R3, R4, R5]));
      // R1 and R2 read the floor, the highest forgotten; so does a location never written.
      expect(await b.kindState(R1, 7)).toEqual({ generation: 9n, records: [] });
      expect((await b.kindState(R2, 7)).generation).toBe(9n);
      expect((await b.kindState(id16(0x60), 7)).generation).toBe(9n);
      expect((await b.kindState(R3, 7)).generation).toBe(2n);
      expect(await b.forgetCounters(2)).toBe(0);
      // R3 gets a record again (no longer emptied); then all emptied ones go, and the floor stays the highest.
      await b.write({ puts: [record({ resourceId: R3, value: single('w'), expiresAt: 1e12 })], generations: [{ resourceId: R3, kind: 7, generation: 10n }] });
      expect(await b.forgetCounters(0)).toBe(1);
      expect(hexes(await b.resources({ withCounters: true }))).toEqual(hexes([R3, R4]));
      expect((await b.kindState(R5, 7)).generation).toBe(9n);
      expect((await b.kindState(R4, 7)).generation).toBe(3n);
      // A dropped resource's counter is no longer among the emptied, but it raises the floor as a
      // forgotten one does (RFC 6940 §7.4.1.1 "MUST increase"): the next Store at R3 goes above 10.
      await b.delete(R3, 7, { model: 'single' });
      await b.write({ dropResources: [R3] });
      expect(await b.forgetCounters(0)).toBe(0);
      expect((await b.kindState(R3, 7)).generation).toBe(10n);
      expect((await b.kindState(R5, 7)).generation).toBe(10n);
      // A lower one leaves the floor where it is; a higher one dropped with its records raises it.
      await b.write({ dropResources: [R4] });
      expect(await b.kindState(R4, 7)).toEqual({ generation: 10n, records: [] });
      await b.write({ puts: [record({ resourceId: R1, kind: 8, value: single('x'), expiresAt: 1e12 })], generations: [{ resourceId: R1, kind: 8, generation: 12n }] });
      await b.write({ dropResources: [R1] });
      expect(await b.kindState(R1, 8)).toEqual({ generation: 12n, records: [] });
      expect((await b.kindState(R4, 7)).generation).toBe(12n);
      expect(hexes(await b.resources({ withCounters: true }))).toEqual([]);
    });

    // RFC 6940 §6.3.4: "a peer storing data is obligated to retain certificates for the data that it holds".
    it('keeps each certificate the records name once, and lets it go with the last record naming it', async () => {
      const r1 = record({ resourceId: R1, value: single('a'), certificates: ['a1', 'b2'] });
      const r2 = record({ resourceId: R2, value: single('b'), certificates: ['a1'] });
      await b.write({ puts: [r1, r2], certificates: [CA, CB, CA] });
      expect(await b.get(R1, 7, { model: 'single' })).toEqual(r1);
      expect(await b.certificates(['b2', 'c3', 'a1', 'b2'])).toEqual([CB, CA]);
      expect(await b.certificateUsage()).toEqual({ count: 2, bytes: 500 });
      // Replaced by a value another certificate verifies: b2 goes, a1 stays for r2.
      await b.write({ puts: [record({ resourceId: R1, value: single('a2'), certificates: ['c3'] })], certificates: [CC] });
      expect(await b.certificates(['a1', 'b2', 'c3'])).toEqual([CA, CC]);
      // A later put may name a held certificate without bringing it again.
      await b.put(record({ resourceId: R3, value: single('c'), certificates: ['a1', 'c3'] }));
      await b.delete(R2, 7, { model: 'single' });
      await b.write({ dropResources: [R1] });
      expect(await b.certificates(['a1', 'b2', 'c3'])).toEqual([CA, CC]);
      await b.delete(R3, 7, { model: 'single' });
      expect(await b.certificates(['a1', 'b2', 'c3'])).toEqual([]);
      expect(await b.certificateUsage()).toEqual({ count: 0, bytes: 0 });
    });

    it('expired records let their certificates go; a batch keeps no certificate that no put names', async () => {
      await b.write({
        puts: [record({ resourceId: R1, value: single('a'), expiresAt: 1000, certificates: ['a1'] }), record({ resourceId: R2, value: single('b'), expiresAt: 3000, certificates: ['a1', 'b2'] })],
        certificates: [CA, CB, CC],
      });
      expect(await b.certificateUsage()).toEqual({ count: 2, bytes: 500 });
      expect(await b.deleteExpired(2000)).toBe(1);
      expect(await b.certificates(['a1', 'b2'])).toEqual([CA, CB]);
      expect(await b.deleteExpired(3000)).toBe(1);
      expect(await b.certificates(['a1', 'b2'])).toEqual([]);
      expect(await b.certificateUsage()).toEqual({ count: 0, bytes: 0 });
    });

    it('a put naming a certificate neither held nor in the batch fails the batch', async () => {
      const before = record({ resourceId: R1, value: single('before'), certificates: ['a1'] });
      await b.write({ puts: [before], certificates: [CA] });
      await expect(
        b.write({ deletes: [{ resourceId: R1, kind: 7, key: { model: 'single' } }], puts: [record({ resourceId: R2, value: single('new'), certificates: ['b2', 'c3'] })], certificates: [CB] }),
      ).rejects.toThrow(new CertificateNotHeldError('c3'));
      expect(await b.kindState(R1, 7)).toEqual({ generation: 0n, records: [before] });
      expect(await b.kindState(R2, 7)).toEqual({ generation: 0n, records: [] });
      expect(await b.certificates(['a1', 'b2', 'c3'])).toEqual([CA]);
      expect(await b.certificateUsage()).toEqual({ count: 1, bytes: 300 });
    });

    // StorageLimits.maxCertificateBytes, checked in the write's own transaction (no read before it).
    it('a write that leaves more than maxCertificateBytes of certificates, having added some, fails whole; one that adds none, or releases as much, does not', async () => {
      await b.write({ puts: [record({ resourceId: R1, value: single('a'), certificates: ['a1'] })], certificates: [CA], maxCertificateBytes: 300 });
      const r2 = record({ resourceId: R2, value: single('b'), certificates: ['b2'] });
      await expect(b.write({ puts: [r2], certificates: [CB], generations: [{ resourceId: R2, kind: 7, generation: 3n }], maxCertificateBytes: 400 })).rejects.toThrow(CertificateLimitError);
      expect(await b.kindState(R2, 7)).toEqual({ generation: 0n, records: [] });
      expect(await b.certificates(['a1', 'b2'])).toEqual([CA]);
      expect(await b.certificateUsage()).toEqual({ count: 1, bytes: 300 });
      // Naming only a held certificate adds nothing, whatever the limit.
      await b.put(record({ resourceId: R3, value: single('c'), certificates: ['a1'] }));
      await b.write({ puts: [record({ resourceId: R3, value: single('c2'), certificates: ['a1'] })], maxCertificateBytes: 100 });
      // What the write releases makes room for what it adds: the limit holds for the state after it.
      await b.write({
        deletes: [
          { resourceId: R1, kind: 7, key: { model: 'single' } },
          { resourceId: R3, kind: 7, key: { model: 'single' } },
        ],
        puts: [r2],
        certificates: [CB],
        maxCertificateBytes: 300,
      });
      expect(await b.certificateUsage()).toEqual({ count: 1, bytes: 200 });
    });

    it('under maxCertificateBytes, a value dropped with its Resource-ID and put there again, or put twice at one key in a write, lets go of its certificates once', async () => {
      await b.write({ puts: [record({ resourceId: R1, value: single('a'), certificates: ['a1'] })], certificates: [CA] });
      // R1's value goes with R1 and comes back naming a1 still and c3: 300 + 100 bytes after the write.
      const again = { dropResources: [R1], puts: [record({ resourceId: R1, value: single('b'), certificates: ['a1', 'c3'] })], certificates: [CC] };
      await expect(b.write({ ...again, maxCertificateBytes: 399 })).rejects.toThrow(CertificateLimitError);
      await b.write({ ...again, maxCertificateBytes: 400 });
      expect(await b.certificateUsage()).toEqual({ count: 2, bytes: 400 });
      // The second put at R2 replaces the first: after the write b2 is named by no value, c3 by one (R2's 'd'; R1's 'b' went with R1).
      const twice = [record({ resourceId: R2, value: single('c'), certificates: ['b2'] }), record({ resourceId: R2, value: single('d'), certificates: ['c3'] })];
      await b.write({ dropResources: [R1], puts: [record({ resourceId: R1, value: single('e'), certificates: ['a1'] }), ...twice], certificates: [CB], maxCertificateBytes: 400 });
      expect(await b.certificates(['a1', 'b2', 'c3'])).toEqual([CA, CC]);
      expect(await b.certificateUsage()).toEqual({ count: 2, bytes: 400 });
    });
  });
}
