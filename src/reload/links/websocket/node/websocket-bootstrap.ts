/**
 * Node only: the WebSocket bootstrap endpoint (ARCHITECTURE.md "Bootstrap", RFC 6940 §11.4) on a
 * path of an existing HTTP(S) server. Each accepted binary WebSocket becomes a Link
 * (websocket-link.ts) handed to `onLink`; the peer that owns the endpoint authenticates and
 * installs it (overlay/webrtc-network.ts).
 *
 * ```ts
 * const endpoint = attachWebSocketBootstrap(httpServer, { path: '/reload', clock: systemClock, onLink: (link) => … });
 * endpoint.close(); // stop accepting and close every link it made
 * ```
 */
import type { IncomingMessage, Server as HttpServer } from 'node:http';
import type { Server as HttpsServer } from 'node:https';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Clock, Logger } from '../../../runtime/components.js';
import { silentLogger } from '../../../runtime/components.js';
import { DATA_FRAME_OVERHEAD } from '../../framed-link.js';
import type { Link } from '../../link.js';
import { DEFAULT_WEBSOCKET_MTU, acceptWebSocketLink, type WebSocketLinkInit } from '../websocket-link.js';
import { RELOAD_WEBSOCKET_PROTOCOL, type WebSocketLike } from '../websocket-like.js';

/** How long `close()` lets sockets finish the WebSocket close handshake before cutting them. */
const CLOSE_GRACE_MS = 1_000;

export interface WebSocketBootstrapInit {
  /** URL path the endpoint answers on, e.g. `/reload`; other upgrade requests are left alone. */
  readonly path: string;
  readonly clock: Clock;
  readonly logger?: Logger;
  /** Called with each accepted link (and the HTTP upgrade request it came with). */
  readonly onLink: (link: Link, request: IncomingMessage) => void;
  /** FramedLink settings and MTU of accepted links. */
  readonly link?: WebSocketLinkInit;
}

export interface WebSocketBootstrap {
  /** Links currently open through this endpoint. */
  readonly links: ReadonlySet<Link>;
  /** Stop accepting, close every link, detach from the HTTP server. */
  close(): void;
}

/** Accept RELOAD WebSocket links on `init.path` of `server`. */
export function attachWebSocketBootstrap(server: HttpServer | HttpsServer, init: WebSocketBootstrapInit): WebSocketBootstrap {
  const log = init.logger ?? silentLogger;
  const mtu = init.link?.mtu ?? DEFAULT_WEBSOCKET_MTU;
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: mtu + DATA_FRAME_OVERHEAD,
    // Accept our subprotocol when offered; a client offering none still gets a link.
    handleProtocols: (protocols) => (protocols.has(RELOAD_WEBSOCKET_PROTOCOL) ? RELOAD_WEBSOCKET_PROTOCOL : false),
  });
  const links = new Set<Link>();
  let closed = false;
  const onUpgrade = (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    const path = new URL(request.url ?? '/', 'http://host').pathname;
    if (path !== init.path) {
      // Another listener may serve that path; when we are the only one, nobody will: refuse it.
      if (server.listenerCount('upgrade') === 1) socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    if (closed) {
      socket.destroy();
      return;
    }
    wss.handleUpgrade(request, socket, head, (ws: WebSocket) => {
      const remote = `${request.socket.remoteAddress ?? '?'}:${request.socket.remotePort ?? 0}`;
      const link = acceptWebSocketLink({ clock: init.clock, logger: log }, ws as unknown as WebSocketLike, `ws://${remote}`, init.link);
      links.add(link);
      link.onStateChange((s) => {
        if (s === 'closed') links.delete(link);
      });
      log.debug('websocket link accepted', { link: link.id, remote });
      init.onLink(link, request);
    });
  };
  server.on('upgrade', onUpgrade);
  return {
    links,
    close() {
      if (closed) return;
      closed = true;
      server.off('upgrade', onUpgrade);
      for (const l of [...links]) l.close();
      wss.close();
      // A peer that does not answer the close handshake would hold its socket (and so the HTTP
      // server's close) for ws's 30 s close timeout: cut what is left after a grace period.
      init.clock.setTimer(CLOSE_GRACE_MS, () => {
        for (const ws of wss.clients) ws.terminate();
      });
    },
  };
}
