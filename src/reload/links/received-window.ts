/**
 * The receiver side of RFC 6940 §6.6.2 acks: "The receiver MUST keep track of the 32 most recent
 * sequence numbers received on this association in order to generate the appropriate ACK."
 *
 * The `received` bitmask. RFC text: "When a packet is received with a sequence number N, the
 * receiver looks at the sequence number of the 32 previously received packets on this connection.
 * We call the previously received packet number M. For each of the previous 32 packets, if the
 * sequence number M is less than N but greater than N-32, the N-M bit of the received bitmask is
 * set to one". The RFC does not say how bits are numbered. OUR READING: bit k is the bit of value
 * 2^k (least significant bit = bit 0), so bit k stands for sequence number N−k. Only k = 1..31 can
 * be set (M < N and M > N−32); bit 0 (N itself, already named by ack_sequence) is always 0.
 * Sequence numbers are uint32 and wrap; "less than" is taken modulo 2^32 (serial arithmetic).
 */
export const RECEIVED_WINDOW = 32;

/** `a - b` in uint32 serial arithmetic, as a signed distance. */
export function sequenceDistance(a: number, b: number): number {
  return ((a - b) | 0);
}

export class ReceivedWindow {
  /**
   * The most recent sequence numbers received, oldest first, kept explicitly only once an arrival
   * was not the one after the previous. While every arrival is (an ordered link that loses
   * nothing), the window is implied by `last` and `count`: the `count` numbers up to `last`. Same
   * answers either way; the compact form keeps a link's receiver state at two numbers.
   */
  private recent: number[] | undefined;
  private last = 0;
  private count = 0;

  /** Record sequence number `n` and return the `received` bitmask for its ack. */
  receive(n: number): number {
    n = n >>> 0;
    if (this.recent === undefined) {
      if (this.count === 0 || n === ((this.last + 1) >>> 0)) {
        // The window holds last−count+1 … last = n−count … n−1: bits count … 1 (at most 31 of them).
        const k = Math.min(this.count, RECEIVED_WINDOW - 1);
        const mask = k === 0 ? 0 : k === 31 ? 0xfffffffe : ((1 << (k + 1)) - 2) >>> 0;
        this.last = n;
        this.count = Math.min(this.count + 1, RECEIVED_WINDOW);
        return mask >>> 0;
      }
      this.recent = Array.from({ length: this.count }, (_, i) => (this.last - this.count + 1 + i) >>> 0);
    }
    let mask = 0;
    for (const m of this.recent) {
      const k = sequenceDistance(n, m);
      if (k > 0 && k < RECEIVED_WINDOW) mask |= 1 << k;
    }
    this.recent.push(n);
    if (this.recent.length > RECEIVED_WINDOW) this.recent.shift();
    return mask >>> 0;
  }
}

/** The sequence numbers a `received` bitmask for ack `n` says were received (sender side). */
export function sequencesInMask(n: number, mask: number): number[] {
  const out: number[] = [];
  for (let k = 1; k < RECEIVED_WINDOW; k++) if ((mask >>> k) & 1) out.push((n - k) >>> 0);
  return out;
}
