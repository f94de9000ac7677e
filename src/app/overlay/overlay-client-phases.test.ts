/**
 * The phases a join reports (overlay-client.ts `onPhase`, shown by the first run's steps) against
 * `chordphone serve`'s composition on one in-memory network: a tab whose identity another tab of
 * the browser is setting up (its Web Lock held, peer-identity.ts) says it waits for that tab, says
 * the wait is over once it has the lock, then goes on with the normal phases; an overlay closed
 * while it asks for that lock stays closed; a join whose records' lock is free says nothing of it,
 * however late the lock manager answers, and one whose records' lock is held says so in the
 * joining phase's detail, the phase keeping its first start.
 */
import 'fake-indexeddb/auto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { systemClock } from '../../platform/system-clock.js';
import type { WebLockCallback, WebLockOptions, WebLocks } from '../../reload/runtime/web-locks.js';
import { idbDatabaseName, openIdbBackend } from '../../reload/storage/idb-backend.js';
import { FakeWebLocks } from '../../reload/testing/fake-web-locks.js';
import type { ChordphoneServer } from '../../server/chordphone-server.js';
import { memoryNodeNetwork } from '../../server/testing/memory-node-network.js';
import { joinOverlay, type JoinPhase } from './overlay-client.js';
import { createOverlay } from './overlay.js';
import { identityLockName } from './peer-identity.js';
import { clientDeps, type MemoryNet } from './testing/client-deps.js';
import { serverSite, type ServerSite } from './testing/server-site.js';

describe('join phases', () => {
  let site: ServerSite;
  let net: MemoryNet;
  let server: ChordphoneServer;
  beforeAll(async () => {
    site = await serverSite('chordphone-phases-');
    net = memoryNodeNetwork();
    server = await site.start(site.init('data', net));
  });
  afterAll(async () => {
    await site?.close();
  });

  it('waits, and says so, while another tab of this browser sets up the same identity; says the wait is over once it has the lock; then enrolls and joins', async () => {
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
    expect(details.at(-1)).toBe(`another tab holds the Web Lock ${identityLockName('dora')}`);
    expect(phases).toEqual(['configuring', 'waiting-for-identity']);
    // That tab stored nothing (here): this one checks what is stored once it has the lock, enrolls, then joins.
    otherTabDone();
    const joined = await joining;
    expect(phases).toEqual(['configuring', 'waiting-for-identity', 'checking-identity', 'enrolling', 'joining', 'joined']);
    await joined.close();
  });

  it('says joining once when its records’ lock is free, though the lock manager answers tasks later (a browser’s answers on a task of its own)', async () => {
    const locks = new FakeWebLocks({ answerAfterTasks: 2 });
    const tab = locks.tab('this');
    const phases: JoinPhase[] = [];
    const details: string[] = [];
    const joined = await joinOverlay(clientDeps(net, [], { locks: tab, openStorage: (overlay, nodeId) => openIdbBackend({ overlay, nodeId, locks: tab }) }), {
      serverUrl: server.localUrl,
      credentialsName: 'fay',
      userName: () => 'fay',
      bootstrap: [server.bootstrapUrls[0]!],
      onPhase: (phase, detail) => (phases.push(phase), details.push(detail)),
    });
    expect(phases).toEqual(['configuring', 'enrolling', 'joining', 'joined']);
    expect(details.join('\n')).not.toMatch(/records/);
    await joined.close();
  });

  it('stays joining when its records’ lock is held by an earlier overlay: the detail then names the wait, and the phase keeps its first start (the wait is the join’s time, not the step before’s)', async () => {
    const locks = new FakeWebLocks({ answerAfterTasks: 2 });
    const tab = locks.tab('this');
    // The overlay's injected ms clock, moved by the test only.
    let t = 0;
    let earlierDone!: () => void;
    let earlier: Promise<void> | undefined;
    const overlay = createOverlay(
      clientDeps(net, [], {
        locks: tab,
        // Held still between the steps the test moves it through (timers stay real).
        clock: { now: () => t, setTimer: systemClock.setTimer },
        openStorage: async (name, nodeId) => {
          // An earlier overlay with this Node-ID still has an operation on these records under way.
          earlier = locks.tab('earlier').request(idbDatabaseName(name, nodeId), () => new Promise<void>((r) => (earlierDone = r)));
          t = 1_000;
          const backend = await openIdbBackend({ overlay: name, nodeId, locks: tab });
          // Opening the records took 300 ms.
          t = 1_300;
          return backend;
        },
      }),
      { serverUrl: server.localUrl, credentialsName: 'gus', userName: () => 'gus', bootstrap: [server.bootstrapUrls[0]!] },
    );
    const seen: string[] = [];
    overlay.subscribe(() => {
      const s = overlay.getSnapshot();
      if (seen.at(-1) !== `${s.phase}: ${s.detail}`) seen.push(`${s.phase}: ${s.detail}`);
    });
    const started = overlay.start();
    await vi.waitFor(() => expect(overlay.getSnapshot().detail).toMatch(/once this peer's records are free/));
    t = 6_000;
    earlierDone();
    await earlier;
    await started;
    expect(seen.filter((s) => s.startsWith('joining')).length).toBe(2);
    expect(overlay.getSnapshot().phaseMs).toMatchObject({ enrolling: 0, joining: 1_000 });
    await overlay.close();
  });

  it('an overlay closed while it asks for its identity’s lock (held by another tab) stays closed: the late wait is not reported', async () => {
    const locks = new FakeWebLocks();
    void locks.tab('other').request(identityLockName('eve'), () => new Promise<void>(() => {}));
    const tab = locks.tab('this');
    // The tab's page goes away just as the identity's lock is asked for, before the answer (null: held) is told.
    const closingLocks: WebLocks = {
      request: <T>(name: string, a: WebLockOptions | WebLockCallback<T>, b?: WebLockCallback<T>) => {
        const asked = typeof a === 'function' ? tab.request(name, a) : tab.request(name, a, b!);
        if (name === identityLockName('eve') && typeof a !== 'function' && a.ifAvailable) void overlay.close();
        return asked;
      },
    };
    const overlay = createOverlay(clientDeps(net, [], { locks: closingLocks }), { serverUrl: server.localUrl, credentialsName: 'eve', userName: () => 'eve', bootstrap: [server.bootstrapUrls[0]!] });
    await expect(overlay.start()).rejects.toThrow();
    await overlay.close();
    expect(overlay.getSnapshot()).toMatchObject({ phase: 'closed', detail: 'closed' });
  });
});
