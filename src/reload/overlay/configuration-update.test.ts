/**
 * ConfigurationUpdateService: a ConfigUpdate is verified against the configuration in force when
 * it is decided, not when it arrived. RFC 6940 §11.1: "Any configuration file MUST be signed by one
 * of the configuration-signer elements from the previous extant configuration."
 */
import { beforeAll, expect, it } from 'vitest';
import { ConfigurationUpdateService } from './configuration-update.js';
import { signConfigurationDocument, verifyConfigurationDocument } from '../security/configuration-signer.js';
import { TestPki, type TestPeer } from '../testing/test-pki.js';
import type { Configuration } from '../wire/config/index.js';
import { ConfigUpdateType } from '../wire/methods/config-update.js';

let pki: TestPki;
let oldSigner: TestPeer;
let newSigner: TestPeer;
beforeAll(async () => {
  pki = await TestPki.create();
  [oldSigner, newSigner] = await Promise.all([pki.peer('old-signer@chordphone.test'), pki.peer('new-signer@chordphone.test')]);
});

/**
 * A service in force with A (seq 5, both signers), whose verification of `held` waits until
 * `release` is called; `send` hands it a ConfigUpdate carrying a document.
 */
function serviceWithHeldVerification(held: () => string) {
  const a: Configuration = pki.configuration({ sequence: 5, configurationSigners: [oldSigner.nodeIds[0]!, newSigner.nodeIds[0]!] });
  let handler: ((req: unknown) => Promise<unknown>) | undefined;
  const transport = { handle: (_name: string, h: (req: unknown) => Promise<unknown>) => ((handler = h), () => {}) };
  let release!: () => void;
  const released = new Promise<void>((r) => (release = r));
  const accepted: number[] = [];
  const service = new ConfigurationUpdateService(
    {
      transport: transport as never,
      clock: { now: () => 0 },
      verifyDocument: async (xml, current) => {
        const doc = await verifyConfigurationDocument({ crypto: pki.crypto, wallClock: pki.wallClock }, xml, { previous: [current] });
        // This document's verification simply takes longer (more certificates, a slower moment).
        if (xml === held()) await released;
        return doc.overlay.configurations[0]!;
      },
    },
    { configuration: a, onConfiguration: (conf) => accepted.push(conf.sequence ?? 0) },
  );
  const send = (xml: string) =>
    handler!({ name: 'config_update_req', value: { type: ConfigUpdateType.config, configData: new TextEncoder().encode(xml) }, sender: { nodeId: pki.randomNodeId() } });
  return { service, send, release, accepted };
}

it('a ConfigUpdate signed by a signer that the configuration accepted meanwhile removed is refused', async () => {
  // B (seq 10): the old signer is revoked as configuration-signer (e.g. its key leaked).
  const b: Configuration = pki.configuration({ sequence: 10, configurationSigners: [newSigner.nodeIds[0]!] });
  // C (seq 11): made by whoever holds the old signer's key.
  const c: Configuration = pki.configuration({ sequence: 11, configurationSigners: [oldSigner.nodeIds[0]!] });
  const docB = await signConfigurationDocument({ configurations: [b] }, await newSigner.signer());
  const docC = await signConfigurationDocument({ configurations: [c] }, await oldSigner.signer());
  const { service, send, release, accepted } = serviceWithHeldVerification(() => docC);

  const inC = send(docC).then(() => 'accepted', () => 'refused');
  await send(docB);
  expect(service.current().configuration.sequence).toBe(10);
  release();
  // B is now the configuration in force, and it does not list C's signer.
  expect(await inC).toBe('refused');
  expect(accepted).toEqual([10]);
});

it('a ConfigUpdate still signed by a signer of the configuration accepted meanwhile is accepted after it', async () => {
  const b: Configuration = pki.configuration({ sequence: 10, configurationSigners: [newSigner.nodeIds[0]!] });
  const c: Configuration = pki.configuration({ sequence: 11, configurationSigners: [newSigner.nodeIds[0]!] });
  const docB = await signConfigurationDocument({ configurations: [b] }, await newSigner.signer());
  const docC = await signConfigurationDocument({ configurations: [c] }, await newSigner.signer());
  const { service, send, release, accepted } = serviceWithHeldVerification(() => docC);

  const inC = send(docC);
  await send(docB);
  release();
  await inC;
  expect(service.current()).toEqual({ configuration: expect.objectContaining({ sequence: 11 }), document: docC });
  expect(accepted).toEqual([10, 11]);
});
