/**
 * The phases a join reports (overlay-client.ts `onPhase`, shown by the first run's steps) against
 * `chordphone serve`'s composition on one in-memory network: a tab whose identity another tab of
 * the browser is setting up (its Web Lock held, peer-identity.ts) says it waits for that tab, then
 * goes on with the normal phases once the lock is free.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeWebLocks } from '../../reload/testing/fake-web-locks.js';
import { startChordphoneServer, type ChordphoneServer } from '../../server/chordphone-server.js';
import { memoryNodeNetwork } from '../../server/testing/memory-node-network.js';
import { joinOverlay, type JoinPhase } from './overlay-client.js';
import { identityLockName } from './peer-identity.js';
import { clientDeps } from './testing/client-deps.js';

describe('join phases', () => {
  let dir: string;
  let server: ChordphoneServer | undefined;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'chordphone-phases-'));
    await mkdir(join(dir, 'dist'));
    await writeFile(join(dir, 'dist', 'index.html'), '<!doctype html><title>Chordphone</title>');
  });
  afterAll(async () => {
    await server?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('waits, and says so, while another tab of this browser sets up the same identity; then enrolls and joins', async () => {
    const net = memoryNodeNetwork();
    server = await startChordphoneServer({ distDir: join(dir, 'dist'), dataDir: join(dir, 'data'), port: 0, lan: { ips: ['192.0.2.10'], hostname: 'testbox' }, network: net });
    const locks = new FakeWebLocks();
    // Another tab holds the identity's lock (its enrollment under way).
    let otherTabDone!: () => void;
    void locks.tab('other').request(identityLockName('dora'), () => new Promise<void>((r) => (otherTabDone = r)));
    const phases: JoinPhase[] = [];
    const details: string[] = [];
    const joining = joinOverlay(clientDeps(net, [], { locks: locks.tab('this') }), {
      serverUrl: server.localUrl,
      credentialsName: 'dora',
      userName: () => 'dora',
      bootstrap: [server.bootstrapUrls[0]!],
      onPhase: (phase, detail) => (phases.push(phase), details.push(detail)),
    });
    await vi.waitFor(() => expect(phases.at(-1)).toBe('waiting-for-identity'));
    expect(details.at(-1)).toBe('waiting for another tab of this browser to finish setting up this identity');
    expect(phases).toEqual(['configuring', 'waiting-for-identity']);
    // That tab stored nothing (here): this one enrolls once it has the lock, then joins.
    otherTabDone();
    const joined = await joining;
    expect(phases).toEqual(['configuring', 'waiting-for-identity', 'enrolling', 'joining', 'joined']);
    await joined.close();
  });
});
