/**
 * Resolving an AoR (RFC 7904 §4.2):
 * 1. "Perform a Fetch for Kind SIP-REGISTRATION at the Resource-ID corresponding to the AOR. This
 *    Fetch SHOULD NOT indicate any dictionary keys, so that it will fetch all the stored values."
 * 2. "If any of the results of the Fetch are non-GRUU AORs, then repeat step 1 for that AOR."
 * 3. "Once only GRUUs and destination lists remain, the Peer removes duplicate destination lists
 *    and GRUUs".
 * Step 2 follows sip_registration_uri values breadth-first, each AoR fetched at most once, at most
 * `maxDepth` levels of them (the AoR asked is level 0, an AoR it forwards to level 1, ...) and
 * `maxFetches` Fetches (RFC 7904 §8.2.1 "Fork Explosion"). An AoR reached again is not fetched
 * again; it is a loop only when it forwards, through the registrations fetched, back to the AoR
 * that reached it (two devices forwarding to one AoR, or a diamond, are no loop). When nothing is
 * found, a loop or a chain too deep is `registration-loop`, else `not-registered`.
 * A Fetch that fails (other than Error_Not_Found, "not registered") loses only what it would have
 * found: the contacts found elsewhere are still the answer (§4.2 step 3: "Once only GRUUs and
 * destination lists remain, the Peer ... initiates SIP or SIPS connections to the appropriate
 * Peers"). Only when nothing is found is the first such failure the lookup's (`overlay-failure`):
 * the AoR may be registered where it could not look.
 */
import type { OverlayPeer } from '../../reload/overlay/overlay-types.js';
import type { AbortOptions } from '../../reload/runtime/components.js';
import { ReloadError } from '../../reload/runtime/reload-error.js';
import { destinationKey, type Destination } from '../../reload/wire/destination.js';
import type { NodeId } from '../../reload/wire/ids.js';
import { decodeSipRegistration } from '../../reload/wire/storage/kinds/sip-registration.js';
import { parseGruu } from './gruu.js';
import { aorResourceName, SIP_REGISTRATION_KIND } from './sip-registration-kind.js';
import { SipUsageError } from './sip-usage-error.js';

/** One place the AoR can be reached: a destination list whose terminal entry is usually a Node-ID. */
export interface AorContact {
  readonly destinationList: readonly Destination[];
  /** The terminal Node-ID (§5.1: the answerer of the AppAttach must present it). */
  readonly nodeId: NodeId | undefined;
  /** contact_prefs of the registration (§3.2), e.g. `(sip.schemes=SIPS)`; '' when none. */
  readonly contactPrefs: string;
  /** The AoR whose registration gave this contact (differs from the one asked when forwarded). */
  readonly via: string;
}

export interface AorLookupOptions extends AbortOptions {
  /** Levels of sip_registration_uri indirection followed (0: only the AoR's own registrations); default 4. */
  readonly maxDepth?: number;
  /** Fetches in one lookup at most; default 8. */
  readonly maxFetches?: number;
}

const utf8 = new TextDecoder();

/** §4.2: the devices an AoR is registered on, duplicates removed; SipUsageError when none. */
export async function lookupAor(overlay: Pick<OverlayPeer, 'fetch'>, aor: string, options: AorLookupOptions = {}): Promise<AorContact[]> {
  const maxDepth = options.maxDepth ?? 4;
  const maxFetches = options.maxFetches ?? 8;
  const first = aorResourceName(aor);
  const seen = new Set<string>([first]);
  /** The AoRs each fetched AoR forwards to (sip_registration_uri, GRUUs aside), repeats included. */
  const forwards = new Map<string, string[]>();
  const contacts = new Map<string, AorContact>();
  let level = [first];
  let fetches = 0;
  let cutShort = false;
  let failure: SipUsageError | undefined;
  for (let depth = 0; level.length > 0; depth++) {
    const next: string[] = [];
    for (const name of level) {
      if (fetches >= maxFetches) {
        cutShort = true;
        break;
      }
      fetches++;
      let registrations: Found[];
      try {
        registrations = await fetchRegistrations(overlay, name, options);
      } catch (e) {
        if (!(e instanceof SipUsageError)) throw e; // aborted
        options.signal?.throwIfAborted();
        failure ??= e;
        continue;
      }
      const targets: string[] = [];
      forwards.set(name, targets);
      for (const found of registrations) {
        if (found.kind === 'contact') {
          const key = found.contact.destinationList.map(destinationKey).join('/');
          if (!contacts.has(key)) contacts.set(key, found.contact);
          continue;
        }
        // §4.2 step 2: a GRUU is a destination list already; any other AoR is fetched in turn.
        const gruu = safeGruu(found.uri);
        if (gruu) {
          const key = gruu.destinationList.map(destinationKey).join('/');
          if (!contacts.has(key)) contacts.set(key, { destinationList: gruu.destinationList, nodeId: gruu.nodeId, contactPrefs: '', via: name });
          continue;
        }
        let target: string;
        try {
          target = aorResourceName(found.uri);
        } catch {
          continue; // not a SIP AoR: an external URI we cannot follow here (§4.2 step 3 "external AORs")
        }
        targets.push(target);
        // Reached already (by another device's registration, or another path): not fetched again.
        if (seen.has(target)) continue;
        seen.add(target);
        next.push(target);
      }
    }
    // `next` is level depth + 1 of indirection: followed only within maxDepth.
    if (next.length > 0 && depth + 1 > maxDepth) {
      cutShort = true;
      break;
    }
    level = next;
  }
  if (contacts.size > 0) return [...contacts.values()];
  // OUR CHOICE: a failure before a loop or the limits: had that Fetch answered, there might be a contact.
  if (failure) throw failure;
  if (cutShort || forwardsInALoop(first, forwards)) throw new SipUsageError('registration-loop', `the registrations of ${first} forward in a loop or too deep (more than ${maxDepth} levels)`);
  throw new SipUsageError('not-registered', `${first} is not registered in the overlay`);
}

/**
 * Whether the forwardings from `first` lead back to an AoR on their own path (a cycle reachable
 * from `first`); AoRs not fetched forward nowhere. Depth-first, each AoR finished once.
 */
function forwardsInALoop(first: string, forwards: ReadonlyMap<string, readonly string[]>): boolean {
  const onPath = new Set<string>();
  const done = new Set<string>();
  const visit = (name: string): boolean => {
    if (onPath.has(name)) return true;
    if (done.has(name)) return false;
    onPath.add(name);
    for (const target of forwards.get(name) ?? []) if (visit(target)) return true;
    onPath.delete(name);
    done.add(name);
    return false;
  };
  return visit(first);
}

type Found = { kind: 'contact'; contact: AorContact } | { kind: 'uri'; uri: string };

async function fetchRegistrations(overlay: Pick<OverlayPeer, 'fetch'>, name: string, options: AbortOptions): Promise<Found[]> {
  let answer;
  try {
    ({ answer } = await overlay.fetch(name, [{ kind: SIP_REGISTRATION_KIND }], options));
  } catch (e) {
    if (e instanceof ReloadError && e.codeName === 'Error_Not_Found') return [];
    if (e instanceof Error && e.name === 'AbortError') throw e;
    throw new SipUsageError('overlay-failure', `could not look up ${name}: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
  }
  const out: Found[] = [];
  for (const kr of answer.kindResponses) {
    if (kr.kind !== SIP_REGISTRATION_KIND) continue;
    for (const stored of kr.values) {
      if (stored.value.model !== 'dictionary' || !stored.value.dictionaryEntry.value.exists) continue;
      let reg;
      try {
        reg = decodeSipRegistration(stored.value.dictionaryEntry.value.value);
      } catch {
        continue; // a malformed value: skip it, the others may do
      }
      if (reg.kind === 'route') {
        const last = reg.destinationList[reg.destinationList.length - 1];
        out.push({ kind: 'contact', contact: { destinationList: reg.destinationList, nodeId: last?.kind === 'node' ? last.nodeId : undefined, contactPrefs: utf8.decode(reg.contactPrefs), via: name } });
      } else if (reg.kind === 'uri') {
        out.push({ kind: 'uri', uri: utf8.decode(reg.uri) });
      }
    }
  }
  return out;
}

function safeGruu(uri: string) {
  try {
    return parseGruu(uri);
  } catch {
    return undefined;
  }
}

