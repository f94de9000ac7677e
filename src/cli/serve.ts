/**
 * `chordphone serve`: everything a workshop or a first-time user needs in one process (issue 5):
 * the built app (`dist/`), the signed overlay configuration at `/.well-known/reload-config`, the
 * enrollment server (open enrollment), the WebSocket bootstrap endpoint, and the overlay's first
 * peer with its identity and records under `./data` (src/server/chordphone-server.ts). HTTP on
 * 127.0.0.1, HTTPS on the LAN addresses with a certificate the server makes itself; it prints the
 * URLs and a QR code of the LAN URL, and runs until SIGINT or SIGTERM.
 *
 * Errors a person can fix (port in use, unusable data directory, records written by a newer
 * release, corrupt configuration, bad option) are one line, never only a stack trace.
 */
import { createWriteStream, existsSync, mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseIceServer, type IceServer } from '../app/overlay/ice-servers.js';
import { StorageTooNewError } from '../reload/storage/index.js';
import { StorageInUseError } from '../reload/storage/node/index.js';
import { startChordphoneServer, DEFAULT_OVERLAY, type NodeNetworkFactory } from '../server/chordphone-server.js';
import { DataDirectoryError, DEFAULT_DATA_DIR, prepareDataDirectory } from '../server/data-directory.js';
import { nodeNetwork } from '../server/node-network.js';
import { CorruptConfigurationError } from '../server/overlay-document.js';
import { CaptureFileError } from '../server/pcap-file-writer.js';
import { ListenError, PortInUseError } from '../server/static-server.js';
import { terminalQr } from '../server/terminal-qr.js';
import { parseOptions, UsageError, type Command } from './command.js';
import { startEchoOverlayPeer, type EchoOverlayPeer } from './echo-peer.js';
import { watchEventLoop } from './event-loop-watch.js';
import { lineLoggers, parseLogLevel } from './line-logger.js';
import type { CliIo } from './main.js';

export const DEFAULT_PORT = 8080;
export const DEFAULT_HTTPS_PORT = 8443;
export const DEFAULT_HOST = '127.0.0.1';

/** The repository's `dist/` (this file is `src/cli/serve.ts`). */
const DEFAULT_DIST = resolve(fileURLToPath(new URL('.', import.meta.url)), '..', '..', 'dist');

export interface ServeCommandInit {
  /** Directory holding the Vite build; default `<repo>/dist`. */
  readonly distDir?: string;
  /** Resolves when the server should stop; default: the first SIGINT or SIGTERM. */
  readonly untilStopped?: () => Promise<string>;
  /** The peers' network (default: WebSocket + WebRTC, node-network.ts). */
  readonly network?: NodeNetworkFactory;
  /** Start the echo peer unless `--no-echo` (the `chordphone serve` command: true; default false, for tests). */
  readonly echo?: boolean;
}

export function untilSignal(): Promise<string> {
  return new Promise((resolvePromise) => {
    const signals = ['SIGINT', 'SIGTERM'] as const;
    const onSignal = (signal: NodeJS.Signals) => {
      for (const s of signals) process.off(s, onSignal);
      resolvePromise(signal);
    };
    for (const s of signals) process.on(s, onSignal);
  });
}

export function parsePort(text: string, option = '--port'): number {
  const port = /^\d+$/.test(text) ? Number(text) : NaN;
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new UsageError(`${option} must be a whole number from 0 to 65535 (0 picks a free port), not "${text}"`);
  }
  return port;
}

export function parseCount(text: string, option: string, max: number): number {
  const n = /^\d+$/.test(text) ? Number(text) : NaN;
  if (!Number.isInteger(n) || n < 0 || n > max) throw new UsageError(`${option} must be a whole number from 0 to ${max}, not "${text}"`);
  return n;
}

/** `--stun` / `--turn` values. */
export function parseIceOptions(stun: readonly string[], turn: readonly string[]): IceServer[] {
  try {
    return [...stun.map((s) => parseIceServer(s, 'stun')), ...turn.map((t) => parseIceServer(t, 'turn'))];
  } catch (e) {
    throw new UsageError(e instanceof Error ? e.message : String(e));
  }
}

/** An overlay instance-name: a DNS name (RFC 6940 §11.1 instance-name, user names end in @it). */
export function parseOverlayName(text: string): string {
  if (!/^(?=.{1,253}$)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/i.test(text)) {
    throw new UsageError(`--overlay must be a DNS-style name such as ${DEFAULT_OVERLAY}, not "${text}"`);
  }
  return text.toLowerCase();
}

/**
 * The `--log-file` stream, its directory made first when missing (the e2e server logs to `tmp/`,
 * which a clean clone does not have). A directory that cannot be made is not an error here: the
 * stream's own error then says why the log could not be written.
 */
function openLogFile(path: string) {
  try {
    mkdirSync(dirname(path), { recursive: true });
  } catch {
    // reported by the stream's 'error' below
  }
  return createWriteStream(path, { flags: 'w' });
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1', '[::1]']);

/** Errors a person can act on, as they are; anything else with its class name. */
function isPlainError(e: unknown): boolean {
  return e instanceof PortInUseError || e instanceof ListenError || e instanceof DataDirectoryError || e instanceof CorruptConfigurationError || e instanceof CaptureFileError || e instanceof StorageInUseError || e instanceof StorageTooNewError || e instanceof UsageError;
}

export function createServeCommand(init: ServeCommandInit = {}): Command {
  const untilStopped = init.untilStopped ?? untilSignal;
  const usage = 'serve [--port N] [--host H] [--https-port N|off] [--overlay NAME] [--data DIR] [--peers N] [--stun HOST] [--turn USER:PASS@HOST] [--pcap FILE] [--log LEVEL] [--log-file FILE] [--no-echo] [--app DIR]';
  const summary = `serve the app, the overlay configuration, enrollment and a bootstrap peer on http://${DEFAULT_HOST}:${DEFAULT_PORT}/ (HTTPS :${DEFAULT_HTTPS_PORT} on the LAN) until Ctrl-C`;
  const help = [
    `usage: chordphone ${usage}`,
    `  ${summary}`,
    '',
    `  --port N          HTTP port on --host (default ${DEFAULT_PORT}; 0 picks a free one)`,
    `  --host H          address for HTTP (default ${DEFAULT_HOST})`,
    `  --https-port N    HTTPS port on every address, with a certificate for the LAN addresses (default ${DEFAULT_HTTPS_PORT}; "off" for none)`,
    `  --overlay NAME    the overlay's instance-name; user names end in @NAME (default ${DEFAULT_OVERLAY})`,
    `  --data DIR        identity (CA, keys), configuration and records (default ./${DEFAULT_DATA_DIR})`,
    '  --peers N         run N more headless peers in this process (default 0)',
    '  --stun HOST[:PORT]             a STUN server for WebRTC (repeatable)',
    '  --turn USER:PASS@HOST[:PORT]   a TURN server for WebRTC (repeatable)',
    '  --pcap FILE       write the RELOAD traffic of this process as a pcap file (Wireshark: reload-framing on UDP 6084)',
    '  --log LEVEL       write the overlay\'s log to stderr, one line per entry: debug (every request, hop and answer), info, warn or error',
    '  --log-file FILE   write that log to FILE (made anew) instead of stderr; --log defaults to debug',
    '  --no-echo         do not start the echo peer (sip:echo@<overlay> answers every call with what it hears)',
    '  --app DIR         the built app to serve (default: this checkout\'s dist/, made by `npm run build`)',
    '',
  ].join('\n');
  return {
    name: 'serve',
    usage,
    summary,
    async run(args: readonly string[], io: CliIo): Promise<number> {
      const values = parseOptions(args, {
        port: { type: 'string', short: 'p' },
        host: { type: 'string' },
        'https-port': { type: 'string' },
        overlay: { type: 'string' },
        data: { type: 'string' },
        peers: { type: 'string' },
        stun: { type: 'string', multiple: true },
        turn: { type: 'string', multiple: true },
        pcap: { type: 'string' },
        log: { type: 'string' },
        'log-file': { type: 'string' },
        'no-echo': { type: 'boolean' },
        app: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      });
      if (values.help) {
        io.out(help);
        return 0;
      }
      const distDir = values.app === undefined ? (init.distDir ?? DEFAULT_DIST) : resolve(values.app);
      const port = values.port === undefined ? DEFAULT_PORT : parsePort(values.port);
      const host = values.host ?? DEFAULT_HOST;
      if (host === '') throw new UsageError('--host must not be empty');
      const httpsOption = values['https-port'];
      const httpsPort = httpsOption === 'off' ? undefined : httpsOption === undefined ? DEFAULT_HTTPS_PORT : parsePort(httpsOption, '--https-port');
      const overlay = values.overlay === undefined ? DEFAULT_OVERLAY : parseOverlayName(values.overlay);
      const extraPeers = values.peers === undefined ? 0 : parseCount(values.peers, '--peers', 200);
      const iceServers = parseIceOptions(values.stun ?? [], values.turn ?? []);
      if (values.data === '') throw new UsageError('--data must not be empty');
      if (values.pcap === '') throw new UsageError('--pcap must not be empty');
      if (values['log-file'] === '') throw new UsageError('--log-file must not be empty');
      const logLevel = values.log !== undefined ? parseLogLevel(values.log) : values['log-file'] !== undefined ? 'debug' : undefined;
      const logFile = values['log-file'] !== undefined ? openLogFile(resolve(values['log-file'])) : undefined;
      logFile?.on('error', (e) => io.err(`note: the log file could not be written (${e.message})\n`));
      const peerLogger = logLevel === undefined ? undefined : lineLoggers(logLevel, logFile ? (line) => void (logFile.writableEnded || logFile.write(line)) : (line) => io.err(line));
      const stopWatching = peerLogger ? watchEventLoop(peerLogger('process')) : undefined;

      if (!existsSync(join(distDir, 'index.html'))) {
        throw new UsageError(`${join(distDir, 'index.html')} does not exist; run \`npm run build\` first`);
      }

      let server;
      try {
        server = await startChordphoneServer({
          distDir,
          dataDir: values.data ?? DEFAULT_DATA_DIR,
          overlay,
          port,
          host,
          ...(httpsPort !== undefined ? { httpsPort } : {}),
          extraPeers,
          iceServers,
          ...(values.pcap !== undefined ? { pcapFile: resolve(values.pcap) } : {}),
          network: init.network ?? nodeNetwork,
          ...(peerLogger ? { peerLogger } : {}),
          progress: (line) => io.out(`${line}\n`),
        });
      } catch (e) {
        if (isPlainError(e)) throw e;
        throw new Error(`could not start: ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`);
      }
      // Issue 6: the echo peer, so a person can test their audio alone (call "echo"); it joins beside the server.
      let echo: EchoOverlayPeer | undefined;
      const echoAbort = new AbortController();
      const startEcho = async (dataDir: string, serverUrl: string, signal: AbortSignal) => {
        try {
          const echoDir = await prepareDataDirectory(join(dataDir, 'echo'));
          echo = await startEchoOverlayPeer({ serverUrl, name: 'echo', dataDir: echoDir, signal, ...(init.network ? { network: init.network } : {}), ...(peerLogger ? { logger: peerLogger('echo') } : {}) });
          io.out(`Echo peer: call sip:${echo.joined.peer.userName} to hear yourself\n`);
        } catch (e) {
          if (!signal.aborted) io.err(`note: the echo peer did not start (${e instanceof Error ? e.message : String(e)})\n`);
        }
      };
      const echoStarted = init.echo && !values['no-echo'] ? startEcho(values.data ?? DEFAULT_DATA_DIR, server.localUrl, echoAbort.signal) : Promise.resolve(undefined);
      const stopped = untilStopped();
      io.out(`Chordphone is being served at ${server.localUrl}\n`);
      for (const url of server.lanUrls) io.out(`  on the LAN: ${url}\n`);
      if (server.tlsFingerprint && server.lanUrls.length > 0) {
        io.out(`  (self-made HTTPS certificate, SHA-256 ${server.tlsFingerprint}: browsers ask once to accept it)\n`);
      }
      const lanUrl = server.lanUrls[0];
      if (lanUrl) io.out(`\nScan to open on a phone:\n${await terminalQr(lanUrl)}\n`);
      if (!LOOPBACK.has(host)) {
        io.err(`note: ${server.localUrl} is plain HTTP off localhost, so browsers there refuse the microphone and WebCrypto; use the HTTPS URL\n`);
      }
      if (values.pcap !== undefined) io.out(`Capturing RELOAD traffic to ${resolve(values.pcap)}\n`);
      io.out('Press Ctrl-C to stop.\n');
      const reason = await stopped;
      echoAbort.abort();
      await echoStarted;
      await echo?.stop();
      await server.close();
      stopWatching?.();
      if (logFile) await new Promise<void>((done) => logFile.end(done));
      io.out(`stopped (${reason})\n`);
      return 0;
    },
  };
}

export const serveCommand: Command = createServeCommand({ echo: true });
