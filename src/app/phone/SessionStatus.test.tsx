/**
 * The header's status line: a registered phone whose peer has lost every link (a Wi-Fi drop, a
 * laptop's sleep: RFC 6940 §10.7.4.4, until the ring is found again) says it is reconnecting, not
 * Online, though its registration stands.
 */
import { renderToString } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import type { LinkRow, Overlay, OverlaySnapshot } from '../overlay/overlay.js';
import type { PhoneSession, PhoneSessionSnapshot } from './phone-session.js';
import { SessionStatus } from './SessionApp.js';

const LINK: LinkRow = { nodeId: 'ab'.repeat(16), transport: 'webrtc', remoteAddress: 'webrtc:ab', state: 'open' };

function render(phase: PhoneSessionSnapshot['phase'], links: readonly LinkRow[]): string {
  const overlaySnapshot = { phase: 'joined', detail: '', joined: true, links, predecessors: [], successors: [], phaseMs: {}, capturedPackets: 0 } as unknown as OverlaySnapshot;
  const overlay = { getSnapshot: () => overlaySnapshot, subscribe: () => () => {} } as unknown as Overlay;
  const snapshot: PhoneSessionSnapshot = { phase, overlay, phone: undefined, userName: 'alice@chordphone.local', domain: 'chordphone.local', error: undefined, guest: false };
  const session = { getSnapshot: () => snapshot, subscribe: () => () => {} } as unknown as PhoneSession;
  return renderToString(<SessionStatus session={session} />);
}

describe('SessionStatus', () => {
  it.each<[string, PhoneSessionSnapshot['phase'], readonly LinkRow[], string, string | undefined]>([
    ['registered, with links', 'ready', [LINK], 'Online', 'true'],
    ['registered, every link gone', 'ready', [], 'Reconnecting…', 'false'],
    ['registering, no link yet', 'registering', [], 'Registering…', undefined],
    ['failed', 'failed', [], 'Offline', undefined],
  ])('%s: says %s', (_name, phase, links, text, connected) => {
    const html = render(phase, links);
    expect(html).toContain(`<span class="phone-state">${text}</span>`);
    expect(html).toContain(`data-phase="${phase}"`);
    if (connected === undefined) expect(html).not.toContain('data-connected');
    else expect(html).toContain(`data-connected="${connected}"`);
    expect(html).toContain(`title="alice@chordphone.local: ${text}"`);
  });
});
