import { describe, expect, it } from 'vitest';
import type { PresenceEntry } from '../presence/index.js';
import { presenceLabel, shortAddress } from './contact-format.js';

const entry = (patch: Partial<PresenceEntry>): PresenceEntry => ({ aor: 'sip:bob@x', state: 'unknown', checking: false, checkedAt: undefined, failed: false, ...patch });

describe('shortAddress', () => {
  it.each([
    ['sip:bob@chordphone.local', 'chordphone.local', 'bob'],
    ['sip:bob@Chordphone.Local', 'chordphone.local', 'bob'],
    ['sip:bob@elsewhere.example', 'chordphone.local', 'bob@elsewhere.example'],
    ['sip:bob@chordphone.local', undefined, 'bob@chordphone.local'],
    ['bob', 'chordphone.local', 'bob'],
  ])('%s on %s → %s', (aor, domain, short) => expect(shortAddress(aor, domain)).toBe(short));
});

describe('presenceLabel: presence in words, never colour alone', () => {
  it.each([
    ['no entry yet', undefined, 'checking', 'Checking…'],
    ['first lookup running', entry({ checking: true }), 'checking', 'Checking…'],
    ['online', entry({ state: 'online', checkedAt: 1 }), 'online', 'Online'],
    ['online, looking again (no flicker)', entry({ state: 'online', checkedAt: 1, checking: true }), 'online', 'Online'],
    ['offline', entry({ state: 'offline', checkedAt: 1 }), 'offline', 'Offline'],
    ['the overlay did not answer', entry({ failed: true, checkedAt: 1 }), 'unknown', 'Unknown'],
    ['offline, then a lookup failed: last known', entry({ state: 'offline', failed: true, checkedAt: 2 }), 'offline', 'Offline'],
  ] as const)('%s', (_name, e, shown, text) => {
    const label = presenceLabel(e);
    expect(label.shown).toBe(shown);
    expect(label.text).toBe(text);
    expect(label.detail.length).toBeGreaterThan(10);
  });
});
