import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { JoinedOverlay } from '../app/overlay/overlay-client.js';
import { toHex } from '../reload/wire/codec/hex.js';
import { decodeUdpCapture } from '../reload/wire/pcap/index.js';
import { startChordphoneServer, type ChordphoneServer } from '../server/chordphone-server.js';
import { memoryNodeNetwork } from '../server/testing/memory-node-network.js';
import { recordsFileBusy } from '../reload/storage/node/testing/records-file.js';
import { SCHEMA_VERSION } from '../reload/storage/node/sqlite-schema.js';
import { StorageTooNewError } from '../reload/runtime/storage-too-new-error.js';
import { UsageError } from './command.js';
import type { CliIo } from './main.js';
import { createPeerCommand, joinFailure, serverUrlOfBootstrap } from './peer.js';

function captureIo(): CliIo & { readonly outText: () => string } {
  let out = '';
  return { out: (t) => void (out += t), err: () => {}, stdin: async () => new Uint8Array(), outText: () => out };
}

let dir: string;
let server: ChordphoneServer;
const network = memoryNodeNetwork();

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'chordphone-peer-'));
  await mkdir(join(dir, 'dist'));
  await writeFile(join(dir, 'dist', 'index.html'), '<!doctype html><title>Chordphone</title>');
  server = await startChordphoneServer({ distDir: join(dir, 'dist'), dataDir: join(dir, 'server'), port: 0, network });
});
afterAll(async () => {
  await server?.close();
  await rm(dir, { recursive: true, force: true });
});

/** Runs `chordphone peer args…` until its peers have joined, then stops it; returns what joined. */
async function runPeers(args: string[]): Promise<{ readonly joined: readonly JoinedOverlay[]; readonly out: string; readonly exit: number }> {
  let stop: (reason: string) => void = () => {};
  let joined: readonly JoinedOverlay[] = [];
  const io = captureIo();
  const command = createPeerCommand({
    network,
    untilStopped: () => new Promise((r) => (stop = r)),
    onJoined: (peers) => {
      joined = peers;
      // Check the overlay while the peers run, then stop.
      void (async () => {
        const last = peers[peers.length - 1]!.peer;
        await last.store(last.userName, 0xf0000001, [{ value: new TextEncoder().encode('from a headless peer') }]);
        const got = await server.peers[0]!.peer.fetch(last.userName, [{ kind: 0xf0000001 }]);
        const v = got.answer.kindResponses[0]?.values[0]?.value;
        if (v?.model !== 'single' || new TextDecoder().decode(v.singleValueEntry.value) !== 'from a headless peer') throw new Error('fetch failed');
        stop('test');
      })().catch((e: unknown) => stop(`failed: ${String(e)}`));
    },
  });
  const exit = await command.run(args, io);
  return { joined, out: io.outText(), exit };
}

describe('chordphone peer', () => {
  it('joins N peers given the server URL, enrolling once and reusing the identities on the next run', async () => {
    const data = join(dir, 'peers');
    const pcap = join(dir, 'peers.pcap');
    const first = await runPeers(['--config', server.localUrl, '--count', '3', '--data', data, '--pcap', pcap]);
    expect(first.exit).toBe(0);
    expect(first.out).toContain('stopped (test)');
    expect(first.joined).toHaveLength(3);
    expect(first.joined.every((j) => j.identity.enrolled)).toBe(true);
    expect(first.out).toMatch(/3 peers joined in \d+ ms/);
    const ids = first.joined.map((j) => toHex(j.peer.nodeId));
    expect(decodeUdpCapture(new Uint8Array(await readFile(pcap))).length).toBeGreaterThan(5);
    // Stopped, the run let its records files go: another `chordphone peer` over the directory can open them.
    for (const id of ids) expect(recordsFileBusy(join(data, `${first.joined[0]!.configuration.instanceName}.${id}.records.sqlite`)), id).toBeUndefined();

    const again = await runPeers(['--bootstrap', server.bootstrapUrls[0]!, '--count', '3', '--data', data]);
    expect(again.out).toContain('stopped (test)');
    expect(again.joined.map((j) => toHex(j.peer.nodeId))).toEqual(ids);
    expect(again.joined.some((j) => j.identity.enrolled)).toBe(false);
    expect(again.joined[0]!.bootstrap).toEqual([server.bootstrapUrls[0]]);
  });

  it.each([[[]], [['--config', 'ftp://x/']], [['--bootstrap', 'http://x/']], [['--config', 'http://x/', '--count', '0']], [['--config', 'http://x/', 'extra']]])('rejects %j', async (args) => {
    await expect(createPeerCommand({ network }).run(args, captureIo())).rejects.toBeInstanceOf(UsageError);
  });

  it('fails with one line when the server is not there', async () => {
    const attempt = createPeerCommand({ network }).run(['--config', 'http://127.0.0.1:9/', '--data', join(dir, 'none')], captureIo());
    await expect(attempt).rejects.toThrow(/^cannot fetch the overlay configuration from http:\/\/127\.0\.0\.1:9\/\.well-known\/reload-config: .+$/);
  });

  it('a data directory whose records a newer chordphone wrote fails with one clear line, as the StorageTooNewError it is, and the file is left as it was', async () => {
    const data = join(dir, 'peers-newer');
    const first = await runPeers(['--config', server.localUrl, '--data', data]);
    expect(first.exit).toBe(0);
    const records = join(data, `${first.joined[0]!.configuration.instanceName}.${toHex(first.joined[0]!.peer.nodeId)}.records.sqlite`);
    const newer = new Database(records);
    newer.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    newer.close();
    const attempt = createPeerCommand({ network, untilStopped: () => new Promise(() => {}) }).run(['--config', server.localUrl, '--data', data], captureIo());
    // main prints `chordphone peer: ` and the message: one line, as `chordphone serve` prints it.
    await expect(attempt).rejects.toThrow(
      new RegExp(`^the records file \\S+\\.records\\.sqlite was written by a newer chordphone \\(schema ${SCHEMA_VERSION + 1}, this build knows up to ${SCHEMA_VERSION}\\): upgrade, or pass --data for another directory$`),
    );
    // Its class kept for callers (main prints only the message): what failed, and how, not only words.
    await expect(attempt).rejects.toBeInstanceOf(StorageTooNewError);
    await expect(attempt).rejects.toMatchObject({ version: SCHEMA_VERSION + 1, known: SCHEMA_VERSION });
    const after = new Database(records, { readonly: true });
    expect(after.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION + 1);
    after.close();
    expect(recordsFileBusy(records)).toBeUndefined();
  });

  it('a failed join on an https: server whose certificate was refused says what to do, and keeps the error as its cause', () => {
    const refused = new TypeError('self-signed certificate');
    const thrown = joinFailure(refused, 'https://192.0.2.1:8443/');
    expect(thrown.message).toMatch(/^self-signed certificate \(the server’s HTTPS certificate is self-made: .+NODE_EXTRA_CA_CERTS.+\)$/);
    expect(thrown.cause).toBe(refused);
    // Anything else is the error itself.
    expect(joinFailure(refused, 'http://192.0.2.1:8080/')).toBe(refused);
  });

  it('maps a bootstrap URL to its server', () => {
    expect(serverUrlOfBootstrap('wss://192.0.2.1:8443/reload')).toBe('https://192.0.2.1:8443/');
    expect(serverUrlOfBootstrap('ws://127.0.0.1:8080/reload')).toBe('http://127.0.0.1:8080/');
  });
});
