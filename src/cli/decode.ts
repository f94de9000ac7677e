/**
 * `chordphone decode <file.pcap | hex | ->`: print every RELOAD message found, one JSON object
 * per line. Input: a pcap file (UDP datagrams carrying FramedMessage or bare messages), a file or
 * standard input holding hex or raw bytes, or a hex string argument.
 */
import { readFile, stat } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { fromHex } from '../reload/wire/codec/hex.js';
import { decodeInput } from '../reload/wire/decode-input.js';
import { UsageError, type Command } from './command.js';
import type { CliIo } from './main.js';

async function readInput(arg: string, io: CliIo): Promise<{ bytes: Uint8Array; label: string }> {
  if (arg === '-') return { bytes: await io.stdin(), label: 'stdin' };
  const isFile = await stat(arg).then(
    (s) => s.isFile(),
    () => false,
  );
  if (isFile) return { bytes: new Uint8Array(await readFile(arg)), label: arg };
  if (!fromHex(arg)) throw new UsageError(`"${arg.length > 40 ? `${arg.slice(0, 40)}…` : arg}" is not a file, "-" or a hex string`);
  return { bytes: new TextEncoder().encode(arg), label: 'argument' };
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
    const maxMessageSize = maxArg === undefined ? undefined : Number(maxArg);
    if (maxMessageSize !== undefined && (!Number.isInteger(maxMessageSize) || maxMessageSize <= 0)) {
      throw new UsageError(`--max-message-size must be a positive integer, got "${maxArg}"`);
    }
    const { bytes, label } = await readInput(positionals[0] ?? '-', io);
    let failures = 0;
    for (const p of decodeInput(bytes, label, { maxMessageSize })) {
      if (p.ok) io.out(`${JSON.stringify(p.json, null, values.pretty ? 2 : undefined)}\n`);
      else {
        failures++;
        io.err(`chordphone decode: ${p.where}: ${p.error.message}\n`);
      }
    }
    return failures > 0 ? 1 : 0;
  },
};
