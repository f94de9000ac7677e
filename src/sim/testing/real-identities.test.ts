/**
 * The real-identities fixture builds the same ring every run when given a seed: a test over real
 * certificates (identity-and-trust.test.ts) then fails, or passes, the same way each time.
 */
import { describe, expect, it } from 'vitest';
import { toHex } from '../../reload/wire/codec/hex.js';
import { VirtualClock } from '../virtual-clock.js';
import { createRealIdentities } from './real-identities.js';

/** The Node-IDs of peers 0 … n-1 of a fresh fixture, and the ring they make (sorted). */
async function build(n: number, seed?: number): Promise<{ byPeer: string[]; ring: string[] }> {
  const ids = await createRealIdentities({ clock: new VirtualClock(), ...(seed === undefined ? {} : { seed }) });
  // One worker per peer: all are made at once, and finish in whatever order WebCrypto finishes them.
  await ids.prepare(n, n);
  const byPeer = Array.from({ length: n }, (_, i) => toHex(ids.identity(i).signer.nodeId));
  return { byPeer, ring: [...byPeer].sort() };
}

describe('real identities (sim fixture)', () => {
  it('gives each peer the same Node-ID, so the same ring, in two builds with one seed', async () => {
    const [a, b] = await Promise.all([build(6, 44), build(6, 44)]);
    expect(b.ring).toEqual(a.ring);
    expect(b.byPeer).toEqual(a.byPeer);
    expect(new Set(a.ring).size).toBe(6);
  });

  it('certifies the seeded Node-ID: each certificate holds the Node-ID its signer claims', async () => {
    const ids = await createRealIdentities({ clock: new VirtualClock(), seed: 44 });
    await ids.prepare(2);
    for (const i of [0, 1]) {
      expect(ids.credentials[i]!.nodeId).toEqual(ids.identity(i).signer.nodeId);
      const { certificate } = await ids.pki.verifier(ids.pki.policy()).addCertificate(ids.credentials[i]!.certificate);
      expect(certificate.nodeIds.map(toHex)).toEqual([toHex(ids.credentials[i]!.nodeId)]);
    }
  });

  it('gives another ring for another seed', async () => {
    const [a, b] = await Promise.all([build(3, 44), build(3, 45)]);
    expect(b.ring).not.toEqual(a.ring);
  });
});
