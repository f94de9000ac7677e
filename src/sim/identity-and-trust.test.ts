/**
 * Issue 4, "What it must show" 1: every identity and trust rule broken once, through real overlay
 * peers (forwarding, transport, Chord, storage) on in-memory links, each peer with a real key and a
 * real X.509 certificate from a test CA. Each test asserts the RFC's error AND that nothing was
 * stored (every peer's backend is inspected) or forwarded (no replica Store left the peer that
 * refused, read off the wire).
 *
 * Message-level failures (§6.3.4) are dropped by the destination ("SHOULD simply drop the message
 * and MUST NOT process it"): the destination reports Error_Forbidden through onSecurityFailure and
 * the requester sees Error_Request_Timeout. Store-level failures (§7.3, §7.4.1) are answered
 * Error_Forbidden / Error_Generation_Counter_Too_Low. The user-name rule of open enrollment is
 * tested with the enrollment service (src/reload/security/enrollment.test.ts, "refuses a user name
 * already taken"), a configuration document with a bad signature in configuration-signer.test.ts
 * and configuration-update.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ReloadError } from '../reload/runtime/reload-error.js';
import type { Signer } from '../reload/security/signer.js';
import { TestPki, DAY_MS, TEST_NOW } from '../reload/testing/test-pki.js';
import type { X509Verifier } from '../reload/security/x509-verifier.js';
import { createMemoryBackend, nodeMultipleResourceName, type StorageBackend } from '../reload/storage/index.js';
import type { SecurityFailure, RequestBody } from '../reload/transport/index.js';
import { chordReloadResourceIdHash } from '../reload/topology/chord/chord-hash.js';
import { ringPosition } from '../reload/topology/chord/ring.js';
import { bytesEqual, toHex } from '../reload/wire/codec/hex.js';
import type { Kind } from '../reload/wire/config/overlay-configuration.js';
import { decodeForwardingHeaderOnly } from '../reload/wire/forwarded-message.js';
import { leadingMessageCode } from '../reload/wire/forwarding-header.js';
import { decodeFramedMessage } from '../reload/wire/framing.js';
import type { NodeId, ResourceId } from '../reload/wire/ids.js';
import { MessageCode } from '../reload/wire/message-codes.js';
import type { GenericCertificate, Signature, SignerIdentity } from '../reload/wire/security-block.js';
import type { StoredRecord } from '../reload/storage/index.js';
import { createChordOverlay, simConfiguration, SIM_KINDS, type ChordOverlay, type SimChordPeer } from './chord-overlay.js';
import { nodeHasher } from './node-hasher.js';
import { createRealIdentities, type RealIdentities } from './testing/real-identities.js';
import { VirtualClock } from './virtual-clock.js';

const PEERS = 10;
/** Seeds the overlay and the peers' Node-IDs: the same ring, so the same test, every run. */
const SEED = 44;
const utf8 = new TextEncoder();
const KINDS = { nodeMatch: 4010, userNodeMatch: 4011, nodeMultiple: 4012 } as const;
const kind = (k: Partial<Kind> & { id: number }): { kind: Kind } => ({ kind: { dataModel: 'SINGLE', accessControl: 'USER-MATCH', maxCount: 4, maxSize: 256, extensions: [], ...k } as Kind });
const hashName = chordReloadResourceIdHash(nodeHasher);

/** A signer that signs as its peer's Node-ID but can be switched to other credentials (an attacker's). */
class SwitchableSigner implements Signer {
  private current: Signer;
  forge = false;
  constructor(private readonly honest: Signer) {
    this.current = honest;
  }
  get nodeId(): NodeId {
    return this.honest.nodeId;
  }
  get userName(): string {
    return this.honest.userName;
  }
  use(signer: Signer | undefined): void {
    this.current = signer ?? this.honest;
  }
  certificates(): readonly GenericCertificate[] {
    return this.current.certificates();
  }
  identity(): SignerIdentity {
    return this.current.identity();
  }
  async sign(input: Uint8Array): Promise<Signature> {
    const s = await this.current.sign(input);
    if (!this.forge) return s;
    const v = s.signatureValue.slice();
    v[v.length - 1] = v[v.length - 1]! ^ 0x01;
    return { ...s, signatureValue: v };
  }
}

/** A backend that, when `tamper` is on, hands out every value with its last byte changed (a malicious storing peer). */
function tamperingBackend(): StorageBackend & { tamper: boolean } {
  const inner = createMemoryBackend();
  const alter = (r: StoredRecord): StoredRecord => {
    const v = r.data.value;
    if (v.model !== 'single' || !v.singleValueEntry.exists) return r;
    const bytes = v.singleValueEntry.value.slice();
    bytes[bytes.length - 1] = bytes[bytes.length - 1]! ^ 0xff;
    return { ...r, data: { ...r.data, value: { model: 'single', singleValueEntry: { exists: true, value: bytes } } } };
  };
  const b = Object.create(inner) as StorageBackend & { tamper: boolean };
  b.tamper = false;
  b.kindState = async (resourceId, k) => {
    const s = await inner.kindState(resourceId, k);
    return b.tamper ? { ...s, records: s.records.map(alter) } : s;
  };
  b.get = async (resourceId, k, key) => {
    const r = await inner.get(resourceId, k, key);
    return r && b.tamper ? alter(r) : r;
  };
  return b;
}

describe('identity and trust through real overlay peers with real certificates (RFC 6940 §6.3.4, §7.1, §7.3)', () => {
  let o: ChordOverlay;
  let ids: RealIdentities;
  const backends: (StorageBackend & { tamper: boolean })[] = [];
  const verifiers: X509Verifier[] = [];
  const failures: { peer: number; failure: SecurityFailure }[] = [];
  let attacker: SimChordPeer;
  let attackerSigner: SwitchableSigner;
  /** StoreReq transactions seen on the wire: resource hex → transaction ids. */
  const storesOnWire = new Map<string, Set<bigint>>();
  /** Told of each StoreReq frame as it goes on the wire (its resource in hex). */
  let storeOnWire: ((resource: string) => void) | undefined;

  beforeAll(async () => {
    const clock = new VirtualClock();
    ids = await createRealIdentities({ clock, seed: SEED });
    await ids.prepare(PEERS + 2);
    o = createChordOverlay({
      seed: SEED,
      clock,
      configuration: {
        ...ids.configuration,
        requiredKinds: [
          ...simConfiguration().requiredKinds,
          kind({ id: KINDS.nodeMatch, accessControl: 'NODE-MATCH' }),
          kind({ id: KINDS.userNodeMatch, dataModel: 'DICTIONARY', accessControl: 'USER-NODE-MATCH' }),
          kind({ id: KINDS.nodeMultiple, accessControl: 'NODE-MULTIPLE', maxNodeMultiple: 3 }),
        ],
      },
    });
    o.network.tap((f) => {
      if (f.dropped) return;
      const framed = decodeFramedMessage(f.bytes);
      if (framed.kind !== 'data' || framed.message.length === 0) return;
      const { header, payload } = decodeForwardingHeaderOnly(framed.message);
      if (payload.length < 7 || leadingMessageCode(header.fragment, payload) !== MessageCode.store_req) return;
      const resource = toHex(payload.subarray(7, 7 + payload[6]!));
      const set = storesOnWire.get(resource) ?? new Set<bigint>();
      set.add(header.transactionId);
      storesOnWire.set(resource, set);
      storeOnWire?.(resource);
    });
    for (let i = 0; i < PEERS; i++) {
      const backend = tamperingBackend();
      backends.push(backend);
      const identity = ids.identity(i);
      verifiers.push(identity.verifier as X509Verifier);
      const signer = i === PEERS - 1 ? new SwitchableSigner(identity.signer) : identity.signer;
      const p = await o.clock.run(o.addPeer({ identity: { signer, verifier: identity.verifier }, storage: backend, transport: { onSecurityFailure: (failure) => failures.push({ peer: i, failure }) } }));
      if (signer instanceof SwitchableSigner) {
        attacker = p;
        attackerSigner = signer;
      }
    }
    await o.settle(30_000);
    expect(o.ringCheck().exact).toBe(true);
  }, 300_000);
  afterAll(() => o?.close());

  /** Every peer's backend: values held at `resourceId` (of Kind `only`, when given). */
  async function storedAnywhere(resourceId: ResourceId, only?: number): Promise<number> {
    let n = 0;
    for (const b of backends) for (const k of await b.kinds(resourceId)) if (only === undefined || k === only) n += (await b.kindState(resourceId, k)).records.length;
    return n;
  }

  /** §10: the peer responsible for a Resource-ID is its successor on the ring of live peers. */
  function responsibleFor(resourceId: ResourceId): SimChordPeer {
    const ring = [...o.live()].sort((x, y) => (ringPosition(x.nodeId) < ringPosition(y.nodeId) ? -1 : 1));
    const k = ringPosition(resourceId);
    return ring.find((p) => ringPosition(p.nodeId) >= k) ?? ring[0]!;
  }

  /** §10.1: whether the attacker, by its own tables, answers for `resourceId` ((first predecessor, itself]): its Store would stay local. */
  function attackerAnswersFor(resourceId: ResourceId): boolean {
    const pred = attacker.peer.status().predecessors[0];
    if (!pred) return true;
    const self = ringPosition(attacker.nodeId);
    const k = ringPosition(resourceId);
    const p = ringPosition(pred);
    return p < self ? k > p && k <= self : k > p || k <= self;
  }

  async function rejection(p: Promise<unknown>): Promise<ReloadError> {
    const e = await o.clock.run(p).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(e).toBeInstanceOf(ReloadError);
    return e as ReloadError;
  }

  const info = (e: ReloadError) => new TextDecoder().decode(e.info);

  /**
   * The attacker stores under a fresh name with its signer switched to `bad`; the destination must
   * drop the Store (§6.3.4) with Error_Forbidden matching `why`, and nothing may be stored or forwarded.
   */
  async function droppedStore(configure: () => void, why: RegExp): Promise<void> {
    // A name another peer is responsible for, so the Store crosses the network.
    let name: string;
    let resourceId: ResourceId;
    do {
      name = `victim-${o.random.int(1 << 30)}`;
      resourceId = await attacker.peer.resourceId(name);
    } while (bytesEqual(responsibleFor(resourceId).nodeId, attacker.nodeId) || attackerAnswersFor(resourceId));
    const before = failures.length;
    // The bad credentials sign this Store only. Once its StoreReq is on the wire (a retransmission
    // resends the same signed bytes, §6.2.1) the attacker signs as itself again: signed badly for
    // the Store's whole lifetime (~15 s), its Chord traffic (Updates, their answers, Attaches)
    // would be dropped too, its neighbours would declare it failed (§10.7.1) and the ring would
    // change under the later tests. The bad signers use the clock-tracked WebCrypto, so no virtual
    // time passes (and no other message of the attacker is signed) before the StoreReq goes.
    const honestAgain = () => {
      attackerSigner.use(undefined);
      attackerSigner.forge = false;
      storeOnWire = undefined;
    };
    storeOnWire = (resource) => {
      if (resource === toHex(resourceId)) honestAgain();
    };
    configure();
    try {
      const e = await rejection(attacker.peer.store(name, SIM_KINDS.open, [{ value: utf8.encode('evil') }]));
      // The destination dropped every transmission: the requester's transaction times out (§6.2.1).
      expect(e.codeName).toBe('Error_Request_Timeout');
    } finally {
      honestAgain();
    }
    const mine = failures.slice(before).filter((f) => f.failure.messageCode === MessageCode.store_req);
    expect(mine.length).toBeGreaterThan(0);
    for (const { failure } of mine) {
      expect(failure.error.codeName).toBe('Error_Forbidden');
      expect(info(failure.error)).toMatch(why);
      expect(failure.claimedNodeId).toEqual(attacker.nodeId);
    }
    // The bad credentials signed that Store only: no other message of the attacker (its Chord
    // Updates, their answers, Attaches) was dropped, so no neighbour declared it failed, and the
    // later tests run on the same exact ring.
    expect(failures.slice(before).filter((f) => f.failure.messageCode !== MessageCode.store_req)).toEqual([]);
    expect(o.ringCheck().exact).toBe(true);
    expect(await storedAnywhere(resourceId)).toBe(0);
    // One Store transaction (the attacker's, perhaps retransmitted); no replica Store went anywhere.
    expect(storesOnWire.get(toHex(resourceId))?.size ?? 0).toBe(1);
    // The same peer stores honestly again afterwards (control: the rule, not the peer, was refused).
    const ok = await o.clock.run(attacker.peer.store(name, SIM_KINDS.open, [{ value: utf8.encode('fine') }]));
    expect(ok.answer.kindResponses[0]!.generationCounter).toBe(1n);
  }

  it('a forged message signature: dropped, Error_Forbidden "forged or altered"', async () => {
    await droppedStore(() => (attackerSigner.forge = true), /does not verify .* forged or altered/);
  }, 120_000);

  it('a valid certificate used for a Node-ID it does not contain: dropped, Error_Forbidden', async () => {
    // Another peer's valid credentials (issued by the overlay's CA, for another Node-ID).
    const other = ids.credentials[PEERS]!;
    const { signer } = await ids.identityOf(other);
    await droppedStore(() => attackerSigner.use(signer), /does not contain the claimed Node-ID/);
  }, 120_000);

  it('a certificate from another CA: dropped, Error_Forbidden', async () => {
    const otherCa = await TestPki.create({ overlay: ids.pki.overlay, keyType: 'ecdsa-p256' });
    const keys = await otherCa.keyPair('ecdsa-p256');
    const certificate = await otherCa.ca.issue({ publicKey: keys.publicKey, nodeIds: [attacker.nodeId], userName: attacker.peer.userName });
    const { signer } = await ids.identityOf({ keys, certificate, nodeId: attacker.nodeId, userName: attacker.peer.userName });
    await droppedStore(() => attackerSigner.use(signer), /chain|root|issuer/i);
  }, 120_000);

  it('an expired certificate: dropped, Error_Forbidden', async () => {
    const keys = await ids.pki.keyPair('ecdsa-p256');
    const certificate = await ids.pki.ca.issue({ publicKey: keys.publicKey, nodeIds: [attacker.nodeId], userName: attacker.peer.userName, notBefore: TEST_NOW - 30 * DAY_MS, notAfter: TEST_NOW - DAY_MS });
    const { signer } = await ids.identityOf({ keys, certificate, nodeId: attacker.nodeId, userName: attacker.peer.userName });
    await droppedStore(() => attackerSigner.use(signer), /expired|valid/i);
  }, 120_000);

  describe('a Store its Kind\'s access control policy refuses: Error_Forbidden, nothing stored or replicated (§7.3)', () => {
    /** A storer other than `b` that is not itself responsible for `target` (so the Store crosses the network). */
    const storerAwayFrom = (target: ResourceId, b: SimChordPeer): SimChordPeer => o.live().find((p) => p !== b && !bytesEqual(responsibleFor(target).nodeId, p.nodeId))!;

    async function refused(store: () => Promise<unknown>, resourceId: ResourceId, kindId: number, why: RegExp): Promise<void> {
      const before = storesOnWire.get(toHex(resourceId))?.size ?? 0;
      const e = await rejection(store());
      expect(e.codeName).toBe('Error_Forbidden');
      expect(info(e)).toMatch(why);
      expect(await storedAnywhere(resourceId, kindId)).toBe(0);
      // The refused Store's own transaction only: no replica Store followed it.
      expect(storesOnWire.get(toHex(resourceId))!.size).toBe(before + 1);
    }

    it('USER-MATCH (§7.3.1): under another user\'s name', async () => {
      const b = o.live()[0]!;
      const a = storerAwayFrom(await b.peer.resourceId(b.peer.userName), b);
      await refused(() => a!.peer.store(b!.peer.userName, SIM_KINDS.small, [{ value: utf8.encode('x') }]), await a!.peer.resourceId(b!.peer.userName), SIM_KINDS.small, /USER-MATCH/);
      // Control: under its own name it is accepted.
      await o.clock.run(a!.peer.store(a!.peer.userName, SIM_KINDS.small, [{ value: utf8.encode('mine') }]));
    });

    it('NODE-MATCH (§7.3.2): at the hash of another peer\'s Node-ID', async () => {
      const b = o.live()[0]!;
      const target = await hashName(b!.nodeId);
      const a = storerAwayFrom(target, b);
      await refused(() => a!.peer.store(target, KINDS.nodeMatch, [{ value: utf8.encode('x') }]), target, KINDS.nodeMatch, /NODE-MATCH/);
      await o.clock.run(a!.peer.store(await hashName(a!.nodeId), KINDS.nodeMatch, [{ value: utf8.encode('mine') }]));
    });

    it('USER-NODE-MATCH (§7.3.3): own user name, but a dictionary key that is another peer\'s Node-ID', async () => {
      let a: SimChordPeer | undefined;
      for (const p of o.live()) if (!bytesEqual(responsibleFor(await p.peer.resourceId(p.peer.userName)).nodeId, p.nodeId)) a ??= p;
      const b = o.live().find((p) => p !== a)!;
      const own = await a!.peer.resourceId(a!.peer.userName);
      await refused(() => a!.peer.store(a!.peer.userName, KINDS.userNodeMatch, [{ key: b!.nodeId, value: utf8.encode('x') }]), own, KINDS.userNodeMatch, /USER-NODE-MATCH/);
      await o.clock.run(a!.peer.store(a!.peer.userName, KINDS.userNodeMatch, [{ key: a!.nodeId, value: utf8.encode('mine') }]));
    });

    it('NODE-MULTIPLE (§7.3.4): at H(another Node-ID || 1)', async () => {
      const b = o.live()[0]!;
      const target = await hashName(nodeMultipleResourceName(b!.nodeId, 1));
      const a = storerAwayFrom(target, b);
      await refused(() => a!.peer.store(target, KINDS.nodeMultiple, [{ value: utf8.encode('x') }]), target, KINDS.nodeMultiple, /NODE-MULTIPLE/);
      await o.clock.run(a!.peer.store(await hashName(nodeMultipleResourceName(a!.nodeId, 2)), KINDS.nodeMultiple, [{ value: utf8.encode('mine') }]));
    });
  });

  it('a replayed Store with an old generation: Error_Generation_Counter_Too_Low, the newer value kept (§7.4.1.1)', async () => {
    // A peer that is not responsible for its own name, so its Stores cross the network.
    let p: SimChordPeer | undefined;
    for (const q of o.live().slice(2)) if (!bytesEqual(responsibleFor(await q.peer.resourceId(q.peer.userName)).nodeId, q.nodeId)) p ??= q;
    if (!p) throw new Error('every peer is responsible for its own name');
    const sent: RequestBody[] = [];
    const transport = p.peer.transport;
    const request = transport.request.bind(transport);
    (transport as { request: typeof request }).request = ((dest, body, options) => {
      sent.push(body);
      return request(dest, body, options);
    }) as typeof request;
    try {
      const generationOf = (out: { answer: { kindResponses: readonly { generationCounter: bigint }[] } }) => out.answer.kindResponses[0]!.generationCounter;
      const g1 = generationOf(await o.clock.run(p.peer.store(p.peer.userName, SIM_KINDS.small, [{ value: utf8.encode('one') }])));
      const g2 = generationOf(await o.clock.run(p.peer.store(p.peer.userName, SIM_KINDS.small, [{ value: utf8.encode('two') }], { generation: g1 })));
      const old = sent.filter((b) => b.name === 'store_req').at(-1)!;
      const g3 = generationOf(await o.clock.run(p.peer.store(p.peer.userName, SIM_KINDS.small, [{ value: utf8.encode('three') }], { generation: g2 })));
      const resourceId = await p.peer.resourceId(p.peer.userName);
      const txBefore = storesOnWire.get(toHex(resourceId))?.size ?? 0;
      // The old StoreReq, its values signed by the owner, sent again in a new transaction.
      const e = await rejection(transport.request([{ kind: 'resource', resourceId }], old));
      expect(e.codeName).toBe('Error_Generation_Counter_Too_Low');
      // Nothing forwarded: the refused Store started no replica Stores.
      expect(storesOnWire.get(toHex(resourceId))!.size).toBe(txBefore + 1);
      const now = await o.clock.run(o.live()[5]!.peer.fetch(p.peer.userName, [{ kind: SIM_KINDS.small }]));
      const v = now.answer.kindResponses[0]!.values[0]!.value;
      expect(v.model === 'single' && new TextDecoder().decode(v.singleValueEntry.value)).toBe('three');
      expect(now.answer.kindResponses[0]!.generation).toBe(g3);
    } finally {
      delete (transport as { request?: unknown }).request;
    }
  });

  it('replica Stores carry the certificates of the values they copy (§6.3.4), so every replica verifies them (§7.4.1.1)', async () => {
    // No peer remembers any certificate: each must come in the SecurityBlock of the message that needs it.
    for (const v of verifiers) v.cache.clear();
    const storer = o.live()[3]!;
    const name = `replicated-${o.random.int(1 << 30)}`;
    const out = await o.clock.run(storer.peer.store(name, SIM_KINDS.open, [{ value: utf8.encode('copied twice') }]));
    expect(out.answer.kindResponses[0]!.replicas).toHaveLength(2);
    await o.settle(5_000);
    // The responsible peer and its two replicas (§10.4) hold the value, each having verified the storer's signature.
    expect(await storedAnywhere(await storer.peer.resourceId(name), SIM_KINDS.open)).toBe(3);
  });

  it('a StoredData whose signature does not match its value: the fetcher drops it, Error_Forbidden (§7.1)', async () => {
    const storer = o.live()[1]!;
    const name = 'tampered-record';
    const stored = await o.clock.run(storer.peer.store(name, SIM_KINDS.open, [{ value: utf8.encode('the real value') }]));
    const responsible = o.peers.findIndex((p) => bytesEqual(p.nodeId, stored.responder));
    expect(responsible).toBeGreaterThanOrEqual(0);
    const fetcher = o.live().find((p) => !bytesEqual(p.nodeId, stored.responder) && p !== storer)!;
    const honest = await o.clock.run(fetcher.peer.fetch(name, [{ kind: SIM_KINDS.open }]));
    expect(honest.rejected).toEqual([]);
    expect(honest.answer.kindResponses[0]!.values).toHaveLength(1);

    backends[responsible]!.tamper = true;
    try {
      const out = await o.clock.run(fetcher.peer.fetch(name, [{ kind: SIM_KINDS.open }]));
      expect(out.responder).toEqual(stored.responder);
      // The altered value is not handed to the application …
      expect(out.answer.kindResponses[0]!.values).toEqual([]);
      // … and is reported with the RFC error.
      expect(out.rejected).toHaveLength(1);
      expect(out.rejected[0]!.error.codeName).toBe('Error_Forbidden');
      expect(info(out.rejected[0]!.error)).toMatch(/does not verify/);
    } finally {
      backends[responsible]!.tamper = false;
    }
  });
});
