/**
 * compose-peer.ts gives its peer the SIP usage's AoR domain rule of the configuration (RFC 7904
 * §3.3, §3.4; OverlayPeerInit.kindRules, which the peer applies as storing peer and as fetcher,
 * usages/sip sip-usage.test.ts): a peer composed from a configuration whose SIP-REGISTRATION Kind
 * accepts only other domains refuses its own user's registration (alone, it is the storing peer).
 * Its transport looks up omitted certificates through the §8 usage's own source (RFC 6940 §6.3.4,
 * TransportInit.certificateSource), never by joining a Fetch another caller started. Its
 * `publishCertificate` keeps the certificate stored (§8) until the peer closes or leaves.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { webCryptoHasher } from '../../platform/web-crypto.js';
import type { FetchOutcome } from '../../reload/overlay/index.js';
import { AbortError } from '../../reload/runtime/components.js';
import { ReloadError } from '../../reload/runtime/reload-error.js';
import { ManualClock } from '../../reload/testing/manual-clock.js';
import { TestPki } from '../../reload/testing/test-pki.js';
import { createMemoryBackend } from '../../reload/storage/memory-backend.js';
import { infoText } from '../../reload/testing/reload-error-assert.js';
import { chordReloadResourceIdHash } from '../../reload/topology/chord/chord-hash.js';
import { bytesEqual } from '../../reload/wire/codec/hex.js';
import type { DomainRestriction } from '../../reload/wire/config/index.js';
import { certificateByNodeResourceName } from '../../reload/wire/storage/kinds/certificate.js';
import { encodeSipRegistration } from '../../reload/wire/storage/kinds/sip-registration.js';
import { memoryNodeNetwork } from '../../server/testing/memory-node-network.js';
import { certificateKindBlocks } from '../../usages/certificates/certificate-kinds.js';
import { routeRegistration, SIP_REGISTRATION_KIND, sipRegistrationKindBlock } from '../../usages/sip/sip-registration-kind.js';
import { composePeer, type ComposedPeer } from './compose-peer.js';

const opened: ComposedPeer[] = [];
afterEach(() => {
  for (const p of opened.splice(0)) p.close();
});

/** A peer of an overlay of its own whose SIP-REGISTRATION Kind has `domainRestriction`, joined alone. */
async function alonePeer(domainRestriction: DomainRestriction): Promise<ComposedPeer> {
  const pki = await TestPki.create();
  const configuration = pki.configuration({ requiredKinds: [sipRegistrationKindBlock({ domainRestriction })] });
  const alice = await pki.peer(`alice@${pki.overlay}`, { keyType: 'ecdsa-p256' });
  const security = { signer: await alice.signer(), verifier: pki.verifier(pki.policy({ requiredKinds: configuration.requiredKinds })) };
  const network = await memoryNodeNetwork()({ security, configuration, iceServers: [] });
  const peer = await composePeer({ configuration, security, network, storage: createMemoryBackend() });
  opened.push(peer);
  await peer.join([]);
  return peer;
}

const register = (peer: ComposedPeer) =>
  peer.store(peer.userName, SIP_REGISTRATION_KIND, [{ key: peer.nodeId, value: encodeSipRegistration(routeRegistration(peer.nodeId)) }]);

describe('composePeer applies the RFC 7904 §3.4 domain-restriction of its configuration', () => {
  it('as storing peer: a registration in a domain the configuration does not accept is answered Error_Forbidden', async () => {
    const peer = await alonePeer({ enable: true, patterns: ['sip\\.example\\.net'] });
    const e = await register(peer).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ReloadError);
    expect((e as ReloadError).codeName).toBe('Error_Forbidden');
    expect(infoText(e as ReloadError)).toBe(`${peer.userName} is not in a domain this overlay accepts: only sip.example.net (RFC 7904 §3.4)`);
  }, 30_000);

  it('a registration in the overlay\'s own domain (enable="false") is stored', async () => {
    const peer = await alonePeer({ enable: false, patterns: [] });
    await register(peer);
    const { answer } = await peer.fetch(peer.userName, [{ kind: SIP_REGISTRATION_KIND }]);
    expect(answer.kindResponses[0]?.values).toHaveLength(1);
  }, 30_000);
});

describe('composePeer wires the §8 usage as its transport\'s certificate source (RFC 6940 §6.3.4)', () => {
  it('a message whose signer omitted its certificate is looked up by a Fetch of its own while another caller\'s Fetch of that certificate runs', async () => {
    const pki = await TestPki.create();
    const configuration = pki.configuration();
    const net = memoryNodeNetwork();
    const compose = async (name: string) => {
      const signer = await (await pki.peer(`${name}@${pki.overlay}`, { keyType: 'ecdsa-p256' })).signer();
      let omit = false;
      // The real signer, except that `certificates()` may say none (§6.3.4 "MAY be omitted").
      const omitting = Object.create(signer, { certificates: { value: () => (omit ? [] : signer.certificates()) } }) as typeof signer;
      const security = { signer: omitting, verifier: pki.verifier(pki.policy()) };
      const network = await net({ security, configuration, iceServers: [] });
      const peer = await composePeer({ configuration, security, network, storage: createMemoryBackend() });
      opened.push(peer);
      return { peer, address: network.address, verifier: security.verifier, omit: () => (omit = true) };
    };
    const p = await compose('pat');
    await p.peer.join([]);
    const q = await compose('quinn');
    await q.peer.join([p.address]);
    // Pat's Fetches of Quinn's CERTIFICATE_BY_NODE list are held: none is answered in this test.
    const quinnsList = await chordReloadResourceIdHash(webCryptoHasher)(certificateByNodeResourceName(q.peer.nodeId));
    let fetches = 0;
    vi.spyOn(p.peer, 'fetch').mockImplementation((resource, _kinds, options) => {
      if (resource instanceof Uint8Array && bytesEqual(resource, quinnsList)) fetches++;
      return new Promise<FetchOutcome>((_, reject) => options?.signal?.addEventListener('abort', () => reject(new AbortError('held Fetch aborted'))));
    });
    // From now on Quinn's messages come without its certificate; once none signed before is under
    // way, Pat forgets it and, at once, another caller (an application checking a peer) fetches it.
    q.omit();
    await vi.waitFor(() => expect([p.peer, q.peer].map((x) => x.stats().transport.pendingRequests)).toEqual([0, 0]), { timeout: 10_000, interval: 20 });
    for (const c of p.verifier.cache.findByNodeId(q.peer.nodeId)) p.verifier.cache.remove(c.certHash);
    const end = new AbortController();
    const other = p.peer.certificates.byNode(q.peer.nodeId, { signal: end.signal }).catch(() => undefined);
    await vi.waitFor(() => expect(fetches).toBeGreaterThan(0), { timeout: 5_000, interval: 10 });
    // Quinn's request, its certificate omitted: Pat's transport looks Quinn up with a Fetch of its
    // own (or already did for another message of Quinn's), not by joining that caller's.
    const ping = q.peer.transport.request([{ kind: 'node', nodeId: p.peer.nodeId }], { name: 'ping_req', value: { padding: new Uint8Array() } }, { signal: end.signal }).catch(() => undefined);
    await vi.waitFor(() => expect(fetches).toBeGreaterThan(1), { timeout: 5_000, interval: 10 });
    end.abort();
    await Promise.all([other, ping]);
  }, 30_000);
});

describe('composePeer keeps its certificate published while it runs (RFC 6940 §8)', () => {
  it.each(['close', 'leave'] as const)('publishCertificate stores it again before its lifetime ends, until %s', async (end) => {
    const pki = await TestPki.create();
    const configuration = pki.configuration({ requiredKinds: certificateKindBlocks() });
    const signer = await (await pki.peer(`rita@${pki.overlay}`, { keyType: 'ecdsa-p256' })).signer();
    const security = { signer, verifier: pki.verifier(pki.policy({ requiredKinds: configuration.requiredKinds })) };
    const network = await memoryNodeNetwork()({ security, configuration, iceServers: [] });
    const clock = new ManualClock();
    const peer = await composePeer({ configuration, security, network, storage: createMemoryBackend(), clock });
    opened.push(peer);
    await peer.join([]);
    const publishes = vi.spyOn(peer.certificates, 'publish');
    await peer.publishCertificate();
    expect(publishes).toHaveBeenCalledTimes(1);
    // The certificate values live 86 400 s (CertificateStore's lifetime): stored again at 0.8 of it.
    clock.block(0.8 * 86_400_000);
    expect(publishes).toHaveBeenCalledTimes(2);
    await vi.waitFor(async () => expect(await peer.certificates.byNode(peer.nodeId)).toBeDefined());
    if (end === 'close') peer.close();
    else await peer.leave();
    clock.block(2 * 86_400_000);
    expect(publishes).toHaveBeenCalledTimes(2);
  }, 30_000);
});
