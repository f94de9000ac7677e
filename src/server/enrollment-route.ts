/**
 * The enrollment server on Node's HTTP server (RFC 6940 §11.3): reads the POST body (bounded),
 * hands it to the pure EnrollmentService (src/reload/security/enrollment.ts) with the client's
 * address, and writes the answer. Mounted with `startStaticServer({ routes: [enrollmentRoute(…)] })`.
 *
 * §11.3: "The certificate request protocol MUST be performed over HTTPS", since the password
 * travels in the clear inside it. Until the server speaks HTTPS (the real-links issue), requests
 * over plain HTTP are answered only from a loopback address (403 otherwise); pass
 * `allowPlainHttp` only behind a TLS-terminating proxy.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TLSSocket } from 'node:tls';
import type { EnrollmentHttpRequest, EnrollmentHttpResponse } from '../reload/security/enrollment.js';
import { requestPath, type HttpRoute } from './http-route.js';

/** Where the enrollment server answers (the configuration's enrollment-server URL names it, §11.1). */
export const ENROLLMENT_PATH = '/.well-known/reload-enrollment';
/** A CSR with a few form fields is a few KB. */
export const MAX_ENROLLMENT_BODY_BYTES = 64 * 1024;

export interface EnrollmentRouteInit {
  readonly path?: string;
  readonly maxBodyBytes?: number;
  /** Answer plain-HTTP requests from non-loopback addresses too (behind a TLS proxy). Default false. */
  readonly allowPlainHttp?: boolean;
}

export interface EnrollmentHandler {
  handle(request: EnrollmentHttpRequest): Promise<EnrollmentHttpResponse>;
}

const COMMON_HEADERS = { 'X-Content-Type-Options': 'nosniff', 'Cache-Control': 'no-store', 'Referrer-Policy': 'no-referrer' };

export function enrollmentRoute(service: EnrollmentHandler, init: EnrollmentRouteInit = {}): HttpRoute {
  const path = init.path ?? ENROLLMENT_PATH;
  const max = init.maxBodyBytes ?? MAX_ENROLLMENT_BODY_BYTES;
  return async (req, res) => {
    if (requestPath(req) !== path) return false;
    const remoteAddress = req.socket.remoteAddress ?? '';
    if (!(req.socket as Partial<TLSSocket>).encrypted && !init.allowPlainHttp && !isLoopback(remoteAddress)) {
      send(res, 403, 'enrollment requires HTTPS (RFC 6940 §11.3)\n');
      return true;
    }
    const body = await readBody(req, max);
    if (body === undefined) {
      send(res, 413, `the enrollment request is larger than ${max} bytes\n`, { Connection: 'close' });
      return true;
    }
    const answer = await service.handle({
      method: req.method ?? 'GET',
      ...(req.headers['content-type'] === undefined ? {} : { contentType: req.headers['content-type'] }),
      ...(req.headers.accept === undefined ? {} : { accept: req.headers.accept }),
      body,
      remoteAddress,
    });
    res.writeHead(answer.status, { ...COMMON_HEADERS, ...answer.headers, 'Content-Length': String(answer.body.length) });
    res.end(req.method === 'HEAD' ? undefined : answer.body);
    return true;
  };
}

/** The body, or undefined once it exceeds `max` bytes (the rest is not read). */
function readBody(req: IncomingMessage, max: number): Promise<Uint8Array | undefined> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > max) return Promise.resolve(undefined);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > max) {
        req.removeAllListeners('data');
        req.pause();
        resolve(undefined);
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(new Uint8Array(Buffer.concat(chunks))));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, status: number, text: string, extra: Record<string, string> = {}): void {
  res.writeHead(status, { ...COMMON_HEADERS, 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': String(Buffer.byteLength(text)), ...extra });
  res.end(text);
}

function isLoopback(address: string): boolean {
  return address === '::1' || address.startsWith('127.') || address.startsWith('::ffff:127.');
}
