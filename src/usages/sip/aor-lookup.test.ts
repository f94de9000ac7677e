/** lookupAor's bound on sip_registration_uri indirection (RFC 7904 §4.2 step 2, §8.2.1), on a scripted overlay. */
import { describe, expect, it } from 'vitest';
import type { FetchOutcome, OverlayPeer } from '../../reload/overlay/overlay-types.js';
import { encodeSipRegistration } from '../../reload/wire/storage/kinds/sip-registration.js';
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
