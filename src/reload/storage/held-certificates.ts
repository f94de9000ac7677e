/**
 * The certificates a storing peer keeps for the values it holds. RFC 6940 §6.3.4: "unless an
 * alternative mechanism for immediately generating certificates, such as shared secret security
 * (Section 13.4) is used, implementers MUST include all referenced certificates. NOTE TO
 * IMPLEMENTERS: This requirement implies that a peer storing data is obligated to retain
 * certificates for the data that it holds." A fetcher that cannot verify a value discards it
 * (§7.4.2.2), and so does the target of a replica Store (§7.4.1.1), so the verifier's certificate
 * cache (bounded, filled by every signer met, empty after a restart) is not where they can live.
 *
 * Each record names, by hash, the certificates that verified its value when it was stored or
 * absorbed (VerifiedSigner.certificates: the peer certificate and the path's intermediates); the
 * backend keeps each certificate once, for as long as a record names it (StorageBackend).
 */
import type { Hasher } from '../runtime/components.js';
import type { Verifier } from '../security/signer.js';
import { bytesEqual, toHex } from '../wire/codec/hex.js';
import type { GenericCertificate } from '../wire/security-block.js';
import type { StorageBackend } from './storage-backend.js';
import type { StoredRecord } from './stored-record.js';

/** A certificate kept for stored values, named by the SHA-256 of its bytes (hex; for X.509, the cert_hash of §6.3.4). */
export interface HeldCertificate {
  readonly hash: string;
  readonly certificate: GenericCertificate;
}

/**
 * The hashes made so far, by hasher and certificate bytes. The verifier hands out the same
 * certificate objects for a signer each time (its cache), so a signer's Stores hash them once, not
 * once each; a certificate no longer referenced anywhere leaves the map with it.
 */
const hashesByHasher = new WeakMap<object, WeakMap<Uint8Array, Promise<string>>>();

/** `certificates` named by their hashes (one SHA-256 per distinct certificate object, for as long as it lives). */
export function certificateHasher(hasher: Pick<Hasher, 'sha256'>): (certificates: readonly GenericCertificate[]) => Promise<HeldCertificate[]> {
  let hashes = hashesByHasher.get(hasher);
  if (!hashes) hashesByHasher.set(hasher, (hashes = new WeakMap()));
  const hashOf = (bytes: Uint8Array) => {
    let h = hashes.get(bytes);
    if (!h) {
      h = hasher.sha256(bytes).then(toHex);
      hashes.set(bytes, h);
      h.catch(() => hashes.delete(bytes)); // a failed hash is not kept
    }
    return h;
  };
  return (certificates) => Promise.all(certificates.map(async (certificate) => ({ hash: await hashOf(certificate.certificate), certificate })));
}

/**
 * The certificates to send with `records` (a FetchAns, a replica Store), one copy each: those held
 * for them. OUR CHOICE: a record holding none (stored before this peer kept certificates, or whose
 * signer no certificate proves) is sent with what `verifier` still knows of its signer, if anything.
 */
export async function certificatesOfRecords(backend: StorageBackend, verifier: Verifier, records: readonly StoredRecord[]): Promise<GenericCertificate[]> {
  const held = new Map((await backend.certificates([...new Set(records.flatMap((r) => r.certificates))])).map((c) => [c.hash, c.certificate]));
  const sent = new Set<string>();
  const out: GenericCertificate[] = [];
  const fallback: GenericCertificate[] = [];
  for (const r of records) {
    if (r.certificates.length > 0 && r.certificates.every((h) => held.has(h))) {
      for (const h of r.certificates) {
        if (sent.has(h)) continue;
        sent.add(h);
        out.push(held.get(h) as GenericCertificate);
      }
    } else if (verifier.certificatesFor) {
      fallback.push(...verifier.certificatesFor(r.data.signature.identity));
    }
  }
  for (const c of fallback) if (!out.some((o) => o.type === c.type && bytesEqual(o.certificate, c.certificate))) out.push(c);
  return out;
}
