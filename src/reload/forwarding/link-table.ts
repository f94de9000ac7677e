/**
 * The link table (RFC 6940 §6.1.2 "Connection Table"): the neighbour Node-ID each open overlay
 * link leads to. One link per neighbour; a closed link leaves the table by itself.
 *
 * OUR CHOICE: a link that leaves the table because another link to the same neighbour took its
 * place (two Attaches crossed, each end opened one: attach-service.ts keeps one) is retired, not
 * closed at once: for RETIRED_LINK_GRACE_MS it still delivers what arrives on it, and nothing is
 * sent on it. The other end may have sent on it before it learned which link was kept, and a
 * frame closed away is a message lost until the end-to-end retransmission (§6.2.1) three
 * seconds later: in a burst of 30 joins into one peer, a joining node's `full` Update, and its
 * join, took 3.5 s instead of 0.6 s.
 */
import type { Clock, Timer } from '../runtime/components.js';
import { LINK_CHECK_MS } from '../links/link-check.js';
import type { Link, LinkCloseReason, LinkState } from '../links/link.js';
import type { NodeId } from '../wire/ids.js';
import { nodeIdKey } from './router.js';

/** A change in the link table, for the topology plug-in (§6.6: remove failed links from the Routing Table). */
export type LinkTableEvent =
  | { readonly type: 'added'; readonly nodeId: NodeId; readonly link: Link }
  /** The link's state changed (`suspect`: route around it; `open`: usable again). */
  | { readonly type: 'state'; readonly nodeId: NodeId; readonly link: Link; readonly state: LinkState }
  /**
   * The link left the table: it closed, and `reason` says why (LinkCloseReason: `local` when this
   * end called its close(), `remote` when the other end or the channel closed it, `dead`,
   * `protocol-error`); or it was taken out (removeLink, clear) or replaced: no `reason`.
   */
  | { readonly type: 'removed'; readonly nodeId: NodeId; readonly link: Link; readonly reason?: LinkCloseReason };

export type LinkTableListener = (event: LinkTableEvent) => void;

/**
 * How long a retired link (see above) still delivers what arrives on it before it is closed. OUR
 * CHOICE: 2 s more than the longest probe verdict (links/link-check.ts): attach-service.ts retires a
 * new link while it probes the held one, and takes the new one back if the held one is silent.
 */
export const RETIRED_LINK_GRACE_MS = LINK_CHECK_MS + 2_000;

interface Entry {
  readonly nodeId: NodeId;
  readonly link: Link;
  /** Out of the table, delivering until closed (retire). */
  retired: boolean;
}

export class LinkTable {
  private readonly entries = new Map<string, Entry>();
  /** Retired links, each with its entry and the timer that closes it. */
  private readonly retired = new Map<Link, { readonly entry: Entry; readonly timer: Timer }>();
  private readonly listeners = new Set<LinkTableListener>();

  constructor(
    private readonly onMessage: (nodeId: NodeId, link: Link, message: Uint8Array) => void,
    private readonly clock: Clock,
  ) {}

  /**
   * Put `link` in the table as the link to `nodeId`. A link already there for that neighbour is
   * replaced and retired (one link per neighbour). A link that is already closed is not added.
   */
  add(nodeId: NodeId, link: Link): void {
    if (link.state === 'closed') return;
    const key = nodeIdKey(nodeId);
    const old = this.entries.get(key);
    if (old?.link === link) return;
    // A retired link taken back: no longer retired (its old entry stops delivering), not closed.
    this.unretire(link);
    if (old) {
      this.entries.delete(key);
      this.emit({ type: 'removed', nodeId: old.nodeId, link: old.link });
      this.retireEntry(old);
    }
    const entry: Entry = { nodeId: nodeId.slice(), link, retired: false };
    this.entries.set(key, entry);
    this.listen(key, entry);
    this.emit({ type: 'added', nodeId: entry.nodeId, link });
  }

  /**
   * A link to `nodeId` that is not to enter the table (another link to that neighbour is kept):
   * retired, so what the other end sent on it before it chose the same link is still delivered.
   */
  retire(nodeId: NodeId, link: Link): void {
    const key = nodeIdKey(nodeId);
    // Closed, in the table, or retired already (one listener and one timer per retired link).
    if (link.state === 'closed' || this.entries.get(key)?.link === link || this.retired.has(link)) return;
    const entry: Entry = { nodeId: nodeId.slice(), link, retired: false };
    this.listen(key, entry);
    this.retireEntry(entry);
  }

  /** Take the link to `nodeId` out of the table, closing it if `close`. */
  remove(nodeId: NodeId, close = true): void {
    this.take(nodeIdKey(nodeId), close, undefined);
  }

  get(nodeId: NodeId): Link | undefined {
    return this.entries.get(nodeIdKey(nodeId))?.link;
  }

  has(nodeId: NodeId): boolean {
    return this.entries.has(nodeIdKey(nodeId));
  }

  /** The state of the link to `nodeId` in the table; undefined when there is none. */
  stateOf(nodeId: NodeId): LinkState | undefined {
    return this.get(nodeId)?.state;
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

  /** Close every link, retired ones included. */
  clear(): void {
    for (const e of [...this.entries.values()]) this.remove(e.nodeId, true);
    for (const l of [...this.retired.keys()]) l.close();
  }

  /**
   * Deliver `entry`'s messages while it is in the table or retired; follow its state while it is in
   * the table. No unsubscribe is kept: a link leaves the table retired (closed later) or closed,
   * and a closed link sends neither messages nor state changes again. (A simulator holds hundreds
   * of thousands of entries: two unsubscribe closures and their array each add up.)
   */
  private listen(key: string, entry: Entry): void {
    const { nodeId, link } = entry;
    link.onMessage((m) => {
      if (entry.retired || this.entries.get(key) === entry) this.onMessage(nodeId, link, m);
    });
    link.onStateChange((state, reason) => {
      if (state === 'closed' && entry.retired) this.unretire(link);
      if (this.entries.get(key) !== entry) return;
      if (state === 'closed') this.take(key, false, reason);
      else this.emit({ type: 'state', nodeId, link, state });
    });
  }

  /** Take the entry for `key` out of the table, closing its link if `close`; `reason`: why the link closed by itself. */
  private take(key: string, close: boolean, reason: LinkCloseReason | undefined): void {
    const entry = this.entries.get(key);
    if (!entry) return;
    this.entries.delete(key);
    if (close) entry.link.close();
    this.emit({ type: 'removed', nodeId: entry.nodeId, link: entry.link, ...(reason ? { reason } : {}) });
  }

  private retireEntry(entry: Entry): void {
    entry.retired = true;
    this.retired.set(entry.link, { entry, timer: this.clock.setTimer(RETIRED_LINK_GRACE_MS, () => entry.link.close()) });
  }

  private unretire(link: Link): void {
    const r = this.retired.get(link);
    if (!r) return;
    this.retired.delete(link);
    r.entry.retired = false;
    r.timer.cancel();
  }

  private emit(e: LinkTableEvent): void {
    for (const l of [...this.listeners]) l(e);
  }
}
