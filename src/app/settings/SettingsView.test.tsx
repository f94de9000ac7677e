/**
 * The Settings view as markup (react-dom/server): what it shows of this browser (version, overlay,
 * Node-ID, mode with the attached peer) and that every control has a name for screen readers and
 * keyboard users (the switch described by its explanation, each field labelled).
 */
import { renderToString } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import type { Overlay, OverlaySnapshot } from '../overlay/overlay.js';
import type { PhoneSession, PhoneSessionSnapshot } from '../phone/phone-session.js';
import { modeText } from '../overlay/mode-text.js';
import { SettingsView } from './SettingsView.js';

(globalThis as { __APP_VERSION__?: string }).__APP_VERSION__ = '9.8.7-test';

const NODE = 'ab'.repeat(16);
const ATTACHED = 'cd'.repeat(16);

function fakeSession(overlaySnapshot: Partial<OverlaySnapshot>): PhoneSession {
  const o: OverlaySnapshot = { phase: 'joined', detail: '', joined: true, links: [], predecessors: [], successors: [], phaseMs: {}, capturedPackets: 12, ...overlaySnapshot };
  const overlay = { getSnapshot: () => o, subscribe: () => () => {}, joined: undefined } as unknown as Overlay;
  const s: PhoneSessionSnapshot = { phase: 'ready', overlay, phone: undefined, userName: 'alice@chordphone.local', domain: 'chordphone.local', error: undefined, guest: false };
  return { getSnapshot: () => s, subscribe: () => () => {} } as unknown as PhoneSession;
}

/** The attributes of the first `<tag ...>` whose attributes match `pattern`. */
function tagWith(html: string, tag: string, pattern: RegExp): string | undefined {
  return [...html.matchAll(new RegExp(`<${tag}\\b[^>]*>`, 'g'))].map((m) => m[0]).find((t) => pattern.test(t));
}

describe('SettingsView', () => {
  const html = renderToString(<SettingsView session={fakeSession({ overlayName: 'chordphone.local', nodeId: NODE, mode: 'client', attachedPeer: ATTACHED })} navigate={() => {}} />);

  it('shows the app version, overlay, user name, Node-ID and the mode with its attached peer', () => {
    expect(html).toMatch(/data-testid="app-version"[^>]*>9\.8\.7-test</);
    expect(html).toMatch(/data-testid="settings-overlay"[^>]*>chordphone\.local</);
    expect(html).toMatch(/data-testid="settings-user"[^>]*>alice@chordphone\.local</);
    expect(html).toContain(NODE);
    expect(tagWith(html, 'dd', /settings-mode/)).toContain(`data-attached-peer="${ATTACHED}"`);
    expect(html).toContain('Client, attached to peer cdcdcdcd…');
  });

  it('names every control: the switch (described by its explanation), the server fields and the buttons', () => {
    const sw = tagWith(html, 'input', /role="switch"/)!;
    expect(sw).toBeDefined();
    const id = /id="([^"]+)"/.exec(sw)![1]!;
    expect(html).toContain(`<label for="${id}">Client mode</label>`);
    const describedBy = /aria-describedby="([^"]+)"/.exec(sw)![1]!;
    expect(html).toMatch(new RegExp(`id="${describedBy.replace(/[^\w-]/g, (c) => `\\${c}`)}"[^>]*>[^<]*client mode[^<]*RFC 7890`, 'i'));
    for (const label of ['STUN servers', 'TURN server', 'TURN user name', 'TURN credential']) {
      const m = new RegExp(`<label for="([^"]+)">${label}</label>`).exec(html);
      expect(m, label).not.toBeNull();
      expect(html).toContain(`id="${m![1]!}"`);
    }
    expect(tagWith(html, 'input', /-turnCredential"/) ?? '').toMatch(/type="password"/);
    for (const button of ['Save servers', 'Use the overlay’s servers', 'Download capture', 'Clear identity and data…']) expect(html).toMatch(new RegExp(`<button[^>]*>${button}</button>`));
    expect(html).toContain('12<!-- --> RELOAD messages captured');
  });

  it('says in words which mode this browser is in', () => {
    expect(modeText({ mode: 'peer' })).toBe('Peer (in the ring)');
    expect(modeText({ mode: 'client' })).toBe('Client (not attached to a peer yet)');
    expect(modeText({})).toBe('—');
  });
});
