/**
 * The settings store: defaults, typed round trips, the STUN/TURN form checked with the server's
 * `--stun` / `--turn` parser (plain-words errors per field), and stored values that do not read
 * back (corrupted, another format, a storage that throws) giving the defaults without a crash.
 */
import { describe, expect, it } from 'vitest';
import { OVERLAY_MODE_KEY, overlayModeSetting } from '../overlay/overlay-mode.js';
import { iceServersFor } from '../overlay/ice-servers.js';
import {
  DEFAULT_SETTINGS,
  ICE_OVERRIDE_KEY,
  iceOverrideFieldsOf,
  loadIceOverride,
  loadSettings,
  parseIceOverride,
  saveIceOverride,
  saveMode,
  type IceOverrideFields,
  type SettingsStore,
} from './settings-store.js';

function memoryStore(): SettingsStore & { readonly items: Map<string, string> } {
  const items = new Map<string, string>();
  return { items, getItem: (k) => items.get(k) ?? null, setItem: (k, v) => void items.set(k, v), removeItem: (k) => void items.delete(k) };
}

const throwing: SettingsStore = {
  getItem: () => {
    throw new Error('denied');
  },
  setItem: () => {
    throw new Error('denied');
  },
  removeItem: () => {
    throw new Error('denied');
  },
};

const form = (f: Partial<IceOverrideFields>): IceOverrideFields => ({ stun: '', turnUrl: '', turnUsername: '', turnCredential: '', ...f });

describe('settings store', () => {
  it('gives the defaults for an empty store, no store, and a store that throws', () => {
    expect(loadSettings(memoryStore())).toEqual(DEFAULT_SETTINGS);
    expect(loadSettings(undefined)).toEqual(DEFAULT_SETTINGS);
    expect(loadSettings(throwing)).toEqual(DEFAULT_SETTINGS);
    expect(DEFAULT_SETTINGS).toEqual({ mode: 'peer', iceServers: undefined });
  });

  it('keeps the mode where the page’s ?mode= is kept: one choice, read by the next overlay', () => {
    const store = memoryStore();
    saveMode(store, 'client');
    expect(store.items.get(OVERLAY_MODE_KEY)).toBe('client');
    expect(loadSettings(store).mode).toBe('client');
    // The next overlay the page makes (createBrowserOverlay reads overlayModeSetting) is a client.
    expect(overlayModeSetting('https://h/', store)).toBe('client');
    saveMode(store, 'peer');
    expect(overlayModeSetting('https://h/', store)).toBe('peer');
  });

  it('round-trips a STUN/TURN override and forgets it on reset', () => {
    const store = memoryStore();
    const result = parseIceOverride(form({ stun: 'stun.example.org, 192.0.2.1:3478', turnUrl: 'turns:turn.example.org:5349', turnUsername: 'alice', turnCredential: 's3cret' }));
    expect(result).toEqual({
      ok: true,
      servers: [{ urls: 'stun:stun.example.org' }, { urls: 'stun:192.0.2.1:3478' }, { urls: 'turns:turn.example.org:5349', username: 'alice', credential: 's3cret' }],
    });
    if (!result.ok) throw new Error('unreachable');
    saveIceOverride(store, result.servers);
    expect(loadSettings(store).iceServers).toEqual(result.servers);
    // The form shows the stored override again for editing, and parses back to the same list.
    const fields = iceOverrideFieldsOf(result.servers);
    expect(fields).toEqual({ stun: 'stun:stun.example.org, stun:192.0.2.1:3478', turnUrl: 'turns:turn.example.org:5349', turnUsername: 'alice', turnCredential: 's3cret' });
    expect(parseIceOverride(fields)).toEqual(result);
    saveIceOverride(store, undefined);
    expect(store.items.has(ICE_OVERRIDE_KEY)).toBe(false);
    expect(loadSettings(store).iceServers).toBeUndefined();
  });

  it.each([
    ['not JSON', '{"v":1,'],
    ['another format version', JSON.stringify({ v: 2, servers: [{ urls: 'stun:a.example' }] })],
    ['no list', JSON.stringify({ v: 1 })],
    ['an empty list', JSON.stringify({ v: 1, servers: [] })],
    ['a non-object', JSON.stringify('stun:a.example')],
    ['null', 'null'],
    ['a server that is not a STUN/TURN URL', JSON.stringify({ v: 1, servers: [{ urls: 'http://a.example' }] })],
    ['a STUN URL with a path', JSON.stringify({ v: 1, servers: [{ urls: 'stun:a.example/x' }] })],
    ['a TURN server without a credential', JSON.stringify({ v: 1, servers: [{ urls: 'turn:a.example', username: 'u' }] })],
    ['a STUN server with a user name', JSON.stringify({ v: 1, servers: [{ urls: 'stun:a.example', username: 'u' }] })],
    ['a user name that is a number', JSON.stringify({ v: 1, servers: [{ urls: 'turn:a.example', username: 7, credential: 'p' }] })],
    ['one good and one bad server', JSON.stringify({ v: 1, servers: [{ urls: 'stun:a.example' }, { urls: 42 }] })],
    ['too many servers', JSON.stringify({ v: 1, servers: Array.from({ length: 9 }, (_, i) => ({ urls: `stun:s${i}.example` })) })],
  ])('reads %s as no override (the overlay’s servers), without a crash', (_, stored) => {
    const store = memoryStore();
    store.items.set(ICE_OVERRIDE_KEY, stored);
    expect(loadIceOverride(store)).toBeUndefined();
    expect(loadSettings(store)).toEqual(DEFAULT_SETTINGS);
  });

  it('reads an unknown stored mode as peer', () => {
    const store = memoryStore();
    store.items.set(OVERLAY_MODE_KEY, 'router');
    expect(loadSettings(store).mode).toBe('peer');
  });
});

describe('the STUN/TURN form', () => {
  it.each<[string, Partial<IceOverrideFields>, Partial<Record<keyof IceOverrideFields, RegExp>>]>([
    ['a bad address after a good one', { stun: 'stun.example.org, stun:bad!host' }, { stun: /“stun:bad!host” is not a STUN server address\. Write it as host:port or stun:host:port/ }],
    ['a STUN address with a path', { stun: 'stun.example.org/x' }, { stun: /is not a STUN server address/ }],
    ['a TURN URL in the STUN field', { stun: 'turn:t.example' }, { stun: /is a TURN server: put it in the TURN server field/ }],
    ['a STUN URL in the TURN field', { turnUrl: 'stun:s.example', turnUsername: 'u', turnCredential: 'p' }, { turnUrl: /is a STUN server: put it in the STUN servers field/ }],
    ['a TURN server without user name and credential', { turnUrl: 'turn:t.example' }, { turnUsername: /needs a user name/, turnCredential: /needs a credential/ }],
    ['a user name and credential without a TURN server', { turnUsername: 'u', turnCredential: 'p' }, { turnUrl: /Type the TURN server’s address/ }],
    ['a TURN user name with a colon', { turnUrl: 't.example', turnUsername: 'a:b', turnCredential: 'p' }, { turnUsername: /cannot contain “:”/ }],
    ['a TURN credential with @', { turnUrl: 't.example', turnUsername: 'u', turnCredential: 'p@x' }, { turnCredential: /cannot contain “@”/ }],
    ['credentials inside the TURN URL', { turnUrl: 'turn:u:p@t.example', turnUsername: 'u', turnCredential: 'p' }, { turnUrl: /only the address here/ }],
    ['a TURN address that is not one', { turnUrl: 'turn:t example', turnUsername: 'u', turnCredential: 'p' }, { turnUrl: /is not a TURN server address\. Write it as turn:host:port/ }],
    ['nothing at all', {}, { stun: /Type at least one STUN or TURN server/ }],
  ])('refuses %s, saying what to fix', (_, fields, expected) => {
    const result = parseIceOverride(form(fields));
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(Object.keys(result.errors).sort()).toEqual(Object.keys(expected).sort());
    for (const [field, pattern] of Object.entries(expected)) expect(result.errors[field as keyof IceOverrideFields]).toMatch(pattern);
  });

  it('takes a bare TURN host as turn: and STUN servers separated by spaces or new lines', () => {
    expect(parseIceOverride(form({ stun: ' a.example\n[2001:db8::1]:3478 ', turnUrl: 'relay.example:3478', turnUsername: 'u', turnCredential: 'p:q' }))).toEqual({
      ok: true,
      servers: [{ urls: 'stun:a.example' }, { urls: 'stun:[2001:db8::1]:3478' }, { urls: 'turn:relay.example:3478', username: 'u', credential: 'p:q' }],
    });
  });
});

describe('which ICE servers are used', () => {
  const configured = [{ urls: 'stun:overlay.example:3478' }];

  it('uses the overlay’s servers without an override and the user’s with one (copies, not the stored objects)', () => {
    expect(iceServersFor(configured, undefined)).toEqual(configured);
    const store = memoryStore();
    const parsed = parseIceOverride(form({ stun: 'mine.example:3478' }));
    if (!parsed.ok) throw new Error('unreachable');
    saveIceOverride(store, parsed.servers);
    const used = iceServersFor(configured, loadIceOverride(store));
    expect(used).toEqual([{ urls: 'stun:mine.example:3478' }]);
    // A corrupted override falls back to the overlay's.
    store.items.set(ICE_OVERRIDE_KEY, '[');
    expect(iceServersFor(configured, loadIceOverride(store))).toEqual(configured);
    const copy = iceServersFor(configured, undefined);
    expect(copy[0]).not.toBe(configured[0]);
  });
});
