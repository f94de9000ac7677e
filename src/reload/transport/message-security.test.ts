import { describe, expect, it } from 'vitest';
import type { ForwardingHeader } from '../wire/forwarding-header.js';
import { CertificateType } from '../wire/security-block.js';
import { WILDCARD_NODE_ID } from '../forwarding/index.js';
import { certificateBucket, mayAnswer, originatorOf } from './message-security.js';

const id = (b: number) => new Uint8Array(16).fill(b);
const header = (viaList: ForwardingHeader['viaList']) => ({ viaList }) as ForwardingHeader;
const cert = (b: number) => ({ type: CertificateType.X509, certificate: Uint8Array.of(0x30, 1, b) });

describe('who a message claims to come from (§6.3.4, §6.1.2)', () => {
  it('is the first via-list entry, else the neighbour it came from, else this node', () => {
    expect(originatorOf(header([{ kind: 'node', nodeId: id(1) }, { kind: 'node', nodeId: id(2) }]), id(3), id(9))).toEqual(id(1));
    expect(originatorOf(header([]), id(3), id(9))).toEqual(id(3));
    expect(originatorOf(header([]), undefined, id(9))).toEqual(id(9));
  });

  it('names no Node-ID when the first via entry is a compressed id', () => {
    expect(originatorOf(header([{ kind: 'compressed', id: 0x8001 }]), id(3), id(9))).toBeUndefined();
    expect(originatorOf(header([{ kind: 'opaque', opaqueId: Uint8Array.of(1, 2) }]), id(3), id(9))).toBeUndefined();
  });
});

describe('the certificates bucket (§6.3.4: one copy of each)', () => {
  it('keeps the signer\'s first and adds the others once', () => {
    expect(certificateBucket([cert(1)], [])).toEqual([cert(1)]);
    expect(certificateBucket([cert(1)], [cert(2), cert(1), cert(2), cert(3)])).toEqual([cert(1), cert(2), cert(3)]);
  });
});

describe('whose omitted certificate is looked up', () => {
  it('for an answer to a Node-ID, only that Node-ID\'s (§6.3.4 check 1); for a request or an answer to a Resource-ID or the wildcard, any', () => {
    expect(mayAnswer(id(1), { kind: 'node', nodeId: id(1) })).toBe(true);
    expect(mayAnswer(id(2), { kind: 'node', nodeId: id(1) })).toBe(false);
    expect(mayAnswer(id(2), { kind: 'node', nodeId: WILDCARD_NODE_ID })).toBe(true);
    expect(mayAnswer(id(2), { kind: 'resource', resourceId: id(1) })).toBe(true);
    expect(mayAnswer(id(2), undefined)).toBe(true);
  });
});
