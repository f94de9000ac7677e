/**
 * compose-peer.ts gives its peer the SIP usage's AoR domain rule of the configuration (RFC 7904
 * §3.3, §3.4; OverlayPeerInit.kindRules, which the peer applies as storing peer and as fetcher,
 * usages/sip sip-usage.test.ts): a peer composed from a configuration whose SIP-REGISTRATION Kind
 * accepts only other domains refuses its own user's registration (alone, it is the storing peer).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ReloadError } from '../../reload/runtime/reload-error.js';
import { TestPki } from '../../reload/security/testing/test-pki.js';
import { createMemoryBackend } from '../../reload/storage/memory-backend.js';
import { infoText } from '../../reload/storage/testing/reload-error-assert.js';
import type { DomainRestriction } from '../../reload/wire/config/index.js';
import { encodeSipRegistration } from '../../reload/wire/storage/kinds/sip-registration.js';
import { memoryNodeNetwork } from '../../server/testing/memory-node-network.js';
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
