import { KindId } from '../message-codes.js';
import { compileWholeMatch } from './posix-ere-matcher.js';
import { PosixEreError } from './posix-ere.js';

/**
 * The rules of RFC 7904 §3.4's `<sip:domain-restriction>` that the configuration parser
 * (parse-kind-block.ts), the producer's checks (check-configuration.ts) and the SIP usage
 * (usages/sip/aor-domains.ts) share.
 */

/** Whether a Kind named `name` or numbered `id` is SIP-REGISTRATION (RFC 7904 §7.1, Kind-ID 1). */
export function isSipRegistrationKind(kind: { readonly name?: string | undefined; readonly id?: number | undefined }): boolean {
  return kind.name !== undefined ? kind.name === 'SIP-REGISTRATION' : kind.id === KindId.SIP_REGISTRATION;
}

/**
 * Why `pattern` cannot be a domain `<pattern>` (RFC 7904 §3.4: "interpreted as a regular expression
 * according to POSIX Extended Regular Expression"), or undefined if it can.
 */
export function domainPatternProblem(pattern: string): string | undefined {
  try {
    compileWholeMatch(pattern);
    return undefined;
  } catch (e) {
    if (e instanceof PosixEreError) return `is not a POSIX extended regular expression: ${e.message}`;
    throw e;
  }
}

/**
 * RFC 7904 §3.4: "A <pattern> element MAY be present if the enable attribute of its parent element
 * is set to true"; the grammar allows `pattern*` whatever enable says. OUR CHOICE: patterns under a
 * false or missing enable are kept as written (the document reads back the same) and ignored: the
 * overlay accepts only its own domain, as the enable attribute says. The SIP usage warns of them
 * (usages/sip ignoredAorDomainPatterns); refusing the configuration would keep the peer out of an
 * overlay whose document the RFC allows.
 */
export function patternsInForce<T>(restriction: { readonly enable: boolean; readonly patterns: readonly T[] }): readonly T[] {
  return restriction.enable ? restriction.patterns : [];
}
