import type { CliIo } from './main.js';

/** One `chordphone` subcommand. `run` returns the exit code. */
export interface Command {
  readonly name: string;
  /** e.g. `decode <file.pcap | hex | ->` */
  readonly usage: string;
  readonly summary: string;
  run(args: readonly string[], io: CliIo): Promise<number>;
}

/** A user error that the CLI prints as one line (no stack trace) and exits non-zero with. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}
