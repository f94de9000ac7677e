/**
 * The HTTP server for the built browser app (`dist/`). Node only (node:http, no framework).
 *
 * - GET and HEAD only; anything else is 405.
 * - A path whose last segment has no extension (`/`, `/call/alice`) is an app route: it gets
 *   `index.html` (the single-page app decides what to show). A missing file with an extension
 *   (`/missing.js`) is a 404, so a broken asset link fails loudly instead of returning HTML.
 * - Nothing outside `root` is ever served: encoded `..`, back-slashes, NUL bytes and symlinks that
 *   leave the root are refused.
 * - Hashed build output (`/assets/…`) is cached for a year as immutable; everything else is
 *   revalidated (`no-cache`) with an ETag.
 * - Files are kept in memory once read and sent gzipped to a client that accepts it
 *   (file-body-cache.ts); a changed file is read again.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { createReadStream } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import { extname, isAbsolute, relative, resolve, sep } from 'node:path';
import type { AddressInfo } from 'node:net';
import { acceptsGzip, FileBodyCache, isCompressible } from './file-body-cache.js';
import { urlHost } from './lan-addresses.js';
import type { HttpRoute } from './http-route.js';

export interface StaticServerOptions {
  /** Directory to serve (the Vite build output); must contain index.html. */
  readonly root: string;
  /** TCP port; 0 picks a free one (the chosen port is in the returned `url`). */
  readonly port: number;
  /**
   * Address to listen on, e.g. `127.0.0.1`; undefined: every address, IPv6 and IPv4 (Node's `::`,
   * dual-stack, or `0.0.0.0` on a machine without IPv6).
   */
  readonly host: string | undefined;
  /** Handlers tried in order before serving files (e.g. the enrollment server, src/server/enrollment-route.ts). */
  readonly routes?: readonly HttpRoute[];
  /** Serve HTTPS with this key and certificate (PEM) instead of HTTP. */
  readonly tls?: { readonly key: string; readonly cert: string };
  /** The command-line option that sets `port`, named when listening fails (default `--port`). */
  readonly portOption?: string;
}

export interface StaticServer {
  /** Base URL, ending in `/`, e.g. `http://127.0.0.1:8080/`. */
  readonly url: string;
  /** The port listened on. */
  readonly port: number;
  /** The node:http (or node:https) server, for WebSocket upgrades on it. */
  readonly server: Server;
  /** Stops accepting connections, closes open ones, and resolves when the server has stopped. */
  close(): Promise<void>;
}

/** Listening failed because another process holds the port. */
export class PortInUseError extends Error {
  override readonly name = 'PortInUseError';
  constructor(
    readonly port: number,
    readonly host: string,
    option = '--port',
  ) {
    super(`port ${port} is already in use; pass ${option} to pick another`);
  }
}

/** Listening failed for another reason (permission, an address this machine does not have, …). */
export class ListenError extends Error {
  override readonly name = 'ListenError';
  constructor(
    readonly port: number,
    readonly host: string,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** Content types by file extension (lower case, with the dot). */
export const MIME_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.webmanifest': 'application/manifest+json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.xml': 'application/xml; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.avif': 'image/avif',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.wasm': 'application/wasm',
  '.mp3': 'audio/mpeg',
  '.ogg': 'audio/ogg',
  '.wav': 'audio/wav',
  '.pcap': 'application/vnd.tcpdump.pcap',
};

/**
 * The Content-Security-Policy for the built app. Vite's production build loads one module script
 * and stylesheets from /assets/ and inlines nothing, so same-origin sources suffice; React sets
 * styles through the CSSOM, which `style-src 'self'` allows.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data: blob:",
  "font-src 'self'",
  "connect-src 'self'",
  "media-src 'self' blob: mediastream:",
  "worker-src 'self'",
  "manifest-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const COMMON_HEADERS: Readonly<Record<string, string>> = {
  'Content-Security-Policy': CONTENT_SECURITY_POLICY,
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
  // The softphone needs the microphone and, for video calls (issue 7), the camera: its own origin only; nothing else.
  'Permissions-Policy': 'microphone=(self), camera=(self), geolocation=(), payment=(), usb=()',
};

/** Cache policy: Vite's content-hashed files never change; the rest must be revalidated. */
function cacheControl(relPath: string): string {
  return relPath.startsWith(`assets${sep}`) ? 'public, max-age=31536000, immutable' : 'no-cache';
}

type Resolved =
  | { readonly kind: 'file'; readonly path: string; readonly relPath: string; readonly size: number; readonly mtimeMs: number }
  | { readonly kind: 'status'; readonly status: 400 | 403 | 404 };

/** Maps a request path to a file under `root` (already `realpath`ed), or to an error status. */
async function resolveRequest(root: string, rawUrl: string): Promise<Resolved> {
  let pathname: string;
  try {
    // WHATWG URL parsing removes dot segments, including `%2e%2e`.
    pathname = decodeURIComponent(new URL(rawUrl, 'http://localhost').pathname);
  } catch {
    return { kind: 'status', status: 400 };
  }
  if (pathname.includes('\0') || pathname.includes('\\')) return { kind: 'status', status: 400 };
  const segments = pathname.split('/').filter((s) => s !== '');
  // After decoding, `%2f..%2f` can bring `..` back: refuse any dot segment outright.
  if (segments.some((s) => s === '.' || s === '..')) return { kind: 'status', status: 403 };

  const last = segments[segments.length - 1] ?? '';
  const isAppRoute = extname(last) === '';
  const candidate = resolve(root, ...segments);
  if (candidate !== root && !isInside(root, candidate)) return { kind: 'status', status: 403 };

  const file = await existingFile(root, candidate);
  if (file) return file;
  if (!isAppRoute) return { kind: 'status', status: 404 };
  const index = await existingFile(root, resolve(root, 'index.html'));
  return index ?? { kind: 'status', status: 404 };
}

function isInside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel);
}

/** The file at `path` if it is a regular file whose real path is still inside `root`. */
async function existingFile(root: string, path: string): Promise<Resolved | undefined> {
  try {
    const real = await realpath(path);
    if (!isInside(root, real)) return undefined;
    const s = await stat(real);
    if (!s.isFile()) return undefined;
    return { kind: 'file', path: real, relPath: relative(root, real), size: s.size, mtimeMs: s.mtimeMs };
  } catch {
    return undefined;
  }
}

const STATUS_TEXT: Record<number, string> = {
  400: 'Bad request',
  403: 'Forbidden',
  404: 'Not found',
  405: 'Method not allowed',
  500: 'Internal server error',
};

function sendStatus(req: IncomingMessage, res: ServerResponse, status: number, extra: Record<string, string> = {}): void {
  const body = `${status} ${STATUS_TEXT[status] ?? ''}\n`;
  res.writeHead(status, {
    ...COMMON_HEADERS,
    'Content-Type': 'text/plain; charset=utf-8',
    'Content-Length': String(Buffer.byteLength(body)),
    'Cache-Control': 'no-store',
    ...extra,
  });
  res.end(req.method === 'HEAD' ? undefined : body);
}

async function handle(root: string, cache: FileBodyCache, req: IncomingMessage, res: ServerResponse): Promise<void> {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    sendStatus(req, res, 405, { Allow: 'GET, HEAD' });
    return;
  }
  const found = await resolveRequest(root, req.url ?? '/');
  if (found.kind === 'status') {
    sendStatus(req, res, found.status);
    return;
  }
  const extension = extname(found.path).toLowerCase();
  const compressible = isCompressible(extension);
  const gzip = compressible && cache.keeps(found) && acceptsGzip(req.headers['accept-encoding']);
  const { body, encoding } = cache.keeps(found) ? await cache.body(found, gzip) : { body: undefined, encoding: 'identity' as const };
  // One ETag per representation (RFC 9110 §8.8.3: the gzip form is another one).
  const etag = `W/"${found.size.toString(16)}-${Math.floor(found.mtimeMs).toString(16)}${encoding === 'gzip' ? '-gz' : ''}"`;
  const headers: Record<string, string> = {
    ...COMMON_HEADERS,
    'Content-Type': MIME_TYPES[extension] ?? 'application/octet-stream',
    'Cache-Control': cacheControl(found.relPath),
    ETag: etag,
    'Last-Modified': new Date(found.mtimeMs).toUTCString(),
    ...(compressible ? { Vary: 'Accept-Encoding' } : {}),
    ...(encoding === 'gzip' ? { 'Content-Encoding': 'gzip' } : {}),
  };
  if (matchesEtag(req.headers['if-none-match'], etag)) {
    // RFC 9110 §15.4.5: a 304 carries the validators and caching headers, not the body's encoding.
    const { 'Content-Encoding': _encoding, 'Content-Type': _type, ...notModified } = headers;
    res.writeHead(304, notModified);
    res.end();
    return;
  }
  headers['Content-Length'] = String(body ? body.length : found.size);
  if (req.method === 'HEAD') {
    res.writeHead(200, headers);
    res.end();
    return;
  }
  if (body) {
    // In memory (file-body-cache.ts): one write.
    res.writeHead(200, headers);
    res.end(body);
    return;
  }
  const stream = createReadStream(found.path);
  stream.once('open', () => {
    res.writeHead(200, headers);
    stream.pipe(res);
  });
  stream.once('error', () => {
    if (!res.headersSent) sendStatus(req, res, 500);
    else res.destroy();
  });
}

/** RFC 9110 §13.1.2 If-None-Match: `*` or a list of entity tags, compared weakly. */
export function matchesEtag(ifNoneMatch: string | undefined, etag: string): boolean {
  if (ifNoneMatch === undefined) return false;
  const weak = (t: string) => t.trim().replace(/^W\//, '');
  return ifNoneMatch.trim() === '*' || ifNoneMatch.split(',').some((t) => weak(t) === weak(etag));
}

async function routeThenFiles(routes: readonly HttpRoute[], root: string, cache: FileBodyCache, req: IncomingMessage, res: ServerResponse): Promise<void> {
  for (const route of routes) if (await route(req, res)) return;
  await handle(root, cache, req, res);
}

/** Starts serving `root` on `host:port`. Rejects with `PortInUseError` when the port is taken. */
export async function startStaticServer(options: StaticServerOptions): Promise<StaticServer> {
  const { port } = options;
  const host = options.host ?? '::';
  const root = await realpath(resolve(options.root));

  const routes = options.routes ?? [];
  const cache = new FileBodyCache();
  const listener = (req: IncomingMessage, res: ServerResponse) => {
    routeThenFiles(routes, root, cache, req, res).catch(() => {
      if (!res.headersSent) sendStatus(req, res, 500);
      else res.destroy();
    });
  };
  // An https.Server is an http.Server subclass (tls.Server underneath): same events, same close.
  const server: Server = options.tls ? (createHttpsServer({ key: options.tls.key, cert: options.tls.cert }, listener) as unknown as Server) : createServer(listener);

  await new Promise<void>((resolvePromise, reject) => {
    const onError = (err: NodeJS.ErrnoException) => {
      server.off('listening', onListening);
      reject(listenError(err, port, host, options.portOption ?? '--port'));
    };
    const onListening = () => {
      server.off('error', onError);
      resolvePromise();
    };
    server.once('error', onError);
    server.once('listening', onListening);
    if (options.host === undefined) server.listen(port);
    else server.listen(port, host);
  });

  const address = server.address() as AddressInfo;
  let closing: Promise<void> | undefined;
  return {
    url: `${options.tls ? 'https' : 'http'}://${urlHost(address.address)}:${address.port}/`,
    port: address.port,
    server,
    close() {
      closing ??= new Promise<void>((resolvePromise, reject) => {
        server.close((err) => (err ? reject(err) : resolvePromise()));
        server.closeAllConnections();
      });
      return closing;
    },
  };
}

/** `option`: the one a person changes to move this listener (the HTTPS one is `--https-port`, not `--port`). */
function listenError(err: NodeJS.ErrnoException, port: number, host: string, option: string): Error {
  switch (err.code) {
    case 'EADDRINUSE':
      return new PortInUseError(port, host, option);
    case 'EACCES':
      return new ListenError(port, host, err.code, `no permission to listen on port ${port}; pass ${option} to pick one above 1023`);
    case 'EADDRNOTAVAIL':
      return new ListenError(port, host, err.code, `${host} is not an address of this machine; pass --host to pick another`);
    default:
      return new ListenError(port, host, err.code ?? 'UNKNOWN', `cannot listen on ${host}:${port}: ${err.message}`);
  }
}
