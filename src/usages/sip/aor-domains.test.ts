import { describe, expect, it, vi } from 'vitest';
import { checkFetchedData } from '../../reload/overlay/fetched-data.js';
import { ReloadError } from '../../reload/runtime/reload-error.js';
import { BASE_ACCESS_POLICIES } from '../../reload/storage/index.js';
import { expectReloadError, infoText } from '../../reload/testing/reload-error-assert.js';
import { dict, single } from '../../reload/storage/testing/records.js';
import { fetchAnswer, NODE_ALICE, resourceIdHash, resourceOfName, storageFixture, storeReq } from '../../reload/storage/testing/storage-fixture.js';
import { createMemoryBackend } from '../../reload/storage/memory-backend.js';
import { parseOverlayConfiguration } from '../../reload/wire/config/index.js';
import { compileWholeMatch } from '../../reload/wire/config/posix-ere-matcher.js';
import type { Configuration } from '../../reload/wire/config/index.js';
import type { StoreReq } from '../../reload/wire/storage/store.js';
import { aorDomainKindRules, aorDomainsOf, describeAorDomains, ignoredAorDomainPatterns } from './aor-domains.js';
import { SIP_REGISTRATION_KIND } from './sip-registration-kind.js';
import { SipRegistrar } from './sip-registrar.js';
import { SipUsageError } from './sip-usage-error.js';

/** A configuration of overlay `dht.example.com` whose SIP-REGISTRATION Kind has `restriction` (RFC 7904 §3.4). */
function configuration(restriction: string): Configuration {
  const xml = `<?xml version="1.0" encoding="UTF-8"?>
<overlay xmlns="urn:ietf:params:xml:ns:p2p:config-base" xmlns:sip="urn:ietf:params:xml:ns:p2p:config-base:sip">
  <configuration instance-name="dht.example.com">
    <required-kinds><kind-block><kind name="SIP-REGISTRATION">
      <data-model>DICTIONARY</data-model><access-control>USER-NODE-MATCH</access-control><max-count>4</max-count><max-size>200</max-size>
      ${restriction}
    </kind></kind-block><kind-block><kind id="${NOTE_KIND}">
      <data-model>SINGLE</data-model><access-control>USER-MATCH</access-control><max-count>1</max-count><max-size>200</max-size>
    </kind></kind-block></required-kinds>
  </configuration>
</overlay>`;
  const c = parseOverlayConfiguration(xml).configurations[0];
  if (!c) throw new Error('no configuration');
  return c;
}

// The compiler, counted (it behaves as it is): how often a configuration's patterns are compiled.
vi.mock('../../reload/wire/config/posix-ere-matcher.js', async (original) => {
  const actual = await original<typeof import('../../reload/wire/config/posix-ere-matcher.js')>();
  return { ...actual, compileWholeMatch: vi.fn(actual.compileWholeMatch) };
});

/** A second Kind at a user's Resource-ID (as CERTIFICATE_BY_USER or a note beside a registration). */
const NOTE_KIND = 4000;

const RFC_EXAMPLE = '<sip:domain-restriction enable="true"><sip:pattern>dht\\.example\\.com</sip:pattern><sip:pattern>.*\\.my\\.example</sip:pattern></sip:domain-restriction>';

/** Store a SIP-REGISTRATION of `aor`'s own certificate at its AoR, at a storing peer of `c` (its KindRules applied, as composePeer does). */
async function storeAs(c: Configuration, aor: string, replicaNumber = 0) {
  const f = await storageFixture({ configuration: c, kindRules: aorDomainKindRules(c) });
  const who = f.trust.identity(aor, [NODE_ALICE]);
  const at = await resourceOfName(aor);
  return f.store.store(storeReq(at, SIP_REGISTRATION_KIND, [who.sign(at, SIP_REGISTRATION_KIND, dict(NODE_ALICE, 'route'), 1n)], replicaNumber === 0 ? 0n : 1n, replicaNumber), f.ctx(who));
}

describe('AoR domains of a configuration (RFC 7904 §3.4)', () => {
  it.each([
    ['no domain-restriction: any AoR', '', 'any domain', ['alice@anything.example', 'bob@dht.example.com'], []],
    ['enable not set: the overlay domain only', '<sip:domain-restriction/>', 'dht.example.com', ['alice@dht.example.com'], ['alice@evil.example', 'alice@x.dht.example.com']],
    ['enable="false": the overlay domain only', '<sip:domain-restriction enable="false"/>', 'dht.example.com', ['alice@dht.example.com'], ['alice@my.example']],
    [
      'the RFC example patterns',
      RFC_EXAMPLE,
      'dht.example.com or any domain ending in .my.example',
      ['alice@dht.example.com', 'alice@a.my.example', 'alice@a.b.my.example'],
      ['alice@my.example', 'alice@dht.example.com.evil', 'alice@xdht.example.com', 'alice@a.my.example:5060', 'alice@a%2e.my.example'],
    ],
    ['enable="true" without patterns: no AoR', '<sip:domain-restriction enable="true"/>', 'no domain at all', [], ['alice@dht.example.com']],
  ])('%s', async (_name, restriction, described, admitted, refused) => {
    const c = configuration(restriction);
    expect(describeAorDomains(aorDomainsOf(c))).toBe(described);
    for (const aor of admitted) await expect(storeAs(c, aor), aor).resolves.toBeDefined();
    for (const aor of refused) {
      const e = await expectReloadError(storeAs(c, aor), 'Error_Forbidden');
      expect(infoText(e)).toMatch(/RFC 7904 §3\.4/);
    }
  });

  it('a configuration\'s patterns are compiled once, when it is parsed, and shared by every use', () => {
    const compiles = vi.mocked(compileWholeMatch);
    compiles.mockClear();
    const c = configuration(RFC_EXAMPLE);
    expect(compiles.mock.calls.map(([pattern]) => pattern)).toEqual(['dht\\.example\\.com', '.*\\.my\\.example']);
    const first = aorDomainsOf(c);
    const again = aorDomainsOf(c);
    aorDomainKindRules(c);
    expect(compiles).toHaveBeenCalledTimes(2);
    expect(first.kind === 'patterns' && again.kind === 'patterns' && first.patterns.every((p, i) => p.matcher === again.patterns[i]?.matcher)).toBe(true);
  });

  it('patterns under enable="false" are ignored (the overlay domain only) and reported', () => {
    const c = configuration('<sip:domain-restriction enable="false"><sip:pattern>.*\\.my\\.example</sip:pattern></sip:domain-restriction>');
    expect(aorDomainsOf(c)).toEqual({ kind: 'overlay', domain: 'dht.example.com' });
    expect(ignoredAorDomainPatterns(c)).toEqual(['.*\\.my\\.example']);
    expect(ignoredAorDomainPatterns(configuration(RFC_EXAMPLE))).toEqual([]);
    const warnings: unknown[][] = [];
    aorDomainKindRules(c, { warn: (...args: unknown[]) => void warnings.push(args) });
    aorDomainKindRules(configuration(RFC_EXAMPLE), { warn: (...args: unknown[]) => void warnings.push(args) });
    expect(warnings).toEqual([[expect.stringMatching(/enable is not "true": they are ignored/), { patterns: ['.*\\.my\\.example'] }]]);
  });
});

describe('the storing peer refuses a Store for a domain the overlay does not accept (RFC 7904 §3.3)', () => {
  it('an original Store is answered Error_Forbidden, saying which domains are accepted', async () => {
    const e = await expectReloadError(storeAs(configuration(RFC_EXAMPLE), 'mallory@evil.example'), 'Error_Forbidden');
    expect(infoText(e)).toBe('mallory@evil.example is not in a domain this overlay accepts: only dht.example.com or any domain ending in .my.example (RFC 7904 §3.4)');
  });

  /** A StoreReq at `userName`'s Resource-ID with its SIP-REGISTRATION and a NOTE_KIND value, and the fixture. */
  async function twoKinds(userName: string, replicaNumber: number) {
    const c = configuration('<sip:domain-restriction enable="false"/>');
    const f = await storageFixture({ configuration: c, kindRules: aorDomainKindRules(c) });
    const who = f.trust.identity(userName, [NODE_ALICE]);
    const at = await resourceOfName(userName);
    const req: StoreReq = {
      resource: at,
      replicaNumber,
      kindData: [
        { kind: SIP_REGISTRATION_KIND, generationCounter: replicaNumber === 0 ? 0n : 3n, values: [who.sign(at, SIP_REGISTRATION_KIND, dict(NODE_ALICE, 'route'), 1n)] },
        { kind: NOTE_KIND, generationCounter: replicaNumber === 0 ? 0n : 5n, values: [who.sign(at, NOTE_KIND, single('a note'), 1n)] },
      ],
    };
    const held = async () => (await f.store.snapshot(at)).map((k) => k.kind);
    return { f, who, at, req, held };
  }

  it('an original Store with such a value is refused whole (§3.3 "the request MUST be rejected")', async () => {
    const { f, who, req, held } = await twoKinds('mallory@evil.example', 0);
    await expectReloadError(f.store.store(req, f.ctx(who)), 'Error_Forbidden');
    expect(await held()).toEqual([]);
  });

  it('a replica Store leaves out the value the rule refuses and keeps the other Kinds at the Resource-ID', async () => {
    const { f, who, req, held } = await twoKinds('mallory@evil.example', 1);
    await f.store.store(req, f.ctx(who));
    expect(await held()).toEqual([NOTE_KIND]);
  });

  it('absorbed data (a fetch from the previous holder) leaves out the refused value, keeps the rest', async () => {
    const { f, at, req, held } = await twoKinds('mallory@evil.example', 1);
    expect(await f.store.absorb(at, req.kindData.map((k) => ({ kind: k.kind, generation: k.generationCounter, values: k.values })), [])).toBe(1);
    expect(await held()).toEqual([NOTE_KIND]);
  });

  // USER-NODE-MATCH hashes the user name as it is; only the Resource Name form is reached by a lookup of the AoR.
  it.each(['sip:alice@dht.example.com', 'alice@dht.example.com;x', 'alice@DHT.example.com', 'al%69ce@dht.example.com'])('a certificate user name %s that is not a Resource Name is refused', async (userName) => {
    const e = await expectReloadError(storeAs(configuration(RFC_EXAMPLE), userName), 'Error_Forbidden');
    expect(infoText(e)).toMatch(/not an AoR's Resource Name \(RFC 7904 §3\.3\)/);
  });

  it('a certificate user name that is no AoR is refused once domains are restricted', async () => {
    const e = await expectReloadError(storeAs(configuration('<sip:domain-restriction enable="false"/>'), 'not-an-aor'), 'Error_Forbidden');
    expect(infoText(e)).toMatch(/not an AoR/);
  });
});

describe('a fetcher applies the rule too (what the storing peer should have refused)', () => {
  it('a registration in a refused domain, held by a storing peer without the rule, is taken out of the FetchAns', async () => {
    const c = configuration('<sip:domain-restriction enable="false"/>');
    const careless = await storageFixture({ configuration: c }); // no KindRules: accepts any AoR
    const mallory = careless.trust.identity('mallory@evil.example', [NODE_ALICE]);
    const at = await resourceOfName('mallory@evil.example');
    await careless.store.store(storeReq(at, SIP_REGISTRATION_KIND, [mallory.sign(at, SIP_REGISTRATION_KIND, dict(NODE_ALICE, 'route'), 1n)]), careless.ctx(mallory));
    const answer = await fetchAnswer(careless.store, { resource: at, specifiers: [{ kind: SIP_REGISTRATION_KIND, generation: 0n, modelSpecifier: { model: 'dictionary', keys: [] } }] });
    expect(answer.kindResponses[0]?.values).toHaveLength(1);
    const checks = { verifier: careless.trust, kinds: careless.store.kinds, policies: BASE_ACCESS_POLICIES, resourceIdHash };
    expect((await checkFetchedData(checks, at, answer, [])).rejected).toEqual([]);
    const checked = await checkFetchedData({ ...checks, kindRules: aorDomainKindRules(c) }, at, answer, []);
    expect(checked.answer.kindResponses[0]?.values).toEqual([]);
    expect(checked.rejected.map((r) => r.error.codeName)).toEqual(['Error_Forbidden']);
  });
});

describe('the registering peer refuses early (RFC 7904 §3.3 "any Peer SHOULD verify")', () => {
  const clock = { now: () => 0, setTimer: () => ({ cancel: () => undefined }) };

  it('SipRegistrar.register throws SipUsageError foreign-domain and stores nothing', async () => {
    const stores: string[] = [];
    const overlay = {
      nodeId: NODE_ALICE,
      store: async (resource: unknown) => {
        stores.push(String(resource));
        throw new ReloadError(0, new Uint8Array(0));
      },
    };
    const r = new SipRegistrar({ overlay: overlay as never, clock }, { aor: 'sip:mallory@evil.example', domains: aorDomainsOf(configuration(RFC_EXAMPLE)) });
    const e = await r.register().catch((x: unknown) => x);
    expect(e).toBeInstanceOf(SipUsageError);
    expect((e as SipUsageError).code).toBe('foreign-domain');
    expect((e as SipUsageError).message).toContain('only dht.example.com or any domain ending in .my.example');
    expect(stores).toEqual([]);
    expect(r.state).toBe('unregistered');
  });

  it('the AoR is decoded once: sip:50%25@dht.example.com registers as 50%@dht.example.com', async () => {
    const stores: string[] = [];
    const overlay = { nodeId: NODE_ALICE, store: async (resource: unknown) => void stores.push(String(resource)) };
    const r = new SipRegistrar({ overlay: overlay as never, clock }, { aor: 'sip:50%25@dht.example.com', domains: aorDomainsOf(configuration(RFC_EXAMPLE)) });
    await r.register();
    expect(stores).toEqual(['50%@dht.example.com']);
    r.close();
  });

  it('an AoR in an accepted domain is stored', async () => {
    const stores: string[] = [];
    const overlay = { nodeId: NODE_ALICE, store: async (resource: unknown) => void stores.push(String(resource)) };
    const r = new SipRegistrar({ overlay: overlay as never, clock }, { aor: 'sip:alice@a.my.example', domains: aorDomainsOf(configuration(RFC_EXAMPLE)) });
    await r.register();
    expect(stores).toEqual(['alice@a.my.example']);
    r.close();
  });
});

describe('a new configuration that restricts domains (RFC 6940 §6.5.4 ConfigUpdate: the peer starts again with it, same storage)', () => {
  const fetchAll = (kind: number) => ({ kind, generation: 0n, modelSpecifier: { model: 'dictionary' as const, keys: [] } });

  it('registrations it refuses, stored under the old one, are dropped by the storing peer: not fetched, not replicated; the rest stays', async () => {
    const backend = createMemoryBackend();
    const before = configuration(''); // no domain-restriction: "the default behavior is to accept any AOR"
    const old = await storageFixture({ configuration: before, kindRules: aorDomainKindRules(before), backend });
    const stored = async (userName: string) => {
      const who = old.trust.identity(userName, [NODE_ALICE]);
      const at = await resourceOfName(userName);
      const req: StoreReq = {
        resource: at,
        replicaNumber: 0,
        kindData: [
          { kind: SIP_REGISTRATION_KIND, generationCounter: 0n, values: [who.sign(at, SIP_REGISTRATION_KIND, dict(NODE_ALICE, 'route'), 1n)] },
          { kind: NOTE_KIND, generationCounter: 0n, values: [who.sign(at, NOTE_KIND, single('a note'), 1n)] },
        ],
      };
      await old.store.store(req, old.ctx(who));
      return at;
    };
    const mallory = await stored('mallory@evil.example');
    const alice = await stored('alice@dht.example.com');

    const after = configuration('<sip:domain-restriction enable="false"/>');
    const restarted = await storageFixture({ configuration: after, kindRules: aorDomainKindRules(after), backend });
    const answer = await fetchAnswer(restarted.store, { resource: mallory, specifiers: [fetchAll(SIP_REGISTRATION_KIND)] });
    expect(answer.kindResponses[0]?.values).toEqual([]);
    // Replication sends the snapshot (replication.ts replicaStoreReq): only the note is left to send.
    expect((await restarted.store.snapshot(mallory)).map((k) => k.kind)).toEqual([NOTE_KIND]);
    // Dropped from storage, not only hidden.
    expect(await backend.kinds(mallory)).toEqual([NOTE_KIND]);
    expect(await backend.kinds(alice)).toEqual([SIP_REGISTRATION_KIND, NOTE_KIND]);
    expect((await fetchAnswer(restarted.store, { resource: alice, specifiers: [fetchAll(SIP_REGISTRATION_KIND)] })).kindResponses[0]?.values).toHaveLength(1);
  });
});
