/**
 * The forwarding layer (RFC 6940 §6.1–6.2, §6.7): the link table, symmetric recursive routing of
 * every message that arrives on a link or that this node originates, route-around of dead links,
 * fragmentation for links with a small MTU and reassembly of messages for this node.
 *
 * It reads nothing past the forwarding header. Messages for this node go up to the delegate
 * (message transport), and so do routing errors that deserve an error answer: building and
 * signing that answer is transport's job (it calls back through `ForwardingDelegate`, as SIP.js
 * transactions call up through TransactionUser). The topology plug-in answers "next hop?" through
 * the injected Router.
 */
import type { Clock, Logger } from '../runtime/components.js';
import { logsDebug, silentLogger } from '../runtime/components.js';
import type { Link } from '../links/link.js';
import { DecodeError } from '../wire/codec/decode-error.js';
import { decodeForwardingHeaderAndLength, encodeRelayedMessage, encodeWithForwardingHeader } from '../wire/forwarded-message.js';
import { fragmentOffset, isUnfragmented, type ForwardingHeader } from '../wire/forwarding-header.js';
import { Reassembler, fragmentMessage, maxFragmentSizeForPmtu, type ReassemblerInit } from '../wire/fragmentation.js';
import { ErrorCode } from '../wire/message-codes.js';
import type { NodeId } from '../wire/ids.js';
import { LinkTable, type LinkTableListener } from './link-table.js';
import type { OverlayParameters } from './overlay-parameters.js';
import { decideRoute, type RouteContext } from './route-decision.js';
import { nodeIdKey, nullRouter, type Router, type RoutingTarget } from './router.js';

/** A message for this node, handed up to message transport. */
export interface InboundMessage {
  /** The whole message as received (reassembled if it came in fragments). */
  readonly bytes: Uint8Array;
  /** Its forwarding header, with the destination-list entries naming this node popped off. */
  readonly header: ForwardingHeader;
  /**
   * The encoded size of the forwarding header as received: the payload (MessageContents then
   * SecurityBlock) is `bytes` from there on (no view of it is made per message).
   */
  readonly headerLength: number;
  /** The neighbour it came from; undefined when this node sent it to itself. */
  readonly from: NodeId | undefined;
}

/** A received message forwarding refused with an RFC error; transport answers it if it is a request. */
export interface RoutingFailure {
  /** The header as received. */
  readonly header: ForwardingHeader;
  /** The bytes after the header (for a fragment at offset 0, they start with the message_code). */
  readonly payload: Uint8Array;
  readonly from: NodeId;
  readonly errorCode: number;
  readonly reason: string;
}

/** How forwarding calls up into message transport. */
export interface ForwardingDelegate {
  deliver(message: InboundMessage): void;
  routingFailed(failure: RoutingFailure): void;
}

/**
 * The outcome of originating a message. A failure with an `errorCode` is final (the message can
 * never go out as it is); one without is transient (no usable route right now: retransmission may
 * succeed once the topology repairs itself).
 */
export type SendResult = { readonly ok: true } | { readonly ok: false; readonly errorCode?: number; readonly reason: string };

export interface ForwardingStats {
  readonly originated: number;
  readonly forwarded: number;
  readonly delivered: number;
  readonly dropped: number;
  readonly errors: number;
  readonly fragmentsSent: number;
  readonly reassembled: number;
  readonly routeArounds: number;
}

/** What the Chord plug-in and message transport use of the forwarding layer. */
export interface Forwarding {
  readonly localNodeId: NodeId;
  readonly parameters: OverlayParameters;
  /** Inject the topology plug-in's router (start-up). Until then no message can be routed onward. */
  setRouter(router: Router): void;
  /** Inject message transport (start-up). */
  setDelegate(delegate: ForwardingDelegate): void;
  /** Put a link to neighbour `nodeId` in the link table (replacing an older one, which is retired: link-table.ts). */
  addLink(nodeId: NodeId, link: Link): void;
  /** Take the link to `nodeId` out of the table and close it. */
  removeLink(nodeId: NodeId): void;
  /** A link to `nodeId` kept out of the table in favour of the one there: delivers what arrives on it for a grace period, then closes (link-table.ts). */
  retireLink(nodeId: NodeId, link: Link): void;
  getLink(nodeId: NodeId): Link | undefined;
  /** Whether a link to `nodeId` is in the table and `open`. */
  isUsable(nodeId: NodeId): boolean;
  /** `isUsable` by nodeIdKey(nodeId), for hot paths that hold the key already. */
  isUsableKey(key: string): boolean;
  /** Every neighbour in the link table. */
  neighbours(): { readonly nodeId: NodeId; readonly link: Link }[];
  /** Link table changes (added, state, removed); returns the unsubscribe function. */
  onLinkEvent(listener: LinkTableListener): () => void;
  /**
   * Route an encoded message this node originates (a request or an answer) per its destination
   * list. A sender that has just encoded the message may pass its forwarding `header` (with the
   * `length` it was encoded with) and `headerLength`, which spares decoding them again; they must
   * be exactly what `message` holds.
   */
  send(message: Uint8Array, header?: ForwardingHeader, headerLength?: number): SendResult;
  stats(): ForwardingStats;
  /** Close every link and stop. */
  close(): void;
}

export interface ForwardingDeps {
  readonly clock: Clock;
  readonly logger?: Logger;
}

export interface ForwardingInit {
  readonly localNodeId: NodeId;
  readonly parameters: OverlayParameters;
  /** Forwarding option types this node understands (§6.3.2.3); default none. */
  readonly understoodForwardingOptions?: ReadonlySet<number>;
  /** Reassembly buffer bounds (§6.7); max-message-size comes from `parameters`. */
  readonly reassembly?: Omit<ReassemblerInit, 'maxMessageSize'>;
  /** Next hops tried for one message before giving up (route-around); default 4. */
  readonly maxRouteAttempts?: number;
  /**
   * false for a client (RFC 6940 §4.2: clients "do not have routing or storage responsibilities"):
   * a message from a neighbour that is not for this node is dropped, never relayed. Default true.
   */
  readonly relay?: boolean;
}

const NOTHING_EXCLUDED: ReadonlySet<string> = new Set();
/** The one success result (results are read, never changed). */
const SENT: SendResult = Object.freeze({ ok: true });

export function createForwarding(deps: ForwardingDeps, init: ForwardingInit): Forwarding {
  return new ForwardingLayer(deps, init);
}

class ForwardingLayer implements Forwarding {
  readonly localNodeId: NodeId;
  readonly parameters: OverlayParameters;
  private readonly clock: Clock;
  private readonly log: Logger;
  /** Each hop a message takes from here is logged (debug): only when the logger keeps debug entries (logsDebug), never on the simulator's hot path. */
  private readonly traced: boolean;
  /** The hop `transmit` chose last (traced only). */
  private lastHop: string | undefined;
  private router: Router = nullRouter;
  private delegate: ForwardingDelegate | undefined;
  private readonly table: LinkTable;
  private readonly reassembler: Reassembler;
  private readonly understood: ReadonlySet<number>;
  private readonly maxRouteAttempts: number;
  private readonly ctx: RouteContext;
  private closed = false;
  private counters = { originated: 0, forwarded: 0, delivered: 0, dropped: 0, errors: 0, fragmentsSent: 0, reassembled: 0, routeArounds: 0 };

  constructor(deps: ForwardingDeps, init: ForwardingInit) {
    this.clock = deps.clock;
    this.log = deps.logger ?? silentLogger;
    this.traced = logsDebug(this.log);
    this.localNodeId = init.localNodeId.slice();
    this.parameters = init.parameters;
    this.understood = init.understoodForwardingOptions ?? new Set();
    this.maxRouteAttempts = init.maxRouteAttempts ?? 4;
    this.reassembler = new Reassembler({ ...init.reassembly, maxMessageSize: init.parameters.maxMessageSize });
    this.table = new LinkTable((nodeId, link, message) => this.receive(nodeId, link, message), this.clock);
    const self = this;
    this.ctx = {
      self: this.localNodeId,
      parameters: this.parameters,
      get router() {
        return self.router;
      },
      linkState: (id) => this.table.stateOf(id),
      understandsForwardingOption: (t) => this.understood.has(t),
      ...(init.relay === false ? { relay: false } : {}),
    };
  }

  setRouter(router: Router): void {
    this.router = router;
  }

  setDelegate(delegate: ForwardingDelegate): void {
    this.delegate = delegate;
  }

  addLink(nodeId: NodeId, link: Link): void {
    if (this.closed) {
      link.close();
      return;
    }
    this.table.add(nodeId, link);
  }

  removeLink(nodeId: NodeId): void {
    this.table.remove(nodeId, true);
  }

  retireLink(nodeId: NodeId, link: Link): void {
    if (this.closed) link.close();
    else this.table.retire(nodeId, link);
  }

  getLink(nodeId: NodeId): Link | undefined {
    return this.table.get(nodeId);
  }

  isUsable(nodeId: NodeId): boolean {
    return this.table.isUsable(nodeId);
  }

  isUsableKey(key: string): boolean {
    return this.table.isUsableKey(key);
  }

  neighbours(): { readonly nodeId: NodeId; readonly link: Link }[] {
    return this.table.entriesList();
  }

  onLinkEvent(listener: LinkTableListener): () => void {
    return this.table.subscribe(listener);
  }

  stats(): ForwardingStats {
    return { ...this.counters };
  }

  close(): void {
    this.closed = true;
    this.table.clear();
  }

  send(message: Uint8Array, header?: ForwardingHeader, headerLength?: number): SendResult {
    if (this.closed) return { ok: false, reason: 'forwarding is closed' };
    if (header === undefined || headerLength === undefined) {
      try {
        // Owned: message transport hands over bytes it never changes (views of them are safe).
        ({ header, headerLength } = decodeForwardingHeaderAndLength(message, { maxMessageSize: Number.MAX_SAFE_INTEGER }, true));
      } catch (e) {
        if (e instanceof DecodeError) return { ok: false, errorCode: ErrorCode.Error_Invalid_Message, reason: `not a RELOAD message: ${e.message}` };
        throw e;
      }
    }
    if (header.length > this.parameters.maxMessageSize) {
      return { ok: false, errorCode: ErrorCode.Error_Message_Too_Large, reason: `message of ${header.length} bytes exceeds max-message-size ${this.parameters.maxMessageSize}` };
    }
    this.counters.originated++;
    return this.route(message, header, headerLength, undefined);
  }

  /** A message or fragment arrived on the link to neighbour `from`. */
  private receive(from: NodeId, link: Link, bytes: Uint8Array): void {
    if (this.closed) return;
    let parsed: { readonly header: ForwardingHeader; readonly headerLength: number };
    try {
      // Owned: a link hands over what it received (byte-pipe.ts).
      parsed = decodeForwardingHeaderAndLength(bytes, { maxMessageSize: Number.MAX_SAFE_INTEGER }, true);
    } catch (e) {
      if (!(e instanceof DecodeError)) throw e;
      this.counters.dropped++;
      this.log.debug('dropped a malformed message', { from: nodeIdKey(from), error: e.message });
      return;
    }
    // §6.6: "If the forwarding header is larger than the max-message-size, the receiver SHOULD close
    // the TLS or DTLS session without sending an error."
    if (parsed.headerLength > this.parameters.maxMessageSize) {
      this.counters.dropped++;
      this.log.warn('forwarding header larger than max-message-size; closing the link', { from: nodeIdKey(from), link: link.id });
      if (this.table.get(from) === link) this.table.remove(from, true);
      else link.close();
      return;
    }
    // DEVIATION: §6.6 also says a peer sending an over-large message should have its session closed
    // after the Error_Message_Too_Large answer. We answer and keep the link: the neighbour is often
    // only relaying someone else's message, and closing would cut every other route through it.
    this.route(bytes, parsed.header, parsed.headerLength, from);
  }

  /** `header` is the forwarding header of `bytes`, `headerLength` its encoded size (the payload follows). */
  private route(bytes: Uint8Array, header: ForwardingHeader, headerLength: number, from: NodeId | undefined): SendResult {
    const decision = decideRoute(header, from, this.ctx);
    switch (decision.action) {
      case 'deliver':
        this.deliverLocal(bytes, header, headerLength, decision.header, from);
        return SENT;
      case 'forward': {
        // When decideRoute left the header as it was (a message this node originates: it leaves
        // with the header it was encoded with, §6.3.2), its bytes go out as they are. Otherwise
        // (a relayed one's new TTL and via list, §6.1.2) the new header goes before the unparsed rest.
        // A relayed one's new bytes are spliced from the received ones (no header is built).
        const out =
          (decision.relayedFrom !== undefined ? encodeRelayedMessage(bytes, headerLength, header.ttl, decision.relayedFrom, decision.popped ?? 0) : undefined) ??
          (decision.header === header ? bytes : encodeWithForwardingHeader(decision.header, bytes.subarray(headerLength)));
        this.lastHop = undefined;
        const result = decision.direct ? this.transmitDirect(out, decision.target) : this.transmit(out, decision.target);
        if (this.traced) this.log.debug(from === undefined ? 'sent' : 'forwarded', { transactionId: header.transactionId.toString(), ...(from ? { from: nodeIdKey(from) } : {}), via: this.lastHop ?? (decision.direct ? 'direct' : 'none'), ...(result.ok ? {} : { notSent: result.reason }) });
        if (result.ok) {
          if (from !== undefined) this.counters.forwarded++;
        } else {
          this.counters.dropped++;
          this.log.debug('could not forward', { reason: result.reason, transactionId: header.transactionId.toString() });
        }
        return result;
      }
      case 'drop':
        this.counters.dropped++;
        this.log.debug('dropped', { reason: decision.reason, transactionId: header.transactionId.toString() });
        return { ok: false, reason: decision.reason };
      case 'error':
        this.counters.errors++;
        if (from !== undefined) {
          this.delegate?.routingFailed({ header, payload: bytes.subarray(headerLength), from, errorCode: decision.errorCode, reason: decision.reason });
        }
        return { ok: false, errorCode: decision.errorCode, reason: decision.reason };
    }
  }

  /** Send down the link to a target node whatever that link's state, short of closed (RouteDecision `direct`). */
  private transmitDirect(bytes: Uint8Array, target: RoutingTarget): SendResult {
    const link = target.kind === 'node' ? this.table.get(target.nodeId) : undefined;
    if (!link || link.state === 'closed') return { ok: false, reason: 'the link to the destination node is gone' };
    const sent = this.sendOver(link, bytes);
    if (sent === 'sent') return SENT;
    return sent === 'too-large' ? tooLarge(link) : { ok: false, reason: 'the link to the destination node did not take the message' };
  }

  /** Send toward `target`, routing around links that are down (§6.6: failed links are left out). */
  private transmit(bytes: Uint8Array, target: RoutingTarget): SendResult {
    // Made only when a first choice fails (route-around is rare).
    let exclude: Set<string> | undefined;
    for (let attempt = 0; attempt < this.maxRouteAttempts; attempt++) {
      // §6.1.2 / §6.2.1: "If the first entry on the Destination List is directly connected, then the
      // message MUST be routed down that connection. Otherwise, the Topology Plug-in MUST be consulted".
      // (The link to a neighbour target is looked up once: it is both the test and the link used.)
      let hop: NodeId | undefined;
      let link: Link | undefined;
      if (target.kind === 'node' && (exclude === undefined || !exclude.has(nodeIdKey(target.nodeId)))) {
        link = this.table.get(target.nodeId);
        if (link) hop = target.nodeId;
      }
      if (!hop) {
        hop = this.router.nextHop(target, exclude ?? NOTHING_EXCLUDED);
        if (!hop) return { ok: false, reason: attempt === 0 ? 'no next hop' : 'no usable next hop' };
        link = this.table.get(hop);
      }
      if (link && link.state === 'open') {
        const sent = this.sendOver(link, bytes);
        if (this.traced) this.lastHop = `${nodeIdKey(hop)} (${link.id}) ${sent}`;
        if (sent === 'sent') return SENT;
        if (sent === 'too-large') return tooLarge(link);
      }
      // RFC 6940 §6.6: "implementations SHOULD quickly act to remove a failed link from the Routing
      // Table": ask the router again without it.
      (exclude ??= new Set()).add(nodeIdKey(hop));
      this.counters.routeArounds++;
    }
    return { ok: false, reason: `no usable next hop after ${this.maxRouteAttempts} attempts` };
  }

  /** Send `bytes` over `link`, in fragments if it exceeds the link's MTU (§6.7). */
  private sendOver(link: Link, bytes: Uint8Array): 'sent' | 'failed' | 'too-large' {
    if (bytes.length <= link.maxMessageSize) return link.send(bytes) ? 'sent' : 'failed';
    // §6.7: "it SHOULD be split into equal-sized fragments that are no larger than the Path MTU
    // (PMTU) of the next overlay link minus 32 bytes".
    const pieces = fragmentMessage(bytes, maxFragmentSizeForPmtu(link.maxMessageSize));
    if (pieces.some((p) => p.length > link.maxMessageSize)) return 'too-large';
    for (const p of pieces) {
      if (!link.send(p)) return 'failed';
      this.counters.fragmentsSent++;
    }
    return 'sent';
  }

  private deliverLocal(bytes: Uint8Array, received: ForwardingHeader, headerLength: number, header: ForwardingHeader, from: NodeId | undefined): void {
    if (isUnfragmented(received.fragment)) {
      this.handUp({ bytes, header, headerLength, from });
      return;
    }
    // §6.7: "only the final destination reassembles the fragments". Fragments of one message are
    // told apart from others by overlay, transaction_id and the originator (first via entry).
    const origin = received.viaList[0];
    const source = origin?.kind === 'node' ? nodeIdKey(origin.nodeId) : '';
    let result;
    try {
      result = this.reassembler.add(bytes, this.clock.now(), source);
    } catch (e) {
      if (!(e instanceof DecodeError)) throw e;
      this.counters.dropped++;
      return;
    }
    if (result.status === 'complete') {
      this.counters.reassembled++;
      const whole = decodeForwardingHeaderAndLength(result.message, { maxMessageSize: this.parameters.maxMessageSize }, true);
      this.handUp({ bytes: result.message, header: { ...whole.header, destinationList: header.destinationList }, headerLength: whole.headerLength, from });
    } else if (result.status === 'rejected') {
      this.counters.dropped++;
      this.log.debug('reassembly rejected a fragment', { reason: result.reason, detail: result.detail });
      if (result.reason === 'too-large' && from !== undefined && fragmentOffset(received.fragment) === 0) {
        this.delegate?.routingFailed({ header: received, payload: bytes.subarray(headerLength), from, errorCode: ErrorCode.Error_Message_Too_Large, reason: result.detail });
      }
    }
  }

  private handUp(message: InboundMessage): void {
    this.counters.delivered++;
    const delegate = this.delegate;
    if (!delegate) return;
    // A message this node sent to itself is handed up on a later job, so the sender's own call
    // (e.g. transport registering its transaction) completes first.
    if (message.from === undefined) queueMicrotask(() => delegate.deliver(message));
    else delegate.deliver(message);
  }
}

/** §6.7: a message that cannot be fragmented to fit `link` fails for good (Error_Message_Too_Large). */
function tooLarge(link: Link): SendResult {
  return { ok: false, errorCode: ErrorCode.Error_Message_Too_Large, reason: `cannot fragment to fit a ${link.maxMessageSize}-byte link` };
}
