/**
 * ConfigUpdate (RFC 6940 §6.5.4) and configuration sequence numbers (§6.3.2.1) through real overlay
 * peers with real certificates: a peer meeting a request with an older sequence answers
 * Error_Config_Too_Old and pushes its signed Configuration Document (configuration_sequence 65535);
 * the stale peer verifies the document's signature before using it. A document with a bad
 * signature is refused with Error_Forbidden and not used; one not newer with Error_Config_Too_Old.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigurationUpdateService } from '../reload/overlay/configuration-update.js';
import { ReloadError } from '../reload/runtime/reload-error.js';
import { signConfigurationDocument, verifyConfigurationDocument } from '../reload/security/configuration-signer.js';
import type { VerifiedSigner } from '../reload/security/signer.js';
import { X509Signer } from '../reload/security/x509-signer.js';
import type { Configuration } from '../reload/wire/config/overlay-configuration.js';
import { createChordOverlay, simConfiguration, SIM_KINDS, type ChordOverlay, type SimChordPeer } from './chord-overlay.js';
import { ringPosition } from '../reload/topology/chord/ring.js';
import { createRealIdentities, trackedCrypto, type RealIdentities } from './testing/real-identities.js';
import { VirtualClock } from './virtual-clock.js';

const PEERS = 4;
/** The overlay's and the peers' Node-IDs' seed: the same ring every run. */
const SEED = 61;

describe('ConfigUpdate and configuration sequence numbers (§6.3.2.1, §6.5.4)', () => {
  let o: ChordOverlay;
  let ids: RealIdentities;
  let v1: Configuration;
  let v2: Configuration;
  let doc1: string;
  let doc2: string;
  const services: ConfigurationUpdateService[] = [];
  const accepted: Configuration[] = [];
  let stale: SimChordPeer;
  let staleService: ConfigurationUpdateService;
  /** The service of the peer the stale one is linked to. */
  let admitting: ConfigurationUpdateService;

  beforeAll(async () => {
    const clock = new VirtualClock();
    ids = await createRealIdentities({ clock, seed: SEED });
    await ids.prepare(PEERS + 2);
    const signerCredentials = ids.credentials[PEERS + 1]!;
    const configSigner = await X509Signer.create({ crypto: globalThis.crypto }, { privateKey: signerCredentials.keys.privateKey, certificates: [signerCredentials.certificate], overlay: ids.pki.overlay });
    // The sim's SIM-OPEN Kind has no place in a real document (its policy is not §7.3's): left out.
    const sim = simConfiguration();
    const base = simConfiguration({
      ...ids.configuration,
      requiredKinds: sim.requiredKinds.filter((k) => k.kind.id !== SIM_KINDS.open),
      configurationSigners: [configSigner.nodeId],
      kindSigners: [configSigner.nodeId],
      // A signed document with its certificates does not fit the default 5000 bytes.
      maxMessageSize: 20_000,
    });
    v1 = { ...base, sequence: 1 };
    v2 = { ...base, sequence: 2 };
    const sign = (c: Configuration) => signConfigurationDocument({ configurations: [c] }, configSigner, { kindSigner: configSigner });
    [doc1, doc2] = [await sign(v1), await sign(v2)];
    const verifyDocument = async (xml: string, current: Configuration) => {
      // WebCrypto tracked by the virtual clock, so the verification takes no virtual time.
      const doc = await verifyConfigurationDocument({ crypto: trackedCrypto(clock), wallClock: ids.pki.wallClock }, xml, { previous: [current] });
      return doc.overlay.configurations[0]!;
    };

    o = createChordOverlay({ seed: SEED, clock, configuration: v2 });
    /** The live peer responsible for `nodeId` + 1 (its successor on the ring, §10). */
    const admittingPeerOf = (nodeId: Uint8Array): SimChordPeer | undefined => {
      const ring = [...o.live()].sort((x, y) => (ringPosition(x.nodeId) < ringPosition(y.nodeId) ? -1 : 1));
      const k = ringPosition(nodeId) + 1n;
      return ring.find((p) => ringPosition(p.nodeId) >= k) ?? ring[0];
    };
    const addPeer = async (i: number, configuration: Configuration, document: string) => {
      let service: ConfigurationUpdateService | undefined;
      const peer = o.createPeer({
        identity: ids.identity(i),
        configuration,
        transport: { onStaleConfiguration: (sender: VerifiedSigner, seq: number) => service?.staleSender(sender, seq) },
      });
      service = new ConfigurationUpdateService({ transport: peer.peer.transport, clock: o.clock, verifyDocument }, { configuration, document, onConfiguration: (c) => i === PEERS && accepted.push(c) });
      services.push(service);
      // The stale peer's join fails (every request meets Error_Config_Too_Old) until it restarts with
      // the new document. It bootstraps through its admitting peer (§10.5: the one responsible for
      // its Node-ID + 1), the destination of its first Attach, which has a link back to it.
      await o.clock.run(o.joinPeer(peer, admittingPeerOf(peer.nodeId)?.address)).catch(() => undefined);
      return { peer, service };
    };
    for (let i = 0; i < PEERS; i++) await addPeer(i, v2, doc2);
    await o.settle(10_000);
    // A peer that still has sequence 1: its join requests meet Error_Config_Too_Old (§6.3.2.1).
    ({ peer: stale, service: staleService } = await addPeer(PEERS, v1, doc1));
    admitting = services[o.peers.indexOf(admittingPeerOf(stale.nodeId)!)]!;
    await o.settle(10_000);
  }, 120_000);
  afterAll(() => o?.close());

  it('a peer with an older configuration is sent the newer signed document, verifies it and takes it', () => {
    expect(accepted.map((c) => c.sequence)).toEqual([2]);
    expect(staleService.current().configuration.sequence).toBe(2);
    expect(staleService.current().document).toBe(doc2);
  });

  it('a configuration document with a bad signature: Error_Forbidden, not used', async () => {
    // Newer (sequence 3) but changed after signing: the signature no longer matches.
    const forged = doc2.replace('sequence="2"', 'sequence="3"');
    expect(forged).not.toBe(doc2);
    const before = accepted.length;
    const e = await o.clock.run(admitting.push(stale.nodeId, forged)).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ReloadError);
    expect((e as ReloadError).codeName).toBe('Error_Forbidden');
    expect(accepted.length).toBe(before);
    expect(staleService.current().configuration.sequence).toBe(2);
  });

  it('a validly signed document that is not newer: Error_Config_Too_Old, not used', async () => {
    const e = await o.clock.run(admitting.push(stale.nodeId, doc1)).catch((x: unknown) => x);
    expect((e as ReloadError).codeName).toBe('Error_Config_Too_Old');
    expect(staleService.current().document).toBe(doc2);
  });
});
