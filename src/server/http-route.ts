/**
 * A request handler the HTTP server tries before serving files (node:http). It answers the
 * requests it owns and resolves true; for any other request it writes nothing and resolves false.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

export type HttpRoute = (req: IncomingMessage, res: ServerResponse) => Promise<boolean>;

/** The request's path (no query), or undefined when its target does not parse as a URL path. */
export function requestPath(req: IncomingMessage): string | undefined {
  try {
    return new URL(req.url ?? '/', 'http://localhost').pathname;
  } catch {
    return undefined;
  }
}
