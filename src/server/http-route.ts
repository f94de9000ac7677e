/**
 * A request handler the HTTP server tries before serving files (node:http). It answers the
 * requests it owns and resolves true; for any other request it writes nothing and resolves false.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

export type HttpRoute = (req: IncomingMessage, res: ServerResponse) => Promise<boolean>;
