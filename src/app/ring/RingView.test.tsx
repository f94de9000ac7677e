import { renderToString } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import type { RingStatus } from './ring-model.js';
import { RingView } from './RingView.js';

const id = (lead: string) => lead.padEnd(32, '0');
const status: RingStatus = {
  nodeId: id('40'),
  userName: 'alice',
  predecessors: [id('30')],
  successors: [id('50'), id('60')],
  fingers: [id('a0')],
  links: [{ nodeId: id('50'), transport: 'webrtc', state: 'open', rttMs: 9 }],
  routes: [{ path: [id('40'), id('a0'), id('c0')], label: 'Fetch bob' }],
  storedRecords: 4,
  replicas: 2,
  names: { [id('50')]: 'bob' },
};

/** The element with `id` and its text, from server-rendered HTML. */
function textOfId(html: string, tag: string, elementId: string): string | undefined {
  const m = new RegExp(`<${tag}[^>]*id="${elementId.replace(/[^\w-]/g, (c) => `\\${c}`)}"[^>]*>([^<]*)</${tag}>`).exec(html);
  return m?.[1];
}

describe('RingView', () => {
  const html = renderToString(<RingView status={status} />);

  it('is an image labelled by its <title> and described by its <desc>', () => {
    const svg = /<svg[^>]*>/.exec(html)?.[0] ?? '';
    expect(svg).toContain('role="img"');
    const labelledBy = /aria-labelledby="([^"]+)"/.exec(svg)?.[1];
    const describedBy = /aria-describedby="([^"]+)"/.exec(svg)?.[1];
    expect(labelledBy && textOfId(html, 'title', labelledBy)).toBe('The overlay ring as this peer sees it');
    const desc = describedBy ? textOfId(html, 'desc', describedBy) : undefined;
    expect(desc).toContain('This peer (alice)');
    expect(desc).toContain('Its successor is bob at 31.3\u00a0%');
    expect(desc).toContain(`Its predecessor is ${id('30').slice(0, 4)}…`);
  });

  it('lists the neighbours in a table with a caption and column headers', () => {
    expect(html).toContain(`<caption>Neighbours of this peer (<code title="${id('40')}">40000000…</code>)</caption>`);
    expect(html).toContain(`<code title="${id('50')}">50000000…</code>`);
    for (const h of ['Role', 'Peer', 'Position', 'Link']) expect(html).toContain(`<th scope="col">${h}</th>`);
    const rows = [...html.matchAll(/<tr data-node-id="([0-9a-f]+)" data-role="(\w+)"><td>([^<]+)<\/td>/g)].map((m) => [m[1], m[2], m[3]]);
    expect(rows).toEqual([
      [id('50'), 'successor', 'successor'],
      [id('60'), 'successor', 'successor 2'],
      [id('a0'), 'finger', 'finger'],
      [id('30'), 'predecessor', 'predecessor'],
    ]);
    expect(html).toContain('webrtc open, 9 ms');
  });

  it('shows the counts and draws the route with its name', () => {
    expect(html).toMatch(/<dt>Records stored<\/dt><dd>4<\/dd>/);
    expect(html).toMatch(/<dt>Replicas held<\/dt><dd>2<\/dd>/);
    expect(html).toMatch(/<dt>Links open<\/dt><dd>1<\/dd>/);
    expect(html).toMatch(/<polyline[^>]*class="ring-view__route"[^>]*><title>Fetch bob<\/title>/);
  });

  it('says so when there are no neighbours yet', () => {
    const empty = renderToString(<RingView status={{ nodeId: id('40'), predecessors: [], successors: [] }} title="Ring" />);
    expect(empty).toContain('No neighbours yet.');
    expect(empty).toContain('It knows no successor yet.');
  });
});
