/**
 * A setting that takes a new overlay reaches it: on the real phone session (createPhoneSession)
 * with stand-in overlays, "Rejoin now" as a named user makes a new overlay for the same name,
 * reading the mode saved in Settings as it is made (as createBrowserOverlay does, overlay-mode.ts),
 * even on a page opened with `?mode=peer`; the old overlay and Phone are closed. A guest joins again
 * as the guest (PhoneSession.rejoinAsGuest) the same way. A session with no identity yet, or closed,
 * reloads instead. When joining again fails, Settings says why and what helps (rejoinFailedText).
 */
import { describe, expect, it } from 'vitest';
import type { OverlayMode } from '../../reload/overlay/index.js';
import type { JoinedOverlay } from '../overlay/overlay-client.js';
import { StorageTooNewError } from '../../reload/runtime/storage-too-new-error.js';
import { describeError } from '../error-text.js';
import { GuestSlotsTakenError } from '../overlay/device-slot.js';
import { overlayModeSetting } from '../overlay/overlay-mode.js';
import type { Overlay } from '../overlay/overlay.js';
import { createPhoneSession } from '../phone/phone-session.js';
import type { Phone } from '../../phone/index.js';
import { rejoinFailedText, rejoinSession } from './rejoin.js';
import { saveMode, type SettingsStore } from './settings-store.js';

interface Made {
  readonly overlay: Overlay & { closed: boolean };
  readonly name: string;
  readonly mode: OverlayMode;
  readonly slot: number;
}

/** An overlay that joins at once as `name`. */
function joinedOverlay(name: string): Overlay & { closed: boolean } {
  const joined = { peer: { userName: `${name}@example.test` }, configuration: { instanceName: 'example.test' } } as unknown as JoinedOverlay;
  const o = {
    closed: false,
    start: () => Promise.resolve(),
    subscribe: () => () => {},
    get joined() {
      return o.closed ? undefined : joined;
    },
    close() {
      o.closed = true;
      return Promise.resolve();
    },
  };
  return o as unknown as Overlay & { closed: boolean };
}

function memoryStore(): SettingsStore {
  const items = new Map<string, string>();
  return { getItem: (k) => items.get(k) ?? null, setItem: (k, v) => void items.set(k, v), removeItem: (k) => void items.delete(k) };
}

function harness(pageUrl: string, guestSlotsTaken = 0) {
  const store = memoryStore();
  const made: Made[] = [];
  const stopped: string[] = [];
  const boot = joinedOverlay('guest-1a2b3c');
  // The boot overlay reads the mode as it is made (createBrowserOverlay), taking a URL's `mode`.
  overlayModeSetting(pageUrl, store);
  // Device slots held (Web Locks in the browser: a released one is free again only a moment later,
  // and release settles then, as DeviceSlot.release says).
  const slots = new Set<string>();
  // Guest slots other tabs hold.
  for (let i = 0; i < guestSlotsTaken; i++) slots.add(`guest/${i}`);
  const session = createPhoneSession({
    overlay: boot,
    claim: async (name) => {
      const slot = [0, 1, 2].find((i) => !slots.has(`${name}/${i}`));
      if (slot === undefined) return undefined;
      slots.add(`${name}/${slot}`);
      return { slot, release: () => new Promise<void>((freed) => setTimeout(() => (slots.delete(`${name}/${slot}`), freed()), 10)) };
    },
    createOverlay: (name, slot) => {
      const overlay = joinedOverlay(name);
      made.push({ overlay, name, mode: overlayModeSetting(pageUrl, store), slot });
      return overlay;
    },
    // "Try again" as the guest (browser-session.ts): a guest slot, and a new guest overlay reading the settings as it is made.
    guest: {
      claim: async () => {
        const slot = [0, 1, 2].find((i) => !slots.has(`guest/${i}`));
        if (slot === undefined) return undefined;
        slots.add(`guest/${slot}`);
        return { slot, release: () => void slots.delete(`guest/${slot}`) };
      },
      createOverlay: (slot) => {
        const overlay = joinedOverlay(`guest-${slot}`);
        made.push({ overlay, name: 'guest', mode: overlayModeSetting(pageUrl, store), slot });
        return overlay;
      },
      slotReturned: Promise.resolve(),
    },
    startPhone: async (joined) => ({
      phone: { onIncomingCall: () => {}, subscribe: () => () => {}, snapshot: () => ({ calls: [] }) } as unknown as Phone,
      stop: async () => void stopped.push(joined.peer.userName),
    }),
  });
  return { session, store, made, stopped, boot };
}

const settled = async (session: ReturnType<typeof createPhoneSession>) => {
  for (let i = 0; i < 50 && session.getSnapshot().phase !== 'ready'; i++) await new Promise((r) => setTimeout(r, 0));
  expect(session.getSnapshot().phase).toBe('ready');
};

describe('rejoin to apply a setting', () => {
  it('joins again with the same user name and device slot (Node-ID) on a new overlay that reads the saved mode', async () => {
    const { session, store, made, stopped } = harness('https://h/?mode=peer');
    await session.join('alice');
    await settled(session);
    expect(made.map((m) => [m.name, m.mode])).toEqual([['alice', 'peer']]);

    saveMode(store, 'client');
    let reloaded = 0;
    expect(await rejoinSession(session, () => reloaded++)).toBe('rejoined');
    await settled(session);
    expect(reloaded).toBe(0);
    expect(made.map((m) => [m.name, m.mode, m.slot])).toEqual([
      ['alice', 'peer', 0],
      ['alice', 'client', 0],
    ]);
    expect(made[0]!.overlay.closed).toBe(true);
    expect(made[1]!.overlay.closed).toBe(false);
    expect(stopped).toContain('alice@example.test');
    expect(session.getSnapshot().userName).toBe('alice@example.test');
    expect(session.getSnapshot().overlay).toBe(made[1]!.overlay);
  });

  it('joining the same name without `again` changes nothing', async () => {
    const { session, made } = harness('https://h/');
    await session.join('alice');
    await settled(session);
    await session.join('alice');
    expect(made).toHaveLength(1);
  });

  it('joins a guest again as the guest on a new overlay that reads the saved mode, without reloading the page', async () => {
    const { session, store, made, boot, stopped } = harness('https://h/?mode=peer');
    await settled(session);
    expect(session.getSnapshot().guest).toBe(true);
    saveMode(store, 'client');
    let reloaded = 0;
    expect(await rejoinSession(session, () => reloaded++)).toBe('rejoined');
    await settled(session);
    expect(reloaded).toBe(0);
    expect(boot.closed).toBe(true);
    expect(stopped).toEqual(['guest-1a2b3c@example.test']);
    expect(made.map((m) => [m.name, m.mode, m.slot])).toEqual([['guest', 'client', 0]]);
    expect(session.getSnapshot()).toMatchObject({ guest: true, userName: 'guest-0@example.test', overlay: made[0]!.overlay });
  });

  it('reloads the page while a name\'s join is under way (no identity yet), and does not join again', async () => {
    const { session, made } = harness('https://h/');
    await settled(session);
    const joining = session.join('alice');
    expect(session.getSnapshot()).toMatchObject({ phase: 'joining', userName: undefined, guest: false });
    let reloaded = 0;
    expect(await rejoinSession(session, () => reloaded++)).toBe('reloading');
    expect(reloaded).toBe(1);
    await joining;
    await settled(session);
    // Only the join under way made an overlay: the reload (the returning user joins at boot) is the rejoin.
    expect(made.map((m) => [m.name, m.slot])).toEqual([['alice', 0]]);
    expect(session.getSnapshot().overlay).toBe(made[0]!.overlay);
  });

  it('reloads the page once the session has closed (the page is going away)', async () => {
    const { session, made } = harness('https://h/');
    await settled(session);
    session.close();
    let reloaded = 0;
    expect(await rejoinSession(session, () => reloaded++)).toBe('reloading');
    expect(reloaded).toBe(1);
    expect(made).toHaveLength(0);
  });
});

describe('what Settings says when joining again failed', () => {
  it('a guest that finds every guest slot taken is told what frees one (the error\'s own advice), not to reload', async () => {
    // The boot overlay's guest slot goes back when it closes (overlay-boot.ts); other tabs hold all three.
    const { session } = harness('https://h/', 3);
    await settled(session);
    const failure = await rejoinSession(session, () => {}).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(failure).toBeInstanceOf(GuestSlotsTakenError);
    const advice = (failure as GuestSlotsTakenError).message;
    for (const text of [rejoinFailedText(failure), rejoinFailedText(failure, { choiceKept: true })]) {
      expect(text).toContain(advice);
      expect(text).not.toMatch(/reload/i);
    }
    expect(rejoinFailedText(failure, { choiceKept: true })).toMatch(/your choice is kept/i);
  });

  it('data of a newer release keeps its own advice (reload, or clear the data), one sentence each, no second reload advice', () => {
    // A rejoin opens the new identity's records and key store, which can find a newer schema.
    const e = new StorageTooNewError('the database chordphone-records', 9, 3);
    const reason = describeError(e);
    expect(rejoinFailedText(e)).toBe(`Could not join again: ${reason}`);
    expect(rejoinFailedText(e, { choiceKept: true })).toBe(`Could not join again: ${reason} Your choice is kept.`);
    for (const text of [rejoinFailedText(e), rejoinFailedText(e, { choiceKept: true })]) {
      expect(text).not.toContain('..');
      expect(text).not.toMatch(/reload the page to try again/i);
    }
  });

  it('any other failure keeps the reason and says to reload, with the choice kept where it was saved', () => {
    const e = new Error('the configuration lists no bootstrap WebSocket URL to join through');
    expect(rejoinFailedText(e)).toBe('Could not join again: the configuration lists no bootstrap WebSocket URL to join through. Reload the page to try again.');
    expect(rejoinFailedText(e, { choiceKept: true })).toBe(
      'Could not join again: the configuration lists no bootstrap WebSocket URL to join through. Your choice is kept: reload the page to try again.',
    );
  });
});
