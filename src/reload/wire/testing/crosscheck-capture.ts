/**
 * Puts the cross-check messages on a wire: one RELOAD link between alice and bob over UDP port
 * 6084 (Wireshark's default for `reload-framing`), each message (or fragment, RFC 6940 §6.7) in a
 * FramedMessage `data` of its own datagram and acknowledged at once by the receiver (§6.6.2),
 * written as a pcap. Pure: the test writes the bytes to a file.
 */
import { encodeFramedMessage } from '../framing.js';
import { fragmentMessage } from '../fragmentation.js';
import { encodeReloadMessage } from '../reload-message.js';
import { PcapWriter, type UdpEndpoint } from '../pcap/index.js';
import type { CrosscheckCase } from './crosscheck-messages.js';

/** The UDP port IANA assigned to RELOAD (RFC 6940 §14.2), where tshark looks for reload-framing. */
export const RELOAD_PORT = 6084;

export const ENDPOINTS: Readonly<Record<'alice' | 'bob', UdpEndpoint>> = {
  alice: { ip: '192.0.2.10', port: RELOAD_PORT },
  bob: { ip: '198.51.100.20', port: RELOAD_PORT },
};

/** One datagram of the capture; `frameNumber` is tshark's (1-based). */
export type CaptureFrame =
  | {
      readonly kind: 'data';
      readonly frameNumber: number;
      readonly from: 'alice' | 'bob';
      readonly sequence: number;
      readonly caseIndex: number;
      /** The whole encoded message. */
      readonly encoded: Uint8Array;
      /** What this datagram's FramedMessage carries: the message, or one fragment of it. */
      readonly piece: Uint8Array;
      readonly fragment?: { readonly index: number; readonly count: number };
      readonly payload: Uint8Array;
    }
  | {
      readonly kind: 'ack';
      readonly frameNumber: number;
      readonly from: 'alice' | 'bob';
      readonly ackSequence: number;
      readonly received: number;
      readonly payload: Uint8Array;
    };

export interface CrosscheckCapture {
  readonly frames: readonly CaptureFrame[];
  readonly pcap: Uint8Array;
}

/**
 * RFC 6940 §6.6.2 `received`: for each of the (up to 32) previously received sequence numbers M
 * with N-32 < M < N, "the N-M bit of the received bitmask is set to one". Read literally, with
 * bits numbered from 0 at the least significant end: bit k = 1 << k stands for N-k (bit 0 unused).
 * The RFC does not number the bits; tshark 4.0's "Acked Frames" display reads bit k as N-1-k.
 */
export function receivedMask(n: number, previouslyReceived: readonly number[]): number {
  let mask = 0;
  for (const m of previouslyReceived.slice(-32)) {
    if (m < n && m > n - 32) mask |= 1 << (n - m);
  }
  return mask >>> 0;
}

/** Encodes, fragments, frames and acknowledges every case; first datagram at `startMs`. */
export function buildCrosscheckCapture(cases: readonly CrosscheckCase[], startMs = 1_772_355_600_000): CrosscheckCapture {
  const writer = new PcapWriter();
  const frames: CaptureFrame[] = [];
  const nextSequence = { alice: 0, bob: 0 };
  const receivedBy = { alice: [] as number[], bob: [] as number[] };
  let clock = startMs;
  const send = (from: 'alice' | 'bob', payload: Uint8Array, advanceMs: number): number => {
    clock += advanceMs;
    writer.addUdp({ timestampMs: clock, src: ENDPOINTS[from], dst: ENDPOINTS[from === 'alice' ? 'bob' : 'alice'], payload });
    return writer.recordCount;
  };

  cases.forEach((c, caseIndex) => {
    const encoded = encodeReloadMessage(c.message);
    const pieces = c.maxFragmentSize === undefined ? [encoded] : fragmentMessage(encoded, c.maxFragmentSize);
    const to = c.from === 'alice' ? 'bob' : 'alice';
    pieces.forEach((piece, index) => {
      const sequence = nextSequence[c.from]++;
      const payload = encodeFramedMessage({ kind: 'data', sequence, message: piece });
      const frameNumber = send(c.from, payload, 4.25);
      const fragment = pieces.length > 1 ? { fragment: { index, count: pieces.length } } : {};
      frames.push({ kind: 'data', frameNumber, from: c.from, sequence, caseIndex, encoded, piece, payload, ...fragment });
      // §6.6.2: "When the receiver receives a message, it SHOULD immediately send an ACK message."
      const received = receivedMask(sequence, receivedBy[to]);
      receivedBy[to].push(sequence);
      const ack = encodeFramedMessage({ kind: 'ack', ackSequence: sequence, received });
      frames.push({ kind: 'ack', frameNumber: send(to, ack, 0.375), from: to, ackSequence: sequence, received, payload: ack });
    });
  });
  return { frames, pcap: writer.toBytes() };
}
