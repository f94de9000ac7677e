import { parseArgs, type ParseArgsConfig } from 'node:util';

type ParseArgsOptionsConfig = NonNullable<ParseArgsConfig['options']>;
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

/** What `parseArgs` gives for `options`: each option's value, or undefined when it was not given. */
export type OptionValues<O extends ParseArgsOptionsConfig> = {
  -readonly [K in keyof O]?: O[K] extends { readonly multiple: true } ? (O[K]['type'] extends 'boolean' ? boolean[] : string[]) : O[K]['type'] extends 'boolean' ? boolean : string;
};

/**
 * A subcommand's `--options` (no positionals), strictly: an unknown or malformed option is a
 * UsageError of one line (parseArgs explains some mistakes over several lines).
 */
export function parseOptions<const O extends ParseArgsOptionsConfig>(args: readonly string[], options: O): OptionValues<O> {
  try {
    return parseArgs({ args: [...args], options, allowPositionals: false, strict: true }).values as OptionValues<O>;
  } catch (e) {
    throw new UsageError((e instanceof Error ? e.message : String(e)).split('\n').map((l) => l.trim()).filter(Boolean).join(' '));
  }
}
