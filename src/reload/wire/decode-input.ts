/**
 * Decode whatever a person hands us — a pcap capture, hex text, or the raw bytes of one message —
 * into one JSON description per RELOAD payload. Shared by `chordphone decode` and the app's
 * decoder panel. Pure: no I/O.
 */
import { DecodeError } from './codec/decode-error.js';
import { fromHex } from './codec/hex.js';
import { describeReloadMessage } from './describe.js';
import type { JsonValue } from './json.js';
import { MessageScanner, type ScanItem } from './message-scanner.js';
import { decodeUdpCapture } from './pcap/index.js';

const PCAP_MAGICS = new Set([0xa1b2c3d4, 0xa1b23c4d, 0xd4c3b2a1, 0x4d3cb2a1]);

export function isPcap(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && PCAP_MAGICS.has(new DataView(bytes.buffer, bytes.byteOffset, 4).getUint32(0));
}

function looksLikeText(bytes: Uint8Array): boolean {
  return bytes.every((b) => b === 9 || b === 10 || b === 13 || (b >= 32 && b < 127));
}

/** One payload's outcome: its JSON description, or the DecodeError that stopped it. */
export type DecodedPayload =
  | { readonly where: string; readonly ok: true; readonly json: { [key: string]: JsonValue } }
  | { readonly where: string; readonly ok: false; readonly error: DecodeError };

export interface DecodeInputOptions {
  /** Largest message accepted (max-message-size); a capture tool defaults high. */
  readonly maxMessageSize?: number;
}

/**
 * Decode `input` (named `label` in messages). Pcap input yields one entry per UDP datagram;
 * anything else is one message, as hex text or raw bytes. Throws DecodeError only when the input
 * as a whole is unreadable (a broken pcap, text that is not hex); a bad message inside a capture is
 * reported in its own entry so the others still decode.
 */
export function decodeInput(input: Uint8Array, label: string, options: DecodeInputOptions = {}): DecodedPayload[] {
  const scanner = new MessageScanner({ maxMessageSize: options.maxMessageSize ?? 65535 });
  const run = (where: string, bytes: Uint8Array, source: string, nowMs: number, meta: { [key: string]: JsonValue }): DecodedPayload => {
    try {
      return { where, ok: true, json: { ...meta, ...itemJson(scanner.push(bytes, source, nowMs)) } };
    } catch (e) {
      if (e instanceof DecodeError) return { where, ok: false, error: e };
      throw e;
    }
  };
  if (isPcap(input)) {
    return decodeUdpCapture(input).map((d) => {
      const src = `${d.src.ip}:${d.src.port}`;
      const dst = `${d.dst.ip}:${d.dst.port}`;
      return run(`${label} frame ${d.recordIndex + 1}`, d.payload, `${src}>${dst}`, d.timestampMs, { frame: d.recordIndex + 1, src, dst });
    });
  }
  if (looksLikeText(input)) {
    const hex = fromHex(new TextDecoder().decode(input).trim());
    if (!hex) {
      throw new DecodeError({ path: label, structure: 'input', field: '', offset: 0, reason: 'neither a pcap file nor hex (non-hex characters or an odd number of digits)' });
    }
    return [run(label, hex, '', 0, {})];
  }
  return [run(label, input, '', 0, {})];
}

function itemJson(item: ScanItem): { [key: string]: JsonValue } {
  if (item.kind === 'ack') return { framing: { type: 'ack', ackSequence: item.ackSequence, received: item.received } };
  const framing: JsonValue = item.framing ? { type: 'data', sequence: item.framing.sequence } : null;
  if (item.kind === 'fragment') return { framing, fragment: item.status };
  return { framing, length: item.bytes.length, message: describeReloadMessage(item.message) };
}
