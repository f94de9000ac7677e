/**
 * `GET /.well-known/reload-config` (RFC 6940 §11.2): "the configuration document ... is
 * retrieved from https://<overlay-name>/.well-known/reload-config" with the media type of §14.16
 * (application/p2p-overlay+xml). The document is the signed one of overlay-document.ts; a
 * client may poll it, so it is revalidated (ETag), never cached blindly.
 */
import { createHash } from 'node:crypto';
import { OVERLAY_CONFIGURATION_MEDIA_TYPE } from '../reload/wire/config/overlay-configuration.js';
import { requestPath, type HttpRoute } from './http-route.js';

/** RFC 6940 §11.2 / §14.19 well-known URI. */
export const RELOAD_CONFIG_PATH = '/.well-known/reload-config';

/**
 * Serves `document()` (the current signed XML) at RELOAD_CONFIG_PATH; undefined (or empty): not
 * made yet (the server listens before it signs the document, whose URLs name its ports).
 */
export function reloadConfigRoute(document: () => string | undefined): HttpRoute {
  return async (req, res) => {
    if (requestPath(req) !== RELOAD_CONFIG_PATH) return false;
    const common = { 'X-Content-Type-Options': 'nosniff', 'Cache-Control': 'no-cache', 'Referrer-Policy': 'no-referrer' };
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { ...common, Allow: 'GET, HEAD', 'Content-Type': 'text/plain; charset=utf-8' });
      res.end('405 Method not allowed\n');
      return true;
    }
    const xml = document();
    if (!xml) {
      // §11.2: the result of the GET "is an XML configuration file"; an empty 200 (with an ETag) is
      // none, and a client would discard it as invalid. OUR CHOICE: 503, and ask again in a second.
      const text = 'the overlay configuration is not ready yet; try again\n';
      res.writeHead(503, { ...common, 'Cache-Control': 'no-store', 'Retry-After': '1', 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': String(Buffer.byteLength(text)) });
      res.end(req.method === 'HEAD' ? undefined : text);
      return true;
    }
    const body = Buffer.from(xml, 'utf8');
    const etag = `"${createHash('sha256').update(body).digest('hex').slice(0, 32)}"`;
    if (req.headers['if-none-match'] === etag) {
      res.writeHead(304, { ...common, ETag: etag });
      res.end();
      return true;
    }
    res.writeHead(200, { ...common, 'Content-Type': OVERLAY_CONFIGURATION_MEDIA_TYPE, 'Content-Length': String(body.length), ETag: etag });
    res.end(req.method === 'HEAD' ? undefined : body);
    return true;
  };
}
