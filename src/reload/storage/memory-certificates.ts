/**
 * The memory backend's certificates (memory-backend.ts): each held once, by hash, with how many
 * of its values name it, and their tally. RFC 6940 §6.3.4: "a peer storing data is obligated to
 * retain certificates for the data that it holds" (StorageBackend).
 */
import { exactBytes } from '../wire/codec/byte-slab.js';
import type { GenericCertificate } from '../wire/security-block.js';
import type { HeldCertificate } from './held-certificates.js';
import type { Usage } from './storage-backend.js';

/** A held certificate and how many values name it. */
interface CertEntry {
  readonly certificate: GenericCertificate;
  refs: number;
}

export class MemoryCertificates {
  private readonly held = new Map<string, CertEntry>();
  private readonly total = { count: 0, bytes: 0 };
  /** Certificates whose last value went during the current change (removed at its end, `sweep`). */
  private readonly unreferenced = new Set<string>();

  has(hash: string): boolean {
    return this.held.has(hash);
  }

  /** Keeps `c` in bytes of its own (exactBytes: not a view into a received message), named by no value yet. */
  hold(c: HeldCertificate): void {
    if (this.held.has(c.hash)) return;
    const certificate = { type: c.certificate.type, certificate: exactBytes(c.certificate.certificate) };
    this.held.set(c.hash, { certificate, refs: 0 });
    this.total.count++;
    this.total.bytes += certificate.certificate.length;
    this.unreferenced.add(c.hash);
  }

  /** A value naming `hashes` comes (1) or goes (-1). */
  named(hashes: readonly string[], sign: 1 | -1): void {
    for (const hash of hashes) {
      const e = this.held.get(hash);
      if (!e) continue;
      e.refs += sign;
      if (e.refs <= 0) this.unreferenced.add(hash);
    }
  }

  /** Removes the certificates no value names any more. */
  sweep(): void {
    for (const hash of this.unreferenced) {
      const e = this.held.get(hash);
      if (!e || e.refs > 0) continue;
      this.held.delete(hash);
      this.total.count--;
      this.total.bytes -= e.certificate.certificate.length;
    }
    this.unreferenced.clear();
  }

  /**
   * The bytes held after a write that changes by `refs` how many values name each certificate and
   * brings `offered`, if it adds one (a certificate not held that a value then names); undefined
   * if it adds none.
   */
  bytesAfter(refs: ReadonlyMap<string, number>, offered: ReadonlyMap<string, HeldCertificate>): number | undefined {
    let bytes = this.total.bytes;
    let adds = false;
    for (const [h, change] of refs) {
      const held = this.held.get(h);
      if (held && held.refs + change <= 0) bytes -= held.certificate.certificate.length;
      const brought = offered.get(h);
      if (!held && brought && change > 0) {
        bytes += brought.certificate.certificate.length;
        adds = true;
      }
    }
    return adds ? bytes : undefined;
  }

  certificates(hashes: readonly string[]): HeldCertificate[] {
    const out: HeldCertificate[] = [];
    for (const hash of new Set(hashes)) {
      const e = this.held.get(hash);
      if (e) out.push({ hash, certificate: e.certificate });
    }
    return out;
  }

  usage(): Usage {
    return { ...this.total };
  }
}
