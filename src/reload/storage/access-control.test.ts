import { describe, expect, it } from 'vitest';
import type { VerifiedSigner } from '../security/signer.js';
import type { StoredDataValue } from '../wire/storage/stored-data.js';
import { BASE_ACCESS_POLICIES, memoizedHash, nodeMultipleResourceName, NODE_MATCH, NODE_MULTIPLE, USER_MATCH, USER_NODE_MATCH, type AccessPolicy } from './access-control.js';
import type { KindDefinition } from './kind-table.js';
import { chordReloadResourceIdHash } from '../topology/chord/chord-hash.js';
import { dict, single } from './testing/records.js';
import { NODE_ALICE, NODE_ALICE_2, NODE_BOB, resourceIdHash, resourceOfName, resourceOfNode, resourceOfNodeMultiple } from './testing/storage-fixture.js';
import { webHasher } from '../testing/web-hasher.js';

const alice: VerifiedSigner = { nodeId: NODE_ALICE, nodeIds: [NODE_ALICE, NODE_ALICE_2], userName: 'alice@example.com' };
const kind = (d: Partial<KindDefinition> = {}): KindDefinition => ({ id: 4000, dataModel: 'single', accessControl: 'X', maxCount: 1, maxSize: 1, ...d });

async function allowed(policy: AccessPolicy, resourceId: Uint8Array, value: StoredDataValue, k = kind(), signer = alice): Promise<boolean> {
  return (await policy.check({ resourceId, kind: k, value, signer }, resourceIdHash)) === undefined;
}

describe('access control policies (RFC 6940 §7.3)', () => {
  it('the overlay hash is SHA-1 truncated to 128 bits (§10.2)', async () => {
    const h = await chordReloadResourceIdHash(webHasher)(new TextEncoder().encode('abc'));
    // SHA-1("abc") = a9993e364706816aba3e25717850c26c9cd0d89d
    expect(Buffer.from(h).toString('hex')).toBe('a9993e364706816aba3e25717850c26c');
  });

  it('USER-MATCH: H(user name) = Resource-ID', async () => {
    expect(await allowed(USER_MATCH, await resourceOfName('alice@example.com'), single('x'))).toBe(true);
    expect(await allowed(USER_MATCH, await resourceOfName('bob@example.com'), single('x'))).toBe(false);
  });

  it('NODE-MATCH: H(the Node-ID signed for) = Resource-ID, not another Node-ID of the certificate', async () => {
    expect(await allowed(NODE_MATCH, await resourceOfNode(NODE_ALICE), single('x'))).toBe(true);
    expect(await allowed(NODE_MATCH, await resourceOfNode(NODE_ALICE_2), single('x'))).toBe(false);
  });

  it('USER-NODE-MATCH: user name matches and dictionary key = Node-ID (RFC 7904 §3.3)', async () => {
    const r = await resourceOfName('alice@example.com');
    expect(await allowed(USER_NODE_MATCH, r, dict(NODE_ALICE, 'x'))).toBe(true);
    expect(await allowed(USER_NODE_MATCH, r, dict(NODE_BOB, 'x'))).toBe(false);
    expect(await allowed(USER_NODE_MATCH, r, dict(NODE_ALICE_2, 'x'))).toBe(false);
    expect(await allowed(USER_NODE_MATCH, await resourceOfName('bob@example.com'), dict(NODE_ALICE, 'x'))).toBe(false);
    expect(await allowed(USER_NODE_MATCH, r, single('x'))).toBe(false);
  });

  it('NODE-MULTIPLE: H(Node-ID || i) for i in 1..max-node-multiple (§7.3.4), i one byte', async () => {
    expect(nodeMultipleResourceName(Uint8Array.of(1, 2), 3)).toEqual(Uint8Array.of(1, 2, 3));
    expect(() => nodeMultipleResourceName(Uint8Array.of(1), 0)).toThrow(RangeError);
    const k = kind({ accessControl: 'NODE-MULTIPLE', maxNodeMultiple: 3 });
    for (const i of [1, 2, 3]) expect(await allowed(NODE_MULTIPLE, await resourceOfNodeMultiple(NODE_ALICE, i), single('x'), k)).toBe(true);
    expect(await allowed(NODE_MULTIPLE, await resourceOfNodeMultiple(NODE_ALICE, 4), single('x'), k)).toBe(false);
    expect(await allowed(NODE_MULTIPLE, await resourceOfNode(NODE_ALICE), single('x'), k)).toBe(false);
  });

  it('the registry of the four policies; memoized hashing calls through once per name', async () => {
    expect([...BASE_ACCESS_POLICIES.keys()]).toEqual(['USER-MATCH', 'NODE-MATCH', 'USER-NODE-MATCH', 'NODE-MULTIPLE']);
    let calls = 0;
    const h = memoizedHash(async (n) => {
      calls++;
      return n;
    });
    await Promise.all([h(Uint8Array.of(1)), h(Uint8Array.of(1)), h(Uint8Array.of(2))]);
    expect(calls).toBe(2);
  });
});
