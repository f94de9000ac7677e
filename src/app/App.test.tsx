/**
 * The shell (App.tsx), rendered on the server: the header with the brand and the status part, the
 * main navigation (one link per view, by its label, to its hash route, the open one marked with
 * aria-current), the call layer above the open view, and the open view from the route.
 */
import { renderToString } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { App, type ShellParts } from './App.js';
import { VIEWS } from './views.js';

(globalThis as { __APP_VERSION__?: string }).__APP_VERSION__ = '0.0.0-test';

describe('app shell', () => {
  it('has the header, the main navigation and the call layer above the open view', () => {
    const opened: string[] = [];
    const parts: ShellParts = {
      status: <p data-testid="phone-status">status</p>,
      callLayer: () => <div id="calls">calls</div>,
      view: (target) => (opened.push(target.view), <section id="view">{target.view}</section>),
    };
    const html = renderToString(<App parts={parts} />);
    expect(html).toMatch(/<header class="masthead">.*<h1 class="brand">Chordphone<\/h1>.*data-testid="phone-status"/);
    const links = [...html.matchAll(/<a href="([^"]+)"( aria-current="page")? data-view="(\w+)">([^<]+)<\/a>/g)].map((m) => ({ href: m[1], current: Boolean(m[2]), label: m[4] }));
    expect(links.map((l) => l.label)).toEqual(VIEWS.map((v) => v.label));
    expect(links.map((l) => l.href)).toEqual(VIEWS.map((v) => `#/${v.id}`));
    // No hash: the Phone view is open.
    expect(links.filter((l) => l.current).map((l) => l.label)).toEqual(['Phone']);
    expect(html).toMatch(/<nav aria-label="Main"/);
    expect(html.indexOf('id="calls"')).toBeLessThan(html.indexOf('id="view"'));
    expect(opened).toEqual(['phone']);
    // The decoder belongs to the Overlay view only.
    expect(html).not.toContain('RELOAD message decoder');
  });
});
