/**
 * The forwarding header of an answer (RFC 6940 §6.2.2): "it MUST construct the Destination List by
 * reversing the order of the entries on the Via List", after the neighbour the request came from
 * (§6.1.2: "exits that node with a Destination List equal to the concatenation of the Node-ID of
 * the node from which the request was received with the Via List in the original request").
 *
 * OUR CHOICE: a request that passed a node twice (A→B→C→B→X: B routed around a suspect link the
 * first time, then took it, route-decision.ts) would get the list [B, C, B, A], which B's own
 * §13.6.5 check ("check the Destination List for duplicate entries and discard such records")
 * drops, and with it every retransmission's answer. The loop is cut out instead: [B, A]. The
 * answer still goes back through peers the request passed, each to a neighbour it heard from.
 * Only Node-ID entries count: equal opaque or compressed ids may come from different peers
 * (§6.3.2.2, "compressed by one of the peers") and name different nodes.
 */
import type { OverlayParameters } from '../forwarding/index.js';
import { destinationKey, hasDuplicateDestination, type Destination } from '../wire/destination.js';
import { RELOAD_VERSION, UNFRAGMENTED, type ForwardingHeader } from '../wire/forwarding-header.js';
import { responseCopyOptions } from '../wire/forwarding-option.js';
import type { NodeId } from '../wire/ids.js';

const node = (nodeId: NodeId): Destination => ({ kind: 'node', nodeId });

/** The via list every message starts with (§6.3.2: "The via_list starts out empty"): one frozen array for all. */
export const NO_DESTINATIONS: readonly Destination[] = Object.freeze([]);

/** The destination list of the answer to a request with `viaList` that arrived from `from` (undefined: from this node itself). */
export function answerDestinationList(viaList: readonly Destination[], from: NodeId | undefined, self: NodeId): Destination[] {
  // One array, filled in place (this runs for every answer).
  const n = viaList.length;
  if (!from && n === 0) return [node(self)];
  const lead = from ? 1 : 0;
  const out = new Array<Destination>(lead + n);
  if (from) out[0] = node(from);
  for (let i = 0; i < n; i++) out[lead + i] = viaList[n - 1 - i]!;
  return withoutLoops(out);
}

/**
 * `list` with every loop cut out: from a Node-ID's first place to its next, the entries between
 * and the repeat go. Most lists have no repeat (the shared duplicate check says so without a map).
 */
function withoutLoops(list: Destination[]): Destination[] {
  if (!hasDuplicateDestination(list)) return list;
  const out: Destination[] = [];
  const at = new Map<string, number>();
  for (const d of list) {
    const key = d.kind === 'node' ? destinationKey(d) : undefined;
    const j = key === undefined ? undefined : at.get(key);
    if (j === undefined) {
      if (key !== undefined) at.set(key, out.length);
      out.push(d);
      continue;
    }
    for (const gone of out.splice(j + 1)) if (gone.kind === 'node') at.delete(destinationKey(gone));
  }
  return out;
}

/** The header of the answer to `request` (received from `from`), sent by `self` under `p`. */
export function answerHeader(request: ForwardingHeader, from: NodeId | undefined, self: NodeId, p: OverlayParameters): ForwardingHeader {
  return {
    // The request's overlay: an Error_Incompatible_with_Overlay answer must reach its sender.
    overlay: request.overlay,
    configurationSequence: p.configurationSequence,
    version: RELOAD_VERSION,
    ttl: p.initialTtl,
    fragment: UNFRAGMENTED,
    length: 0,
    transactionId: request.transactionId,
    // §6.3.2: max_response_length "SHOULD be set to zero for responses".
    maxResponseLength: 0,
    viaList: NO_DESTINATIONS,
    destinationList: answerDestinationList(request.viaList, from, self),
    // §6.3.2.3 RESPONSE_COPY: copied with the three flags cleared.
    options: responseCopyOptions(request.options),
  };
}
