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
  /** The most recent sequence numbers received, oldest first, at most 32. */
  private readonly recent: number[] = [];

  /**
   * Record sequence `n` as received and return the `received` bitmask for its ack, computed from
   * the 32 packets received before it.
   */
  receive(n: number): number {
    let mask = 0;
    for (const m of this.recent) {
      const k = sequenceDistance(n, m);
      if (k > 0 && k < RECEIVED_WINDOW) mask |= 1 << k;
    }
    this.recent.push(n >>> 0);
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
