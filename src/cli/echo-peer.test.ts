/**
 * The CLI side of the echo peer (issue 6): `chordphone peer --echo NAME` and `chordphone serve
 * [--no-echo]` say so in their help, and a bad `--echo` is a usage error before anything starts;
 * the records file its join opened is let go when it stops and when it cannot start.
 * The echo peer itself answering a browser's call with audio runs in e2e/calls.spec.ts (the
 * server's default `echo`).
 */
import { existsSync } from 'node:fs';
import { mkdtemp, mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startEchoPeer } from '../phone/node/echo-peer.js';
import { createMemoryAppChannels } from '../reload/links/memory/index.js';
import { startChordphoneServer, type ChordphoneServer, type NodeNetworkFactory } from '../server/chordphone-server.js';
import { memoryNodeNetwork } from '../server/testing/memory-node-network.js';
import { recordsFileBusy } from '../reload/storage/node/testing/records-file.js';
import { UsageError } from './command.js';
import { startEchoOverlayPeer } from './echo-peer.js';
import type { CliIo } from './main.js';
import { createPeerCommand } from './peer.js';
import { createServeCommand } from './serve.js';

// The real echo phone, unless a test makes it fail to start.
vi.mock(import('../phone/node/echo-peer.js'), async (importOriginal) => {
  const original = await importOriginal();
  return { ...original, startEchoPeer: vi.fn(original.startEchoPeer) };
});

function captureIo(): CliIo & { readonly outText: () => string } {
  let out = '';
  return { out: (t) => void (out += t), err: () => {}, stdin: async () => new Uint8Array(), outText: () => out };
}

describe('echo peer options', () => {
  it('peer --help and serve --help name them', async () => {
    const peerIo = captureIo();
    expect(await createPeerCommand().run(['--help'], peerIo)).toBe(0);
    expect(peerIo.outText()).toContain('--echo NAME');
    const serveIo = captureIo();
    expect(await createServeCommand().run(['--help'], serveIo)).toBe(0);
    expect(serveIo.outText()).toContain('--no-echo');
  });

  it('an empty --echo name is a usage error, found before any directory or network is touched', async () => {
    const dir = join(tmpdir(), `chordphone-echo-${process.pid}-${Date.now()}`);
    await expect(createPeerCommand().run(['--config', 'http://127.0.0.1:9/', '--echo', '  ', '--data', dir], captureIo())).rejects.toThrow(/--echo needs a user name/);
    expect(existsSync(dir)).toBe(false);
    await expect(createServeCommand().run(['--no-echo=yes'], captureIo())).rejects.toBeInstanceOf(UsageError);
  });
});

describe('the echo peer’s records file', () => {
  let dir: string;
  let server: ChordphoneServer;
  const memory = memoryNodeNetwork();
  /** The server's in-memory network, with AppAttach channels (what the echo phone takes calls over). */
  const withAppChannels: NodeNetworkFactory = async (init) => {
    const made = await memory(init);
    const appChannels = createMemoryAppChannels(memory.network, { address: made.address, authenticate: () => undefined });
    return { ...made, appChannels, close: () => (appChannels.close(), made.close()) };
  };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'chordphone-echo-records-'));
    await mkdir(join(dir, 'dist'));
    await writeFile(join(dir, 'dist', 'index.html'), '<!doctype html><title>Chordphone</title>');
    server = await startChordphoneServer({ distDir: join(dir, 'dist'), dataDir: join(dir, 'server'), port: 0, network: memory });
  }, 60_000);
  afterAll(async () => {
    await server?.close();
    await rm(dir, { recursive: true, force: true });
  });

  /** Each records file under `dataDir` (one per join), with why another process could not read it now. */
  const recordsFiles = async (dataDir: string) =>
    Object.fromEntries((await readdir(dataDir)).filter((f) => f.endsWith('.records.sqlite')).map((f) => [f, recordsFileBusy(join(dataDir, f))]));
  /** An echo peer named after its data directory (a user name the enrollment server gives once). */
  const start = async (dataDir: string, network: NodeNetworkFactory) => {
    await mkdir(dataDir, { recursive: true });
    return startEchoOverlayPeer({ serverUrl: server.localUrl, name: `echo-${basename(dataDir)}`, dataDir, bootstrap: [server.bootstrapUrls[0]!], network });
  };

  it('stopped, it lets its records file go, for another process to open', async () => {
    const dataDir = join(dir, 'stopped');
    const echo = await start(dataDir, withAppChannels);
    expect(echo.echo.phone.state).toBe('ready');
    await echo.stop(500);
    const files = await recordsFiles(dataDir);
    expect(Object.keys(files)).toHaveLength(1);
    expect(Object.values(files)).toEqual([undefined]);
  }, 60_000);

  it('on a network without application channels it does not start, and lets its records file go', async () => {
    const dataDir = join(dir, 'no-app-channels');
    await expect(start(dataDir, memory)).rejects.toThrow(/no application channels/);
    const files = await recordsFiles(dataDir);
    expect(Object.keys(files)).toHaveLength(1);
    expect(Object.values(files)).toEqual([undefined]);
  }, 60_000);

  it('when its phone cannot start it does not start, and lets its records file go', async () => {
    const dataDir = join(dir, 'no-phone');
    vi.mocked(startEchoPeer).mockRejectedValueOnce(new Error('the registration could not be stored'));
    await expect(start(dataDir, withAppChannels)).rejects.toThrow('the registration could not be stored');
    const files = await recordsFiles(dataDir);
    expect(Object.keys(files)).toHaveLength(1);
    expect(Object.values(files)).toEqual([undefined]);
  }, 60_000);
});
