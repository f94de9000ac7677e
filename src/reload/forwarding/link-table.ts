/**
 * The link table (RFC 6940 §6.1.2 "Connection Table"): the neighbour Node-ID each open overlay
 * link leads to. One link per neighbour; a closed link leaves the table by itself.
 */
import type { Link, LinkState } from '../links/link.js';
import type { NodeId } from '../wire/ids.js';
import { nodeIdKey } from './router.js';

/** A change in the link table, for the topology plug-in (§6.6: remove failed links from the Routing Table). */
export type LinkTableEvent =
  | { readonly type: 'added'; readonly nodeId: NodeId; readonly link: Link }
  /** The link's state changed (`suspect`: route around it; `open`: usable again). */
  | { readonly type: 'state'; readonly nodeId: NodeId; readonly link: Link; readonly state: LinkState }
  /** The link left the table (it closed, or was removed or replaced). */
  | { readonly type: 'removed'; readonly nodeId: NodeId; readonly link: Link };

export type LinkTableListener = (event: LinkTableEvent) => void;

interface Entry {
  readonly nodeId: NodeId;
  readonly link: Link;
}

export class LinkTable {
  private readonly entries = new Map<string, Entry>();
  private readonly listeners = new Set<LinkTableListener>();

  constructor(private readonly onMessage: (nodeId: NodeId, link: Link, message: Uint8Array) => void) {}

  /**
   * Put `link` in the table as the link to `nodeId`. A link already there for that neighbour is
   * closed and replaced (one link per neighbour). A link that is already closed is not added.
   */
  add(nodeId: NodeId, link: Link): void {
    if (link.state === 'closed') return;
    const key = nodeIdKey(nodeId);
    const old = this.entries.get(key);
    if (old?.link === link) return;
    if (old) this.remove(nodeId, true);
    const id = nodeId.slice();
    const entry: Entry = { nodeId: id, link };
    this.entries.set(key, entry);
    // No unsubscribe is kept: a link leaves the table only closed (remove closes it, or it closed
    // on its own), and a closed link sends neither messages nor state changes again. The guards
    // cover the `closed` change that remove's own close() causes. (A simulator holds hundreds of
    // thousands of entries: two unsubscribe closures and their array each add up.)
    link.onMessage((m) => {
      if (this.entries.get(key) === entry) this.onMessage(id, link, m);
    });
    link.onStateChange((state) => {
      if (this.entries.get(key) !== entry) return;
      if (state === 'closed') this.remove(id, false);
      else this.emit({ type: 'state', nodeId: id, link, state });
    });
    this.emit({ type: 'added', nodeId: id, link });
  }

  /** Take the link to `nodeId` out of the table, closing it if `close`. */
  remove(nodeId: NodeId, close = true): void {
    const key = nodeIdKey(nodeId);
    const entry = this.entries.get(key);
    if (!entry) return;
    this.entries.delete(key);
    if (close) entry.link.close();
    this.emit({ type: 'removed', nodeId: entry.nodeId, link: entry.link });
  }

  get(nodeId: NodeId): Link | undefined {
    return this.entries.get(nodeIdKey(nodeId))?.link;
  }

  has(nodeId: NodeId): boolean {
    return this.entries.has(nodeIdKey(nodeId));
  }

  /** Whether the link to `nodeId` is in the table and `open` (not suspect). */
  isUsable(nodeId: NodeId): boolean {
    return this.get(nodeId)?.state === 'open';
  }

  /** `isUsable` by nodeIdKey (for callers that hold the key: no string is built per call). */
  isUsableKey(key: string): boolean {
    return this.entries.get(key)?.link.state === 'open';
  }

  /** Every neighbour in the table with its link. */
  entriesList(): { readonly nodeId: NodeId; readonly link: Link }[] {
    return [...this.entries.values()].map((e) => ({ nodeId: e.nodeId, link: e.link }));
  }

  get size(): number {
    return this.entries.size;
  }

  subscribe(listener: LinkTableListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Close every link. */
  clear(): void {
    for (const e of [...this.entries.values()]) this.remove(e.nodeId, true);
  }

  private emit(e: LinkTableEvent): void {
    for (const l of [...this.listeners]) l(e);
  }
}
