/**
 * `chordphone serve [--port N] [--host H]`: serves the built app (`dist/`) over HTTP until
 * SIGINT or SIGTERM. Localhost only for now: browsers give getUserMedia and WebCrypto only to
 * secure contexts, and HTTPS for LAN addresses comes later.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { startStaticServer } from '../server/static-server.js';
import { UsageError, type Command } from './command.js';
import type { CliIo } from './main.js';

export const DEFAULT_PORT = 8080;
export const DEFAULT_HOST = '127.0.0.1';

/** The repository's `dist/` (this file is `src/cli/serve.ts`). */
const DEFAULT_DIST = resolve(fileURLToPath(new URL('.', import.meta.url)), '..', '..', 'dist');

export interface ServeCommandInit {
  /** Directory holding the Vite build; default `<repo>/dist`. */
  readonly distDir?: string;
  /** Resolves when the server should stop; default: the first SIGINT or SIGTERM. */
  readonly untilStopped?: () => Promise<string>;
}

function untilSignal(): Promise<string> {
  return new Promise((resolvePromise) => {
    const signals = ['SIGINT', 'SIGTERM'] as const;
    const onSignal = (signal: NodeJS.Signals) => {
      for (const s of signals) process.off(s, onSignal);
      resolvePromise(signal);
    };
    for (const s of signals) process.on(s, onSignal);
  });
}

function parsePort(text: string): number {
  const port = /^\d+$/.test(text) ? Number(text) : NaN;
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new UsageError(`--port must be a whole number from 0 to 65535 (0 picks a free port), not "${text}"`);
  }
  return port;
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1', '[::1]']);

export function createServeCommand(init: ServeCommandInit = {}): Command {
  const distDir = init.distDir ?? DEFAULT_DIST;
  const untilStopped = init.untilStopped ?? untilSignal;
  const usage = 'serve [--port N] [--host H]';
  const summary = `serve the built app (dist/) on http://${DEFAULT_HOST}:${DEFAULT_PORT}/ until Ctrl-C`;
  return {
    name: 'serve',
    usage,
    summary,
    async run(args: readonly string[], io: CliIo): Promise<number> {
      let values: { port?: string; host?: string; help?: boolean };
      try {
        ({ values } = parseArgs({
          args: [...args],
          options: {
            port: { type: 'string', short: 'p' },
            host: { type: 'string' },
            help: { type: 'boolean', short: 'h' },
          },
          allowPositionals: false,
          strict: true,
        }));
      } catch (e) {
        throw new UsageError(e instanceof Error ? e.message : String(e));
      }
      if (values.help) {
        io.out(`usage: chordphone ${usage}\n  ${summary}\n`);
        return 0;
      }
      const port = values.port === undefined ? DEFAULT_PORT : parsePort(values.port);
      const host = values.host ?? DEFAULT_HOST;
      if (host === '') throw new UsageError('--host must not be empty');

      if (!existsSync(join(distDir, 'index.html'))) {
        throw new UsageError(`${join(distDir, 'index.html')} does not exist; run \`npm run build\` first`);
      }

      const server = await startStaticServer({ root: distDir, port, host });
      const stopped = untilStopped();
      io.out(`Chordphone is being served at ${server.url}\n`);
      if (!LOOPBACK.has(host)) {
        io.err(
          `note: off localhost this is plain HTTP, so browsers will refuse the microphone and WebCrypto; HTTPS for LAN addresses is not built yet\n`,
        );
      }
      io.out('Press Ctrl-C to stop.\n');
      const reason = await stopped;
      await server.close();
      io.out(`stopped (${reason})\n`);
      return 0;
    },
  };
}

export const serveCommand: Command = createServeCommand();
