/**
 * How contacts and their presence read on screen (issue 7): the address short when it is on this
 * overlay (`bob`, else `bob@other`), and presence in words, never by colour alone.
 */
import type { PresenceEntry } from '../presence/index.js';

/** `sip:bob@chordphone.local` → `bob` on chordphone.local, `bob@elsewhere` otherwise. */
export function shortAddress(aor: string, domain: string | undefined): string {
  const bare = aor.replace(/^sips?:/i, '');
  const at = bare.lastIndexOf('@');
  if (at < 0) return bare;
  return domain && bare.slice(at + 1).toLowerCase() === domain.toLowerCase() ? bare.slice(0, at) : bare;
}

export type PresenceShown = 'online' | 'offline' | 'checking' | 'unknown';

export interface PresenceLabel {
  readonly shown: PresenceShown;
  readonly text: string;
  /** Longer words for a tooltip / screen readers. */
  readonly detail: string;
}

/** The presence of one contact as shown: the last known state, "Checking…" before the first answer. */
export function presenceLabel(entry: PresenceEntry | undefined): PresenceLabel {
  if (!entry || (entry.state === 'unknown' && (entry.checking || entry.checkedAt === undefined) && !entry.failed)) {
    return { shown: 'checking', text: 'Checking…', detail: 'Looking up whether this contact is registered in the overlay.' };
  }
  if (entry.state === 'online') return { shown: 'online', text: 'Online', detail: 'Registered in the overlay: a call will ring.' };
  if (entry.state === 'offline') return { shown: 'offline', text: 'Offline', detail: 'Not registered in the overlay now: a call would not ring.' };
  return { shown: 'unknown', text: 'Unknown', detail: 'The overlay did not answer the lookup; trying again shortly.' };
}
