/**
 * The send times of a link's recent frames not yet acked, for RTT samples (RFC 6940 §6.6.3.1 "the
 * sender can compute the RTT for that message by looking at the time the ACK was received and the
 * time when the message was sent"). One flat array of pairs, oldest first: [sequence, time,
 * sequence, time, …], undefined when empty (a simulator holds hundreds of thousands of links: no
 * object per frame, none per idle link).
 */

/** Send times kept (acks for older frames give no sample). */
const SENT_HISTORY = 128;

export type SentTimes = number[] | undefined;

/** `sent` with the send time of `sequence` added (the oldest forgotten beyond SENT_HISTORY). */
export function recordSend(sent: SentTimes, sequence: number, now: number): number[] {
  // A literal of the first pair: sized exactly (an empty array's first push reserves 17 slots).
  if (sent === undefined) return [sequence, now];
  sent.push(sequence, now);
  if (sent.length > 2 * SENT_HISTORY) removePair(sent, 0);
  return sent;
}

export function sendTime(sent: SentTimes, sequence: number): number | undefined {
  const i = indexOf(sent, sequence);
  return i < 0 ? undefined : sent![i + 1];
}

/** The send time of `sequence`, removed from `sent` (an ack gives one RTT sample per frame). */
export function takeSendTime(sent: SentTimes, sequence: number): number | undefined {
  const i = indexOf(sent, sequence);
  if (i < 0) return undefined;
  const t = sent![i + 1];
  removePair(sent!, i);
  return t;
}

function indexOf(sent: SentTimes, sequence: number): number {
  if (!sent) return -1;
  for (let i = 0; i < sent.length; i += 2) if (sent[i] === sequence) return i;
  return -1;
}

/** Remove the two entries at `i` and `i + 1` in place (`splice` would allocate the removed pair). */
function removePair(a: number[], i: number): void {
  const n = a.length - 2;
  for (let j = i; j < n; j++) a[j] = a[j + 2]!;
  a.length = n;
}
