/**
 * One full RELOAD peer, composed from injected dependencies (style.md §4): forwarding (§6.1-6.2)
 * with the Chord plug-in as its router (§10), message transport (§6.2-6.3), Attach as the way
 * links are made (§6.5.1), storage (§7) with Store/Fetch/Stat/Find handlers and replication
 * (§10.4), and Ping (§6.5.3). The same composition runs in the simulator (memory links, virtual
 * clock), in Node and in the browser; only the deps differ. The API is in overlay-types.ts.
 * `init.mode: 'client'` composes a client instead (client-overlay.ts, RFC 6940 §4.2) from the same
 * messaging and storage pieces; a peer tells the clients attached to it when its range moves
 * away from them (client-updates.ts, §6.4.1).
 */
import { toHex } from '../wire/codec/hex.js';
import { createForwarding, overlayParameters, type Forwarding, type OverlayParameters } from '../forwarding/index.js';
import { randomU64, type AbortOptions, type Hasher } from '../runtime/components.js';
import { ReloadError } from '../runtime/reload-error.js';
import { BASE_ACCESS_POLICIES, createDataStore, kindTableFromConfiguration, unknownKindError, type DataStore, type KindTable } from '../storage/index.js';
import { chordParameters, createChordTopology, type ChordTopology } from '../topology/chord/index.js';
import type { ChordResourceIdHash } from '../topology/chord/chord-hash.js';
import type { DataTransfer, TopologyResponsibility } from '../topology/topology-plugin.js';
import { createMessageTransport, type MessageTransport, type TransportInit } from '../transport/index.js';
import { ConfigurationUpdateService } from './configuration-update.js';
import type { Configuration } from '../wire/config/overlay-configuration.js';
import type { ResourceId } from '../wire/ids.js';
import { AttachService } from './attach-service.js';
import { createOverlayClient } from './client-overlay.js';
import { notifyClientsOfRangeChanges } from './client-updates.js';
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

/** What a peer and a client (client-overlay.ts) both are made of: forwarding, transport, ConfigUpdate, Attach. */
export interface OverlayMessaging {
  readonly kinds: KindTable;
  readonly forwarding: Forwarding;
  readonly transport: MessageTransport;
  readonly attach: AttachService;
  readonly configUpdates: ConfigurationUpdateService | undefined;
}

/** Compose the messaging layers of one node; `relay: false` for a client (ForwardingInit.relay). */
export function composeOverlayMessaging(deps: OverlayPeerDeps, init: OverlayPeerInit, relay = true): OverlayMessaging {
  const { clock, random, signer, verifier, network, logger } = deps;
  const configuration = init.configuration;
  if (configuration.topologyPlugin !== 'CHORD-RELOAD') throw new RangeError(`topology plug-in ${configuration.topologyPlugin} is not implemented`);
  const kinds: KindTable = kindTableFromConfiguration(configuration);
  const parameters = overlayParametersOf(configuration, init.overlayHash);
  const forwarding = createForwarding(
    { clock, logger },
    {
      localNodeId: signer.nodeId,
      parameters,
      ...(init.transport?.understoodForwardingOptions ? { understoodForwardingOptions: init.transport.understoodForwardingOptions } : {}),
      ...(relay ? {} : { relay: false }),
    },
  );
  // §6.3.2.1: a request with an older configuration is answered Error_Config_Too_Old and its sender sent a ConfigUpdate.
  let configUpdates: ConfigurationUpdateService | undefined;
  const onStaleConfiguration: TransportInit['onStaleConfiguration'] = (sender, sequence, route) => {
    init.transport?.onStaleConfiguration?.(sender, sequence, route);
    configUpdates?.staleSender(sender, sequence, route);
  };
  const transport = createMessageTransport(
    { clock, random, signer, verifier, forwarding, logger },
    { ...init.transport, bodyContext: { kinds: kinds.models }, unknownKindError, onStaleConfiguration },
  );
  const verifyDocument = deps.verifyConfigurationDocument;
  configUpdates = verifyDocument
    ? new ConfigurationUpdateService(
        { transport, clock, verifyDocument, logger },
        { configuration, ...(init.configurationDocument ? { document: init.configurationDocument } : {}), ...(init.onConfiguration ? { onConfiguration: init.onConfiguration } : {}) },
      )
    : undefined;
  const attach = new AttachService({ clock, random, transport, forwarding, network, logger });
  return { kinds, forwarding, transport, attach, configUpdates };
}

/** §6.5.3 Ping: "a simple request/response which is used to verify connectivity of the target peer". Returns the unregister function. */
export function servePing(transport: MessageTransport, deps: Pick<OverlayPeerDeps, 'random' | 'clock' | 'epochClock'>): () => void {
  return transport.handle('ping_req', () => {
    return { value: { responseId: randomU64(deps.random), time: BigInt(Math.floor(deps.epochClock ? deps.epochClock() : deps.clock.now())) } };
  });
}

/** Build one peer (not joined: call `join`); with `init.mode` 'client', a client (client-overlay.ts). */
export function createOverlayPeer(deps: OverlayPeerDeps, init: OverlayPeerInit): OverlayPeer {
  if (init.mode === 'client') return createOverlayClient(deps, init);
  const { clock, random, hasher, signer, verifier, network, logger } = deps;
  const nodeId = signer.nodeId;
  const configuration = init.configuration;
  const { kinds, forwarding, transport, attach, configUpdates } = composeOverlayMessaging(deps, init);
  logger?.debug('peer created', { nodeId: toHex(nodeId), address: network.address });

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
  const { store, service } = composeStorageService(deps, init, { kinds, transport, forwarding }, { resourceIdHash: chord.resourceIdHash, responsibility: chord.responsibility });
  storage = service;
  forwarding.setRouter(chord.router);
  transport.setResponderCheck((resourceId, responder) => chord.responderAcceptable(resourceId, responder));
  const unPing = servePing(transport, deps);
  // §6.4.1 / §4.2.1: clients attached to us hear when our range changes.
  const unClientUpdates = notifyClientsOfRangeChanges({ transport, forwarding, topology: chord, ...(logger ? { logger } : {}) });
  store.start();

  let closed = false;

  const peer: OverlayPeer = {
    nodeId,
    address: network.address,
    userName: signer.userName,
    transport,
    chordParameters: chordInit,
    async join(bootstrap, options) {
      await chord.join(bootstrapList(bootstrap), options);
    },
    async leave(options?: AbortOptions) {
      if (closed) return;
      await chord.leave(options);
      peer.close();
    },
    ...storageRequests(service, kinds, chord.resourceIdHash, init.defaultLifetime),
    status: () => ({ ...chord.status(), address: network.address, links: forwarding.neighbours().length, mode: 'peer' }),
    ...linkAndStatsMethods({ transport, forwarding, attach }, service),
    close() {
      if (closed) return;
      closed = true;
      chord.stop();
      attach.close();
      service.close();
      unPing();
      unClientUpdates();
      configUpdates?.close();
      transport.close();
      forwarding.close();
      network.close();
    },
  };
  return peer;
}

/** Storage (§7) over the topology's view: the data store and the Store/Fetch/Stat/Find service. */
export function composeStorageService(
  deps: OverlayPeerDeps,
  init: OverlayPeerInit,
  m: Pick<OverlayMessaging, 'kinds' | 'transport' | 'forwarding'>,
  topology: { readonly resourceIdHash: ChordResourceIdHash; readonly responsibility: TopologyResponsibility },
): { readonly store: DataStore; readonly service: StorageService } {
  const { clock, verifier, hasher, signer, logger } = deps;
  const { kinds, transport, forwarding } = m;
  const epochClock = deps.epochClock ?? (() => clock.now());
  const store = createDataStore(
    { backend: deps.storage, clock, epochClock, verifier, hasher, resourceIdHash: topology.resourceIdHash, responsibility: topology.responsibility, logger },
    {
      kinds,
      ...(init.storageLimits ? { limits: init.storageLimits } : {}),
      ...(init.extraPolicies ? { extraPolicies: init.extraPolicies } : {}),
      ...(init.kindRules ? { kindRules: init.kindRules } : {}),
    },
  );
  const policies = new Map(BASE_ACCESS_POLICIES);
  for (const p of init.extraPolicies ?? []) policies.set(p.name, p);
  const service = new StorageService({
    store,
    transport,
    forwarding,
    responsibility: topology.responsibility,
    signer,
    checks: { verifier, kinds, policies, kindRules: init.kindRules ?? [], resourceIdHash: topology.resourceIdHash },
    clock,
    epochClock,
    logger,
  });
  return { store, service };
}

/** `join`'s bootstrap argument as a list. */
export function bootstrapList(bootstrap: string | readonly string[] | undefined): readonly string[] {
  return bootstrap === undefined ? [] : typeof bootstrap === 'string' ? [bootstrap] : bootstrap;
}

/** The OverlayPeer methods a full peer and a client (§4.2) answer alike. */
export function linkAndStatsMethods(
  m: Pick<OverlayMessaging, 'transport' | 'forwarding' | 'attach'>,
  service: StorageService,
): Pick<OverlayPeer, 'neighbours' | 'attach' | 'stats'> {
  const { transport, forwarding, attach } = m;
  return {
    neighbours: () => forwarding.neighbours(),
    attach: (target, options) => attach.attach([{ kind: 'node', nodeId: target }], options ?? {}),
    stats: () => ({ forwarding: forwarding.stats(), transport: transport.stats(), deliveredHops: [...service.deliveredHops] }),
  };
}

/** The requesting side of storage (§7.4) as OverlayPeer methods; values live `defaultLifetime` s (default 86 400). */
export function storageRequests(
  service: StorageService,
  kinds: KindTable,
  resourceIdHash: ChordResourceIdHash,
  defaultLifetime = 86_400,
): Pick<OverlayPeer, 'store' | 'fetch' | 'stat' | 'find' | 'resourceId'> {
  const resourceId = async (r: ResourceRef): Promise<ResourceId> => (typeof r === 'string' ? resourceIdHash(utf8.encode(r)) : r);
  const kindModel = (kind: number) => {
    const model = kinds.get(kind)?.dataModel;
    if (!model) throw ReloadError.of('Error_Unknown_Kind', `Kind ${kind} is not in this peer's configuration`);
    return model;
  };
  const modelOf = (k: number) => kinds.get(k)?.dataModel;
  return {
    async store(resource, kind, values, options = {}) {
      const id = await resourceId(resource);
      const req = await service.buildStore(id, kind, kindModel(kind), values, defaultLifetime, options.generation ?? 0n, options);
      return service.toResource(id, { name: 'store_req', value: req }, options);
    },
    async fetch(resource, specs, options) {
      const id = await resourceId(resource);
      return service.fetch(id, service.fetchReq(id, specs, modelOf), options);
    },
    async stat(resource, specs, options) {
      const id = await resourceId(resource);
      return service.toResource(id, { name: 'stat_req', value: service.fetchReq(id, specs, modelOf) }, options);
    },
    async find(resource, kindIds, options) {
      const id = await resourceId(resource);
      return service.toResource(id, { name: 'find_req', value: { resource: id, kinds: kindIds } }, options);
    },
    resourceId,
  };
}
