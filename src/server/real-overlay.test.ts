/**
 * `chordphone serve --peers 3` and `chordphone peer --count 2` over the real network: WebSocket
 * bootstrap links on loopback and WebRTC data channels made by Attach (node-datachannel). The
 * headless peers join through the server's URL, store and fetch across the overlay, and their
 * link tables hold data-channel links.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { JoinedOverlay } from '../app/overlay/overlay-client.js';
import { CHORDPHONE_KINDS } from '../app/overlay/chordphone-kinds.js';
import { createPeerCommand } from '../cli/peer.js';
import type { CliIo } from '../cli/main.js';
import { startChordphoneServer, type ChordphoneServer } from './chordphone-server.js';
import { nodeNetwork } from './node-network.js';

const io: CliIo = { out: () => {}, err: () => {}, stdin: async () => new Uint8Array() };
let dir: string;
let server: ChordphoneServer;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'chordphone-real-'));
  await mkdir(join(dir, 'dist'));
  await writeFile(join(dir, 'dist', 'index.html'), '<!doctype html><title>Chordphone</title>');
  server = await startChordphoneServer({ distDir: join(dir, 'dist'), dataDir: join(dir, 'server'), port: 0, extraPeers: 3, network: nodeNetwork });
}, 60_000);
afterAll(async () => {
  await server?.close();
  await rm(dir, { recursive: true, force: true });
});

const note = (s: string) => new TextEncoder().encode(s);
const valueOf = (o: Awaited<ReturnType<JoinedOverlay['peer']['fetch']>>) => {
  const v = o.answer.kindResponses[0]?.values[0]?.value;
  return v?.model === 'single' && v.singleValueEntry.exists ? new TextDecoder().decode(v.singleValueEntry.value) : undefined;
};

describe('the real overlay of chordphone serve and chordphone peer', () => {
  it('headless peers join by URL, link by data channel and store and fetch across the overlay', async () => {
    expect(server.peers.every((p) => p.peer.status().joined)).toBe(true);
    let stop: (r: string) => void = () => {};
    let checked: Promise<void> | undefined;
    const run = createPeerCommand({
      network: nodeNetwork,
      untilStopped: () => new Promise((r) => (stop = r)),
      onJoined: (peers) => {
        checked = (async () => {
          const mine = peers[0]!.peer;
          await mine.store(mine.userName, CHORDPHONE_KINDS.note, [{ value: note('over data channels') }]);
          for (const p of server.peers) expect(valueOf(await p.peer.fetch(mine.userName, [{ kind: CHORDPHONE_KINDS.note }]))).toBe('over data channels');
          const transports = peers.flatMap((j) => j.peer.neighbours().map((n) => n.link.remoteAddress.split(':')[0]));
          expect(transports).toContain('webrtc');
          expect(transports).toContain('ws');
        })().finally(() => stop('checked'));
      },
    }).run(['--config', server.localUrl, '--count', '2', '--data', join(dir, 'peers')], io);
    expect(await run).toBe(0);
    await checked;
  });
});
