/** Which of a configuration's bootstrap WebSocket URLs a browser page can use (browser-overlay.ts chooseBootstrap). */

/**
 * The bootstrap URLs a page at `pageUrl` can use, best first: a page may connect only to its own
 * origin (the server's Content-Security-Policy `connect-src 'self'`), and an https: page only to
 * wss:. URLs on the page's host and port come first; a URL on the page's port with another host
 * name for the same server (127.0.0.1 for localhost) is rewritten to the page's host.
 */
export function bootstrapForPage(urls: readonly string[], pageUrl: string): string[] {
  const page = new URL(pageUrl);
  const wsScheme = page.protocol === 'https:' ? 'wss:' : 'ws:';
  const pagePort = page.port || (page.protocol === 'https:' ? '443' : '80');
  const out: string[] = [];
  for (const text of urls) {
    let u: URL;
    try {
      u = new URL(text);
    } catch {
      continue;
    }
    if (u.protocol !== wsScheme) continue;
    const port = u.port || (u.protocol === 'wss:' ? '443' : '80');
    if (port !== pagePort) continue;
    u.host = page.host;
    out.push(u.href);
  }
  return [...new Set(out)];
}
