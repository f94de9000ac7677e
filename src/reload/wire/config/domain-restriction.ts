import { KindId } from '../message-codes.js';
import type { DomainRestriction } from './overlay-configuration.js';
import { compileWholeMatch, type WholeMatcher } from './posix-ere-matcher.js';
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

/** A `<pattern>` in force and its compiled whole-domain test (linear in the domain's length, posix-ere-matcher.ts). */
export interface DomainPattern {
  readonly source: string;
  readonly matcher: WholeMatcher;
}

/** Each pattern in force of a restriction, compiled, or why it cannot be one (empty, or no POSIX ERE). */
type Compiled = readonly (DomainPattern | { readonly problem: string })[];

/** By restriction object: the parser compiles its patterns as it checks them, and every later use of that configuration shares them. */
const compiled = new WeakMap<DomainRestriction, Compiled>();

function compile(restriction: DomainRestriction): Compiled {
  let out = compiled.get(restriction);
  if (!out) {
    out = patternsInForce(restriction).map((source) => {
      if (source === '') return { problem: 'is empty' };
      try {
        // Host names compare ignoring case (RFC 3261 §19.1.4): REG_ICASE.
        return { source, matcher: compileWholeMatch(source, { ignoreCase: true }) };
      } catch (e) {
        if (e instanceof PosixEreError) return { problem: `is not a POSIX extended regular expression: ${e.message}` };
        throw e;
      }
    });
    compiled.set(restriction, out);
  }
  return out;
}

/**
 * The first pattern in force of `restriction`, in document order, that cannot be a domain
 * `<pattern>` (RFC 7904 §3.4: "interpreted as a regular expression according to POSIX Extended
 * Regular Expression"; an empty one is no ERE either, §9.4.3): its index among the patterns and
 * why; undefined if every one can.
 */
export function domainRestrictionProblem(restriction: DomainRestriction): { readonly index: number; readonly problem: string } | undefined {
  const all = compile(restriction);
  const index = all.findIndex((p) => 'problem' in p);
  const found = all[index];
  return found && 'problem' in found ? { index, problem: found.problem } : undefined;
}

/** The patterns in force of `restriction`, compiled once per restriction; throws RangeError if one is no ERE (the parser refuses such a configuration). */
export function domainPatterns(restriction: DomainRestriction): readonly DomainPattern[] {
  const problem = domainRestrictionProblem(restriction);
  if (problem) throw new RangeError(`domain-restriction pattern[${problem.index}] ${problem.problem}`);
  return compile(restriction) as readonly DomainPattern[];
}

/**
 * RFC 7904 §3.4: "A <pattern> element MAY be present if the enable attribute of its parent element
 * is set to true"; the grammar allows `pattern*` whatever enable says. OUR CHOICE: patterns under a
 * false or missing enable are kept as written (the document reads back the same) and ignored: the
 * overlay accepts only its own domain, as the enable attribute says. The SIP usage warns of them
 * (usages/sip ignoredAorDomainPatterns); refusing the configuration would keep the peer out of an
 * overlay whose document the RFC allows.
 */
function patternsInForce<T>(restriction: { readonly enable: boolean; readonly patterns: readonly T[] }): readonly T[] {
  return restriction.enable ? restriction.patterns : [];
}
