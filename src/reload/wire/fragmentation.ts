import { bytesEqual } from './codec/hex.js';
import { destinationListSize } from './destination.js';
import { itself, upperBound } from './codec/sorted.js';
import {
  UNFRAGMENTED,
  fragmentField,
  fragmentOffset,
  isLastFragment,
  isUnfragmented,
  type ForwardingHeader,
} from './forwarding-header.js';
import { DEFAULT_MAX_MESSAGE_SIZE, decodeForwardingHeaderOnly, encodeWithForwardingHeader } from './forwarded-message.js';

/** RFC 6940 §6.7: each fragment "MUST contain at least 256 bytes of the message body". */
export const MIN_FRAGMENT_BODY = 256;
/**
 * RFC 6940 §6.7: fragments SHOULD be "no larger than the Path MTU (PMTU) of the next overlay link
 * minus 32 bytes. This is to allow the Via List to grow before further fragmentation is required."
 */
export const VIA_LIST_GROWTH_ALLOWANCE = 32;
/** RFC 6940 §6.7: "receivers SHOULD time out incomplete fragments after the maximum request lifetime (15 seconds)". */
export const REASSEMBLY_TIMEOUT_MS = 15_000;

/** The `maxFragmentSize` to use for a link whose path MTU is `pmtu` (RFC 6940 §6.7: PMTU minus 32). */
export function maxFragmentSizeForPmtu(pmtu: number): number {
  return pmtu - VIA_LIST_GROWTH_ALLOWANCE;
}

/**
 * RFC 6940 §6.7: split an encoded message (or an already fragmented piece: "Any node along the
 * path can fragment the message") into fragments of at most `maxFragmentSize` bytes each.
 *
 * Each fragment is a full copy of the forwarding header (via list, destination list, options)
 * with its own `fragment` field (offset of the piece in the data after the header; the last-
 * fragment bit only on the last piece, and only if the input was itself a last piece) and its own
 * `length` ("the size of the message after fragmentation"), followed by one piece of the data.
 * Pieces are of equal size (± 1 byte) as §6.7 recommends and each holds at least 256 bytes.
 *
 * Returns `[encoded]` unchanged when it already fits, and also when fragmentation is not possible
 * because the header plus 256 bytes does not fit ("RELOAD fragmentation is not performed, and
 * IP-layer fragmentation is allowed to occur"); the caller sees that the one piece is too big.
 *
 * @throws DecodeError when `encoded` is not a well-formed message or fragment header;
 *   EncodeError when an offset would not fit the 24-bit offset field.
 */
export function fragmentMessage(encoded: Uint8Array, maxFragmentSize: number): Uint8Array[] {
  if (encoded.length <= maxFragmentSize) return [encoded];
  const { header, headerLength, payload } = decodeForwardingHeaderOnly(encoded, { maxMessageSize: Number.MAX_SAFE_INTEGER });
  const room = maxFragmentSize - headerLength;
  if (room < MIN_FRAGMENT_BODY) return [encoded];
  const count = Math.ceil(payload.length / room);
  const base = Math.floor(payload.length / count);
  if (count < 2 || base < MIN_FRAGMENT_BODY) return [encoded];
  const extra = payload.length % count;
  const startOffset = fragmentOffset(header.fragment);
  const inputIsLast = isLastFragment(header.fragment);
  const out: Uint8Array[] = [];
  let at = 0;
  for (let i = 0; i < count; i++) {
    const size = base + (i < extra ? 1 : 0);
    const fragment = fragmentField(startOffset + at, inputIsLast && i === count - 1);
    out.push(encodeWithForwardingHeader({ ...header, fragment }, payload.subarray(at, at + size)));
    at += size;
  }
  return out;
}

/** Settings for a Reassembler (all optional). */
export interface ReassemblerInit {
  /** Configured max-message-size (§11.1): largest reassembled message accepted. Default 5000. */
  readonly maxMessageSize?: number;
  /** Most messages being reassembled at once. Default 64. */
  readonly maxConcurrentMessages?: number;
  /** Most bytes held across all partial messages. Default max(256 KiB, 4 × maxMessageSize). */
  readonly maxTotalBytes?: number;
  /**
   * Most separate runs of bytes (adjacent pieces count once) held for one message. Default
   * ceil(maxMessageSize / 256) (§6.7's minimum piece). The pieces held, adjacent or not, are held
   * to 4 × this (PIECES_PER_RUN).
   */
  readonly maxFragmentsPerMessage?: number;
  /** Incomplete messages older than this (since their first fragment) are dropped. Default 15000 ms. */
  readonly timeoutMs?: number;
}

/** Why a fragment was not accepted. Except for `too-many-messages`, the message it belonged to is dropped. */
export type ReassemblyRejection =
  /** Its bytes overlap a different piece already held. */
  | 'overlap'
  /** It contradicts what is known: a second last fragment, a piece past the end, an empty piece. */
  | 'inconsistent'
  /** A piece other than the last with under 256 bytes of body (§6.7). */
  | 'too-small'
  /** The message would exceed max-message-size. */
  | 'too-large'
  /** maxConcurrentMessages partial messages are already held; the new message is dropped. */
  | 'too-many-messages'
  /** maxTotalBytes would be exceeded ("if the receiver runs out of buffer space ... it MUST drop the message"). */
  | 'out-of-memory'
  /** maxFragmentsPerMessage separate runs, or 4 × that many pieces, would be exceeded. */
  | 'too-many-fragments';

export type ReassemblyResult =
  /** The whole message, encoded with `fragment` = UNFRAGMENTED and `length` = its size. */
  | { readonly status: 'complete'; readonly message: Uint8Array }
  | { readonly status: 'pending' }
  /** A piece whose bytes are all held already (a retransmission, cut where the first was or elsewhere); ignored. */
  | { readonly status: 'duplicate' }
  | { readonly status: 'rejected'; readonly reason: ReassemblyRejection; readonly detail: string };

interface Partial {
  readonly firstSeen: number;
  /** Pieces by offset, none overlapping; copied into one body only once the message is complete. */
  readonly pieces: Map<number, Uint8Array>;
  /**
   * The offsets of `pieces`, ascending; each new piece is put in its place by binary search, so a
   * piece costs O(log n) to place plus the move, not a sort of everything held (`uncovered`).
   */
  readonly offsets: number[];
  /** End offsets of the pieces (none overlap, so each end is one piece's). */
  readonly ends: Set<number>;
  /** Separate runs of adjacent pieces. */
  runs: number;
  /** Header of the offset-0 piece, used for the reassembled message. */
  header?: ForwardingHeader;
  headerLength: number;
  /** Body size, known once the last fragment arrived. */
  total?: number;
  /** Body bytes held. */
  bodyBytes: number;
}

/** The index in `offsets` (ascending) of the first offset above `target`. */
const firstAbove = (offsets: readonly number[], target: number): number => upperBound(offsets, itself, target);

/**
 * The parts of `payload` (a piece at body offset `offset`) that `p`'s pieces (not overlapping) do
 * not hold yet, each its own copy (a view would keep all of `payload` alive while only the part
 * is counted against maxTotalBytes), or 'differs' when a held piece has other bytes where they
 * overlap. OUR CHOICE: §6.7 lets "any node along the path" fragment, so a retransmission (§6.2.1)
 * that took another path may be cut at other places than the pieces of the first transmission
 * still held; where the bytes agree it fills in what is missing, where they differ the message is
 * inconsistent and dropped. Only the held pieces it overlaps are visited, found by binary search
 * in `p.offsets` (pieces do not overlap, so their ends ascend with their offsets).
 */
function uncovered(p: Pick<Partial, 'pieces' | 'offsets'>, offset: number, payload: Uint8Array): { offset: number; bytes: Uint8Array }[] | 'differs' {
  const end = offset + payload.length;
  // The held piece starting at or before `offset` may reach into it; those after start above it.
  let i = firstAbove(p.offsets, offset) - 1;
  if (i < 0 || (p.offsets[i] as number) + (p.pieces.get(p.offsets[i] as number) as Uint8Array).length <= offset) i++;
  const gaps: { offset: number; bytes: Uint8Array }[] = [];
  let at = offset;
  for (; i < p.offsets.length && (p.offsets[i] as number) < end; i++) {
    const o = p.offsets[i] as number;
    const piece = p.pieces.get(o) as Uint8Array;
    const from = Math.max(o, offset);
    const to = Math.min(o + piece.length, end);
    if (!bytesEqual(piece.subarray(from - o, to - o), payload.subarray(from - offset, to - offset))) return 'differs';
    if (o > at) gaps.push({ offset: at, bytes: payload.slice(at - offset, o - offset) });
    at = Math.max(at, o + piece.length);
  }
  if (at < end) gaps.push({ offset: at, bytes: at === offset ? payload : payload.slice(at - offset) });
  return gaps;
}

/**
 * The runs of adjacent pieces `pieces` would make with `gaps` (from `uncovered`, in order) added,
 * counted without joining them. A retransmission cut elsewhere fills a gap with parts of one or
 * two of its pieces; counted apart, these parts would push a message whose first pieces arrived
 * every other one past maxFragmentsPerMessage. Counted as runs, each run spans at least one whole
 * piece received, and every piece but the last holds at least 256 bytes (§6.7, checked in `add`),
 * so a message from a sender that keeps to §6.7 never makes more than max-message-size / 256 runs.
 */
function runsWith(p: Partial, gaps: readonly { offset: number; bytes: Uint8Array }[]): number {
  let runs = p.runs;
  // Gaps are never adjacent to one another: a held piece lies between any two.
  for (const { offset, bytes } of gaps) runs += 1 - (p.ends.has(offset) ? 1 : 0) - (p.pieces.has(offset + bytes.length) ? 1 : 0);
  return runs;
}

/**
 * OUR CHOICE: pieces held per message, as a multiple of maxFragmentsPerMessage. Runs alone do not
 * bound them: pieces of 256 bytes that each overlap what is held and bring one new byte make one
 * run of many pieces, each its own object. A first transmission holds at most maxFragmentsPerMessage
 * pieces, and a retransmission cut elsewhere adds at most one per piece of it plus one per gap it
 * fills; four times leaves room for that and part of one more.
 */
const PIECES_PER_RUN = 4;

/**
 * RFC 6940 §6.7 reassembly at the final destination, as pure state: no timers; every call takes
 * `now` (ms, from the injected clock). Partial messages are keyed by overlay, transaction_id and
 * an optional caller-chosen `source` (e.g. the link the fragments came on), so that fragments
 * from different senders that happen to share a transaction id do not mix.
 *
 * Memory is bounded by max-message-size per message, maxConcurrentMessages, maxTotalBytes and
 * maxFragmentsPerMessage; partial messages are dropped after `timeoutMs`.
 */
export class Reassembler {
  private readonly maxMessageSize: number;
  private readonly maxConcurrentMessages: number;
  private readonly maxTotalBytes: number;
  private readonly maxFragmentsPerMessage: number;
  private readonly timeoutMs: number;
  private readonly partials = new Map<string, Partial>();
  private heldBytes = 0;

  constructor(init: ReassemblerInit = {}) {
    this.maxMessageSize = init.maxMessageSize ?? DEFAULT_MAX_MESSAGE_SIZE;
    this.maxConcurrentMessages = init.maxConcurrentMessages ?? 64;
    this.maxTotalBytes = init.maxTotalBytes ?? Math.max(256 * 1024, 4 * this.maxMessageSize);
    this.maxFragmentsPerMessage = init.maxFragmentsPerMessage ?? Math.max(1, Math.ceil(this.maxMessageSize / MIN_FRAGMENT_BODY));
    this.timeoutMs = init.timeoutMs ?? REASSEMBLY_TIMEOUT_MS;
  }

  /** Partial messages currently held. */
  get pendingMessages(): number {
    return this.partials.size;
  }

  /** Bytes currently held across partial messages (pieces plus the stored header size). */
  get pendingBytes(): number {
    return this.heldBytes;
  }

  /** Drop partial messages older than the timeout; returns how many were dropped. */
  expire(now: number): number {
    let dropped = 0;
    for (const [key, p] of this.partials) {
      if (now - p.firstSeen >= this.timeoutMs) {
        this.drop(key);
        dropped++;
      }
    }
    return dropped;
  }

  /**
   * Take one received message or fragment (the bytes of one FramedMessage `data`). A whole
   * message (fragment = 0xC0000000) comes straight back as complete.
   *
   * @throws DecodeError (MessageTooLargeError included) when its forwarding header is malformed.
   */
  add(bytes: Uint8Array, now: number, source = ''): ReassemblyResult {
    this.expire(now);
    const { header, headerLength, payload } = decodeForwardingHeaderOnly(bytes, { maxMessageSize: this.maxMessageSize });
    if (isUnfragmented(header.fragment)) return { status: 'complete', message: bytes };

    const key = `${header.overlay}/${header.transactionId}/${source}`;
    const offset = fragmentOffset(header.fragment);
    const last = isLastFragment(header.fragment);
    const end = offset + payload.length;
    const existing = this.partials.get(key);
    const reject = (reason: ReassemblyRejection, detail: string): ReassemblyResult => {
      if (existing) this.drop(key);
      return { status: 'rejected', reason, detail };
    };

    if (payload.length === 0) return reject('inconsistent', `empty fragment at offset ${offset}`);
    // RFC 6940 §6.7: each fragment "MUST contain at least 256 bytes of the message body".
    // OUR CHOICE: not checked on the last piece, which senders that cut path-MTU-sized pieces
    // rather than equal ones leave short; there is one last piece per message.
    if (!last && payload.length < MIN_FRAGMENT_BODY) return reject('too-small', `a piece of ${payload.length} bytes of body at offset ${offset}, not the last`);
    // The via list does not count: it grew on the way (18 bytes a relay, §6.1.2), and relays measure
    // the message as its originator sent it (route-decision.ts checkReceived).
    if (headerLength - destinationListSize(header.viaList) + end > this.maxMessageSize) {
      return reject('too-large', `a piece ending at body offset ${end} makes the message larger than max-message-size ${this.maxMessageSize}`);
    }

    let p = existing;
    if (p) {
      if (p.total !== undefined && end > p.total) return reject('inconsistent', `piece ${offset}..${end} goes past the message end ${p.total}`);
      if (last && p.total !== undefined && end !== p.total) return reject('inconsistent', `a second last fragment ends at ${end}, the first at ${p.total}`);
      // The piece at the highest offset reaches furthest (pieces do not overlap).
      const furthest = p.offsets.at(-1);
      const reach = furthest === undefined ? 0 : furthest + (p.pieces.get(furthest) as Uint8Array).length;
      if (last && reach > end) return reject('inconsistent', `last fragment ends at ${end} but a piece reaches ${reach}`);
    }
    const gaps = p ? uncovered(p, offset, payload) : [{ offset, bytes: payload }];
    if (gaps === 'differs') return reject('overlap', `piece ${offset}..${end} overlaps a piece held with other bytes`);
    if (gaps.length === 0 && !(last && p?.total === undefined)) return { status: 'duplicate' };
    const runs = p ? runsWith(p, gaps) : 1;
    if (runs > this.maxFragmentsPerMessage) return reject('too-many-fragments', `more than ${this.maxFragmentsPerMessage} separate runs`);
    const maxPieces = PIECES_PER_RUN * this.maxFragmentsPerMessage;
    if ((p?.pieces.size ?? 0) + gaps.length > maxPieces) return reject('too-many-fragments', `more than ${maxPieces} pieces`);
    if (!p && this.partials.size >= this.maxConcurrentMessages) return reject('too-many-messages', `already reassembling ${this.partials.size} messages`);

    const newHeader = gaps.length > 0 && gaps[0]!.offset === 0;
    const cost = gaps.reduce((n, g) => n + g.bytes.length, 0) + (newHeader ? headerLength : 0);
    if (this.heldBytes + cost > this.maxTotalBytes) return reject('out-of-memory', `holding ${this.heldBytes} bytes; ${cost} more exceeds ${this.maxTotalBytes}`);

    if (!p) {
      p = { firstSeen: now, pieces: new Map(), offsets: [], ends: new Set(), runs: 0, headerLength: 0, bodyBytes: 0 };
      this.partials.set(key, p);
    }
    p.runs = runs;
    for (const g of gaps) {
      p.offsets.splice(firstAbove(p.offsets, g.offset), 0, g.offset);
      p.pieces.set(g.offset, g.bytes);
      p.ends.add(g.offset + g.bytes.length);
      p.bodyBytes += g.bytes.length;
    }
    this.heldBytes += cost;
    if (newHeader) {
      p.header = header;
      p.headerLength = headerLength;
    }
    if (last) p.total = end;

    if (p.total === undefined || p.bodyBytes !== p.total || !p.header) return { status: 'pending' };
    // Pieces held never overlap and lie inside 0..total, so total bytes held means full coverage.
    const body = new Uint8Array(p.total);
    for (const [o, piece] of p.pieces) body.set(piece, o);
    const completeHeader: ForwardingHeader = { ...p.header, fragment: UNFRAGMENTED };
    const headerSize = p.headerLength;
    this.drop(key);
    // Without the via list, as above.
    const sent = headerSize - destinationListSize(p.header.viaList) + body.length;
    if (sent > this.maxMessageSize) {
      return { status: 'rejected', reason: 'too-large', detail: `reassembled message of ${sent} bytes (without its via list) exceeds max-message-size ${this.maxMessageSize}` };
    }
    return { status: 'complete', message: encodeWithForwardingHeader(completeHeader, body) };
  }

  private drop(key: string): void {
    const p = this.partials.get(key);
    if (!p) return;
    this.heldBytes -= p.bodyBytes + p.headerLength;
    this.partials.delete(key);
  }
}
