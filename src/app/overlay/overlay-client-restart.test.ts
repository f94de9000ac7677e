/**
 * Restarts with newer configurations (overlay-client.ts, RFC 6940 §6.5.4) against `chordphone
 * serve`'s composition on one in-memory network: the restarts a joined peer is sent one after
 * another each happen and are told, whatever the caller's `onRestart` does with the one before;
 * and a join refused with Error_Config_Too_Old waits for the ConfigUpdate on the injected clock.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ReloadError } from '../../reload/runtime/reload-error.js';
import { ManualClock } from '../../reload/testing/manual-clock.js';
import { ErrorCode, MessageCode } from '../../reload/wire/message-codes.js';
import { ConfigUpdateType } from '../../reload/wire/methods/config-update.js';
import { ANY_CONFIGURATION_SEQUENCE } from '../../reload/transport/index.js';
import { memoryNodeNetwork } from '../../server/testing/memory-node-network.js';
import type { ComposedPeer } from './compose-peer.js';
import { configurationUrl } from './configuration-prefetch.js';
import { CONFIG_UPDATE_WAIT_MS, joinOverlay, type JoinedOverlay } from './overlay-client.js';
import { clientDeps } from './testing/client-deps.js';
import { dropInbound } from './testing/drop-inbound.js';
import { serverSite, type ServerSite } from './testing/server-site.js';
import { createOverlay } from './overlay.js';

describe('restarts with newer configurations, one after another (RFC 6940 §6.5.4)', () => {
  let site: ServerSite;
  const clients: JoinedOverlay[] = [];
  const closers: (() => Promise<void>)[] = [];
  beforeAll(async () => {
    site = await serverSite('chordphone-restart-');
  });
  afterAll(async () => {
    for (const c of clients) await c.close();
    for (const close of closers) await close();
    await site?.close();
  });

  /**
   * `peer` is sent `xml` in a ConfigUpdate (§6.5.4); here by itself, the one peer that can reach it
   * on a ring whose server went away. Its own answer may be cut off by the restart it starts.
   */
  const sendConfigUpdate = (peer: ComposedPeer, xml: string): void =>
    void peer.transport
      .request(
        [{ kind: 'node', nodeId: peer.nodeId }],
        { name: 'config_update_req', value: { type: ConfigUpdateType.config, configData: new TextEncoder().encode(xml) } },
        { configurationSequence: ANY_CONFIGURATION_SEQUENCE },
      )
      .catch(() => undefined);

  it('an onRestart that throws is logged and the next newer configuration still restarts the peer and is told', async () => {
    const net = memoryNodeNetwork();
    const base = site.init('data', net);
    let server = await site.start(base);
    const port = Number(new URL(server.localUrl).port);
    const errors: string[] = [];
    const restarts: number[] = [];
    const cleo = await joinOverlay(
      clientDeps(net, [], { logger: { debug: () => {}, info: () => {}, warn: () => {}, error: (message) => void errors.push(message) } }),
      {
        serverUrl: server.localUrl,
        userName: () => 'cleo',
        bootstrap: [server.bootstrapUrls[0]!],
        onRestart: (j) => {
          restarts.push(j.configuration.sequence ?? 0);
          if (restarts.length === 1) throw new Error('the caller’s view failed to update');
        },
      },
    );
    clients.push(cleo);
    const first = cleo.configuration.sequence ?? 0;
    // Twice the server comes back on the same address with a changed configuration (sequence + 1),
    // and Cleo is handed its document.
    for (const [n, urls] of [[1, 'stun:192.0.2.1:3478'], [2, 'stun:192.0.2.2:3478']] as const) {
      await server.close();
      server = await site.start({ ...base, port, extraPeers: 1, iceServers: [{ urls }] });
      expect(server.document.configuration.sequence).toBe(first + n);
      sendConfigUpdate(cleo.peer, server.document.xml);
      await vi.waitFor(() => expect(restarts).toHaveLength(n), { timeout: 20_000, interval: 100 });
    }
    expect(restarts).toEqual([first + 1, first + 2]);
    expect(cleo.configuration.sequence).toBe(first + 2);
    expect(cleo.peer.status().joined).toBe(true);
    expect(errors.some((e) => /onRestart/.test(e))).toBe(true);
  }, 60_000);

  it('a restart that cannot join again leaves the overlay not joined, saying why', async () => {
    const net = memoryNodeNetwork();
    const base = site.init('data-failed', net);
    let server = await site.start(base);
    const port = Number(new URL(server.localUrl).port);
    let networks = 0;
    const tab = createOverlay(
      clientDeps(net, [], {
        // The restart's peer gets no network (say, the new configuration's ICE servers are refused).
        createNetwork: (init) => {
          if (++networks > 1) throw new Error('no network for the new configuration');
          return net(init);
        },
      }),
      { serverUrl: server.localUrl, userName: () => 'dora', bootstrap: [server.bootstrapUrls[0]!], refreshMs: 20 },
    );
    closers.push(() => tab.close());
    await tab.start();
    expect(tab.getSnapshot()).toMatchObject({ phase: 'joined', joined: true });
    await server.close();
    server = await site.start({ ...base, port, extraPeers: 1, iceServers: [{ urls: 'stun:192.0.2.3:3478' }] });
    sendConfigUpdate(tab.joined!.peer, server.document.xml);
    await vi.waitFor(() => expect(tab.getSnapshot().phase).toBe('failed'), { timeout: 20_000, interval: 50 });
    expect(tab.getSnapshot()).toMatchObject({ joined: false, error: 'no network for the new configuration' });
    // The refresh no longer reads the peer that left.
    await new Promise((r) => setTimeout(r, 60));
    expect(tab.getSnapshot()).toMatchObject({ phase: 'failed', joined: false });
  }, 60_000);
});

describe('a join refused with Error_Config_Too_Old (RFC 6940 §6.3.2.1, §6.5.4)', () => {
  let site: ServerSite;
  beforeAll(async () => {
    site = await serverSite('chordphone-too-old-');
  });
  afterAll(async () => {
    await site?.close();
  });

  const realTick = (ms = 5) => new Promise((r) => setTimeout(r, ms));

  it('waits CONFIG_UPDATE_WAIT_MS of the injected clock for the ConfigUpdate, then fails with the refusal', async () => {
    const net = memoryNodeNetwork();
    const base = site.init('data-too-old', net);
    let server = await site.start(base);
    const port = Number(new URL(server.localUrl).port);
    const stale = server.document.xml;
    // The server comes back with a newer configuration (sequence + 1): our document is too old.
    await server.close();
    server = await site.start({ ...base, port, iceServers: [{ urls: 'stun:192.0.2.4:3478' }] });
    expect(server.document.xml).not.toBe(stale);
    const clock = new ManualClock();
    const chordStates: unknown[] = [];
    const quiet = () => {};
    let settled: { error: unknown } | undefined;
    const joining = joinOverlay(
      clientDeps(net, [], {
        clock,
        // The client is handed the older document; its join meets Error_Config_Too_Old.
        fetch: (url, init) => (url === configurationUrl(server.localUrl) ? Promise.resolve(new Response(stale)) : fetch(url, init)),
        // The bootstrap's ConfigUpdate (§6.3.2.1 "the receiving node [...] sends a ConfigUpdate") never arrives.
        wrapNetwork: (network) => dropInbound(network, MessageCode.config_update_req),
        logger: { debug: (message, fields) => void (message === 'chord state' && chordStates.push(fields?.['to'])), info: quiet, warn: quiet, error: quiet },
      }),
      { serverUrl: server.localUrl, userName: () => 'erin', bootstrap: [server.bootstrapUrls[0]!] },
    );
    void joining.then(
      () => (settled = { error: undefined }),
      (error: unknown) => (settled = { error }),
    );
    // The chord join's own retries back off on the same clock: time runs until it gives up.
    for (let i = 0; i < 2_000 && !chordStates.includes('failed'); i++) {
      clock.advance(100);
      await realTick();
    }
    expect(chordStates).toContain('failed');
    // Now the join waits for the ConfigUpdate, on the injected clock only.
    clock.advance(CONFIG_UPDATE_WAIT_MS - 1);
    await realTick(50);
    expect(settled).toBeUndefined();
    clock.advance(1);
    await vi.waitFor(() => expect(settled).toBeDefined(), { timeout: 1_000, interval: 10 });
    expect(settled!.error).toBeInstanceOf(ReloadError);
    expect((settled!.error as ReloadError).code).toBe(ErrorCode.Error_Config_Too_Old);
  }, 60_000);
});
