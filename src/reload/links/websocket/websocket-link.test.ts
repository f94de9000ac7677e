/**
 * The WebSocket link over real sockets on loopback: `ws` on both ends (the client through the
 * same WHATWG-shaped constructor the browser's WebSocket fills), the server endpoint mounted on a
 * path of a plain Node HTTP server. Real time.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { systemClock } from '../../../platform/system-clock.js';
import type { Clock } from '../../runtime/components.js';
import { ManualClock } from '../../testing/manual-clock.js';
import { decodeFramedMessage } from '../../wire/framing.js';
import { linkComplianceTests } from '../link.compliance.js';
import { LinkOpenError, type Link } from '../link.js';
import { REAL_LINK_DEFAULTS } from '../real-link-defaults.js';
import { attachWebSocketBootstrap, nodeWebSocket, type WebSocketBootstrap } from './node/index.js';
import { openWebSocketLink, type WebSocketLinkInit } from './websocket-link.js';

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

interface Served {
  server: Server;
  endpoint: WebSocketBootstrap;
  url: string;
  accepted: { link: Link; request: IncomingMessage }[];
  close(): Promise<void>;
}

async function serve(link: WebSocketLinkInit = {}): Promise<Served> {
  const server = createServer((_req, res) => res.writeHead(404).end());
  const accepted: Served['accepted'] = [];
  const sockets = new Set<import('node:net').Socket>();
  server.on('upgrade', (req: IncomingMessage) => sockets.add(req.socket));
  const endpoint = attachWebSocketBootstrap(server, { path: '/reload', clock: systemClock, link, onLink: (l, request) => accepted.push({ link: l, request }) });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    server,
    endpoint,
    url: `ws://127.0.0.1:${port}/reload`,
    accepted,
    async close() {
      endpoint.close();
      server.closeAllConnections();
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

/** A link pair on loopback: `a` the client's (on `clock`), `b` the server's (on the system clock). */
async function pair(init: WebSocketLinkInit = {}, clock: Clock = systemClock) {
  const s = await serve(init);
  const a = await openWebSocketLink({ clock, WebSocket: nodeWebSocket }, s.url, init);
  for (let i = 0; i < 100 && s.accepted.length === 0; i++) await sleep(5);
  const accepted = s.accepted[0];
  if (!accepted) throw new Error('the server accepted no link');
  return { s, a, b: accepted.link, request: accepted.request };
}

const FAILURE_TIMEOUT = 2_000;

linkComplianceTests('WebSocket link (ws on loopback)', async () => {
  const { s, a, b, request } = await pair({ failureTimeoutMs: FAILURE_TIMEOUT });
  return {
    a,
    b,
    advance: sleep,
    failureTimeoutMs: FAILURE_TIMEOUT,
    // The server stops reading its TCP socket: nothing B receives is acked, nothing A sent is answered.
    silenceB: () => request.socket.pause(),
    teardown: async () => {
      a.close();
      await s.close();
    },
  };
});

describe('WebSocket link', () => {
  let served: Served | undefined;
  afterEach(async () => {
    await served?.close();
    served = undefined;
  });

  it('carries one FramedMessage per binary WebSocket message (§6.6.2)', async () => {
    served = await serve();
    const frames: Uint8Array[] = [];
    const { WebSocket } = await import('ws');
    const raw = new WebSocket(served.url, 'reload-framing');
    raw.binaryType = 'arraybuffer';
    raw.on('message', (d: ArrayBuffer) => frames.push(new Uint8Array(d)));
    await new Promise((r) => raw.once('open', r));
    for (let i = 0; i < 100 && served.accepted.length === 0; i++) await sleep(5);
    expect(raw.protocol).toBe('reload-framing');
    served.accepted[0]!.link.send(Uint8Array.of(1, 2, 3));
    await sleep(100);
    expect(frames.map((f) => decodeFramedMessage(f))).toEqual([{ kind: 'data', sequence: 0, message: Uint8Array.of(1, 2, 3) }]);
    raw.close();
  });

  it('a message the server sends as soon as it accepts reaches the dialer that subscribes once openWebSocketLink resolves', async () => {
    // `ws` can emit that message in the same task as `open`, before the dialer's `await` resumes
    // (the hello's challenge, link-hello.ts, was lost so now and then).
    const server = createServer((_req, res) => res.writeHead(404).end());
    attachWebSocketBootstrap(server, { path: '/reload', clock: systemClock, onLink: (l) => l.send(Uint8Array.of(42)) });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}/reload`;
    try {
      for (let i = 0; i < 20; i++) {
        const link = await openWebSocketLink({ clock: systemClock, WebSocket: nodeWebSocket }, url);
        let timer: ReturnType<typeof setTimeout> | undefined;
        const first = await new Promise<Uint8Array | undefined>((resolve) => {
          link.onMessage(resolve);
          timer = setTimeout(() => resolve(undefined), 2_000);
        });
        clearTimeout(timer);
        link.close();
        expect(first).toEqual(Uint8Array.of(42));
      }
    } finally {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    }
  });

  it('closes the link when the peer sends a text message (framing broken)', async () => {
    served = await serve();
    const { WebSocket } = await import('ws');
    const raw = new WebSocket(served.url);
    await new Promise((r) => raw.once('open', r));
    for (let i = 0; i < 100 && served.accepted.length === 0; i++) await sleep(5);
    const b = served.accepted[0]!.link;
    const closedWith = new Promise<number>((r) => raw.once('close', (code: number) => r(code)));
    raw.send('hello');
    expect(await closedWith).toBe(1003);
    expect(b.state).toBe('closed');
  });

  it('with the default settings, notices a silent peer and closes the link as dead within 5 s', async () => {
    // Real sockets, the client link's own time virtual: its verdict depends on its clock, not on
    // how fast a loaded machine runs this test.
    const clock = new ManualClock(0);
    const p = await pair({}, clock);
    served = p.s;
    const { failureTimeoutMs, keepaliveIntervalMs } = REAL_LINK_DEFAULTS;
    const within = failureTimeoutMs! + keepaliveIntervalMs!;
    expect(within).toBeLessThanOrEqual(5_000);
    const states: { at: number; state: string }[] = [];
    p.a.onStateChange((s, r) => states.push({ at: clock.now(), state: `${s}:${r ?? ''}` }));
    p.request.socket.pause();
    // No traffic from us: the keepalive probe finds out. The silence it waits out is the failure
    // timeout, after the keepalive probe (at most the keepalive interval).
    clock.advance(failureTimeoutMs! - 1);
    expect(p.a.state).not.toBe('closed');
    clock.advance(within - clock.now());
    expect(p.a.state).toBe('closed');
    expect(states.map((s) => s.state)).toEqual(['suspect:', 'closed:dead']);
    expect(states.at(-1)!.at).toBeLessThanOrEqual(within);
  });

  it('with the default settings, a process blocked for longer than the failure timeout keeps its links: the acks waiting to be read count (LATE_CHECK_MS)', async () => {
    // `chordphone serve` runs all its peers in one process: both ends of this pair are in it, as
    // its peers' links to each other are. A block of the event loop (a native call, a long GC, a
    // starved machine) silences both ends; when the loop runs again, timers run before the input
    // that waited is read.
    const p = await pair(REAL_LINK_DEFAULTS);
    served = p.s;
    const states: string[] = [];
    p.a.onStateChange((s, r) => states.push(`a ${s}:${r ?? ''}`));
    p.b.onStateChange((s, r) => states.push(`b ${s}:${r ?? ''}`));
    const got: number[] = [];
    p.b.onMessage((m) => got.push(m[0]!));
    // Frames in flight both ways when the loop blocks (sent just before).
    p.a.send(Uint8Array.of(1));
    p.b.send(Uint8Array.of(2));
    const blockMs = REAL_LINK_DEFAULTS.failureTimeoutMs! + REAL_LINK_DEFAULTS.keepaliveIntervalMs! + 500;
    const until = performance.now() + blockMs;
    while (performance.now() < until) {
      // the whole process blocked: no timer, no socket read
    }
    await sleep(1_500);
    expect(states).toEqual([]);
    expect([p.a.state, p.b.state]).toEqual(['open', 'open']);
    p.a.send(Uint8Array.of(3));
    for (let i = 0; i < 100 && got.length < 2; i++) await sleep(10);
    expect(got).toEqual([1, 3]);
  }, 15_000);

  it('rejects with LinkOpenError when nothing listens, and for a path the server does not serve', async () => {
    served = await serve();
    const deps = { clock: systemClock, WebSocket: nodeWebSocket };
    await expect(openWebSocketLink(deps, 'ws://127.0.0.1:1/reload')).rejects.toBeInstanceOf(LinkOpenError);
    await expect(openWebSocketLink(deps, served.url.replace('/reload', '/other'), { openTimeoutMs: 500 })).rejects.toBeInstanceOf(LinkOpenError);
    await expect(openWebSocketLink(deps, 'not a url')).rejects.toBeInstanceOf(LinkOpenError);
  });

  it('closes every accepted link when the endpoint closes', async () => {
    const p = await pair();
    served = p.s;
    p.s.endpoint.close();
    expect(p.b.state).toBe('closed');
    for (let i = 0; i < 100 && p.a.state !== 'closed'; i++) await sleep(10);
    expect(p.a.state).toBe('closed');
  });
});
