/**
 * Identity and trust in the real compositions (compose-peer.ts, overlay-client.ts,
 * chordphone-server.ts) on one in-memory network with real certificates from the server's
 * enrollment: every peer stores its certificate after joining (RFC 6940 §8); a message signed
 * without its certificate (§6.3.4 "MAY be omitted") is verified after the §8 lookup and dropped
 * when there is nothing to find; a peer holding an older configuration is sent the newer one in
 * a ConfigUpdate by `chordphone serve` (§6.3.2.1, §6.5.4) and joins again with it, same identity;
 * a joined peer sent a newer one restarts with it (same identity and storage) and joins again;
 * the server keeps a newer document of its own signer in its data directory.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { systemWallClock } from '../../platform/system-clock.js';
import { MemoryKeyStore } from '../../reload/security/key-store.js';
import { signConfigurationDocument } from '../../reload/security/configuration-signer.js';
import { X509Signer } from '../../reload/security/x509-signer.js';
import { createMemoryBackend } from '../../reload/storage/memory-backend.js';
import { chordReloadResourceIdHash } from '../../reload/topology/chord/chord-hash.js';
import { webCryptoHasher } from '../../platform/web-crypto.js';
import { bytesEqual, toHex } from '../../reload/wire/codec/hex.js';
import { OVERLAY_CONFIGURATION_MEDIA_TYPE } from '../../reload/wire/config/overlay-configuration.js';
import { KindId } from '../../reload/wire/message-codes.js';
import { ConfigUpdateType } from '../../reload/wire/methods/config-update.js';
import { ANY_CONFIGURATION_SEQUENCE } from '../../reload/transport/index.js';
import { certificateByNodeResourceName, certificateByUserResourceName, decodeCertificateValue } from '../../reload/wire/storage/kinds/certificate.js';
import { dataValueOf } from '../../reload/wire/storage/stored-data.js';
import type { ChordphoneServer } from '../../server/chordphone-server.js';
import { CONFIG_FILE } from '../../server/overlay-document.js';
import { ServerIdentity } from '../../server/server-identity.js';
import { memoryNodeNetwork } from '../../server/testing/memory-node-network.js';
import { CHORDPHONE_KINDS } from './chordphone-kinds.js';
import { composePeer, peerSecurity, type ComposedPeer, type PeerSecurity } from './compose-peer.js';
import { fetchConfiguration } from './configuration-fetch.js';
import { joinOverlay, type JoinedOverlay, type OverlayClientDeps } from './overlay-client.js';
import { clientDeps, type MemoryNet } from './testing/client-deps.js';
import { serverSite, type ServerSite } from './testing/server-site.js';
import { obtainPeerIdentity } from './peer-identity.js';

const hash = chordReloadResourceIdHash(webCryptoHasher);

let site: ServerSite;
beforeAll(async () => {
  site = await serverSite('chordphone-trust-');
});
afterAll(async () => {
  await site?.close();
});

/** Deps whose storage and network say (in `events`) when they are closed. */
function closeTracking(events: string[]): Partial<OverlayClientDeps> {
  return {
    openStorage: async () => {
      const backend = createMemoryBackend();
      const close = backend.close.bind(backend);
      backend.close = () => (events.push('storage closed'), close());
      return backend;
    },
    wrapNetwork: (network) => ({ ...network, close: () => (events.push('network closed'), network.close()) }),
  };
}

/** The certificates (DER) stored in one §8 list, as another peer fetches them. */
async function listed(peer: ComposedPeer, kind: number, name: Uint8Array): Promise<Uint8Array[]> {
  const { answer } = await peer.fetch(await hash(name), [{ kind }]);
  return answer.kindResponses.flatMap((r) => r.values.map((d) => dataValueOf(d.value))).flatMap((v) => (v.exists ? [decodeCertificateValue(v.value)] : []));
}

describe('certificates in the real compositions (RFC 6940 §8, §6.3.4)', () => {
  let server: ChordphoneServer;
  let net: MemoryNet;
  const closers: (() => void)[] = [];

  beforeAll(async () => {
    net = memoryNodeNetwork();
    server = await site.start(site.init('certs', net, { extraPeers: 2 }));
  }, 60_000);
  afterAll(async () => {
    for (const c of closers) c();
    await site.closeServers();
  });

  /** A peer composed with compose-peer.ts whose signer can leave its certificates out of SecurityBlocks. */
  async function omittingPeer(name: string): Promise<{ peer: ComposedPeer; omit: (on: boolean) => void }> {
    const deps = { crypto: globalThis.crypto, wallClock: systemWallClock, fetch: (url: string, init?: RequestInit) => fetch(url, init), keyStore: new MemoryKeyStore() };
    const fetched = await fetchConfiguration(deps, server.localUrl);
    const identity = await obtainPeerIdentity(deps, { configuration: fetched.configuration, configurationUrl: fetched.url, credentialsName: name, userName: () => name });
    const security = await peerSecurity(fetched.configuration, identity);
    let omitting = false;
    // The real signer, except that `certificates()` may say none (§6.3.4 "MAY be omitted").
    const signer = Object.create(security.signer, { certificates: { value: () => (omitting ? [] : security.signer.certificates()) } }) as X509Signer;
    const own = { signer, verifier: security.verifier };
    const peer = await composePeer({ configuration: fetched.configuration, configurationDocument: fetched.xml, security: own, network: await net({ security: own, configuration: fetched.configuration, iceServers: [] }), storage: createMemoryBackend() });
    closers.push(() => peer.close());
    await peer.join(server.bootstrapUrls[0]!);
    return { peer, omit: (on) => (omitting = on) };
  }

  it('the server’s peers and a joined client store their certificates under CERTIFICATE_BY_NODE and CERTIFICATE_BY_USER', async () => {
    const joined = await joinOverlay(clientDeps(net), { serverUrl: server.localUrl, userName: () => 'carla', bootstrap: [server.bootstrapUrls[0]!] });
    closers.push(() => joined.close());
    expect(await joined.certificatePublished).toBe(true);
    const reader = server.peers[2]!.peer;
    for (const p of [...server.peers.map((s) => s.peer), joined.peer]) {
      const der = (await listed(reader, KindId.CERTIFICATE_BY_NODE, certificateByNodeResourceName(p.nodeId)))[0];
      expect(der, `certificate of ${toHex(p.nodeId)}`).toBeDefined();
      const byUser = await listed(reader, KindId.CERTIFICATE_BY_USER, certificateByUserResourceName(p.userName));
      expect(byUser.some((d) => bytesEqual(d, der!))).toBe(true);
    }
    // Publishing again appends nothing (the certificate is already in both lists).
    expect(await joined.peer.publishCertificate()).toEqual([]);
  }, 60_000);

  // The join opened the records (in the browser an IndexedDB connection, in Node a SQLite file held
  // until closed): closing what it joined closes them too, after the peer (recordsClosed; close()
  // itself waits only for the peer in a tab, and for the records too with closeAwaitsRecords, the
  // Node platform's, so another `chordphone peer` over the directory is not left behind an open file).
  it('close closes the peer, then the records its join opened, once', async () => {
    const events: string[] = [];
    const joined = await joinOverlay(clientDeps(net, [], closeTracking(events)), { serverUrl: server.localUrl, userName: () => 'cora', bootstrap: [server.bootstrapUrls[0]!] });
    closers.push(() => joined.close());
    expect(events).toEqual([]);
    await joined.close();
    expect(events).toEqual(['network closed']);
    await joined.close();
    await joined.recordsClosed;
    expect(events).toEqual(['network closed', 'storage closed']);
  }, 60_000);

  it('a configuration altered on the way is refused before anything of it is kept or any network made (§11.1)', async () => {
    const keyStore = new MemoryKeyStore();
    const asked: string[] = [];
    const made: string[] = [];
    const tampering = async (url: string, init?: RequestInit): Promise<Response> => {
      asked.push(new URL(url).pathname);
      const response = await fetch(url, init);
      if (!url.endsWith('/.well-known/reload-config')) return response;
      const xml = await response.text();
      const altered = xml.replace(/sequence="(\d+)"/, (_, n: string) => `sequence="${Number(n) + 1}"`);
      expect(altered).not.toBe(xml);
      return new Response(altered, { status: 200 });
    };
    const deps = clientDeps(net, [], {
      fetch: tampering,
      keyStore,
      prepareNetwork: () => void made.push('prepared'),
      createNetwork: () => {
        made.push('network');
        throw new Error('no network may be made');
      },
    });
    await expect(joinOverlay(deps, { serverUrl: server.localUrl, userName: () => 'mallory-target', bootstrap: [server.bootstrapUrls[0]!] })).rejects.toThrow(/was refused/);
    // The identity work that ran beside the verification (perhaps an enrollment) has ended: nothing is kept.
    await new Promise((r) => setTimeout(r, 1_000));
    expect(asked[0]).toBe('/.well-known/reload-config');
    expect(await keyStore.load(server.document.configuration.instanceName)).toBeUndefined();
    expect(made).toEqual([]);
  }, 60_000);

  it('joins while the new credentials are saved; when they cannot be kept it is not joined and leaves the ring (§10.9)', async () => {
    const keyStore = new MemoryKeyStore();
    const saving: string[] = [];
    keyStore.save = async (name) => {
      saving.push(name);
      await new Promise((r) => setTimeout(r, 50));
      throw new Error('QuotaExceededError: the key store is full');
    };
    const composed: PeerSecurity[] = [];
    const phases: string[] = [];
    const events: string[] = [];
    const attempt = joinOverlay(clientDeps(net, composed, { keyStore, ...closeTracking(events) }), { serverUrl: server.localUrl, userName: () => 'quota-victim', bootstrap: [server.bootstrapUrls[0]!], onPhase: (p) => phases.push(p) });
    await expect(attempt).rejects.toThrow('QuotaExceededError');
    expect(saving).toEqual([server.document.configuration.instanceName]);
    // The join ran while the credentials were being saved (a network was made), but never said joined.
    expect(composed).toHaveLength(1);
    expect(phases).toContain('joining');
    expect(phases).not.toContain('joined');
    const gone = composed[0]!.signer.nodeId;
    const listed = () => server.peers.some(({ peer }) => [...peer.status().predecessors, ...peer.status().successors].some((n) => bytesEqual(n, gone)));
    await vi.waitFor(() => expect(listed()).toBe(false), { timeout: 5_000, interval: 50 });
    // Not joined: the records the join opened are closed, after its peer.
    await vi.waitFor(() => expect(events).toEqual(['network closed', 'storage closed']), { timeout: 5_000, interval: 50 });
  }, 60_000);

  it('aborted after the join while the credentials are still being saved: not joined, and it leaves the ring', async () => {
    const keyStore = new MemoryKeyStore();
    let saved!: () => void;
    const saving = new Promise<void>((r) => (saved = r));
    const save = keyStore.save.bind(keyStore);
    keyStore.save = async (...args) => {
      await saving;
      return save(...args);
    };
    const composed: PeerSecurity[] = [];
    const phases: string[] = [];
    const abort = new AbortController();
    const attempt = joinOverlay(clientDeps(net, composed, { keyStore }), { serverUrl: server.localUrl, userName: () => 'abort-victim', bootstrap: [server.bootstrapUrls[0]!], onPhase: (p) => phases.push(p), signal: abort.signal });
    attempt.catch(() => undefined);
    const listed = () => composed.length > 0 && server.peers.some(({ peer }) => [...peer.status().predecessors, ...peer.status().successors].some((n) => bytesEqual(n, composed[0]!.signer.nodeId)));
    // Admitted (its neighbours list it) while its key is still being saved; then the caller gives up.
    await vi.waitFor(() => expect(listed()).toBe(true), { timeout: 20_000, interval: 50 });
    abort.abort(new Error('the page went away'));
    saved();
    await expect(attempt).rejects.toThrow('the page went away');
    expect(phases).not.toContain('joined');
    await vi.waitFor(() => expect(listed()).toBe(false), { timeout: 5_000, interval: 50 });
  }, 60_000);

  it('a message signed without its certificate is verified after the §8 lookup; one whose certificate was never stored is dropped', async () => {
    const securities: PeerSecurity[] = [];
    const vera = await joinOverlay(clientDeps(net, securities), { serverUrl: server.localUrl, userName: () => 'vera', bootstrap: [server.bootstrapUrls[0]!] });
    closers.push(() => vera.close());
    const cache = securities[0]!.verifier.cache;
    // Vera's Fetches (her transport's lookups go through her §8 usage's source, which fetches by her peer).
    const fetches = vi.spyOn(vera.peer, 'fetch');
    const lookedUp = async (nodeId: Uint8Array) => fetches.mock.calls.map(([r]) => (typeof r === 'string' ? r : toHex(r))).includes(toHex(await hash(certificateByNodeResourceName(nodeId))));
    const sven = await omittingPeer('sven'); // never publishes
    // A peer that omits its certificate cannot be looked up where it answers the Fetch of its own
    // CERTIFICATE_BY_NODE itself (that answer needs the certificate): take one another peer answers for.
    let olga: Awaited<ReturnType<typeof omittingPeer>> | undefined;
    for (let i = 0; !olga && i < 6; i++) {
      const candidate = await omittingPeer(`olga${i}`);
      expect((await candidate.peer.publishCertificate()).sort()).toEqual([KindId.CERTIFICATE_BY_NODE, KindId.CERTIFICATE_BY_USER].sort());
      const { responder } = await vera.peer.fetch(await hash(certificateByNodeResourceName(candidate.peer.nodeId)), [{ kind: KindId.CERTIFICATE_BY_NODE }]);
      if (bytesEqual(responder, candidate.peer.nodeId) || bytesEqual(responder, sven.peer.nodeId)) continue;
      olga = candidate;
    }
    if (!olga) throw new Error('no peer whose certificate another peer holds');
    // Let replication of Olga's certificate settle, then have both leave their certificates out and
    // make Vera forget whatever their earlier messages (with certificates) taught her. Only the three
    // of them must be quiet first: a retransmission by Olga or Sven carries the certificate it was
    // signed with, and so does an answer of theirs to a request of Vera's, re-sent from their answer
    // caches. The server's peers are left out: what they have in flight (up to a whole transaction
    // lifetime, §6.2.1, to the peer the test before removed) cannot teach Vera a certificate, and on
    // a loaded machine it kept one of them busy past the wait.
    const quiet = [vera.peer, sven.peer, olga.peer];
    await vi.waitFor(() => expect(quiet.map((p) => p.stats().transport.pendingRequests)).toEqual([0, 0, 0]), { timeout: 20_000, interval: 50 });
    olga.omit(true);
    sven.omit(true);
    for (const p of [olga.peer, sven.peer]) for (const c of cache.findByNodeId(p.nodeId)) cache.remove(c.certHash);
    fetches.mockClear();

    const ping = (from: ComposedPeer) =>
      from.transport.request([{ kind: 'node', nodeId: vera.peer.nodeId }], { name: 'ping_req', value: { padding: new Uint8Array() } }, { signal: AbortSignal.timeout(4_000) });
    const answer = await ping(olga.peer);
    expect(answer.value.responseId).toBeTypeOf('bigint');
    // Vera looked Olga up by Node-ID (CERTIFICATE_BY_NODE) and now holds her certificate.
    expect(await lookedUp(olga.peer.nodeId)).toBe(true);
    expect(cache.findByNodeId(olga.peer.nodeId).map((c) => c.certificate.userName)).toEqual([olga.peer.userName]);

    const dropped = vera.peer.stats().transport.droppedBadSignature;
    await expect(ping(sven.peer)).rejects.toThrow();
    expect(await lookedUp(sven.peer.nodeId)).toBe(true);
    expect(cache.findByNodeId(sven.peer.nodeId)).toEqual([]);
    expect(vera.peer.stats().transport.droppedBadSignature).toBeGreaterThan(dropped);
  }, 60_000);
});

describe('a newer configuration from chordphone serve (RFC 6940 §6.3.2.1, §6.5.4)', () => {
  const clients: JoinedOverlay[] = [];
  afterAll(async () => {
    for (const c of clients) c.close();
    await site.closeServers();
  });

  it('a client holding an older document is sent the newer one in a ConfigUpdate and joins with it, same identity, and keeps it', async () => {
    const net = memoryNodeNetwork();
    const base = site.init('config', net);
    const first = await site.start(base);
    const old = first.document;
    await first.close();
    // The configuration changed (an ICE server added): the restarted server publishes sequence + 1.
    const server = await site.start({ ...base, extraPeers: 1, iceServers: [{ urls: 'stun:192.0.2.1:3478' }] });
    expect(server.document.configuration.sequence).toBe((old.configuration.sequence ?? 0) + 1);

    const saved: string[] = [];
    const staleFetch = async (url: string, init?: RequestInit) =>
      url.endsWith('/.well-known/reload-config') ? new Response(old.xml, { headers: { 'content-type': OVERLAY_CONFIGURATION_MEDIA_TYPE } }) : fetch(url, init);
    const joined = await joinOverlay(
      clientDeps(net, [], { fetch: staleFetch, saveConfiguration: async (xml) => void saved.push(xml) }),
      { serverUrl: server.localUrl, userName: () => 'dora', bootstrap: [server.bootstrapUrls[0]!] },
    );
    clients.push(joined);
    expect(joined.fetched.configuration.sequence).toBe(old.configuration.sequence);
    expect(joined.configuration.sequence).toBe(server.document.configuration.sequence);
    expect(saved).toEqual([server.document.xml]);
    expect(joined.peer.status().joined).toBe(true);
    expect(toHex(joined.peer.nodeId)).toBe(toHex(joined.identity.certificate.nodeIds[0]!));
    // The server's peers refuse requests of the old sequence: store and fetch work, so the peer runs the new one.
    await joined.peer.store(joined.peer.userName, CHORDPHONE_KINDS.note, [{ value: new TextEncoder().encode('hi') }]);
    const got = await server.peers[1]!.peer.fetch(joined.peer.userName, [{ kind: CHORDPHONE_KINDS.note }]);
    expect(got.answer.kindResponses[0]?.values.length).toBe(1);
    expect(await joined.certificatePublished).toBe(true);
  }, 60_000);

  it('a joined client sent a newer document restarts with it: same identity, joined again through the same bootstrap, told by onRestart', async () => {
    const net = memoryNodeNetwork();
    const base = site.init('restart', net);
    const first = await site.start(base);
    const port = Number(new URL(first.localUrl).port);
    const saved: string[] = [];
    const restarts: JoinedOverlay[] = [];
    let storages = 0;
    const closedStorages: number[] = [];
    const openStorage = async () => {
      const n = storages++;
      const backend = createMemoryBackend();
      const close = backend.close.bind(backend);
      backend.close = () => (closedStorages.push(n), close());
      return backend;
    };
    const join1 = (name: string) =>
      joinOverlay(clientDeps(net, [], { saveConfiguration: async (xml) => void saved.push(xml), openStorage }), {
        serverUrl: first.localUrl,
        userName: () => name,
        bootstrap: [first.bootstrapUrls[0]!],
        onRestart: (j) => restarts.push(j),
      });
    const cleo = await join1('cleo');
    const dave = await join1('dave');
    clients.push(cleo, dave);
    const before = cleo.peer;
    await first.close();
    // The server comes back on the same address with a changed configuration (sequence + 1).
    const server = await site.start({ ...base, port, extraPeers: 1, iceServers: [{ urls: 'stun:192.0.2.1:3478' }] });
    const doc = server.document;
    expect(doc.configuration.sequence).toBe((cleo.configuration.sequence ?? 0) + 1);
    // Dave (still on the old overlay with Cleo) hands it on in a ConfigUpdate (§6.5.4).
    await dave.peer.transport.request(
      [{ kind: 'node', nodeId: cleo.peer.nodeId }],
      { name: 'config_update_req', value: { type: ConfigUpdateType.config, configData: new TextEncoder().encode(doc.xml) } },
      { configurationSequence: ANY_CONFIGURATION_SEQUENCE },
    );
    await vi.waitFor(() => expect(restarts).toHaveLength(1), { timeout: 20_000, interval: 100 });
    expect(restarts[0]).toBe(cleo);
    expect(cleo.peer).not.toBe(before);
    expect(cleo.configuration.sequence).toBe(doc.configuration.sequence);
    expect(saved).toEqual([doc.xml]);
    expect(toHex(cleo.peer.nodeId)).toBe(toHex(before.nodeId));
    expect(storages).toBe(2); // one each for Cleo and Dave: the restart kept Cleo's records
    expect(cleo.peer.status().joined).toBe(true);
    expect(await cleo.certificatePublished).toBe(true);
    await cleo.peer.store(cleo.peer.userName, CHORDPHONE_KINDS.note, [{ value: new TextEncoder().encode('after') }]);
    const got = await server.peers[1]!.peer.fetch(cleo.peer.userName, [{ kind: CHORDPHONE_KINDS.note }]);
    expect(got.answer.kindResponses[0]?.values.length).toBe(1);
    // The restart passed Cleo's records on to the new peer; closing Cleo closes them, once.
    expect(closedStorages).toEqual([]);
    await cleo.close();
    await cleo.recordsClosed;
    expect(closedStorages).toEqual([0]);
  }, 60_000);

  it('a server peer sent a newer document by its own configuration signer keeps it, and the next start continues from its sequence', async () => {
    const net = memoryNodeNetwork();
    const base = site.init('restored', net, { extraPeers: 1 });
    const server = await site.start(base);
    const c = server.document.configuration;
    const sequence = (c.sequence ?? 0) + 1;
    // Signed as the server signs (its own peer's key on disk): what a newer run of it published.
    const identity = await ServerIdentity.open({ crypto: globalThis.crypto }, { dataDir: base.dataDir, overlay: c.instanceName });
    const own = await identity.peer('server');
    const signer = await X509Signer.create({ crypto: globalThis.crypto }, { privateKey: own.keys.privateKey, certificates: own.certificates, overlay: c.instanceName });
    const xml = await signConfigurationDocument({ configurations: [{ ...c, sequence, signatures: [] }] }, signer, { kindSigner: signer });
    await server.peers[1]!.peer.transport.request(
      [{ kind: 'node', nodeId: server.peers[0]!.peer.nodeId }],
      { name: 'config_update_req', value: { type: ConfigUpdateType.config, configData: new TextEncoder().encode(xml) } },
      { configurationSequence: ANY_CONFIGURATION_SEQUENCE },
    );
    await vi.waitFor(async () => expect(await readFile(join(base.dataDir, CONFIG_FILE), 'utf8')).toBe(xml), { timeout: 5_000, interval: 50 });
    await server.close();
    // Same address, so nothing else changed: the stored (newer) sequence is kept, not reissued below it.
    const again = await site.start({ ...base, port: Number(new URL(server.localUrl).port) });
    expect(again.document.configuration.sequence).toBe(sequence);
  }, 60_000);
});
