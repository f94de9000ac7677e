/**
 * Turns captured datagrams or link payloads into RELOAD messages: recognises a FramedMessage
 * (§6.6.2) or a bare message (relo_token first), reassembles fragments (§6.7) per source, and
 * decodes each whole message. Pure state with the clock passed in; shared by `chordphone decode`,
 * the Wireshark cross-check and, later, capture views.
 */
import { decodeFramedMessage, FramedMessageType } from './framing.js';
import { RELO_TOKEN } from './forwarding-header.js';
import { Reassembler, type ReassemblerInit } from './fragmentation.js';
import { decodeReloadMessage, type ReloadMessage, type ReloadMessageLimits } from './reload-message.js';
import { DecodeError } from './codec/decode-error.js';

export type ScanItem =
  | { readonly kind: 'message'; readonly framing?: { readonly sequence: number }; readonly bytes: Uint8Array; readonly message: ReloadMessage }
  | { readonly kind: 'ack'; readonly ackSequence: number; readonly received: number }
  /** A fragment was held for reassembly (or was a duplicate); nothing whole yet. */
  | { readonly kind: 'fragment'; readonly framing?: { readonly sequence: number }; readonly status: string };

export class MessageScanner {
  private readonly reassembler: Reassembler;

  constructor(
    private readonly limits: ReloadMessageLimits = {},
    reassembly: ReassemblerInit = {},
  ) {
    this.reassembler = new Reassembler({ maxMessageSize: limits.maxMessageSize, ...reassembly });
  }

  /**
   * One link payload or UDP datagram. `source` keys reassembly (fragments from different senders
   * never mix). Throws DecodeError for anything that is not a valid RELOAD payload.
   */
  push(payload: Uint8Array, source: string, nowMs: number): ScanItem {
    const first = payload[0];
    if (first === FramedMessageType.data || first === FramedMessageType.ack) {
      const frame = decodeFramedMessage(payload);
      if (frame.kind === 'ack') return { kind: 'ack', ackSequence: frame.ackSequence, received: frame.received };
      return this.message(frame.message, source, nowMs, { sequence: frame.sequence });
    }
    if (payload.length >= 4 && new DataView(payload.buffer, payload.byteOffset, 4).getUint32(0) === RELO_TOKEN) {
      return this.message(payload, source, nowMs, undefined);
    }
    throw new DecodeError({
      path: 'payload',
      structure: 'payload',
      field: 'type',
      offset: 0,
      reason: 'neither a FramedMessage (first byte 128 or 129) nor a RELOAD message (relo_token 0xd2454c4f)',
    });
  }

  private message(bytes: Uint8Array, source: string, nowMs: number, framing: { sequence: number } | undefined): ScanItem {
    const result = this.reassembler.add(bytes, nowMs, source);
    if (result.status === 'complete') {
      const message = decodeReloadMessage(result.message, this.limits);
      return framing ? { kind: 'message', framing, bytes: result.message, message } : { kind: 'message', bytes: result.message, message };
    }
    const status = result.status === 'rejected' ? `rejected: ${result.reason} (${result.detail})` : result.status;
    return framing ? { kind: 'fragment', framing, status } : { kind: 'fragment', status };
  }
}
