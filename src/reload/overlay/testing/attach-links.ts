/**
 * Test parts for AttachService over real FramedLinks on the virtual clock: the byte channel under a
 * link (Wire: a fixed latency each way, and a switch that loses what one end sends), and the
 * slice of forwarding AttachService uses, over forwarding's own LinkTable.
 */
import type { VirtualClock } from '../../../sim/virtual-clock.js';
import type { LinkTable } from '../../forwarding/link-table.js';
import type { BytePipe, BytePipeHandlers } from '../../links/byte-pipe.js';
import type { Link } from '../../links/link.js';
import type { NodeId } from '../../wire/ids.js';

/**
 * One end's side of a link's byte channel, `latencyMs` each way on the virtual clock. With
 * `carries` false, what this end sends is lost (a NAT binding gone, a route down one way): frames
 * and the close alike, and nobody is told.
 */
export class Wire implements BytePipe {
  readonly maxMessageSize = 1000;
  carries = true;
  peer!: Wire;
  private handlers: BytePipeHandlers | undefined;
  private closed = false;

  constructor(
    private readonly clock: VirtualClock,
    private readonly latencyMs: number,
  ) {}

  /** The two ends of one channel. */
  static pair(clock: VirtualClock, latencyMs: number): [Wire, Wire] {
    const a = new Wire(clock, latencyMs);
    const b = new Wire(clock, latencyMs);
    a.peer = b;
    b.peer = a;
    return [a, b];
  }

  /** This end closed, or heard the other end close. */
  get isClosed(): boolean {
    return this.closed;
  }

  setHandlers(h: BytePipeHandlers): void {
    this.handlers = h;
  }

  send(bytes: Uint8Array): void {
    if (!this.closed && this.carries) this.clock.setTimer(this.latencyMs, () => this.peer.receive(bytes));
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.carries) this.clock.setTimer(this.latencyMs, () => this.peer.remoteClosed());
  }

  private receive(bytes: Uint8Array): void {
    if (!this.closed) this.handlers?.message(bytes);
  }

  private remoteClosed(): void {
    if (this.closed) return;
    this.closed = true;
    this.handlers?.closed();
  }
}

/** The forwarding AttachService uses, over `table`. */
export function tableForwarding(self: NodeId, table: LinkTable) {
  return {
    localNodeId: self,
    addLink: (n: NodeId, l: Link) => table.add(n, l),
    retireLink: (n: NodeId, l: Link) => table.retire(n, l),
    getLink: (n: NodeId) => table.get(n),
    isUsable: (n: NodeId) => table.isUsable(n),
    onLinkEvent: table.subscribe.bind(table),
  };
}
