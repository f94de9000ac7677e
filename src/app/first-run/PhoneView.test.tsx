/**
 * The Phone view's screens, rendered (react-dom/server) on a stand-in session: a guest gets the
 * first run (name picker with the rule, steps), a joined user their AoR, Share and the dialer, a
 * refused name the server's words with the fix and the form again, a returning user at boot their
 * remembered name with the steps; `/?call=bob` offers "Call bob" to a guest. The first paint
 * (BootPlaceholders.tsx) draws the same panels.
 */
import { renderToString } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { ViewPlaceholder } from '../BootPlaceholders.js';
import { FakePhone, FakeSession } from '../history/fake-session.js';
import type { Overlay, OverlaySnapshot } from '../overlay/overlay.js';
import { guestRetry } from './guest-retry.js';
import { PhoneView } from './PhoneView.js';

function overlay(patch: Partial<OverlaySnapshot> = {}): Overlay {
  const snapshot: OverlaySnapshot = { phase: 'idle', detail: '', joined: false, links: [], predecessors: [], successors: [], phaseMs: {}, capturedPackets: 0, ...patch };
  return { getSnapshot: () => snapshot, subscribe: () => () => {} } as unknown as Overlay;
}

const JOINED = overlay({ phase: 'joined', joined: true, phaseMs: { configuring: 0, enrolling: 20, joining: 300 }, joinMs: 700, userName: 'alice@test.example' });
const navigate = () => {};

function render(session: FakeSession, extra: { callTarget?: string; returningUser?: string } = {}): string {
  return renderToString(<PhoneView session={session} navigate={navigate} target={{ view: 'phone' }} {...extra} />);
}

/** The steps' states in order, from the rendered list. */
const stepStates = (html: string) => [...html.matchAll(/data-step="(\w+)" data-state="(\w+)"/g)].map((m) => `${m[1]}:${m[2]}`);

describe('Phone view', () => {
  it('a guest gets the first run: the name picker with the enrollment rule, and the join’s steps', () => {
    const session = new FakeSession(overlay({ phase: 'enrolling', phaseMs: { configuring: 0, enrolling: 15 } }));
    session.set({ guest: true });
    const html = render(session);
    expect(html).toContain('Choose your user name');
    expect(html).toMatch(/<label for="[^"]+">User name<\/label><input [^>]*aria-describedby="[^"]+"/);
    expect(html).toMatch(/<button type="submit" disabled="">Join<\/button>/);
    expect(html).toContain('Letters a–z, digits and . _ + -');
    expect(html).toContain('RELOAD overlay (RFC 6940)');
    expect(stepStates(html)).toEqual(['configuration:done', 'certificate:current', 'bootstrap:pending', 'joined:pending', 'registered:pending']);
    expect(html).toMatch(/aria-current="step"[^>]*>.*Certificate/);
    expect(html).not.toContain('Call address');
  });

  it('a user joined by name sees their AoR, Share (link and QR room), Switch user and the dialer', () => {
    const session = new FakeSession(JOINED);
    session.ready('alice', 'test.example', new FakePhone('sip:alice@test.example'));
    const html = render(session);
    expect(html).toContain('You are <strong class="aor">alice@test.example</strong>');
    expect(html).toMatch(/data-testid="share-link"[^>]*>[^<]*\/\?call=alice</);
    expect(html).toContain('>Copy link</button>');
    expect(html).toContain('>Switch user</button>');
    expect(html).toContain('Call address');
    expect(html).not.toContain('>User name</label>');
  });

  it('a name taken by someone else: the server’s words with the fix, the step that failed, the form again', () => {
    const session = new FakeSession(overlay({ phase: 'failed', phaseMs: { configuring: 0, enrolling: 12 } }));
    session.set({ guest: false, phase: 'failed', error: 'the user name bob@test.example is already taken by someone else: choose another one' });
    const html = render(session);
    expect(html).toMatch(/data-testid="phone-error" role="alert">The user name bob@test.example is already taken by someone else\. Choose another user name and press Join again\.</);
    expect(stepStates(html)[1]).toBe('certificate:failed');
    expect(html).toContain('>User name</label>');
  });

  it('a guest whose overlay failed gets "Try again" (join again as the guest) beside the name form; a named user or a guest still joining does not', () => {
    const failedGuest = new FakeSession(overlay({ phase: 'failed', phaseMs: { configuring: 0, joining: 40 }, error: 'no network' }));
    failedGuest.set({ guest: true, phase: 'failed', error: 'could not join again with the newer configuration' });
    const html = render(failedGuest);
    expect(html).toMatch(/<button type="button" class="primary" data-testid="guest-retry">Try again<\/button>/);
    expect(html).toContain('>User name</label>');

    const joiningGuest = new FakeSession(overlay({ phase: 'joining', phaseMs: { configuring: 0, joining: 40 } }));
    joiningGuest.set({ guest: true });
    expect(render(joiningGuest)).not.toContain('guest-retry');
    const failedName = new FakeSession(overlay({ phase: 'failed', phaseMs: { configuring: 0, enrolling: 12 } }));
    failedName.set({ guest: false, phase: 'failed', error: 'the user name bob@test.example is already taken by someone else: choose another one' });
    expect(render(failedName)).not.toContain('guest-retry');
  });

  it('"Try again" joins again as the guest, once per press; a rejoin that fails is left to the session’s snapshot', async () => {
    const session = new FakeSession(overlay({ phase: 'failed' }));
    session.set({ guest: true, phase: 'failed', error: 'could not join again with the newer configuration' });
    const retry = guestRetry(session, session.getSnapshot());
    expect(retry).toBeTypeOf('function');
    retry!();
    expect(session.guestRejoins).toBe(1);
    retry!();
    expect(session.guestRejoins).toBe(2);
    // A rejected rejoin (the session then says failed, with the reason) is not an unhandled rejection.
    session.rejoinAsGuest = () => Promise.reject(new Error('every guest slot is taken'));
    guestRetry(session, session.getSnapshot())!();
    await new Promise((r) => setTimeout(r, 0));
    for (const s of [{ guest: true, phase: 'joining' }, { guest: false, phase: 'failed' }, { guest: true, phase: 'ready' }] as const) expect(guestRetry(session, s)).toBeUndefined();
  });

  it('a returning user at boot: their name and the steps, no questions; the first paint draws the same card', () => {
    const session = new FakeSession(overlay({ phase: 'configuring', phaseMs: { configuring: 0 } }));
    session.set({ guest: false });
    const html = render(session, { returningUser: 'carol' });
    expect(html).toContain('You are <strong class="aor">carol</strong>');
    expect(html).toContain('data-screen="joined"');
    expect(html).not.toContain('>User name</label>');
    const first = renderToString(<ViewPlaceholder view="phone" userName="carol" />);
    const card = (h: string) => /<section class="panel"[^]*?<\/section>/.exec(h)?.[0].replace(/ id="[^"]*"| aria-labelledby="[^"]*"| disabled=""/g, '');
    expect(card(first)).toBe(card(html));
  });

  it('a new visitor’s first paint draws the first run the live view draws', () => {
    const session = new FakeSession(overlay());
    session.set({ guest: true });
    const strip = (h: string) => h.replace(/ id="[^"]*"| aria-labelledby="[^"]*"| aria-describedby="[^"]*"| for="[^"]*"| disabled=""/g, '');
    expect(strip(renderToString(<ViewPlaceholder view="phone" />))).toBe(strip(render(session)));
  });

  it('/?call=bob offers "Call bob" to a guest, usable once the phone is ready', () => {
    const session = new FakeSession(JOINED);
    session.set({ guest: true });
    expect(render(session, { callTarget: 'bob' })).toMatch(/<button type="button" class="primary" disabled="">Call (<!-- -->)?bob<\/button>/);
    session.ready('guest-1', 'test.example', new FakePhone('sip:guest-1@test.example'));
    session.set({ guest: true });
    expect(render(session, { callTarget: 'bob' })).toMatch(/<button type="button" class="primary">Call (<!-- -->)?bob<\/button>/);
  });
});
