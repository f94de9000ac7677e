/**
 * The real network's open data-channel connections by the Node-ID each is bound to
 * (webrtc-network.ts `connectionTo`, for extra channels on a neighbour's peer connection, RFC 6940
 * §6.5.2). Two can coexist a moment when Attaches cross (§6.5.1.2); the newest open one is used.
 */
import { nodeIdKey } from '../forwarding/index.js';
import type { Link } from '../links/link.js';
import type { NodeId } from '../wire/ids.js';

export class DataChannelConnections<C extends { readonly link: Link }> {
  private readonly byPeer = new Map<string, C[]>();

  /** `connection`, bound to `nodeId`, is held until its link closes (not at all if it is closed: that close is not heard again). */
  add(nodeId: NodeId, connection: C): void {
    if (connection.link.state === 'closed') return;
    const key = nodeIdKey(nodeId);
    this.byPeer.set(key, [...(this.byPeer.get(key) ?? []), connection]);
    connection.link.onStateChange((s) => {
      if (s !== 'closed') return;
      const rest = (this.byPeer.get(key) ?? []).filter((c) => c !== connection);
      if (rest.length > 0) this.byPeer.set(key, rest);
      else this.byPeer.delete(key);
    });
  }

  /** The newest open connection to `nodeId` (the link table keeps one of two crossing links; both ends of either work). */
  newest(nodeId: NodeId): C | undefined {
    return (this.byPeer.get(nodeIdKey(nodeId)) ?? []).filter((c) => c.link.state !== 'closed').at(-1);
  }

  /** How many peers a connection is held for. */
  get peers(): number {
    return this.byPeer.size;
  }
}
