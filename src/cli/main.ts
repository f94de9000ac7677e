/**
 * The `chordphone` command. Each subcommand lives in its own file and is registered here.
 * `main` returns the process exit code; it never lets a stack trace be the only message.
 */
import { decodeCommand } from './decode.js';
import { peerCommand } from './peer.js';
import { serveCommand } from './serve.js';
import { simCommand } from './sim.js';
import type { Command } from './command.js';

const commands: readonly Command[] = [decodeCommand, serveCommand, peerCommand, simCommand];

function usage(): string {
  const lines = commands.map((c) => `  chordphone ${c.usage}\n      ${c.summary}`);
  return `usage:\n${lines.join('\n')}\n`;
}

export async function main(argv: readonly string[], io: CliIo = processIo()): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    io.out(usage());
    return name ? 0 : 2;
  }
  const command = commands.find((c) => c.name === name);
  if (!command) {
    io.err(`chordphone: unknown command "${name}"\n${usage()}`);
    return 2;
  }
  try {
    return await command.run(rest, io);
  } catch (e) {
    io.err(`chordphone ${name}: ${e instanceof Error ? e.message : String(e)}\n`);
    return 1;
  }
}

export interface CliIo {
  out(text: string): void;
  err(text: string): void;
  /** All of standard input. */
  stdin(): Promise<Uint8Array>;
}

function processIo(): CliIo {
  return {
    out: (t) => process.stdout.write(t),
    err: (t) => process.stderr.write(t),
    stdin: async () => {
      const chunks: Buffer[] = [];
      for await (const c of process.stdin) chunks.push(c as Buffer);
      return new Uint8Array(Buffer.concat(chunks));
    },
  };
}
