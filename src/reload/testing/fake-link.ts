/**
 * A Link for tests above the links layer (forwarding, the Attach service): its state is set by the
 * test, what is sent is kept in `sent`, and `receive` hands it a message as if from the other end.
 * `pair` makes the two ends of one channel: closing either closes both.
 */
import type { Link, LinkMessageListener, LinkState, LinkStateListener } from '../links/link.js';

export class FakeLink implements Link {
  readonly remoteAddress = 'fake';
  readonly rtt = undefined;
  readonly rto = 500;
  state: LinkState = 'open';
  /** What was sent on it, in order. */
  readonly sent: Uint8Array[] = [];
  /** false: `send` refuses every message (a full send buffer). */
  accept = true;
  /** The other end (`pair`). */
  other: FakeLink | undefined;
  private readonly messageListeners = new Set<LinkMessageListener>();
  private readonly stateListeners = new Set<LinkStateListener>();

  constructor(
    readonly id: string,
    readonly maxMessageSize = 65_536,
  ) {}

  /** The two ends of one channel named `id`. */
  static pair(id: string, maxMessageSize?: number): [FakeLink, FakeLink] {
    const a = new FakeLink(id, maxMessageSize);
    const b = new FakeLink(id, maxMessageSize);
    a.other = b;
    b.other = a;
    return [a, b];
  }

  send(message: Uint8Array): boolean {
    if (this.state === 'closed' || !this.accept || message.length > this.maxMessageSize) return false;
    this.sent.push(message);
    return true;
  }

  heardWithin(): boolean {
    return this.state === 'open';
  }

  /** The channel itself carries frames; only this end's view goes suspect (setState). */
  probe(): Promise<boolean> {
    return Promise.resolve(this.state !== 'closed');
  }

  close(): void {
    this.setState('closed');
    this.other?.setState('closed');
  }

  /** This end's view changes (acks stop: `suspect`; they resume: `open`). A closed link stays closed. */
  setState(state: LinkState): void {
    if (this.state === state || this.state === 'closed') return;
    this.state = state;
    for (const l of [...this.stateListeners]) l(state, state === 'closed' ? 'local' : undefined);
  }

  /** A message from the other end. */
  receive(message: Uint8Array): void {
    for (const l of [...this.messageListeners]) l(message);
  }

  onMessage(listener: LinkMessageListener): () => void {
    this.messageListeners.add(listener);
    return () => this.messageListeners.delete(listener);
  }

  onStateChange(listener: LinkStateListener): () => void {
    this.stateListeners.add(listener);
    return () => this.stateListeners.delete(listener);
  }
}
