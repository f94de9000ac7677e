/**
 * `chordphone decode <file.pcap | hex | ->`: print every RELOAD message found, one JSON object
 * per line. Input: a pcap file (UDP datagrams carrying FramedMessage or bare messages), a file or
 * standard input holding hex or raw bytes, or a hex string argument.
 */
import { readFile, stat } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { DecodeError } from '../reload/wire/codec/decode-error.js';
import { fromHex } from '../reload/wire/codec/hex.js';
import { describeReloadMessage } from '../reload/wire/describe.js';
import { MessageScanner, type ScanItem } from '../reload/wire/message-scanner.js';
import { decodeUdpCapture } from '../reload/wire/pcap/index.js';
import type { JsonValue } from '../reload/wire/json.js';
import { UsageError, type Command } from './command.js';
import type { CliIo } from './main.js';

const PCAP_MAGICS = new Set([0xa1b2c3d4, 0xa1b23c4d, 0xd4c3b2a1, 0x4d3cb2a1]);

function isPcap(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && PCAP_MAGICS.has(new DataView(bytes.buffer, bytes.byteOffset, 4).getUint32(0));
}

interface Payload {
  readonly where: string;
  readonly source: string;
  readonly timestampMs: number;
  readonly bytes: Uint8Array;
  readonly meta: { [key: string]: JsonValue };
}

/** Split the input into payloads: pcap datagrams, or one message. */
function payloadsOf(input: Uint8Array, label: string): Payload[] {
  if (isPcap(input)) {
    return decodeUdpCapture(input).map((d) => {
      const src = `${d.src.ip}:${d.src.port}`;
      const dst = `${d.dst.ip}:${d.dst.port}`;
      return { where: `${label} frame ${d.recordIndex + 1}`, source: `${src}>${dst}`, timestampMs: d.timestampMs, bytes: d.payload, meta: { frame: d.recordIndex + 1, src, dst } };
    });
  }
  const text = new TextDecoder().decode(input).trim();
  const hex = looksLikeText(input) ? fromHex(text) : undefined;
  if (looksLikeText(input) && !hex) throw new UsageError(`${label} is neither a pcap file nor hex (it has non-hex characters or an odd number of digits)`);
  return [{ where: label, source: '', timestampMs: 0, bytes: hex ?? input, meta: {} }];
}

function looksLikeText(bytes: Uint8Array): boolean {
  return bytes.every((b) => b === 9 || b === 10 || b === 13 || (b >= 32 && b < 127));
}

async function readInput(arg: string, io: CliIo): Promise<{ bytes: Uint8Array; label: string }> {
  if (arg === '-') return { bytes: await io.stdin(), label: 'stdin' };
  const isFile = await stat(arg).then(
    (s) => s.isFile(),
    () => false,
  );
  if (isFile) return { bytes: new Uint8Array(await readFile(arg)), label: arg };
  const hex = fromHex(arg);
  if (!hex) throw new UsageError(`"${arg.length > 40 ? `${arg.slice(0, 40)}…` : arg}" is not a file, "-" or a hex string`);
  return { bytes: new TextEncoder().encode(arg), label: 'argument' };
}

function itemJson(item: ScanItem): JsonValue {
  if (item.kind === 'ack') return { framing: { type: 'ack', ackSequence: item.ackSequence, received: item.received } };
  const framing: JsonValue = item.framing ? { type: 'data', sequence: item.framing.sequence } : null;
  if (item.kind === 'fragment') return { framing, fragment: item.status };
  return { framing, length: item.bytes.length, message: describeReloadMessage(item.message) };
}

export const decodeCommand: Command = {
  name: 'decode',
  usage: 'decode <file.pcap | hex | -> [--pretty] [--max-message-size N]',
  summary: 'print every RELOAD message in a capture, a hex string or standard input as JSON (one object per line)',
  async run(args, io) {
    const { values, positionals } = parseArgs({
      args: [...args],
      allowPositionals: true,
      options: { pretty: { type: 'boolean', default: false }, 'max-message-size': { type: 'string' } },
    });
    if (positionals.length !== 1) throw new UsageError('give one input: a .pcap file, a hex string, or - for standard input');
    const maxArg = values['max-message-size'];
    const maxMessageSize = maxArg === undefined ? 65535 : Number(maxArg);
    if (!Number.isInteger(maxMessageSize) || maxMessageSize <= 0) throw new UsageError(`--max-message-size must be a positive integer, got "${maxArg}"`);
    const { bytes, label } = await readInput(positionals[0] ?? '-', io);
    const scanner = new MessageScanner({ maxMessageSize });
    let failures = 0;
    for (const p of payloadsOf(bytes, label)) {
      try {
        const item = scanner.push(p.bytes, p.source, p.timestampMs);
        const json = { ...p.meta, ...(itemJson(item) as { [key: string]: JsonValue }) };
        io.out(`${JSON.stringify(json, null, values.pretty ? 2 : undefined)}\n`);
      } catch (e) {
        if (!(e instanceof DecodeError)) throw e;
        failures++;
        io.err(`chordphone decode: ${p.where}: ${e.message}\n`);
      }
    }
    return failures > 0 ? 1 : 0;
  },
};
