/**
 * `chordphone peer`: headless Node peers that join an overlay given its server's URL (issue 5),
 * for always-on capacity, for tests, and for a second machine. Each fetches and verifies the
 * configuration (RFC 6940 §11.2), enrolls once (§11.3; key and certificate kept under --data and
 * reused on the next run), keeps its records in SQLite under --data, and joins (§10.5) through
 * the configuration's bootstrap WebSocket URLs (or --bootstrap). Runs until SIGINT/SIGTERM, then
 * leaves gracefully (§10.9).
 *
 * ```
 * chordphone peer --config http://127.0.0.1:8080/ --count 20
 * chordphone peer --bootstrap ws://127.0.0.1:8080/reload --data ./peer-data --pcap peers.pcap
 * ```
 */
import { join, resolve } from 'node:path';
import { hostname } from 'node:os';
import { webCryptoRandom } from '../platform/web-crypto.js';
import { createTrafficCapture } from '../app/overlay/capture-network.js';
import { joinOverlay, type JoinedOverlay } from '../app/overlay/overlay-client.js';
import { toHex } from '../reload/wire/codec/hex.js';
import type { NodeNetworkFactory } from '../server/chordphone-server.js';
import { DataDirectoryError, prepareDataDirectory } from '../server/data-directory.js';
import { PcapFileWriter } from '../server/pcap-file-writer.js';
import { parseOptions, UsageError, type Command } from './command.js';
import type { CliIo } from './main.js';
import { parseCount, untilSignal } from './serve.js';
import { startEchoOverlayPeer } from './echo-peer.js';
import { nodeClientDeps } from './node-client-deps.js';

export const DEFAULT_PEER_DATA_DIR = join('data', 'peers');
/** How long a stopping peer waits for its Leave (§10.9) before closing anyway. */
const LEAVE_TIMEOUT_MS = 3_000;

export interface PeerCommandInit {
  readonly untilStopped?: () => Promise<string>;
  readonly network?: NodeNetworkFactory;
  /** Called once every peer has joined (tests). */
  readonly onJoined?: (peers: readonly JoinedOverlay[]) => void;
}

/** The server URL for a `--bootstrap` WebSocket URL: the same host over http(s). */
export function serverUrlOfBootstrap(ws: string): string {
  const u = new URL(ws);
  if (u.protocol !== 'ws:' && u.protocol !== 'wss:') throw new UsageError(`--bootstrap must be a ws: or wss: URL, not "${ws}"`);
  return `${u.protocol === 'wss:' ? 'https:' : 'http:'}//${u.host}/`;
}

function parseUrl(text: string, option: string, schemes: readonly string[]): string {
  let u: URL;
  try {
    u = new URL(text);
  } catch {
    throw new UsageError(`${option} must be a URL, not "${text}"`);
  }
  if (!schemes.includes(u.protocol)) throw new UsageError(`${option} must be a ${schemes.join(' or ')} URL, not "${text}"`);
  return u.href;
}

export function createPeerCommand(init: PeerCommandInit = {}): Command {
  const untilStopped = init.untilStopped ?? untilSignal;
  const usage = 'peer (--config URL | --bootstrap WS-URL) [--count N] [--data DIR] [--pcap FILE] [--echo NAME]';
  const summary = 'run headless peers that join the overlay of a Chordphone server until Ctrl-C';
  const help = [
    `usage: chordphone ${usage}`,
    `  ${summary}`,
    '',
    '  --config URL      the server (e.g. http://127.0.0.1:8080/): fetches /.well-known/reload-config, enrolls, joins via its bootstrap URLs',
    '  --bootstrap URL   join through this WebSocket URL (e.g. ws://127.0.0.1:8080/reload); the configuration comes from the same host',
    '  --count N         how many peers (default 1)',
    `  --data DIR        keys, certificates and records (default ./${DEFAULT_PEER_DATA_DIR})`,
    '  --pcap FILE       write these peers\' RELOAD traffic as a pcap file',
    '  --echo NAME       instead: one echo peer that registers sip:NAME@<overlay> and answers every call with what it hears',
    '',
  ].join('\n');
  return {
    name: 'peer',
    usage,
    summary,
    async run(args: readonly string[], io: CliIo): Promise<number> {
      const values = parseOptions(args, {
        config: { type: 'string' },
        bootstrap: { type: 'string' },
        count: { type: 'string', short: 'n' },
        data: { type: 'string' },
        pcap: { type: 'string' },
        echo: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      });
      if (values.help) {
        io.out(help);
        return 0;
      }
      if (values.config === undefined && values.bootstrap === undefined) throw new UsageError('give the overlay: --config URL (its server) or --bootstrap WS-URL');
      const bootstrap = values.bootstrap === undefined ? undefined : parseUrl(values.bootstrap, '--bootstrap', ['ws:', 'wss:']);
      const serverUrl = values.config !== undefined ? parseUrl(values.config, '--config', ['http:', 'https:']) : serverUrlOfBootstrap(bootstrap!);
      const count = values.count === undefined ? 1 : parseCount(values.count, '--count', 500);
      if (count === 0) throw new UsageError('--count must be at least 1');
      if (values.data === '' || values.pcap === '') throw new UsageError('--data and --pcap must not be empty');
      if (values.echo !== undefined && values.echo.trim() === '') throw new UsageError('--echo needs a user name, e.g. --echo echo');
      let dataDir: string;
      try {
        dataDir = await prepareDataDirectory(values.data ?? DEFAULT_PEER_DATA_DIR);
      } catch (e) {
        if (e instanceof DataDirectoryError) throw new UsageError(e.message);
        throw e;
      }

      if (values.echo !== undefined) {
        // Issue 6: the echo peer (one peer; --count and --pcap do not apply).
        const echo = await startEchoOverlayPeer({ serverUrl, name: values.echo.trim(), dataDir, ...(bootstrap ? { bootstrap: [bootstrap] } : {}), ...(init.network ? { network: init.network } : {}) });
        io.out(`echo peer: calls to sip:${echo.joined.peer.userName} are answered with what they send (${toHex(echo.joined.peer.nodeId)}). Press Ctrl-C to stop.\n`);
        const stopped = await untilStopped();
        await echo.stop(LEAVE_TIMEOUT_MS);
        io.out(`stopped (${stopped})\n`);
        return 0;
      }

      // One key store (and its keys directory) for all the peers of this run.
      const clientDeps = nodeClientDeps(dataDir, init.network);
      const capture = values.pcap !== undefined ? createTrafficCapture() : undefined;
      const writer = capture && values.pcap !== undefined ? await PcapFileWriter.open(resolve(values.pcap), capture) : undefined;
      const joined: JoinedOverlay[] = [];
      const stopAll = async () => {
        await Promise.all(
          joined.map(async (j) => {
            const timeout = AbortSignal.timeout(LEAVE_TIMEOUT_MS);
            await j.peer.leave({ signal: timeout }).catch(() => undefined);
            // The peer, then its records file (held until closed, nodeClientDeps closeAwaitsRecords:
            // another run over --data can open it).
            await j.close();
          }),
        );
        await writer?.close();
      };
      const prefix = `node-${(hostname().toLowerCase().replace(/[^a-z0-9-]/g, '') || 'host').slice(0, 20)}-${toHex(webCryptoRandom.bytes(2))}`;
      const t0 = performance.now();
      try {
        for (let i = 1; i <= count; i++) {
          const j = await joinOverlay(
            {
              ...clientDeps,
              ...(capture ? { wrapNetwork: (n) => capture.wrap(n) } : {}),
            },
            {
              serverUrl,
              credentialsName: (c) => `${c.instanceName}.peer-${i}`,
              userName: () => `${prefix}-${i}`,
              extractable: true,
              ...(bootstrap ? { bootstrap: [bootstrap] } : {}),
            },
          );
          joined.push(j);
          io.out(`peer ${i}: ${j.identity.certificate.userName} ${toHex(j.peer.nodeId)} joined ${j.configuration.instanceName}\n`);
        }
      } catch (e) {
        await stopAll();
        throw joinFailure(e, serverUrl);
      }
      io.out(`${count} peer${count === 1 ? '' : 's'} joined in ${Math.round(performance.now() - t0)} ms. Press Ctrl-C to stop.\n`);
      init.onJoined?.(joined);
      const stopped = await untilStopped();
      await stopAll();
      io.out(`stopped (${stopped})\n`);
      return 0;
    },
  };
}

export const peerCommand: Command = createPeerCommand();

/**
 * What `chordphone peer` throws for a join that failed (its peers stopped, their records files let
 * go): the error itself, its class kept for callers (a ReloadError's code, StorageTooNewError), as
 * main prints only its message. One whose words say a certificate was refused on an https: server
 * gets a hint, in a new Error that carries it as `cause`: the server's HTTPS certificate is
 * self-made, and Node trusts it only when told to.
 */
export function joinFailure(e: unknown, serverUrl: string): Error {
  const message = e instanceof Error ? e.message : String(e);
  const selfMade = !(e instanceof UsageError) && serverUrl.startsWith('https:') && /certificate|self.signed/i.test(message);
  if (!selfMade) return e instanceof Error ? e : new Error(message, { cause: e });
  return new Error(`${message} (the server’s HTTPS certificate is self-made: on its machine use its http://127.0.0.1 URL, or set NODE_EXTRA_CA_CERTS to its data/tls/server.cert.pem)`, { cause: e });
}
