/**
 * An in-memory network of peers for tests and the simulator. Peers are reached by an opaque
 * address string (what an Attach would carry for this link kind). A link is a pair of in-memory
 * byte pipes, each wrapped in `FramedLink`, so the simulator exercises the real §6.6.2 framing,
 * acks, RTT and liveness. Everything is driven by the injected Clock and Random: same seed, same run.
 *
 * The link model (per pair of addresses, default for the rest):
 * - `latencyMs` (+ uniform `jitterMs`) one-way delay; frames in one direction never overtake each
 *   other (a link is an ordered channel).
 * - `loss`: probability that a frame (data or ack) is lost (1: the pair is cut, and no link opens
 *   across it either). OUR CHOICE: loss is surfaced, not
 *   repaired: FramedLink does no hop-by-hop retransmission (see framed-link.ts), so a lost data
 *   frame is a lost message and message transport's end-to-end retransmission (RFC 6940 §6.2.1)
 *   recovers it; lost frames also delay acks, which the liveness probes cover.
 * - `drop(frame, from, to)`: a deterministic loss hook for tests.
 * - `mtu`: the largest RELOAD message one frame carries (`Link.maxMessageSize`).
 * `crash(address)` makes a peer vanish silently (its frames and closes stop; the other ends find
 * out through liveness), `disconnect(address)` closes its links cleanly.
 */
import type { Clock, ClockTask, Logger, PostingClock, Random, Timer } from '../../runtime/components.js';
import { silentLogger } from '../../runtime/components.js';
import type { AbortOptions } from '../../runtime/components.js';
import { AbortError } from '../../runtime/components.js';
import type { BytePipe, BytePipeHandlers } from '../byte-pipe.js';
import { DATA_FRAME_OVERHEAD, FramedLink, type FramedLinkInit } from '../framed-link.js';
import { LinkOpenError, type InboundLinkListener, type Link, type LinkFactory } from '../link.js';

export interface MemoryLinkModel {
  readonly latencyMs: number;
  readonly jitterMs: number;
  readonly loss: number;
  readonly mtu: number;
  readonly drop?: (frame: Uint8Array, from: string, to: string) => boolean;
}

export const DEFAULT_MEMORY_LINK_MODEL: MemoryLinkModel = { latencyMs: 10, jitterMs: 0, loss: 0, mtu: 65_536 };

export interface MemoryNetworkDeps {
  /**
   * With a clock that can post tasks (PostingClock, components.ts), each frame's delivery is posted
   * as a task in the order timers are set, with no Timer made for it: nothing cancels a delivery.
   */
  readonly clock: Clock & Partial<Pick<PostingClock, 'post'>>;
  readonly random: Random;
  readonly logger?: Logger;
}

export interface MemoryNetworkInit {
  /** Model for every pair without its own; fields default to DEFAULT_MEMORY_LINK_MODEL. */
  readonly model?: Partial<MemoryLinkModel>;
  /** FramedLink settings for every link (failure timeout, keepalive, RTO bounds). */
  readonly link?: Omit<FramedLinkInit, 'id' | 'remoteAddress'>;
}

/** One frame seen on the network (for captures and traffic figures). */
export interface MemoryFrame {
  readonly at: number;
  readonly from: string;
  readonly to: string;
  readonly bytes: Uint8Array;
  readonly dropped: boolean;
}

export interface MemoryNetworkStats {
  readonly frames: number;
  readonly bytes: number;
  readonly dropped: number;
  readonly linksOpened: number;
}

/** A peer's presence on the network. */
export interface MemoryEndpoint {
  readonly address: string;
  /** Opens links from this endpoint to other addresses. */
  readonly linkFactory: LinkFactory<string>;
  /** Close every link of this endpoint cleanly and stop listening. */
  close(): void;
}

interface EndpointState {
  readonly address: string;
  readonly onInbound: InboundLinkListener;
  /** This endpoint's ends of its open links (each leaves the set when it closes). */
  readonly ends: Set<PipeEnd>;
  crashed: boolean;
}

class PipeEnd implements BytePipe, ClockTask {
  handlers: BytePipeHandlers | undefined;
  peer!: PipeEnd;
  /** The link framed on this end (what the endpoint closes when it goes). */
  link!: Link;
  closed = false;
  /** Delivery time of the last frame sent from this end (keeps the direction ordered); from its creation at first. */
  lastDeliveryAt: number;
  /**
   * Frames sent from this end and not yet delivered, oldest first: `inFlight`, then `queued` (an
   * array only while more than one is in flight). Each has its delivery (this end posted as a
   * task, or a timer); those of one direction run in the order they were set, since the direction
   * is ordered (`lastDeliveryAt`), so each delivers the oldest frame. No closure per frame: a timer
   * calls the one callback of the end (`deliverNext`).
   */
  private inFlight: Uint8Array | undefined;
  private queued: Uint8Array[] | undefined;
  private deliverNext: (() => void) | undefined;
  /** Frames that arrived before the handlers were installed (allocated only then). */
  private early: Uint8Array[] | undefined;

  constructor(
    private readonly net: MemoryNetwork,
    readonly local: EndpointState,
    readonly remote: EndpointState,
    readonly maxMessageSize: number,
    now: number,
  ) {
    this.lastDeliveryAt = now;
  }

  /**
   * Whether either end has crashed (then nothing moves between them, in either direction). Until a
   * peer of the network crashes the endpoints are not looked at: asked as each frame arrives, when
   * they are long out of the CPU's caches.
   */
  get silenced(): boolean {
    return this.net.crashes > 0 && (this.local.crashed || this.remote.crashed);
  }

  setHandlers(handlers: BytePipeHandlers): void {
    this.handlers = handlers;
    const early = this.early;
    this.early = undefined;
    for (const b of early ?? []) handlers.message(b);
  }

  send(bytes: Uint8Array): void {
    if (this.closed) return;
    this.net.transmit(this, bytes);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.local.ends.delete(this);
    this.net.transmitClose(this);
  }

  /** Put a frame in flight (its delivery is then posted or timed: `run` or `deliveryCallback`). */
  enqueue(bytes: Uint8Array): void {
    if (this.inFlight === undefined) this.inFlight = bytes;
    else (this.queued ??= []).push(bytes);
  }

  /** The callback a delivery timer runs (made once, apart from `enqueue` so it needs no closure context). */
  deliveryCallback(): () => void {
    return (this.deliverNext ??= this.run.bind(this));
  }

  /** A delivery is due: the oldest frame in flight from this end arrives at the peer (unless either end has crashed). */
  run(): void {
    const bytes = this.inFlight!;
    const q = this.queued;
    if (q === undefined) this.inFlight = undefined;
    else {
      this.inFlight = q.shift();
      if (q.length === 0) this.queued = undefined;
    }
    if (!this.silenced) this.peer.deliver(bytes);
  }

  deliver(bytes: Uint8Array): void {
    if (this.closed) return;
    if (this.handlers) this.handlers.message(bytes);
    else (this.early ??= []).push(bytes);
  }

  deliverClose(): void {
    if (this.closed) return;
    this.closed = true;
    this.local.ends.delete(this);
    this.handlers?.closed();
  }
}

export class MemoryNetwork {
  private readonly clock: MemoryNetworkDeps['clock'];
  private readonly random: Random;
  private readonly log: Logger;
  private readonly defaultModel: MemoryLinkModel;
  private readonly models = new Map<string, MemoryLinkModel>();
  private readonly endpoints = new Map<string, EndpointState>();
  private readonly taps = new Set<(f: MemoryFrame) => void>();
  private readonly linkInit: Omit<FramedLinkInit, 'id' | 'remoteAddress'>;
  private counters = { frames: 0, bytes: 0, dropped: 0, linksOpened: 0 };
  private linkSeq = 0;
  /** Peers crashed so far (`crash`); read by the pipe ends. */
  crashes = 0;

  constructor(deps: MemoryNetworkDeps, init: MemoryNetworkInit = {}) {
    this.clock = deps.clock;
    this.random = deps.random;
    this.log = deps.logger ?? silentLogger;
    this.defaultModel = { ...DEFAULT_MEMORY_LINK_MODEL, ...init.model };
    this.linkInit = init.link ?? {};
  }

  /** Put a peer on the network at `address`; links others open to it arrive at `onInbound`. */
  listen(address: string, onInbound: InboundLinkListener): MemoryEndpoint {
    if (this.endpoints.has(address)) throw new Error(`address ${address} is already in use`);
    const state: EndpointState = { address, onInbound, ends: new Set(), crashed: false };
    this.endpoints.set(address, state);
    return {
      address,
      linkFactory: { open: (to, options) => this.open(state, to, options) },
      close: () => {
        for (const e of [...state.ends]) e.link.close();
        if (this.endpoints.get(address) === state) this.endpoints.delete(address);
      },
    };
  }

  /** Set the model of the pair {a, b} (both directions). */
  setModel(a: string, b: string, model: Partial<MemoryLinkModel>): void {
    this.models.set(pairKey(a, b), { ...this.modelOf(a, b), ...model });
  }

  modelOf(a: string, b: string): MemoryLinkModel {
    // Asked for every frame: skip building the pair key while no pair has a model of its own.
    if (this.models.size === 0) return this.defaultModel;
    return this.models.get(pairKey(a, b)) ?? this.defaultModel;
  }

  /** The peer at `address` vanishes: nothing it sends or is sent arrives, no close is signalled. */
  crash(address: string): void {
    const s = this.endpoints.get(address);
    if (!s) return;
    s.crashed = true;
    this.crashes++;
    this.endpoints.delete(address);
  }

  /** The peer at `address` leaves cleanly: its links close (the other ends see `remote`). */
  disconnect(address: string): void {
    const s = this.endpoints.get(address);
    if (!s) return;
    for (const e of [...s.ends]) e.link.close();
    this.endpoints.delete(address);
  }

  /** Watch every frame (for pcap captures); returns the unsubscribe function. */
  tap(fn: (frame: MemoryFrame) => void): () => void {
    this.taps.add(fn);
    return () => this.taps.delete(fn);
  }

  stats(): MemoryNetworkStats {
    return { ...this.counters };
  }

  private open(from: EndpointState, to: string, options?: AbortOptions): Promise<Link> {
    if (options?.signal?.aborted) return Promise.reject(new AbortError());
    const model = this.modelOf(from.address, to);
    // Connection setup takes one round trip.
    return new Promise<Link>((resolve, reject) => {
      let timer: Timer | undefined;
      const onAbort = () => {
        timer?.cancel();
        reject(new AbortError());
      };
      options?.signal?.addEventListener('abort', onAbort, { once: true });
      timer = this.clock.setTimer(2 * model.latencyMs, () => {
        options?.signal?.removeEventListener('abort', onAbort);
        const target = this.endpoints.get(to);
        if (!target || from.crashed || this.endpoints.get(from.address) !== from) {
          reject(new LinkOpenError(`no peer listening at ${to}`));
          return;
        }
        // A pair cut apart (every frame lost): no handshake completes, so no link opens across it.
        if (model.loss >= 1) {
          reject(new LinkOpenError(`no route to ${to}`));
          return;
        }
        const n = ++this.linkSeq;
        const pipeSize = model.mtu + DATA_FRAME_OVERHEAD;
        const now = this.clock.now();
        const a = new PipeEnd(this, from, target, pipeSize, now);
        const b = new PipeEnd(this, target, from, pipeSize, now);
        a.peer = b;
        b.peer = a;
        const deps = { clock: this.clock, logger: this.log };
        // Short ids (`mem12>` opener's end, `mem12<` listener's end): a simulator holds many links,
        // and the addresses are in remoteAddress and the logs' context anyway.
        const local = new FramedLink(deps, a, { ...this.linkInit, id: `mem${n}>`, remoteAddress: to, opener: true });
        const remote = new FramedLink(deps, b, { ...this.linkInit, id: `mem${n}<`, remoteAddress: from.address });
        a.link = local;
        b.link = remote;
        from.ends.add(a);
        target.ends.add(b);
        this.counters.linksOpened++;
        target.onInbound(remote);
        resolve(local);
      });
    });
  }

  /** Called by a pipe end to move a frame to its peer. */
  transmit(end: PipeEnd, bytes: Uint8Array): void {
    const from = end.local.address;
    const to = end.remote.address;
    const model = this.modelOf(from, to);
    const lost =
      end.silenced ||
      bytes.length > end.maxMessageSize ||
      (model.loss > 0 && this.random.float() < model.loss) ||
      (model.drop?.(bytes, from, to) ?? false);
    this.counters.frames++;
    this.counters.bytes += bytes.length;
    if (this.taps.size > 0) {
      const f: MemoryFrame = { at: this.clock.now(), from, to, bytes, dropped: lost };
      for (const t of this.taps) t(f);
    }
    if (lost) {
      this.counters.dropped++;
      return;
    }
    const delay = model.latencyMs + (model.jitterMs > 0 ? this.random.float() * model.jitterMs : 0);
    const now = this.clock.now();
    const at = Math.max(now + delay, end.lastDeliveryAt);
    end.lastDeliveryAt = at;
    end.enqueue(bytes);
    if (this.clock.post) this.clock.post(at - now, end);
    else this.clock.setTimer(at - now, end.deliveryCallback());
  }

  /** Called by a pipe end that closed: the peer learns it after the latency (unless one end crashed). */
  transmitClose(end: PipeEnd): void {
    const model = this.modelOf(end.local.address, end.remote.address);
    const at = Math.max(this.clock.now() + model.latencyMs, end.lastDeliveryAt);
    this.clock.setTimer(at - this.clock.now(), () => {
      if (!end.silenced) end.peer.deliverClose();
    });
  }
}

function pairKey(a: string, b: string): string {
  return a < b ? `${a}\u0000${b}` : `${b}\u0000${a}`;
}
