/**
 * A RELOAD client (RFC 6940 §4.2; RFC 7890 §2.2: "peers that have not joined the Overlay, and
 * therefore do not route messages or store information"). It speaks the same protocol with the
 * same pieces as a peer (composeOverlayMessaging, the requesting side of storage), minus the
 * topology plug-in: it attaches to the peer responsible for its Node-ID (§4.2.1, client-
 * attachment.ts), sends everything through that link (client-router.ts) and never sends Join or
 * Update, so no peer puts it in its routing table; answers and requests for its Node-ID reach it
 * over that link, because "the responsible peer in the overlay will handle the final step of
 * routing to the client" (§4.2.1).
 *
 * What it refuses: relaying (ForwardingInit.relay false: a message for someone else is dropped)
 * and storing for others (its data store is responsible for no Resource-ID, so a Store reaching it
 * is rejected per §7.4.1.1 with Error_Not_Found, a replica Store with Error_Forbidden, and a Find
 * with Error_Not_Found, §7.4.4.2). Nothing is ever written to its storage backend.
 *
 * The one check it cannot make: §6.3.4's "responsible peer" check of an answer to a Resource-ID
 * needs a view of the ring; a client accepts the answer of any verified signer for those.
 */
import { nodeIdKey } from '../forwarding/index.js';
import type { AbortOptions } from '../runtime/components.js';
import type { ResponsibilityOracle } from '../storage/index.js';
import { chordReloadResourceIdHash } from '../topology/chord/chord-hash.js';
import { chordParameters } from '../topology/chord/chord-parameters.js';
import { ClientAttachment, type ClientAttachmentInit } from './client-attachment.js';
import { ClientRouter } from './client-router.js';
import { bootstrapList, composeOverlayMessaging, composeStorageService, linkAndStatsMethods, servePing, storageRequests } from './overlay-peer.js';
import type { OverlayPeer, OverlayPeerDeps, OverlayPeerInit } from './overlay-types.js';

/** §4.2: "clients ... do not have routing or storage responsibilities". */
export const NO_RESPONSIBILITY: ResponsibilityOracle = {
  isResponsible: () => false,
  replicaSet: () => [],
  acceptsReplicaFrom: () => false,
  holdsReplica: () => false,
};

export interface OverlayClientInit extends OverlayPeerInit {
  /** How the client keeps its attachment (retry pause). */
  readonly attachment?: ClientAttachmentInit;
}

/**
 * Build a client (not attached: call `join` with at least one bootstrap address, which attaches).
 * The result is an OverlayPeer whose `join` attaches, whose `leave` only closes (a client is in
 * nobody's Neighbor Table, so it has no Leave to send, §10.9), and whose `status()` shows
 * `mode: 'client'`, `joined: false` and the attached peer.
 */
export function createOverlayClient(deps: OverlayPeerDeps, init: OverlayClientInit): OverlayPeer {
  const { clock, signer, network, logger } = deps;
  const nodeId = signer.nodeId;
  const startedAt = clock.now();
  const { kinds, forwarding, transport, attach, configUpdates } = composeOverlayMessaging(deps, init, false);
  const resourceIdHash = chordReloadResourceIdHash(deps.hasher);
  const { service } = composeStorageService(deps, init, { kinds, transport, forwarding }, { resourceIdHash, responsibility: NO_RESPONSIBILITY });
  const attachment = new ClientAttachment({ clock, connector: attach, forwarding, ...(logger ? { logger } : {}) }, init.attachment);
  forwarding.setRouter(
    new ClientRouter({
      attached: () => attachment.attached,
      neighbours: () => forwarding.neighbours().map((n) => n.nodeId),
      isUsable: (id) => forwarding.isUsable(id),
    }),
  );
  const unregister = [
    servePing(transport, deps),
    // §4.2.1: "clients that choose this option need to process Update messages from the peer".
    transport.handle('update_req', (req) => {
      attachment.onUpdate(req.sender.nodeId, req.value);
      return { value: {} };
    }),
  ];
  let closed = false;

  const client: OverlayPeer = {
    nodeId,
    address: network.address,
    userName: signer.userName,
    transport,
    chordParameters: chordParameters(init.configuration, init.chord),
    async join(bootstrap, options) {
      await attachment.start(
        bootstrapList(bootstrap).filter((a) => a !== network.address),
        options,
      );
    },
    async leave(_options?: AbortOptions) {
      client.close();
    },
    ...storageRequests(service, kinds, resourceIdHash, init.defaultLifetime),
    status: () => {
      const attached = attachment.attached;
      return {
        algorithm: init.configuration.topologyPlugin,
        state: `client-${attachment.state}`,
        joined: false,
        nodeId,
        predecessors: [],
        successors: [],
        fingers: [],
        uptime: Math.min(0xffffffff, Math.floor((clock.now() - startedAt) / 1000)),
        address: network.address,
        links: forwarding.neighbours().length,
        mode: 'client',
        ...(attached && forwarding.isUsable(attached) ? { attachedPeer: attached } : {}),
      };
    },
    ...linkAndStatsMethods({ transport, forwarding, attach }, service),
    close() {
      if (closed) return;
      closed = true;
      logger?.debug('client closed', { nodeId: nodeIdKey(nodeId) });
      attachment.close();
      attach.close();
      service.close();
      for (const u of unregister) u();
      configUpdates?.close();
      transport.close();
      forwarding.close();
      network.close();
    },
  };
  return client;
}
