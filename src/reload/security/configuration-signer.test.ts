import { beforeAll, describe, expect, it } from 'vitest';
import { expectReloadError, infoText } from '../testing/reload-error-assert.js';
import { parseOverlayConfiguration, type Configuration } from '../wire/config/index.js';
import { signConfigurationDocument, verifyConfigurationDocument } from './configuration-signer.js';
import { DAY_MS, TEST_NOW, TestPki, type TestPeer } from '../testing/test-pki.js';
import type { X509Signer } from './x509-signer.js';

let pki: TestPki;
let configSigner: TestPeer;
let kindSigner: TestPeer;
let stranger: TestPeer;
let signer: X509Signer;
let kinds: X509Signer;

beforeAll(async () => {
  pki = await TestPki.create();
  [configSigner, kindSigner, stranger] = await Promise.all([pki.peer('config@chordphone.test'), pki.peer('kinds@chordphone.test'), pki.peer('someone@chordphone.test')]);
  signer = await configSigner.signer();
  kinds = await kindSigner.signer();
});

function configuration(extra: Partial<Configuration> = {}): Configuration {
  return pki.configuration({
    sequence: 7,
    expiration: '2027-01-01T00:00:00Z',
    configurationSigners: [configSigner.nodeIds[0]!],
    kindSigners: [kindSigner.nodeIds[0]!],
    requiredKinds: [{ kind: { id: 0x7f000001, dataModel: 'ARRAY', accessControl: 'USER-MATCH', maxCount: 10, maxSize: 1000, extensions: [] } }],
    ...extra,
  });
}

const deps = () => ({ crypto: pki.crypto, wallClock: pki.wallClock });
const sign = (c: Configuration = configuration(), by: X509Signer = signer) => signConfigurationDocument({ configurations: [c] }, by, { kindSigner: kinds });

describe('configuration document signatures (§11.1)', () => {
  it('signs each configuration and kind-block, and verifies them before use', async () => {
    const xml = await sign();
    expect(xml).toMatch(/<\/configuration>\s*<signature>[A-Za-z0-9+/=]+<\/signature>/);
    expect(xml).toMatch(/<kind-signature>/);
    const verified = await verifyConfigurationDocument(deps(), xml);
    expect(verified.signers[0]?.nodeId).toEqual(configSigner.nodeIds[0]);
    expect(verified.overlay.configurations[0]?.sequence).toBe(7);
  });

  it('rejects a document changed after signing (bad signature) with Error_Forbidden', async () => {
    const xml = (await sign()).replace(/<max-message-size>\d+<\/max-message-size>/, '<max-message-size>60000</max-message-size>');
    expect(parseOverlayConfiguration(xml).configurations[0]?.maxMessageSize).toBe(60000);
    const e = await expectReloadError(verifyConfigurationDocument(deps(), xml), 'Error_Forbidden');
    expect(infoText(e)).toMatch(/no valid signature by a configuration-signer: the signature does not verify/);
  });

  it('rejects a corrupted signature element', async () => {
    const xml = (await sign()).replace(/(<signature>)([A-Za-z0-9+/]{40})/, (_m, open: string, b64: string) => `${open}${b64.slice(0, 30)}${b64[30] === 'A' ? 'B' : 'A'}${b64.slice(31)}`);
    await expectReloadError(verifyConfigurationDocument(deps(), xml), 'Error_Forbidden');
  });

  it('rejects an unsigned document', async () => {
    const e = await expectReloadError(verifyConfigurationDocument(deps(), (await sign()).replace(/<signature>[^<]*<\/signature>/, '')), 'Error_Forbidden');
    expect(infoText(e)).toMatch(/no signature/);
  });

  it('rejects a signature by a node that is not a configuration-signer', async () => {
    const e = await expectReloadError(verifyConfigurationDocument(deps(), await sign(configuration(), await stranger.signer())), 'Error_Forbidden');
    expect(infoText(e)).toMatch(/is not a configuration-signer/);
  });

  it('rejects a signer whose certificate is from another CA', async () => {
    const other = await TestPki.create();
    const impostor = await other.peer('config@chordphone.test', { keys: configSigner.keys });
    // Same key, but the certificate does not chain to the configuration's root-cert.
    const e = await expectReloadError(verifyConfigurationDocument(deps(), await sign(configuration({ configurationSigners: [impostor.nodeIds[0]!] }), await impostor.signer())), 'Error_Forbidden');
    expect(infoText(e)).toMatch(/does not chain/);
  });

  it('rejects a kind-block altered after its kind-signer signed it (configuration re-signed)', async () => {
    const signed = parseOverlayConfiguration(await sign()).configurations[0]!;
    const block = signed.requiredKinds[0]!;
    const altered = { ...signed, requiredKinds: [{ ...block, kind: { ...block.kind, maxCount: 99 } }] };
    const xml = await signConfigurationDocument({ configurations: [altered] }, signer);
    const e = await expectReloadError(verifyConfigurationDocument(deps(), xml), 'Error_Forbidden');
    expect(infoText(e)).toMatch(/kind 2130706433: no valid signature by a kind-signer/);
  });

  it('uses the previous configuration’s configuration-signers (§11.1 "previous extant configuration")', async () => {
    // The new document names `stranger` as its signer and is signed by it, but the configuration
    // in force trusts only configSigner.
    const takeover = await sign(configuration({ sequence: 8, configurationSigners: [stranger.nodeIds[0]!] }), await stranger.signer());
    await verifyConfigurationDocument(deps(), takeover); // first contact: self-consistent
    await expectReloadError(verifyConfigurationDocument(deps(), takeover, { previous: [configuration()] }), 'Error_Forbidden');
  });

  it('refuses a configuration older than the one in force, and an expired one', async () => {
    await expectReloadError(verifyConfigurationDocument(deps(), await sign(configuration({ sequence: 6 })), { previous: [configuration()] }), 'Error_Config_Too_Old');
    await verifyConfigurationDocument(deps(), await sign(configuration({ sequence: 7 })), { previous: [configuration()] });
    await verifyConfigurationDocument(deps(), await sign(configuration({ sequence: 8 })), { previous: [configuration()] });
    const late = { crypto: pki.crypto, wallClock: { epochMs: () => TEST_NOW + 400 * DAY_MS } };
    await expectReloadError(verifyConfigurationDocument(late, await sign()), 'Error_Forbidden');
  });

  it('refuses a configuration whose expiration is a leap second in the past as expired', async () => {
    // RFC 3339 (and the parser) allow second 60; it must expire like '2017-01-01T00:00:00Z' does.
    const xml = await sign(configuration({ expiration: '2016-12-31T23:59:60Z' }));
    expect(parseOverlayConfiguration(xml).configurations[0]?.expiration).toBe('2016-12-31T23:59:60Z');
    const error = await expectReloadError(verifyConfigurationDocument(deps(), xml), 'Error_Forbidden');
    expect(infoText(error)).toMatch(/expired at 2016-12-31T23:59:60Z/);
  });

  it('accepts a configuration whose expiration is a leap second still to come, until it has passed', async () => {
    // TEST_NOW is 2026-01-01T00:00:00Z, just after this leap second.
    const xml = await sign(configuration({ expiration: '2025-12-31T23:59:60Z' }));
    await verifyConfigurationDocument({ crypto: pki.crypto, wallClock: { epochMs: () => TEST_NOW - 2000 } }, xml);
    expect(infoText(await expectReloadError(verifyConfigurationDocument(deps(), xml), 'Error_Forbidden'))).toMatch(/expired at 2025-12-31T23:59:60Z/);
  });
});
