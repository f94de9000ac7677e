/**
 * The Kinds of the Certificate Store Usage (RFC 6940 §8) as a configuration lists them (§11.1
 * required-kinds): CERTIFICATE_BY_NODE (array, NODE-MATCH) and CERTIFICATE_BY_USER (array,
 * USER-MATCH), with the IANA data models and policies (§14.6). An overlay whose peers publish and
 * look up certificates (certificate-store.ts) must list both.
 */
import type { KindBlock } from '../../reload/wire/config/overlay-configuration.js';

export interface CertificateKindLimits {
  /** Certificates per list (a renewed certificate is appended, §8). Default 8. */
  readonly maxCount?: number;
  /** Largest DER certificate in bytes. Default 4096 (an RSA-2048 or P-256 leaf is well below). */
  readonly maxSize?: number;
}

/** `<kind name="CERTIFICATE_BY_NODE">` and `<kind name="CERTIFICATE_BY_USER">`. */
export function certificateKindBlocks(limits: CertificateKindLimits = {}): KindBlock[] {
  const maxCount = limits.maxCount ?? 8;
  const maxSize = limits.maxSize ?? 4096;
  return [
    { kind: { name: 'CERTIFICATE_BY_NODE', dataModel: 'ARRAY', accessControl: 'NODE-MATCH', maxCount, maxSize, extensions: [] } },
    { kind: { name: 'CERTIFICATE_BY_USER', dataModel: 'ARRAY', accessControl: 'USER-MATCH', maxCount, maxSize, extensions: [] } },
  ];
}
