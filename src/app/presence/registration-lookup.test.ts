import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../platform/system-clock.js';
import { SipRegistrar } from '../../usages/sip/index.js';
import { buildSipOverlay, type SipOverlay } from '../../usages/sip/testing/sip-overlay-fixture.js';
import { registrationLookup } from './registration-lookup.js';

let f: SipOverlay;

beforeAll(async () => {
  f = await buildSipOverlay({ peers: 5, users: ['alice', 'bob'] });
}, 60_000);
afterAll(() => f?.close());

describe('registrationLookup over a real overlay (RFC 7904 §4.2)', () => {
  it('is true for a registered AoR and false for one nobody registered', async () => {
    const alice = f.user('alice');
    const registrar = new SipRegistrar({ overlay: alice.peer, clock: systemClock }, { aor: alice.aor });
    await registrar.register();
    const lookup = registrationLookup(f.user('bob').peer);
    const signal = new AbortController().signal;
    expect(await lookup(alice.aor, { signal })).toBe(true);
    expect(await lookup(`sip:nobody@${f.domain}`, { signal })).toBe(false);
    expect(await lookup('not an aor', { signal })).toBe(false);
  });

  it('rejects (unknown, not offline) when the overlay cannot answer', async () => {
    const lookup = registrationLookup({ fetch: () => Promise.reject(new Error('no route')) });
    await expect(lookup(`sip:alice@${f.domain}`, { signal: new AbortController().signal })).rejects.toThrow(/no route/);
  });
});
