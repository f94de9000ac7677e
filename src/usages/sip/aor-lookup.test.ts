/**
 * lookupAor (RFC 7904 §4.2) on scripted overlays: its bound on sip_registration_uri indirection
 * (step 2, §8.2.1), what a repeated target is (a loop only on its own forwarding path), and a failed
 * Fetch of a forwarded AoR (the contacts already found still count, step 3).
 */
import { describe, expect, it } from 'vitest';
import type { FetchOutcome, OverlayPeer } from '../../reload/overlay/overlay-types.js';
import { ReloadError } from '../../reload/runtime/reload-error.js';
import { bytesEqual } from '../../reload/wire/codec/hex.js';
import { encodeSipRegistration, type SipRegistration } from '../../reload/wire/storage/kinds/sip-registration.js';
import { syntheticNonexistentSignature, type StoredData } from '../../reload/wire/storage/stored-data.js';
import { lookupAor } from './aor-lookup.js';
import { routeRegistration, SIP_REGISTRATION_KIND, uriRegistration } from './sip-registration-kind.js';
import { SipUsageError } from './sip-usage-error.js';

const device = new Uint8Array(16).fill(9);

/** a0 → a1 → … → aN by sip_registration_uri (N forwardings), aN registered on `device`. */
function chain(forwardings: number): Pick<OverlayPeer, 'fetch'> {
  return {
    fetch: async (name): Promise<FetchOutcome> => {
      const i = Number(/^a(\d+)@/.exec(String(name))![1]);
      const reg = i < forwardings ? uriRegistration(`sip:a${i + 1}@d.test`) : routeRegistration(device);
      const stored: StoredData = {
        storageTime: 0n,
        lifetime: 60,
        value: { model: 'dictionary', dictionaryEntry: { key: device, value: { exists: true, value: encodeSipRegistration(reg) } } },
        signature: syntheticNonexistentSignature(),
      };
      return { answer: { kindResponses: [{ kind: SIP_REGISTRATION_KIND, generation: 0n, values: [stored] }] }, hops: 1, responder: device, rejected: [] };
    },
  };
}

const node = (n: number) => new Uint8Array(16).fill(n);

/** Fetch of `user@d.test` answers the registrations in `table[user]` (none when absent), or throws `table[user]` when it is an Error. */
function scripted(table: Record<string, SipRegistration[] | Error>): Pick<OverlayPeer, 'fetch'> {
  return {
    fetch: async (name): Promise<FetchOutcome> => {
      const user = /^([^@]+)@/.exec(String(name))![1]!;
      const entry = table[user] ?? [];
      if (entry instanceof Error) throw entry;
      const values: StoredData[] = entry.map((reg, i) => ({
        storageTime: 0n,
        lifetime: 60,
        value: { model: 'dictionary', dictionaryEntry: { key: node(100 + i), value: { exists: true, value: encodeSipRegistration(reg) } } },
        signature: syntheticNonexistentSignature(),
      }));
      return { answer: { kindResponses: [{ kind: SIP_REGISTRATION_KIND, generation: 0n, values }] }, hops: 1, responder: node(1), rejected: [] };
    },
  };
}

async function failure(p: Promise<unknown>): Promise<string | undefined> {
  const e = await p.then(() => undefined, (x: unknown) => x);
  return e instanceof SipUsageError ? e.code : undefined;
}

describe('lookupAor maxDepth: the levels of sip_registration_uri indirection followed', () => {
  it.each([
    [0, 0],
    [1, 1],
    [2, 2],
  ])('maxDepth %i follows a chain of %i forwardings', async (maxDepth, forwardings) => {
    await expect(lookupAor(chain(forwardings), 'sip:a0@d.test', { maxDepth })).resolves.toHaveLength(1);
  });

  it.each([
    [0, 1],
    [1, 2],
  ])('maxDepth %i does not follow a chain of %i: registration-loop (482)', async (maxDepth, forwardings) => {
    expect(await failure(lookupAor(chain(forwardings), 'sip:a0@d.test', { maxDepth }))).toBe('registration-loop');
  });

  it('the default follows a chain of 4 forwardings, not 5', async () => {
    await expect(lookupAor(chain(4), 'sip:a0@d.test')).resolves.toHaveLength(1);
    expect(await failure(lookupAor(chain(5), 'sip:a0@d.test'))).toBe('registration-loop');
  });
});

describe('lookupAor: a target reached twice is a loop only on its own forwarding path (§4.2 step 2)', () => {
  it('two devices forwarding to the same unregistered AoR: not-registered (480), not registration-loop (482)', async () => {
    // alice's desk and cell both forward to sam, who is not registered at all: no loop anywhere.
    const overlay = scripted({ alice: [uriRegistration('sip:sam@d.test'), uriRegistration('sip:sam@d.test')], sam: [] });
    expect(await failure(lookupAor(overlay, 'sip:alice@d.test'))).toBe('not-registered');
  });

  it('a diamond (alice → bob, alice → carol → bob) with nobody registered: not-registered', async () => {
    const overlay = scripted({ alice: [uriRegistration('sip:bob@d.test'), uriRegistration('sip:carol@d.test')], carol: [uriRegistration('sip:bob@d.test')], bob: [] });
    expect(await failure(lookupAor(overlay, 'sip:alice@d.test'))).toBe('not-registered');
  });

  it('a diamond fetches the shared target once', async () => {
    const fetched: string[] = [];
    const inner = scripted({ alice: [uriRegistration('sip:bob@d.test'), uriRegistration('sip:carol@d.test')], carol: [uriRegistration('sip:bob@d.test')], bob: [routeRegistration(node(9))] });
    const overlay: Pick<OverlayPeer, 'fetch'> = { fetch: (name, specs, options) => (fetched.push(String(name)), inner.fetch(name, specs, options)) };
    expect(await lookupAor(overlay, 'sip:alice@d.test')).toHaveLength(1);
    expect(fetched.filter((n) => n.startsWith('bob@'))).toHaveLength(1);
  });

  it('a cycle (alice → bob → alice) with nobody registered is still registration-loop', async () => {
    const overlay = scripted({ alice: [uriRegistration('sip:bob@d.test')], bob: [uriRegistration('sip:alice@d.test')] });
    expect(await failure(lookupAor(overlay, 'sip:alice@d.test'))).toBe('registration-loop');
  });

  it('a cycle beside a diamond (alice → bob, alice → carol → bob → carol) is registration-loop', async () => {
    const overlay = scripted({ alice: [uriRegistration('sip:bob@d.test'), uriRegistration('sip:carol@d.test')], carol: [uriRegistration('sip:bob@d.test')], bob: [uriRegistration('sip:carol@d.test')] });
    expect(await failure(lookupAor(overlay, 'sip:alice@d.test'))).toBe('registration-loop');
  });
});

describe('lookupAor: a failed Fetch of a forwarded AoR (§4.2 step 3)', () => {
  it('does not throw away the device already found', async () => {
    // alice is registered on her desk phone (node 9) and also forwards to sam (§3.1 "in order to
    // contact me, dereference this AOR"); the Fetch of sam's registrations times out.
    const overlay = scripted({ alice: [routeRegistration(node(9)), uriRegistration('sip:sam@d.test')], sam: ReloadError.of('Error_Request_Timeout', 'no answer') });
    const contacts = await lookupAor(overlay, 'sip:alice@d.test');
    expect(contacts.map((c) => c.nodeId !== undefined && bytesEqual(c.nodeId, node(9)))).toEqual([true]);
  });

  it('nor the device found beyond it on another branch', async () => {
    const overlay = scripted({ alice: [uriRegistration('sip:sam@d.test'), uriRegistration('sip:bob@d.test')], sam: ReloadError.of('Error_Request_Timeout', 'no answer'), bob: [routeRegistration(node(9))] });
    expect(await lookupAor(overlay, 'sip:alice@d.test')).toHaveLength(1);
  });

  it('with no contact found at all, is overlay-failure (not not-registered: sam may be registered)', async () => {
    const overlay = scripted({ alice: [uriRegistration('sip:sam@d.test')], sam: ReloadError.of('Error_Request_Timeout', 'no answer') });
    expect(await failure(lookupAor(overlay, 'sip:alice@d.test'))).toBe('overlay-failure');
  });

  it('a failed Fetch of the AoR itself is overlay-failure', async () => {
    const overlay = scripted({ alice: ReloadError.of('Error_Request_Timeout', 'no answer') });
    expect(await failure(lookupAor(overlay, 'sip:alice@d.test'))).toBe('overlay-failure');
  });
});
