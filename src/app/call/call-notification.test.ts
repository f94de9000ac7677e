import { afterEach, describe, expect, it, vi } from 'vitest';
import { askNotificationPermission, notificationPermission, notifyIncomingCall } from './call-notification.js';

/** A stand-in for the browser's Notification, recording what was shown and closed. */
function installNotification(permission: NotificationPermission) {
  const shown: { title: string; options: NotificationOptions; closed: boolean; onclick: (() => void) | null }[] = [];
  class FakeNotification {
    static permission = permission;
    static requestPermission = vi.fn(async () => (FakeNotification.permission = 'granted'));
    onclick: (() => void) | null = null;
    private readonly entry: (typeof shown)[number];
    constructor(title: string, options: NotificationOptions) {
      this.entry = { title, options, closed: false, onclick: null };
      shown.push(this.entry);
      queueMicrotask(() => (this.entry.onclick = this.onclick));
    }
    close() {
      this.entry.closed = true;
    }
  }
  vi.stubGlobal('Notification', FakeNotification);
  return { shown, FakeNotification };
}

function setVisibility(state: 'visible' | 'hidden') {
  vi.stubGlobal('document', { visibilityState: state });
}

afterEach(() => vi.unstubAllGlobals());

describe('incoming-call notifications', () => {
  it('shown only when the tab is hidden and notifications are allowed', async () => {
    const { shown } = installNotification('granted');
    setVisibility('visible');
    notifyIncomingCall('c1', 'bob', 'sip:bob@o');
    expect(shown).toHaveLength(0);
    setVisibility('hidden');
    const close = notifyIncomingCall('c1', 'bob', 'sip:bob@o');
    expect(shown).toHaveLength(1);
    expect(shown[0]!.title).toBe('bob is calling');
    expect(shown[0]!.options).toMatchObject({ tag: 'call-c1', requireInteraction: true });
    expect(shown[0]!.options.body).toContain('sip:bob@o');
    close();
    expect(shown[0]!.closed).toBe(true);
  });

  it('clicking it brings the tab to the front and closes it', async () => {
    const { shown } = installNotification('granted');
    setVisibility('hidden');
    const focus = vi.fn();
    vi.stubGlobal('window', { focus });
    notifyIncomingCall('c2', 'bob', 'sip:bob@o');
    await Promise.resolve();
    shown[0]!.onclick?.();
    expect(focus).toHaveBeenCalledOnce();
    expect(shown[0]!.closed).toBe(true);
  });

  it('not allowed (default or denied) or not supported: nothing shown, nothing thrown', () => {
    setVisibility('hidden');
    for (const p of ['default', 'denied'] as const) {
      const { shown } = installNotification(p);
      notifyIncomingCall('c3', 'bob', 'sip:bob@o')();
      expect(shown).toHaveLength(0);
    }
    vi.stubGlobal('Notification', undefined);
    expect(notificationPermission()).toBe('unsupported');
    expect(() => notifyIncomingCall('c4', 'bob', 'sip:bob@o')()).not.toThrow();
  });

  it('permission is asked only when asked for, and the answer returned', async () => {
    const { FakeNotification } = installNotification('default');
    expect(FakeNotification.requestPermission).not.toHaveBeenCalled();
    expect(await askNotificationPermission()).toBe('granted');
    expect(FakeNotification.requestPermission).toHaveBeenCalledOnce();
  });
});
