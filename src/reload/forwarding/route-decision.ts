/**
 * RFC 6940 §6.1 receipt processing as a pure function of the forwarding header: what to do with
 * a message (or fragment) that arrived from a neighbour, or that this node originates. Only the
 * forwarding header is examined (§6.3: it "is the only information that an intermediate peer ...
 * needs to examine"); the I/O around it (links, fragments, reassembly) is in forwarding.ts.
 */
import { bytesEqual } from '../wire/codec/hex.js';
import { destinationListSize, hasDuplicateDestination, type Destination } from '../wire/destination.js';
import { checkReceivedTtl, isSupportedVersion, type ForwardingHeader } from '../wire/forwarding-header.js';
import { checkForwardingOptions } from '../wire/forwarding-option.js';
import { ErrorCode } from '../wire/message-codes.js';
import type { NodeId } from '../wire/ids.js';
import type { LinkState } from '../links/link.js';
import { NODE_DESTINATION_SIZE } from '../wire/forwarded-message.js';
import type { OverlayParameters } from './overlay-parameters.js';
import { isWildcardNodeId, type Router, type RoutingTarget } from './router.js';

export interface RouteContext {
  readonly self: NodeId;
  readonly parameters: OverlayParameters;
  readonly router: Router;
  /**
   * The state of the link to this neighbour in the link table, undefined when there is none: one
   * is "directly connected" (§6.1.1, §6.1.2); usable when `open` (not suspect). A message for a
   * neighbour whose link is not usable goes round it through the router, so it gets the loop check.
   * (One lookup gives both: this runs on every message routed.)
   */
  linkState(nodeId: NodeId): LinkState | undefined;
  /** Forwarding option types this node understands (§6.3.2.3). */
  understandsForwardingOption(type: number): boolean;
  /** false: this node is a client and relays nothing it received (ForwardingInit.relay); default true. */
  readonly relay?: boolean;
}

export type RouteDecision =
  /** The message is for this node; `header` has the entries for this node popped off its destination list. */
  | { readonly action: 'deliver'; readonly header: ForwardingHeader }
  /**
   * Send it on towards `target` with `header` (TTL decremented and via list appended when relaying).
   * A relayed message names the neighbour it came from (`relayedFrom`) and how many entries were
   * popped off the front of its destination list (`popped`): its `header` is then made only when
   * read, since forwarding makes the new bytes from the received ones (encodeRelayedMessage).
   */
  | {
      readonly action: 'forward';
      readonly target: RoutingTarget;
      readonly header: ForwardingHeader;
      readonly relayedFrom?: NodeId;
      readonly popped?: number;
      /** Down the link to the target node whatever that link's state (a suspect one too): §6.1.1, see decideRoute. */
      readonly direct?: boolean;
    }
  /** Discard it silently. */
  | { readonly action: 'drop'; readonly reason: string }
  /** Discard it and answer (if it is a request) with this error (§6.3.3.1). */
  | { readonly action: 'error'; readonly errorCode: number; readonly reason: string };

const node = (nodeId: NodeId): Destination => ({ kind: 'node', nodeId });

/** The largest encoded destination (type, length, 255 bytes of data): a via list this many entries short of full has room. */
const MAX_DESTINATION_SIZE = 2 + 255;

function viaListCanGrow(via: readonly Destination[]): boolean {
  return via.length * MAX_DESTINATION_SIZE + NODE_DESTINATION_SIZE <= 0xffff || destinationListSize(via) + NODE_DESTINATION_SIZE <= 0xffff;
}

/**
 * Checks on a received header before routing (§6.1: "it first examines the overlay, version, and
 * other header fields to determine whether the message is one it can process").
 */
function checkReceived(h: ForwardingHeader, ctx: RouteContext): RouteDecision | undefined {
  const p = ctx.parameters;
  // §6.3.2 version: "Nodes MUST reject messages with other versions." We cannot answer in a version
  // we do not speak, so (local policy, §6.1) the message is dropped silently.
  if (!isSupportedVersion(h.version)) return { action: 'drop', reason: `unsupported version 0x${h.version.toString(16)}` };
  // §6.1 + §6.3.3.1 Error_Incompatible_with_Overlay: "A peer receiving the request is using a
  // different overlay, overlay algorithm, or hash algorithm".
  if (h.overlay !== p.overlay) {
    return { action: 'error', errorCode: ErrorCode.Error_Incompatible_with_Overlay, reason: `overlay 0x${h.overlay.toString(16)} is not ours (0x${p.overlay.toString(16)})` };
  }
  // §6.6: "If a peer receives a message that is larger than the value of max-message-size ... the
  // peer SHOULD send an Error_Message_Too_Large error".
  // OUR CHOICE: the via list is not counted. It "starts out empty and grows as the message
  // traverses each peer" (§6.3.2, 18 bytes a hop, §6.1.2), so what is measured is the message as
  // its originator sent it: one the originator could send (at most max-message-size) is not
  // refused by the second relay on its path, and answered by the first ones. (A forwarding header
  // over max-message-size still closes the link, forwarding.ts.)
  if (h.length > p.maxMessageSize && h.length - destinationListSize(h.viaList) > p.maxMessageSize) {
    return { action: 'error', errorCode: ErrorCode.Error_Message_Too_Large, reason: `message of ${h.length} bytes exceeds max-message-size ${p.maxMessageSize}` };
  }
  // §6.3.2 ttl: "Implementations which receive messages with a TTL greater than the current value
  // of initial-ttl (or the default of 100) MUST discard the message and send an Error_TTL_Exceeded error."
  if (checkReceivedTtl(h.ttl, true, p.initialTtl) !== undefined) {
    return { action: 'error', errorCode: ErrorCode.Error_TTL_Exceeded, reason: `TTL ${h.ttl} exceeds initial-ttl ${p.initialTtl}` };
  }
  // §13.6.5: "implementations SHOULD check the Destination List for duplicate entries and discard
  // such records with an "Error_Invalid_Message" error."
  if (hasDuplicateDestination(h.destinationList)) {
    return { action: 'error', errorCode: ErrorCode.Error_Invalid_Message, reason: 'duplicate entry on the destination list' };
  }
  return undefined;
}

/**
 * Decide what to do with a message whose forwarding header is `header`.
 * @param from the neighbour it came from, or undefined when this node originates it.
 */
export function decideRoute(header: ForwardingHeader, from: NodeId | undefined, ctx: RouteContext): RouteDecision {
  if (from !== undefined) {
    const problem = checkReceived(header, ctx);
    if (problem) return problem;
  }
  let list = header.destinationList;
  for (;;) {
    const first = list[0];
    if (first === undefined) return { action: 'drop', reason: 'empty destination list' };
    switch (first.kind) {
      case 'node': {
        if (bytesEqual(first.nodeId, ctx.self)) {
          // §6.1.1: "If it is the only entry on the Destination List, the message is destined for this
          // node ... Otherwise, the node removes the entry from the Destination List and repeats the
          // routing process with the next entry".
          if (list.length === 1) return deliver(header, list);
          list = list.slice(1);
          continue;
        }
        // §6.1.1: "A message with a wildcard Node-ID as its first entry is never forwarded; it is consumed locally."
        if (isWildcardNodeId(first.nodeId)) return deliver(header, list);
        // §6.1.2: "If the first entry on the Destination List is in the peer's Connection Table, the
        // peer MUST forward the message to that peer directly."
        // (A node destination is a RoutingTarget as it is: `first` serves as both.)
        // (A usable direct link needs no more checks: the message goes down it, §6.1.2.)
        const state = ctx.linkState(first.nodeId);
        const connected = state !== undefined;
        const usable = state === 'open';
        if (!usable && ctx.router.isResponsible(first)) {
          // §6.1.1: "If the entry is a Node-ID which is not equal to this node, then the node MUST drop
          // the message silently unless the Node-ID corresponds to a node which is directly connected".
          if (!connected) return { action: 'drop', reason: 'for a node in our range that is not connected to us' };
          // "In the latter case, the node MUST attempt to forward the message to the destination node
          // ... (though this may fail for connectivity reasons ...)": OUR CHOICE, down that link even
          // while it is suspect, although §6.6.3.1 RECOMMENDS taking a suspect link out of the Routing
          // Table (it is, for every other destination). Routed round it, the message could only come
          // back here: every other peer routes that Node-ID to the one responsible for it
          // (Error_Loop_Detected, some 500 times in a 2,000-peer run with 10-minute sessions).
          return forward(first, list, header, from, ctx, true);
        }
        return forward(first, list, header, from, ctx, false, usable);
      }
      case 'resource': {
        if (ctx.router.isResponsible(first)) {
          // §6.1.1: "If the entry is a Resource-ID, then it MUST be the only entry on the Destination
          // List. If there are other entries, the message MUST be silently dropped."
          if (list.length !== 1) return { action: 'drop', reason: 'a Resource-ID that is not the last destination' };
          return deliver(header, list);
        }
        return forward(first, list, header, from, ctx);
      }
      case 'opaque':
      case 'compressed':
        // §6.1.3: an opaque ID is replaced by "the original Via List that it replaced". This node never
        // compresses via lists (§6.1.2 allows either mechanism), so no opaque ID can be one of ours.
        return { action: 'drop', reason: 'an opaque destination this node did not issue' };
      case 'unknown':
        return { action: 'drop', reason: `unknown destination type ${first.type}` };
    }
  }
}

/** Deliver locally, with the entries naming this node popped off the destination list (`list` is what remains). */
function deliver(header: ForwardingHeader, list: readonly Destination[]): RouteDecision {
  return { action: 'deliver', header: list === header.destinationList ? header : { ...header, destinationList: list } };
}

/** Whether `self` is a node entry of `viaList`. */
function onViaList(viaList: readonly Destination[], self: NodeId): boolean {
  for (let i = 0; i < viaList.length; i++) {
    const d = viaList[i]!;
    if (d.kind === 'node' && bytesEqual(d.nodeId, self)) return true;
  }
  return false;
}

/**
 * `direct`: down the link to the target node whatever its state (see decideRoute). `usable`: whether
 * the target node's link is usable (decideRoute looks it up for a node target; a Resource-ID target
 * has no link of its own, so false).
 */
function forward(target: RoutingTarget, list: readonly Destination[], header: ForwardingHeader, from: NodeId | undefined, ctx: RouteContext, direct = false, usable = false): RouteDecision {
  if (from === undefined) {
    // The originator sends with the initial TTL and an empty via list (§6.3.2: "The via_list starts out empty").
    const out = list === header.destinationList ? header : { ...header, destinationList: list };
    return direct ? { action: 'forward', target, header: out, direct } : { action: 'forward', target, header: out };
  }
  // RFC 6940 §4.2: a client is a node "that do[es] not have routing ... responsibilities"; no peer
  // routes through it (§6.5.1: a node it Attached to "MUST NOT route messages through [it] to other
  // peers"), so what arrives for someone else is dropped, as §6.1.1 drops a Node-ID it does not serve.
  if (ctx.relay === false) return { action: 'drop', reason: 'this node is a client and relays nothing (RFC 6940 §4.2)' };
  // §6.3.2 ttl: "If a received message has a TTL of 0 and the message is not destined for the
  // receiving node, then the message MUST NOT be propagated further, and an Error_TTL_Exceeded error
  // should be generated."
  if (checkReceivedTtl(header.ttl, false, ctx.parameters.initialTtl) !== undefined) {
    return { action: 'error', errorCode: ErrorCode.Error_TTL_Exceeded, reason: 'TTL reached 0 before the destination' };
  }
  // RFC 7851 §6.2: "The peer MUST return an error response with error code 0x19
  // "Error_Loop_Detected" when it finds a loop through the analysis of the Via List." A message
  // about to be relayed by a node already on its via list has passed here before. (Checked only
  // when relaying: a message that has reached its destination is delivered, whatever its path.)
  // OUR CHOICE: checked only where the topology picks the next hop. A destination reached over a
  // direct link (a request A→B→C→B→X that B routed round X's suspect link the first time) is a
  // route the destination list names, not a loop; its answer has the loop cut out (answer-header.ts).
  const overLink = direct || usable;
  if (!overLink && onViaList(header.viaList, ctx.self)) {
    return { action: 'error', errorCode: ErrorCode.Error_Loop_Detected, reason: 'this node is already on the via list' };
  }
  // §6.3.2.3: "If the FORWARD_CRITICAL flag is set, any peer that would forward the message but does
  // not understand this option MUST reject the request with an Error_Unsupported_Forwarding_Option".
  if (header.options.length !== 0 && checkForwardingOptions(header.options, (t) => ctx.understandsForwardingOption(t), 'intermediate') !== undefined) {
    return { action: 'error', errorCode: ErrorCode.Error_Unsupported_Forwarding_Option, reason: 'a FORWARD_CRITICAL option this node does not understand' };
  }
  // §6.1.2: relaying appends this node to the via list, whose length is a uint16 (§6.3.2). Only a
  // hostile message has one near full (honest paths end with the TTL, initial-ttl ≤ 255 hops):
  // dropped, rather than failing to encode it.
  if (!viaListCanGrow(header.viaList)) return { action: 'drop', reason: 'the via list cannot take one more entry' };
  return new RelayedForward(target, header, list, from, direct || undefined);
}

/** The decision to relay a message: the forward RouteDecision of a message from a neighbour. */
class RelayedForward {
  readonly action = 'forward' as const;

  constructor(
    readonly target: RoutingTarget,
    /** The header as received. */
    private readonly received: ForwardingHeader,
    /** What remains of its destination list. */
    private readonly list: readonly Destination[],
    readonly relayedFrom: NodeId,
    readonly direct?: true,
  ) {}

  get popped(): number {
    return this.received.destinationList.length - this.list.length;
  }

  /** The header it leaves with (a new object each time it is read). */
  get header(): ForwardingHeader {
    return {
      ...this.received,
      // §6.3.2 ttl: "MUST be decremented by one at every hop along the route ... just before transmission."
      ttl: this.received.ttl - 1,
      // §6.1.2: "appending to the Via List the Node-ID of the node from which the request was received".
      // OUR CHOICE: done for every relayed message, requests and responses alike (it needs no look
      // past the forwarding header, and §6.1.2 neither requires nor forbids it for responses).
      viaList: [...this.received.viaList, node(this.relayedFrom)],
      destinationList: this.list,
    };
  }
}
