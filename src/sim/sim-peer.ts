/**
 * The simulator's composition root for one peer below the topology: memory-network endpoint,
 * forwarding (link table, routing) and message transport, with the fast signer and the seeded
 * randomness of the run. Links are registered under the Node-ID found in the simulation's address
 * directory (standing in for what Attach will establish, §6.5.1).
 */
import type { Logger } from '../reload/runtime/components.js';
import { createForwarding, type Forwarding, type ForwardingInit, type OverlayParameters, type Router } from '../reload/forwarding/index.js';
import { createMessageTransport, type MessageTransport, type TransportInit } from '../reload/transport/index.js';
import type { Link } from '../reload/links/link.js';
import type { MemoryEndpoint, MemoryNetwork } from '../reload/links/memory/index.js';
import type { Signer, Verifier } from '../reload/security/signer.js';
import type { NodeId } from '../reload/wire/ids.js';
import { toHex } from '../reload/wire/codec/hex.js';
import { FastSigner, FastVerifier } from './fast-signer.js';
import type { SeededRandom } from './seeded-random.js';
import type { VirtualClock } from './virtual-clock.js';

/** Address -> Node-ID of every simulated peer. */
export type SimDirectory = Map<string, NodeId>;

export interface SimPeerDeps {
  readonly clock: VirtualClock;
  readonly random: SeededRandom;
  readonly network: MemoryNetwork;
  readonly directory: SimDirectory;
  readonly logger?: Logger;
}

export interface SimPeerInit {
  readonly nodeId: NodeId;
  /** Default: the Node-ID in hex. */
  readonly address?: string;
  readonly parameters: OverlayParameters;
  readonly signer?: Signer;
  readonly verifier?: Verifier;
  readonly forwarding?: Partial<Omit<ForwardingInit, 'localNodeId' | 'parameters'>>;
  readonly transport?: TransportInit;
}

export interface SimPeer {
  readonly nodeId: NodeId;
  readonly address: string;
  readonly endpoint: MemoryEndpoint;
  readonly forwarding: Forwarding;
  readonly transport: MessageTransport;
  setRouter(router: Router): void;
  /** Open a link to `other` and put it in both link tables. */
  connect(other: SimPeer): Promise<Link>;
  close(): void;
}

export function createSimPeer(deps: SimPeerDeps, init: SimPeerInit): SimPeer {
  const address = init.address ?? toHex(init.nodeId);
  const forwarding = createForwarding({ clock: deps.clock, logger: deps.logger }, { ...init.forwarding, localNodeId: init.nodeId, parameters: init.parameters });
  deps.directory.set(address, init.nodeId);
  const endpoint = deps.network.listen(address, (link) => {
    const remote = deps.directory.get(link.remoteAddress);
    if (remote) forwarding.addLink(remote, link);
    else link.close();
  });
  const transport = createMessageTransport(
    {
      clock: deps.clock,
      random: deps.random.fork(),
      signer: init.signer ?? new FastSigner(init.nodeId, `peer-${address.slice(0, 8)}@sim`),
      verifier: init.verifier ?? new FastVerifier(),
      forwarding,
      logger: deps.logger,
    },
    init.transport,
  );
  return {
    nodeId: init.nodeId,
    address,
    endpoint,
    forwarding,
    transport,
    setRouter: (r) => forwarding.setRouter(r),
    async connect(other) {
      const link = await endpoint.linkFactory.open(other.address);
      forwarding.addLink(other.nodeId, link);
      return link;
    },
    close() {
      transport.close();
      forwarding.close();
      endpoint.close();
    },
  };
}
