/**
 * The Certificate Store Usage (RFC 6940 §8) through real overlay peers with real certificates
 * (the simulator's composition, tests only): publishing under both Kinds, lookups by Node-ID and by
 * user name into a verifier's cache, the Kinds' policies keeping others out, certificates that do
 * not validate ignored, and message transport fetching the certificate a signer omitted (§6.3.4).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FetchOutcome } from '../../reload/overlay/overlay-types.js';
import { AbortError } from '../../reload/runtime/components.js';
import { ReloadError } from '../../reload/runtime/reload-error.js';
import type { Signer } from '../../reload/security/signer.js';
import { CertificateCache, type CachedCertificate } from '../../reload/security/certificate-cache.js';
import { fixedWallClock } from '../../reload/security/security-components.js';
import { ManualClock } from '../../reload/testing/manual-clock.js';
import { TestPki } from '../../reload/testing/test-pki.js';
import type { X509Signer } from '../../reload/security/x509-signer.js';
import type { X509Verifier } from '../../reload/security/x509-verifier.js';
import { chordReloadResourceIdHash } from '../../reload/topology/chord/chord-hash.js';
import { ringPosition } from '../../reload/topology/chord/ring.js';
import type { Kind } from '../../reload/wire/config/overlay-configuration.js';
import { KindId } from '../../reload/wire/message-codes.js';
import type { GenericCertificate, Signature, SignerIdentity } from '../../reload/wire/security-block.js';
import { ARRAY_APPEND_INDEX } from '../../reload/wire/storage/stored-data.js';
import { certificateByNodeResourceName, encodeCertificateValue } from '../../reload/wire/storage/kinds/certificate.js';
import { decodeForwardedMessage } from '../../reload/wire/forwarded-message.js';
import { toHex } from '../../reload/wire/codec/hex.js';
import type { MessageTransport } from '../../reload/transport/index.js';
import { deliver, id, lastSent, node, ping, pingAns, setup } from '../../reload/testing/scripted-forwarding.js';
import { omittedUnlessKnown } from '../../reload/testing/test-signatures.js';
import { createChordOverlay, simConfiguration, type ChordOverlay, type SimChordPeer } from '../../sim/chord-overlay.js';
import { nodeHasher } from '../../sim/node-hasher.js';
import { createRealIdentities, type RealIdentities } from '../../sim/testing/real-identities.js';
import { VirtualClock } from '../../sim/virtual-clock.js';
import { CertificateStore, type CertificateStoreInit } from './certificate-store.js';

const PEERS = 8;
/** The overlay's and the peers' Node-IDs' seed: the same ring every run. */
const SEED = 8;
const hash = chordReloadResourceIdHash(nodeHasher);
const certKind = (name: 'CERTIFICATE_BY_NODE' | 'CERTIFICATE_BY_USER', accessControl: Kind['accessControl']) => ({
  kind: { name, dataModel: 'ARRAY', accessControl, maxCount: 8, maxSize: 4096, extensions: [] } as Kind,
});

/** A signer that can leave its certificates out of the SecurityBlock (§6.3.4 "MAY be omitted"). */
class OmittingSigner implements Signer {
  omit = false;
  constructor(readonly inner: X509Signer) {}
  get nodeId() {
    return this.inner.nodeId;
  }
  get userName() {
    return this.inner.userName;
  }
  certificates(): readonly GenericCertificate[] {
    return this.omit ? [] : this.inner.certificates();
  }
  identity(): SignerIdentity {
    return this.inner.identity();
  }
  sign(input: Uint8Array): Promise<Signature> {
    return this.inner.sign(input);
  }
}

describe('Certificate Store Usage (RFC 6940 §8)', () => {
  let o: ChordOverlay;
  let ids: RealIdentities;
  const peers: { p: SimChordPeer; signer: OmittingSigner; verifier: X509Verifier; certs: CertificateStore; lookups: number }[] = [];

  const storeFor = (p: SimChordPeer, verifier: X509Verifier) => new CertificateStore({ overlay: p.peer, resourceIdHash: hash, validator: verifier, clock: o.clock, wallClock: ids.pki.wallClock });

  beforeAll(async () => {
    const clock = new VirtualClock();
    ids = await createRealIdentities({ clock, seed: SEED });
    await ids.prepare(PEERS);
    o = createChordOverlay({
      seed: SEED,
      clock,
      configuration: {
        ...ids.configuration,
        requiredKinds: [...simConfiguration().requiredKinds, certKind('CERTIFICATE_BY_NODE', 'NODE-MATCH'), certKind('CERTIFICATE_BY_USER', 'USER-MATCH')],
      },
    });
    for (let i = 0; i < PEERS; i++) {
      const id = ids.identity(i);
      const signer = new OmittingSigner(id.signer as X509Signer);
      const verifier = id.verifier as X509Verifier;
      const entry = { signer, verifier, lookups: 0 } as (typeof peers)[number];
      // Peer 1 finds omitted certificates through the usage; the others do not.
      const transport = i === 1 ? { certificateSource: (n: Uint8Array) => (entry.lookups++, entry.certs.source()(n)) } : {};
      entry.p = await o.clock.run(o.addPeer({ identity: { signer, verifier }, transport }));
      entry.certs = storeFor(entry.p, verifier);
      peers.push(entry);
    }
    await o.settle(30_000);
  }, 120_000);
  afterAll(() => o?.close());

  it('publishes a certificate under its user name and its Node-ID, once', async () => {
    const a = peers[0]!;
    const written = await o.clock.run(a.certs.publish(a.signer.inner.certificate, a.signer.nodeId));
    expect(written.sort()).toEqual([KindId.CERTIFICATE_BY_NODE, KindId.CERTIFICATE_BY_USER].sort());
    expect(await o.clock.run(a.certs.publish(a.signer.inner.certificate, a.signer.nodeId))).toEqual([]);
  });

  it('finds it by Node-ID and by user name for a verifier that lacks it, and caches it', async () => {
    const a = peers[0]!;
    for (const by of ['node', 'user'] as const) {
      const verifier = ids.identity(5).verifier as X509Verifier; // a fresh verifier: empty cache
      const certs = storeFor(peers[3]!.p, verifier);
      expect(verifier.cache.findByNodeId(a.signer.nodeId)).toEqual([]);
      const found = await o.clock.run(by === 'node' ? certs.byNode(a.signer.nodeId) : certs.byUser(a.signer.userName));
      expect(found?.certificate.der).toEqual(a.signer.inner.certificate.der);
      expect(verifier.cache.findByNodeId(a.signer.nodeId)).toHaveLength(1);
    }
  });

  it('a peer that holds the list itself but no longer the certificate (cache evicted) learns it from the value it holds', async () => {
    const a = peers[0]!;
    const ring = o.live().sort((x, y) => (ringPosition(x.nodeId) < ringPosition(y.nodeId) ? -1 : 1));
    const id = await hash(certificateByNodeResourceName(a.signer.nodeId));
    const holderPeer = ring.find((p) => ringPosition(p.nodeId) >= ringPosition(id)) ?? ring[0]!;
    const holder = peers.find((p) => p.p === holderPeer)!;
    holder.verifier.cache.clear();
    // Its own Fetch is answered locally, with no SecurityBlock: the value's signer is unknown until
    // the certificate in the value is validated to the root.
    const found = await o.clock.run(storeFor(holder.p, holder.verifier).byNode(a.signer.nodeId));
    expect(found?.certificate.der).toEqual(a.signer.inner.certificate.der);
    expect(holder.verifier.cache.findByNodeId(a.signer.nodeId)).toHaveLength(1);
  });

  it('NODE-MATCH keeps others out of a Node-ID\'s list: Error_Forbidden', async () => {
    const [a, b] = peers;
    const resourceId = await hash(certificateByNodeResourceName(a!.signer.nodeId));
    const e = await o.clock.run(b!.p.peer.store(resourceId, KindId.CERTIFICATE_BY_NODE, [{ index: ARRAY_APPEND_INDEX, value: b!.signer.inner.certificate.der }])).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ReloadError);
    expect((e as ReloadError).codeName).toBe('Error_Forbidden');
  });

  it('ignores a certificate in the list that does not validate (another CA), and says none was found', async () => {
    const d = peers[4]!;
    const otherCa = await TestPki.create({ overlay: ids.pki.overlay, keyType: 'ecdsa-p256' });
    const keys = await otherCa.keyPair('ecdsa-p256');
    const foreign = await otherCa.ca.issue({ publicKey: keys.publicKey, nodeIds: [d.signer.nodeId], userName: d.signer.userName });
    const resourceId = await hash(certificateByNodeResourceName(d.signer.nodeId));
    await o.clock.run(d.p.peer.store(resourceId, KindId.CERTIFICATE_BY_NODE, [{ index: ARRAY_APPEND_INDEX, value: foreign }]));
    const verifier = ids.identity(6).verifier as X509Verifier;
    expect(await o.clock.run(storeFor(peers[2]!.p, verifier).byNode(d.signer.nodeId))).toBeUndefined();
    expect(verifier.cache.findByNodeId(d.signer.nodeId)).toEqual([]);
  });

  it('message transport fetches the certificate a signer omitted (§6.3.4), and drops the message without the usage', async () => {
    // A signer whose CERTIFICATE_BY_NODE list another peer holds: a peer that keeps its own list and
    // omits its certificate from its answers cannot be checked at all (the lookup would need itself).
    // Nor may that holder be one of the two whose caches are cleared below: a storing peer sends the
    // certificates of the values it holds from its verifier's cache. Node-IDs are random, so pick the
    // roles from this ring.
    const ring = o.live().sort((x, y) => (ringPosition(x.nodeId) < ringPosition(y.nodeId) ? -1 : 1));
    const responsible = (id: Uint8Array) => ring.find((p) => ringPosition(p.nodeId) >= ringPosition(id)) ?? ring[0]!;
    const withUsage = peers[1]!; // the one peer whose transport has the usage as certificateSource
    let a: (typeof peers)[number] | undefined;
    let without: (typeof peers)[number] | undefined;
    for (const p of peers) {
      if (a || p === withUsage) continue;
      const holder = responsible(await hash(certificateByNodeResourceName(p.signer.nodeId)));
      if (holder === p.p || holder === withUsage.p) continue;
      const other = peers.find((q) => q !== p && q !== withUsage && q.p !== holder);
      if (other) [a, without] = [p, other];
    }
    if (!a) throw new Error('no suitable signer in this ring');
    await o.clock.run(a!.certs.publish(a!.signer.inner.certificate, a!.signer.nodeId));
    const ping = { name: 'ping_req', value: { padding: new Uint8Array(0) } } as const;
    withUsage!.verifier.cache.clear();
    without!.verifier.cache.clear();
    a!.signer.omit = true;
    try {
      const answer = await o.clock.run(a!.p.peer.transport.request([{ kind: 'node', nodeId: withUsage!.signer.nodeId }], ping));
      expect(answer.sender.nodeId).toEqual(withUsage!.signer.nodeId);
      expect(withUsage!.lookups).toBeGreaterThan(0);
      const e = await o.clock.run(a!.p.peer.transport.request([{ kind: 'node', nodeId: without!.signer.nodeId }], ping)).catch((x: unknown) => x);
      expect((e as ReloadError).codeName).toBe('Error_Request_Timeout');
    } finally {
      a!.signer.omit = false;
    }
  }, 60_000);
});

describe('names without a certificate (lookups for §6.3.4 come from messages anyone can send)', () => {
  /** A store over an overlay where every list is empty, counting its Fetches, on a clock the test moves. */
  function emptyOverlay(init?: CertificateStoreInit) {
    const clock = new ManualClock(0);
    let fetches = 0;
    const store = new CertificateStore(
      {
        overlay: {
          store: () => Promise.reject(new Error('not used')),
          fetch: async () => (fetches++, { answer: { kindResponses: [] }, rejected: [] }) as unknown as FetchOutcome,
        },
        resourceIdHash: async (name) => name.subarray(0, 16),
        validator: { cache: new CertificateCache(), addCertificate: () => Promise.reject(new Error('not used')) },
        clock,
        wallClock: fixedWallClock(0),
      },
      init,
    );
    const nodeId = (n: number) => {
      const b = new Uint8Array(16);
      new DataView(b.buffer).setUint32(0, n);
      return b;
    };
    return { clock, store, nodeId, fetches: () => fetches };
  }

  it('remembers one for negativeTtlMs (no Fetch again), and forgets it after', async () => {
    const { clock, store, nodeId, fetches } = emptyOverlay({ negativeTtlMs: 1000 });
    expect(await store.byNode(nodeId(1))).toBeUndefined();
    expect(await store.byNode(nodeId(1))).toBeUndefined();
    expect(fetches()).toBe(1);
    clock.advance(1000);
    expect(await store.byNode(nodeId(1))).toBeUndefined();
    expect(fetches()).toBe(2);
  });

  it('keeps at most maxMissing, forgetting the oldest first', async () => {
    const { store, nodeId, fetches } = emptyOverlay({ maxMissing: 3 });
    for (let i = 1; i <= 4; i++) await store.byNode(nodeId(i));
    expect(store.missingCount).toBe(3);
    await store.byNode(nodeId(4));
    expect(fetches()).toBe(4);
    await store.byNode(nodeId(1)); // forgotten: fetched again
    expect(fetches()).toBe(5);
  });

  it('drops expired ones as new ones come: a stream of new names holds only those of the last negativeTtlMs', async () => {
    const { clock, store, nodeId } = emptyOverlay({ negativeTtlMs: 30_000 });
    for (let i = 0; i < 20_000; i++) {
      await store.byNode(nodeId(i));
      clock.advance(10);
    }
    expect(store.missingCount).toBeLessThanOrEqual(30_000 / 10);
  });
});

describe('one Fetch per name, shared by the callers waiting for it', () => {
  /** A store whose Fetches wait for `answer()` (an empty list) and reject when their signal aborts. */
  function heldOverlay() {
    const waiting: { answer: () => void; signal?: AbortSignal }[] = [];
    const store = new CertificateStore({
      overlay: {
        store: () => Promise.reject(new Error('not used')),
        fetch: (_id, _kinds, options) =>
          new Promise<FetchOutcome>((resolve, reject) => {
            const signal = options?.signal;
            signal?.addEventListener('abort', () => reject(new AbortError('fetch aborted')));
            waiting.push({ answer: () => resolve({ answer: { kindResponses: [] }, rejected: [] } as unknown as FetchOutcome), signal });
          }),
      },
      resourceIdHash: async (name) => name.subarray(0, 16),
      validator: { cache: new CertificateCache(), addCertificate: () => Promise.reject(new Error('not used')) },
      clock: new ManualClock(0),
      wallClock: fixedWallClock(0),
    });
    return { store, waiting };
  }
  const NODE = new Uint8Array(16).fill(7);
  /** Lets the store's hash and Fetch calls run. */
  const settle = async () => {
    for (let i = 0; i < 10; i++) await Promise.resolve();
  };

  it('a caller that gives up (its signal aborts) leaves the Fetch to the others', async () => {
    const { store, waiting } = heldOverlay();
    const first = new AbortController();
    const a = store.byNode(NODE, { signal: first.signal }).catch((e: unknown) => e);
    const b = store.byNode(NODE);
    await settle();
    expect(waiting).toHaveLength(1);
    first.abort();
    expect(await a).toBeInstanceOf(AbortError);
    expect(waiting[0]!.signal?.aborted).toBe(false);
    waiting[0]!.answer();
    expect(await b).toBeUndefined();
  });

  it('the Fetch is aborted when every caller waiting for it has given up', async () => {
    const { store, waiting } = heldOverlay();
    const [x, y] = [new AbortController(), new AbortController()];
    const a = store.byNode(NODE, { signal: x.signal }).catch((e: unknown) => e);
    const b = store.byNode(NODE, { signal: y.signal }).catch((e: unknown) => e);
    await settle();
    expect(waiting).toHaveLength(1);
    x.abort();
    expect(waiting[0]!.signal?.aborted).toBe(false);
    y.abort();
    expect(waiting[0]!.signal?.aborted).toBe(true);
    expect(await a).toBeInstanceOf(AbortError);
    expect(await b).toBeInstanceOf(AbortError);
    // The next caller starts a Fetch of its own.
    const c = store.byNode(NODE);
    await settle();
    expect(waiting).toHaveLength(2);
    waiting[1]!.answer();
    expect(await c).toBeUndefined();
  });

  /** The Fetches still running (their signal not aborted). */
  const runningOf = (waiting: ReturnType<typeof heldOverlay>['waiting']) => waiting.filter((w) => !w.signal?.aborted).length;

  it('the transport\'s lookup (source) neither replaces the shared Fetch nor is joined: a byNode caller after an abandoned lookup joins the Fetch already running', async () => {
    const { store, waiting } = heldOverlay();
    const shared = store.byNode(NODE);
    await settle();
    const lookup = new AbortController();
    const found = store.source()(NODE, { signal: lookup.signal }).catch((e: unknown) => e);
    await settle();
    expect(waiting).toHaveLength(2); // the lookup's Fetch of its own
    lookup.abort();
    expect(await found).toBeInstanceOf(AbortError);
    const later = store.byNode(NODE);
    await settle();
    expect(waiting).toHaveLength(2);
    expect(runningOf(waiting)).toBe(1);
    waiting[0]!.answer();
    expect(await shared).toBeUndefined();
    expect(await later).toBeUndefined();
  });

  it('lookups restarted again and again, each while a byNode caller with no signal waits, leave one shared Fetch running, not one per restart', async () => {
    const { store, waiting } = heldOverlay();
    const callers: Promise<unknown>[] = [];
    for (let i = 0; i < 5; i++) {
      const lookup = new AbortController(); // the transport's lookup, preempted or timed out below
      callers.push(store.source()(NODE, { signal: lookup.signal }).catch((e: unknown) => e));
      await settle();
      callers.push(store.byNode(NODE));
      await settle();
      lookup.abort();
    }
    expect(runningOf(waiting)).toBe(1);
    for (const w of waiting) w.answer();
    await Promise.all(callers);
  });
});

describe('the transport\'s lookup (source) never waits for a Fetch another caller started (§6.3.4)', () => {
  it('a message whose signer omitted its certificate, while another caller\'s Fetch of that certificate runs and the signer answers it without the certificate, is verified by a Fetch of its own: no deadlock until the lookup\'s timeout', async () => {
    const signer = new Uint8Array(16).fill(0x5a);
    const holder = id(0xd0); // the peer that holds the signer's CERTIFICATE_BY_NODE list (§8)
    const known = new Set([toHex(holder)]);
    let transport!: MessageTransport;
    // The usage's Fetch over the transport (one pending request, to the list's Resource-ID); every
    // list holds one certificate, of `signer`, which the validator accepts.
    const certs = new CertificateStore({
      overlay: {
        store: () => Promise.reject(new Error('not used')),
        fetch: async (resource, _kinds, options) => {
          if (typeof resource === 'string') throw new Error('the store fetches by Resource-ID');
          await transport.request([{ kind: 'resource', resourceId: resource }], ping, options);
          const value = { model: 'array', arrayEntry: { index: 0, value: { exists: true, value: encodeCertificateValue(Uint8Array.of(0x30, 0)) } } };
          return { answer: { kindResponses: [{ kind: KindId.CERTIFICATE_BY_NODE, generation: 1n, values: [{ value }] }] }, rejected: [] } as unknown as FetchOutcome;
        },
      },
      resourceIdHash: async (name) => name.subarray(0, 16),
      validator: {
        cache: new CertificateCache(),
        addCertificate: async () => {
          known.add(toHex(signer));
          return { certificate: { nodeIds: [signer] } } as unknown as CachedCertificate;
        },
      },
      clock: new ManualClock(0),
      wallClock: fixedWallClock(0),
    });
    const t = setup({ certificateSource: certs.source() }, omittedUnlessKnown(known));
    transport = t.transport;
    const { clock, fwd } = t;
    transport.handle('ping_req', () => ({ value: { responseId: 1n, time: 0n } }));
    const requestIds = () => fwd.sent.map((m) => decodeForwardedMessage(m)).filter((m) => m.messageContents.messageCode % 2 === 1).map((m) => m.forwardingHeader.transactionId);
    // Another caller (an application checking a peer) fetches the signer's certificate first.
    const other = certs.byNode(signer);
    await clock.advance(0);
    const [earlier] = requestIds();
    // The signer's request comes, its certificate omitted: the transport looks the signer up.
    await deliver(fwd, { from: id(0xb0), signer, transactionId: 0x42n, header: { viaList: [node(signer)] }, body: ping });
    await clock.advance(0);
    // The signer answers the other caller's Fetch, its certificate omitted: that answer waits for the lookup.
    await deliver(fwd, { from: signer, signer, transactionId: earlier!, body: pingAns() });
    await clock.advance(0);
    // The lookup's own Fetch (any request but the other caller's), answered by the holder, finds the
    // certificate at once: the signer's request is answered, before any timeout.
    for (const transactionId of requestIds().filter((x) => x !== earlier)) await deliver(fwd, { from: holder, transactionId, body: pingAns() });
    await clock.advance(0);
    expect(lastSent(fwd).body.name).toBe('ping_ans');
    expect((await clock.run(other))?.certificate.nodeIds).toEqual([signer]);
    expect(transport.stats()).toMatchObject({ droppedBadSignature: 0, inboundInProgress: 0 });
    transport.close();
  });
});
