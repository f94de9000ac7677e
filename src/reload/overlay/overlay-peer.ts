/**
 * One full RELOAD peer, composed from injected dependencies (style.md §4): forwarding (§6.1-6.2)
 * with the Chord plug-in as its router (§10), message transport (§6.2-6.3), Attach as the way
 * links are made (§6.5.1), storage (§7) with Store/Fetch/Stat/Find handlers and replication
 * (§10.4), and Ping (§6.5.3). The same composition runs in the simulator (memory links, virtual
 * clock), in Node and in the browser; only the deps differ. The API is in overlay-types.ts.
 */
import { createForwarding, overlayParameters, type OverlayParameters } from '../forwarding/index.js';
import type { AbortOptions, Hasher } from '../runtime/components.js';
import { ReloadError } from '../runtime/reload-error.js';
import { createDataStore, kindTableFromConfiguration, unknownKindError, type KindTable } from '../storage/index.js';
import { chordParameters, createChordTopology, type ChordTopology } from '../topology/chord/index.js';
import type { DataTransfer } from '../topology/topology-plugin.js';
import { createMessageTransport } from '../transport/index.js';
import type { Configuration } from '../wire/config/overlay-configuration.js';
import type { ResourceId } from '../wire/ids.js';
import { AttachService } from './attach-service.js';
import type { OverlayPeer, OverlayPeerDeps, OverlayPeerInit, ResourceRef } from './overlay-types.js';
import { StorageService } from './storage-service.js';

const utf8 = new TextEncoder();

/** RFC 6940 §6.3.2 overlay: "the lower 32 bits of the SHA-1 hash of the overlay name" (rfc6940-readings #1). */
export async function overlayHashOf(instanceName: string, hasher: Pick<Hasher, 'sha1'>): Promise<number> {
  const d = await hasher.sha1(utf8.encode(instanceName));
  const n = d.length;
  return ((d[n - 4]! << 24) | (d[n - 3]! << 16) | (d[n - 2]! << 8) | d[n - 1]!) >>> 0;
}

/** The forwarding and transport parameters of a configuration (§11.1). */
export function overlayParametersOf(configuration: Configuration, overlayHash: number): OverlayParameters {
  return overlayParameters({
    overlay: overlayHash,
    configurationSequence: configuration.sequence ?? 0,
    initialTtl: configuration.initialTtl,
    maxMessageSize: configuration.maxMessageSize,
    overlayReliabilityTimerMs: configuration.overlayReliabilityTimer,
  });
}

/** Build a peer whose overlay hash is computed here (see `createOverlayPeer`). */
export async function openOverlayPeer(deps: OverlayPeerDeps, init: Omit<OverlayPeerInit, 'overlayHash'>): Promise<OverlayPeer> {
  return createOverlayPeer(deps, { ...init, overlayHash: await overlayHashOf(init.configuration.instanceName, deps.hasher) });
}

/** Build one peer (not joined: call `join`). */
export function createOverlayPeer(deps: OverlayPeerDeps, init: OverlayPeerInit): OverlayPeer {
  const { clock, random, hasher, signer, verifier, network, logger } = deps;
  const nodeId = signer.nodeId;
  const configuration = init.configuration;
  if (configuration.topologyPlugin !== 'CHORD-RELOAD') throw new RangeError(`topology plug-in ${configuration.topologyPlugin} is not implemented`);
  const kinds: KindTable = kindTableFromConfiguration(configuration);
  const parameters = overlayParametersOf(configuration, init.overlayHash);
  const forwarding = createForwarding(
    { clock, logger },
    { localNodeId: nodeId, parameters, ...(init.transport?.understoodForwardingOptions ? { understoodForwardingOptions: init.transport.understoodForwardingOptions } : {}) },
  );
  const transport = createMessageTransport({ clock, random, signer, verifier, forwarding, logger }, { ...init.transport, bodyContext: { kinds: kinds.models }, unknownKindError });
  const attach = new AttachService({ clock, random, transport, forwarding, network, logger });

  // Chord and storage call each other (ring view one way, data moves the other): storage is
  // created after Chord, which reaches it through this late-bound delegate.
  let storage: StorageService | undefined;
  const late = (): DataTransfer => {
    if (!storage) throw new Error('storage is not started');
    return storage.dataTransfer();
  };
  const data: DataTransfer = {
    handOver: (t, r, o) => late().handOver(t, r, o),
    replicaSetChanged: (p, o) => late().replicaSetChanged(p, o),
    rangeGained: (r, o) => late().rangeGained(r, o),
    prune: (o) => late().prune(o),
    resourceCount: () => late().resourceCount(),
  };
  const chordInit = chordParameters(configuration, init.chord);
  const chord: ChordTopology = createChordTopology(
    { clock, random, hasher, transport, forwarding, connector: attach, data, logger },
    { nodeId, parameters: chordInit, ownAddresses: [network.address] },
  );
  const store = createDataStore(
    { backend: deps.storage, clock, verifier, hasher, resourceIdHash: chord.resourceIdHash, responsibility: chord.responsibility, logger },
    { kinds, ...(init.storageLimits ? { limits: init.storageLimits } : {}), ...(init.extraPolicies ? { extraPolicies: init.extraPolicies } : {}) },
  );
  storage = new StorageService({ store, transport, forwarding, responsibility: chord.responsibility, signer, clock, epochClock: deps.epochClock ?? (() => clock.now()), logger });
  forwarding.setRouter(chord.router);
  transport.setResponderCheck((resourceId, responder) => chord.responderAcceptable(resourceId, responder));
  // §6.5.3 Ping: "a simple request/response which is used to verify connectivity of the target peer".
  const unPing = transport.handle('ping_req', () => {
    let responseId = 0n;
    for (const b of random.bytes(8)) responseId = (responseId << 8n) | BigInt(b);
    return { value: { responseId, time: BigInt(Math.floor(deps.epochClock ? deps.epochClock() : clock.now())) } };
  });
  store.start();

  const defaultLifetime = init.defaultLifetime ?? 86_400;
  let closed = false;
  const resourceId = async (r: ResourceRef): Promise<ResourceId> => (typeof r === 'string' ? chord.resourceIdHash(utf8.encode(r)) : r);
  const kindModel = (kind: number) => {
    const model = kinds.get(kind)?.dataModel;
    if (!model) throw ReloadError.of('Error_Unknown_Kind', `Kind ${kind} is not in this peer's configuration`);
    return model;
  };
  const service = storage;

  const peer: OverlayPeer = {
    nodeId,
    address: network.address,
    userName: signer.userName,
    transport,
    chordParameters: chordInit,
    async join(bootstrap, options) {
      const list = bootstrap === undefined ? [] : typeof bootstrap === 'string' ? [bootstrap] : bootstrap;
      await chord.join(list, options);
    },
    async leave(options?: AbortOptions) {
      if (closed) return;
      await chord.leave(options);
      peer.close();
    },
    async store(resource, kind, values, options = {}) {
      const id = await resourceId(resource);
      const req = await service.buildStore(id, kind, kindModel(kind), values, defaultLifetime, options.generation ?? 0n, options);
      return service.toResource(id, { name: 'store_req', value: req }, options);
    },
    async fetch(resource, specs, options) {
      const id = await resourceId(resource);
      return service.toResource(id, { name: 'fetch_req', value: service.fetchReq(id, specs, (k) => kinds.get(k)?.dataModel) }, options);
    },
    async stat(resource, specs, options) {
      const id = await resourceId(resource);
      return service.toResource(id, { name: 'stat_req', value: service.fetchReq(id, specs, (k) => kinds.get(k)?.dataModel) }, options);
    },
    async find(resource, kindIds, options) {
      const id = await resourceId(resource);
      return service.toResource(id, { name: 'find_req', value: { resource: id, kinds: kindIds } }, options);
    },
    resourceId,
    status: () => ({ ...chord.status(), address: network.address, links: forwarding.neighbours().length }),
    stats: () => ({ forwarding: forwarding.stats(), transport: transport.stats(), deliveredHops: [...service.deliveredHops] }),
    close() {
      if (closed) return;
      closed = true;
      chord.stop();
      attach.close();
      service.close();
      unPing();
      transport.close();
      forwarding.close();
      network.close();
    },
  };
  return peer;
}
