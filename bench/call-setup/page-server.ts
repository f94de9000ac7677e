/**
 * Serves the Kamailio baseline's test page on http://127.0.0.1:<free port>/ (a secure context, so
 * the page may open the microphone): `/` is the page, `/agent.js` the bundled JsSIP agent.
 */
import { createServer, type Server } from 'node:http';

export interface PageServer {
  readonly url: string;
  close(): Promise<void>;
}

export async function servePage(agentScript: string): Promise<PageServer> {
  const html = '<!doctype html><meta charset="utf-8"><title>Kamailio baseline</title><body><script src="/agent.js"></script></body>';
  const server: Server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
    if (path === '/') res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(html);
    else if (path === '/agent.js') res.writeHead(200, { 'content-type': 'text/javascript' }).end(agentScript);
    else res.writeHead(404).end();
  });
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('page server has no port');
  return {
    url: `http://127.0.0.1:${address.port}/`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
