/**
 * TESTS ONLY: a real overlay for AppAttach and usage tests (SIP, phone): N full RELOAD peers
 * (createOverlayPeer) with real X.509 certificates from a TestPki (ECDSA P-256, real signatures on
 * every message and stored value), on one in-memory network with application channels (memory
 * AppChannelNetwork + AppAttachService per peer), driven by the system clock so that code with its
 * own timers (JsSIP) runs alongside. Named users get certificates for `name@<overlay>`, so a user
 * may store under its own name (USER-MATCH, USER-NODE-MATCH).
 *
 * ```ts
 * const f = await buildAppOverlay({ peers: 12, users: ['alice', 'bob'], requiredKinds: [...] });
 * const alice = f.user('alice');       // { peer, apps, aor, nodeId, ... }
 * f.close();
 * ```
 */
import { MemoryNetwork } from '../../links/memory/index.js';
import { createMemoryAppChannels } from '../../links/memory/memory-app-channels.js';
import type { AppChannelNetwork } from '../../links/app-channel.js';
import type { Link } from '../../links/link.js';
import { AppAttachService } from '../app-attach-service.js';
import { createOverlayPeer, overlayHashOf } from '../overlay-peer.js';
import type { OverlayPeer } from '../overlay-types.js';
import { createMemoryBackend, type KindRule, type StorageBackend } from '../../storage/index.js';
import { TestPki, testRandom } from '../../testing/test-pki.js';
import type { Configuration, KindBlock } from '../../wire/config/overlay-configuration.js';
import type { NodeId } from '../../wire/ids.js';
import { ApplicationId } from '../../wire/methods/app-attach.js';
import type { Clock } from '../../runtime/components.js';
import { webHasher } from '../../testing/web-hasher.js';

/** Real time (tests only: production code gets its Clock injected from platform/). */
export const realClock: Clock = {
  now: () => performance.now(),
  setTimer(ms, fn) {
    const t = setTimeout(fn, Math.max(0, ms));
    return { cancel: () => clearTimeout(t) };
  },
};

export interface AppOverlayPeer {
  readonly index: number;
  readonly name: string;
  /** `sip:name@overlay`. */
  readonly aor: string;
  readonly address: string;
  readonly nodeId: NodeId;
  readonly peer: OverlayPeer;
  readonly apps: AppAttachService;
  /** The peer's storage backend, to see what it holds as a storing peer. */
  readonly storage: StorageBackend;
  joined: boolean;
}

export interface AppOverlay {
  readonly domain: string;
  readonly network: MemoryNetwork;
  readonly configuration: Configuration;
  readonly peers: AppOverlayPeer[];
  /** The first peer with user name `name` (created by `buildAppOverlay` or `addUser`). */
  user(name: string): AppOverlayPeer;
  /** Another peer for user `name` (a second device of the same user), joined. */
  addUser(name: string): Promise<AppOverlayPeer>;
  /** Leave (§10.9) and close the peer and its channels. */
  leave(p: AppOverlayPeer): Promise<void>;
  close(): void;
}

export interface AppOverlayInit {
  /** Peers in all (users included); default 12. */
  readonly peers?: number;
  /** User names that get their own peer; default none. */
  readonly users?: readonly string[];
  /** One-way latency of the memory network, ms; default 1. */
  readonly latencyMs?: number;
  /** The overlay's Kinds (§11.1 required-kinds). */
  readonly requiredKinds?: readonly KindBlock[];
  /** Applications the peers accept AppAttaches for; default [5060]. */
  readonly applications?: readonly number[];
  /** The peers' application channels; default the memory network's (memory-app-channels.ts). */
  readonly appChannels?: (peer: { readonly nodeId: NodeId; readonly address: string }) => AppChannelNetwork;
  /** The usages' KindRules of the configuration, given to every peer (OverlayPeerInit.kindRules). */
  readonly kindRules?: (configuration: Configuration) => readonly KindRule[];
}

export async function buildAppOverlay(init: AppOverlayInit = {}): Promise<AppOverlay> {
  const pki = await TestPki.create();
  const domain = pki.overlay;
  const configuration = pki.configuration({ requiredKinds: [...(init.requiredKinds ?? [])] });
  const overlayHash = await overlayHashOf(configuration.instanceName, webHasher);
  const kindRules = init.kindRules?.(configuration);
  const network = new MemoryNetwork({ clock: realClock, random: testRandom }, { model: { latencyMs: init.latencyMs ?? 1 } });
  const directory = new Map<string, NodeId>(); // host → Node-ID (overlay link and app channels alike)
  const host = (address: string) => address.replace(/:\d+$/, '');
  const peers: AppOverlayPeer[] = [];
  const keys = await pki.keyPair('ecdsa-p256');
  const applications = init.applications ?? [ApplicationId.SIP];

  const create = async (name: string): Promise<AppOverlayPeer> => {
    const index = peers.length;
    const address = `10.1.${(index >> 8) & 255}.${(index & 255) + 1}:6084`;
    const testPeer = await pki.peer(`${name}@${domain}`, { keyType: 'ecdsa-p256', keys });
    const signer = await testPeer.signer();
    const nodeId = signer.nodeId;
    directory.set(host(address), nodeId);
    let inbound: ((link: Link) => void) | undefined;
    const endpoint = network.listen(address, (link) => (inbound ? inbound(link) : link.close()));
    const appChannels = init.appChannels
      ? init.appChannels({ nodeId, address })
      : createMemoryAppChannels(network, { address, authenticate: (a) => directory.get(host(a)), applications });
    const storage = createMemoryBackend();
    const peer = createOverlayPeer(
      {
        clock: realClock,
        random: testRandom,
        hasher: webHasher,
        signer,
        verifier: pki.verifier(),
        network: {
          address,
          linkFactory: endpoint.linkFactory,
          onInbound: (l) => (inbound = l),
          authenticate: (link) => directory.get(host(link.remoteAddress)),
          close: () => endpoint.close(),
          appChannels,
        },
        storage,
        epochClock: () => pki.wallClock.epochMs() + performance.now(),
      },
      { configuration, overlayHash, ...(kindRules ? { kindRules } : {}) },
    );
    const apps = new AppAttachService({ transport: peer.transport, network: appChannels, clock: realClock }, { applications });
    const entry: AppOverlayPeer = { index, name, aor: `sip:${name}@${domain}`, address, nodeId, peer, apps, storage, joined: false };
    const close = peer.close.bind(peer);
    // Closing the peer closes its application channels too (as closing a tab would).
    (peer as { close: () => void }).close = () => {
      apps.close();
      appChannels.close();
      close();
    };
    peers.push(entry);
    return entry;
  };

  const join = async (p: AppOverlayPeer) => {
    const live = peers.filter((o) => o.joined);
    await p.peer.join(live.length === 0 ? [] : [live[p.index % live.length]!.address]);
    p.joined = true;
  };

  const users = init.users ?? [];
  const total = Math.max(init.peers ?? 12, users.length);
  for (let i = 0; i < total; i++) {
    // Users are spread among the infrastructure peers.
    const userIndex = Math.floor((i * users.length) / total);
    const isUser = users.length > 0 && Math.floor(((i + 1) * users.length) / total) !== userIndex;
    const p = await create(isUser ? users[userIndex]! : `peer${i}`);
    await join(p);
  }

  return {
    domain,
    network,
    configuration,
    peers,
    user(name) {
      const p = peers.find((x) => x.name === name);
      if (!p) throw new Error(`no user ${name}`);
      return p;
    },
    async addUser(name) {
      const p = await create(name);
      await join(p);
      return p;
    },
    async leave(p) {
      if (!p.joined) return;
      p.joined = false;
      await p.peer.leave();
    },
    close() {
      for (const p of peers) p.peer.close();
    },
  };
}

/** Resolves once `check()` holds (polled every few ms of real time); rejects after `ms`, naming the check. */
export function until(check: () => boolean, ms = 5000): Promise<void> {
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    const poll = () => (check() ? resolve() : performance.now() - t0 > ms ? reject(new Error(`timed out waiting for ${check.toString()}`)) : setTimeout(poll, 3));
    poll();
  });
}
