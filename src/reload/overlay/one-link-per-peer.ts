/**
 * One link per neighbour in forwarding's link table, for AttachService: when a second link to the
 * same peer comes up (both sides Attached to each other, or one side Attached again over a link it
 * found silent), both ends keep the same one without a word. The rule is on `install`.
 */
import type { Forwarding } from '../forwarding/index.js';
import { nodeIdKey } from '../forwarding/index.js';
import { carriesFrames } from '../links/link-check.js';
import type { Link } from '../links/link.js';
import type { Logger } from '../runtime/components.js';
import { compareBytes } from '../wire/codec/hex.js';
import type { NodeId } from '../wire/ids.js';

/** How a link came to us, for the rule. */
export interface LinkOrigin {
  /** This peer opened it (dialed it, or made the ICE offer); otherwise it came in. */
  readonly outbound?: boolean;
  /** ICE links: the offerer's ufrag and password (hex), the same at both ends. */
  readonly iceKey?: string;
  /** A link to the same peer that just failed the check of link-check.ts: replaced at once. */
  readonly silent?: Link;
}

export class OneLinkPerPeer {
  /** Links this peer opened (the others came in). */
  private readonly outbound = new WeakSet<Link>();
  /** ICE links: the offerer's ufrag and password. */
  private readonly iceKeys = new WeakMap<Link, string>();
  private readonly self: NodeId;

  constructor(
    private readonly forwarding: Pick<Forwarding, 'localNodeId' | 'getLink' | 'addLink' | 'retireLink'>,
    private readonly log: Logger,
    private readonly closed: () => boolean,
  ) {
    this.self = forwarding.localNodeId;
  }

  /**
   * Into the link table, keeping one link per peer; the other is retired (link-table.ts). The two
   * ends must keep the same link: if each kept a different one, each would close the other's after
   * RETIRED_LINK_GRACE_MS and the neighbour would be lost. So the rule uses only what both ends see
   * alike, never a link's state: `suspect` is one end's own view (its acks stopped) while the other
   * end, with nothing outstanding, may see the same link open.
   *
   * 1. The tie-breaker, which both ends know: the link opened by the smaller Node-ID; of two opened
   *    by the same peer, the one with the smaller offerer ICE credentials (ICE links come up in
   *    either order at the two ends), or else the newer (both ends see them in the same order).
   * 2. When the tie-breaker keeps the link held, the new one is retired, not dropped, and the held
   *    one is checked (link-check.ts: up to three probes, each waiting the link's RTO within
   *    bounds, so within LINK_CHECK_MS, under RETIRED_LINK_GRACE_MS): if none is answered, the held
   *    link does not carry frames one way or both, and the new one, which just came up at both
   *    ends, takes its place. A link that lost one direction answers neither end's probes, so both
   *    reach the same verdict: the new link replaces the broken one at once, not after its failure
   *    timeout, while an old link that still works (its `suspect` was a passing loss) stays at both
   *    ends. The answerer without ICE checks before it opens the new link (AttachAnswerer.openTo),
   *    the other end once it is up: the ends could differ for a link that starts or stops carrying frames between
   *    the two checks (a link set-up plus LINK_CHECK_MS apart at most), or that loses all of one
   *    end's probes but not the other's; then both links close and a later Attach repairs it.
   *    `origin.silent`: a link that just failed that check (AttachAnswerer.openTo), replaced at once.
   */
  install(id: NodeId, link: Link, origin: LinkOrigin = {}): void {
    if (origin.outbound) this.outbound.add(link);
    if (origin.iceKey !== undefined) this.iceKeys.set(link, origin.iceKey);
    if (this.closed()) {
      link.close();
      return;
    }
    const existing = this.forwarding.getLink(id);
    if (existing && existing !== link && existing.state !== 'closed' && existing !== origin.silent && !this.wins(id, link, existing)) {
      this.forwarding.retireLink(id, link);
      void this.replaceIfSilent(id, existing, link);
      return;
    }
    this.forwarding.addLink(id, link);
  }

  /** install's tie-breaker (rule 1): whether `link` is kept over `existing`, the link to `id` held. */
  private wins(id: NodeId, link: Link, existing: Link): boolean {
    const opener = (l: Link) => (this.outbound.has(l) ? this.self : id);
    const newOpener = opener(link);
    const oldOpener = opener(existing);
    if (newOpener !== oldOpener) return compareBytes(newOpener, oldOpener) < 0;
    const newKey = this.iceKeys.get(link);
    const oldKey = this.iceKeys.get(existing);
    return newKey === undefined || oldKey === undefined || newKey <= oldKey;
  }

  /** install's rule 2: `challenger` (retired) takes the place of `held` if `held` answers none of the check's probes. */
  private async replaceIfSilent(id: NodeId, held: Link, challenger: Link): Promise<void> {
    if (await carriesFrames(held)) return;
    const now = this.forwarding.getLink(id);
    // Another link took the place meanwhile, or the challenger closed: nothing to repair here.
    if (this.closed() || challenger.state === 'closed' || (now !== undefined && now !== held)) return;
    this.log.info('link carries no frames; the new link to the peer replaces it', { peer: nodeIdKey(id), link: held.id, by: challenger.id });
    this.forwarding.addLink(id, challenger);
  }
}
