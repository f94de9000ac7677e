import { describe, expect, it } from 'vitest';
import { configurationWithDefaults, parseOverlayConfiguration, produceOverlayConfiguration } from '../wire/config/index.js';
import { CHORDPHONE_SIGNATURE_ALGORITHM_NAMESPACE, signatureAlgorithmElements, trustPolicyFromConfiguration } from './trust-policy.js';

describe('trustPolicyFromConfiguration', () => {
  it('allows RSA only by default, and ECDSA when the extension element says so (through the XML)', () => {
    const plain = configurationWithDefaults({ instanceName: 'o.test' });
    expect(trustPolicyFromConfiguration(plain).keyTypes).toEqual(['rsa']);
    const withEcdsa = configurationWithDefaults({ instanceName: 'o.test', extensions: signatureAlgorithmElements(['rsa', 'ecdsa-p256']) });
    const xml = produceOverlayConfiguration({ configurations: [withEcdsa] });
    expect(xml).toContain(CHORDPHONE_SIGNATURE_ALGORITHM_NAMESPACE);
    expect(xml).toMatch(/>ecdsa-p256-sha256</);
    const parsed = parseOverlayConfiguration(xml).configurations[0]!;
    expect(trustPolicyFromConfiguration(parsed).keyTypes).toEqual(['rsa', 'ecdsa-p256']);
  });

  it('accepts self-signed certificates only for self-signed-permitted true with sha1 or sha256 (§11.1, §11.3.1)', () => {
    const at = (permitted: boolean, digest: string) => trustPolicyFromConfiguration(configurationWithDefaults({ instanceName: 'o.test', selfSignedPermitted: { permitted, digest } })).selfSignedDigest;
    expect(at(true, 'sha1')).toBe('sha1');
    expect(at(true, 'sha256')).toBe('sha256');
    expect(at(false, 'sha256')).toBeUndefined();
    expect(at(true, 'sha3-256')).toBeUndefined();
  });

  it('carries the overlay name, root-certs and bad-nodes', () => {
    const root = Uint8Array.of(0x30, 0);
    const bad = new Uint8Array(16).fill(1);
    const p = trustPolicyFromConfiguration(configurationWithDefaults({ instanceName: 'o.test', rootCerts: [root], badNodes: [bad] }));
    expect(p).toMatchObject({ overlay: 'o.test', rootCerts: [root], badNodes: [bad] });
  });
});
