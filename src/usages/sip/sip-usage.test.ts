import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OverlayPeer } from '../../reload/overlay/overlay-types.js';
import { ReloadError } from '../../reload/runtime/reload-error.js';
import { bytesEqual } from '../../reload/wire/codec/hex.js';
import { encodeSipRegistration } from '../../reload/wire/storage/kinds/sip-registration.js';
import { lookupAor } from './aor-lookup.js';
import { buildGruu, decodeGrParameter, encodeGrParameter, parseGruu } from './gruu.js';
import { routeRegistration, SIP_REGISTRATION_KIND, uriRegistration } from './sip-registration-kind.js';
import { SipRegistrar } from './sip-registrar.js';
import { SipUsageError } from './sip-usage-error.js';
import { buildSipOverlay, type SipOverlay } from './testing/sip-overlay-fixture.js';
import { buildAppOverlay } from '../../reload/overlay/testing/app-overlay-fixture.js';
import { kindRuleRefusal, type KindRule } from '../../reload/storage/index.js';
import { infoText } from '../../reload/testing/reload-error-assert.js';
import { aorDomainKindRules } from './aor-domains.js';
import { sipRegistrationKindBlock } from './sip-registration-kind.js';
import { systemClock } from '../../platform/system-clock.js';

let f: SipOverlay;

beforeAll(async () => {
  f = await buildSipOverlay({ peers: 14, users: ['alice', 'bob', 'carol', 'dave', 'sam', 'loop1', 'loop2'] });
}, 60_000);
afterAll(() => f?.close());

async function expectUsageError(p: Promise<unknown>, code: string): Promise<SipUsageError> {
  const e = await p.then(
    () => undefined,
    (x: unknown) => x,
  );
  expect(e).toBeInstanceOf(SipUsageError);
  expect((e as SipUsageError).code).toBe(code);
  return e as SipUsageError;
}

describe('SIP-REGISTRATION over a real overlay (RFC 7904 §3, §4)', () => {
  it('a registration is stored under the AoR and lookup from another peer finds the Node-ID', async () => {
    const alice = f.user('alice');
    const r = new SipRegistrar({ overlay: alice.peer, clock: systemClock }, { aor: alice.aor });
    await r.register();
    expect(r.state).toBe('registered');
    const from = f.peers.find((p) => p.name.startsWith('peer'))!;
    const contacts = await lookupAor(from.peer, alice.aor);
    expect(contacts).toHaveLength(1);
    expect(bytesEqual(contacts[0]!.nodeId!, alice.nodeId)).toBe(true);
    // The AoR with escapes and an upper-case host names the same resource (§7).
    const again = await lookupAor(from.peer, `sip:%61lice@${f.domain.toUpperCase()}`);
    expect(bytesEqual(again[0]!.nodeId!, alice.nodeId)).toBe(true);
    r.close();
  });

  it('an AoR nobody registered fails with not-registered: its one Fetch is answered with nothing stored, not timed out', async () => {
    const bob = f.user('bob').peer;
    const fetches: string[] = [];
    const overlay: Pick<OverlayPeer, 'fetch'> = {
      fetch: (...a) =>
        bob.fetch(...a).then(
          (outcome) => (fetches.push('answered'), outcome),
          (x: unknown) => {
            fetches.push((x instanceof ReloadError && x.codeName) || String(x));
            throw x;
          },
        ),
    };
    const e = await expectUsageError(lookupAor(overlay, `sip:nobody@${f.domain}`), 'not-registered');
    expect(e.message).toContain('nobody@');
    // The storing peer's answer says so (§7.4.2.1: a wildcard Fetch returns the pairs there are,
    // none), not a Fetch that went unanswered (Error_Request_Timeout after its retransmissions).
    expect(fetches).toEqual(['answered']);
  });

  it('USER-NODE-MATCH: a peer cannot register under another user\'s AoR (§3.3 Error_Forbidden)', async () => {
    const bob = f.user('bob');
    const e = await bob.peer.store(`alice@${f.domain}`, SIP_REGISTRATION_KIND, [{ key: bob.nodeId, value: encodeSipRegistration(routeRegistration(bob.nodeId)) }]).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ReloadError);
    expect((e as ReloadError).codeName).toBe('Error_Forbidden');
  });

  it('a sip_registration_uri is followed (sam forwards to carol) and a loop ends in registration-loop', async () => {
    const carol = f.user('carol');
    const sam = f.user('sam');
    const rc = new SipRegistrar({ overlay: carol.peer, clock: systemClock }, { aor: carol.aor });
    await rc.register();
    const rs = new SipRegistrar({ overlay: sam.peer, clock: systemClock }, { aor: sam.aor, registration: uriRegistration(carol.aor) });
    await rs.register();
    const contacts = await lookupAor(f.user('bob').peer, sam.aor);
    expect(contacts.map((c) => bytesEqual(c.nodeId!, carol.nodeId))).toEqual([true]);
    expect(contacts[0]!.via).toBe(`carol@${f.domain}`);

    const l1 = f.user('loop1');
    const l2 = f.user('loop2');
    const r1 = new SipRegistrar({ overlay: l1.peer, clock: systemClock }, { aor: l1.aor, registration: uriRegistration(l2.aor) });
    const r2 = new SipRegistrar({ overlay: l2.peer, clock: systemClock }, { aor: l2.aor, registration: uriRegistration(l1.aor) });
    await Promise.all([r1.register(), r2.register()]);
    await expectUsageError(lookupAor(f.user('bob').peer, l1.aor), 'registration-loop');
    for (const r of [rc, rs, r1, r2]) r.close();
  });

  it('two devices of one user both show up; unregister removes only its own', async () => {
    const d1 = f.user('dave');
    const d2 = await f.addUser('dave');
    const r1 = new SipRegistrar({ overlay: d1.peer, clock: systemClock }, { aor: d1.aor });
    const r2 = new SipRegistrar({ overlay: d2.peer, clock: systemClock }, { aor: d2.aor });
    await Promise.all([r1.register(), r2.register()]);
    const both = await lookupAor(f.user('bob').peer, d1.aor);
    expect(both).toHaveLength(2);
    expect(both.some((c) => bytesEqual(c.nodeId!, d1.nodeId)) && both.some((c) => bytesEqual(c.nodeId!, d2.nodeId))).toBe(true);
    await r2.unregister();
    const one = await lookupAor(f.user('bob').peer, d1.aor);
    expect(one.map((c) => bytesEqual(c.nodeId!, d1.nodeId))).toEqual([true]);
    await r1.unregister();
    await expectUsageError(lookupAor(f.user('bob').peer, d1.aor), 'not-registered');
  });

  it('the registration is refreshed before its lifetime runs out', async () => {
    const bob = f.user('bob');
    const r = new SipRegistrar({ overlay: bob.peer, clock: systemClock }, { aor: bob.aor, lifetime: 1, refreshRatio: 0.3 });
    await r.register();
    await new Promise((res) => setTimeout(res, 1500));
    expect(r.stores).toBeGreaterThanOrEqual(3);
    const found = await lookupAor(f.peers[0]!.peer, bob.aor);
    expect(bytesEqual(found[0]!.nodeId!, bob.nodeId)).toBe(true);
    await r.unregister();
  });
});

describe('GRUUs (RFC 7904 §6)', () => {
  it('round-trips AoR and Node-ID, uses "~" for "=", and rejects a broken gr', () => {
    const alice = f.user('alice');
    const gruu = buildGruu(alice.aor, alice.nodeId);
    expect(gruu).toMatch(new RegExp(`^sip:alice@${f.domain.replace('.', '\\.')};gr=[A-Za-z0-9+/]+~*$`));
    expect(gruu.split(';gr=')[1]).not.toContain('=');
    // A list whose base64 needs padding: "~" stands for "=" (20 bytes → one pad character).
    const padded = encodeGrParameter([{ kind: 'node', nodeId: alice.nodeId }, { kind: 'compressed', id: 0x8001 }]);
    expect(padded.endsWith('~')).toBe(true);
    expect(decodeGrParameter(padded)).toEqual([{ kind: 'node', nodeId: alice.nodeId }, { kind: 'compressed', id: 0x8001 }]);
    const parsed = parseGruu(`<${gruu};transport=ws>`)!;
    expect(parsed.aor).toBe(`alice@${f.domain}`);
    expect(bytesEqual(parsed.nodeId!, alice.nodeId)).toBe(true);
    expect(parseGruu(alice.aor)).toBeUndefined();
    expect(() => parseGruu(`sip:alice@${f.domain};gr=%%%`)).toThrow(SipUsageError);
    expect(() => parseGruu(`sip:alice@${f.domain};gr=AAAA`)).toThrow(/destination list/);
  });
});

describe('RFC 7904 §3.4 domain-restriction over a real overlay', () => {
  it('a Store of a registration in a domain the overlay does not accept is answered Error_Forbidden by the storing peer', async () => {
    // The users' AoRs are in the test overlay's own domain, which these patterns leave out.
    const g = await buildSipOverlay({ peers: 5, users: ['alice', 'bob'], domainRestriction: { enable: true, patterns: ['sip\\.example\\.net'] } });
    try {
      const alice = g.user('alice');
      const e = await alice.peer.store(`alice@${g.domain}`, SIP_REGISTRATION_KIND, [{ key: alice.nodeId, value: encodeSipRegistration(routeRegistration(alice.nodeId)) }]).catch((x: unknown) => x);
      expect(e).toBeInstanceOf(ReloadError);
      expect((e as ReloadError).codeName).toBe('Error_Forbidden');
      expect(new TextDecoder().decode((e as ReloadError).info)).toBe(`alice@${g.domain} is not in a domain this overlay accepts: only sip.example.net (RFC 7904 §3.4)`);
      // Nothing was stored: no peer holds a SIP-REGISTRATION (a lookup could not show it: the fetcher applies the rule too).
      for (const p of g.peers) {
        for (const resource of await p.storage.resources()) expect(await p.storage.kinds(resource)).not.toContain(SIP_REGISTRATION_KIND);
      }
    } finally {
      g.close();
    }
  }, 30_000);

  it('a fetcher takes out a registration its rule refuses though a storing peer serves it (OverlayPeerInit.kindRules reach the fetch checks)', async () => {
    // Every peer's rule is the domain rule of `now`: none when alice stores, then one that leaves
    // her domain out (as a newer configuration would). The storing peers judged her registration
    // when it came; only the fetcher's own check can take it out of the answer.
    let now: readonly KindRule[] = [];
    const rule: KindRule = { kind: SIP_REGISTRATION_KIND, name: 'the domain rule in force', check: (r) => kindRuleRefusal(now, r) };
    const g = await buildAppOverlay({ peers: 5, users: ['alice', 'bob'], requiredKinds: [sipRegistrationKindBlock()], kindRules: () => [rule] });
    try {
      const alice = g.user('alice');
      const aor = `alice@${g.domain}`;
      await alice.peer.store(aor, SIP_REGISTRATION_KIND, [{ key: alice.nodeId, value: encodeSipRegistration(routeRegistration(alice.nodeId)) }]);
      now = aorDomainKindRules({ instanceName: g.domain, requiredKinds: [sipRegistrationKindBlock({ domainRestriction: { enable: true, patterns: ['sip\\.example\\.net'] } })] });
      const { answer, rejected } = await g.user('bob').peer.fetch(aor, [{ kind: SIP_REGISTRATION_KIND }]);
      expect(answer.kindResponses[0]?.values).toEqual([]);
      expect(rejected.map((r) => infoText(r.error))).toEqual([`${aor} is not in a domain this overlay accepts: only sip.example.net (RFC 7904 §3.4)`]);
    } finally {
      g.close();
    }
  }, 30_000);
});
