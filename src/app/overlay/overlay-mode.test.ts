import { describe, expect, it } from 'vitest';
import { OVERLAY_MODE_KEY, overlayModeSetting, rememberedOverlayMode, saveOverlayMode, type ModeSettingStore } from './overlay-mode.js';

function memoryStore(): ModeSettingStore & { readonly items: Map<string, string> } {
  const items = new Map<string, string>();
  return { items, getItem: (k) => items.get(k) ?? null, setItem: (k, v) => void items.set(k, v) };
}

describe('overlay mode setting', () => {
  it('defaults to peer, takes ?mode= from the URL and remembers it for later loads', () => {
    const store = memoryStore();
    expect(overlayModeSetting('https://h/', store)).toBe('peer');
    expect(overlayModeSetting('https://h/?mode=Client', store)).toBe('client');
    expect(store.items.get(OVERLAY_MODE_KEY)).toBe('client');
    expect(overlayModeSetting('https://h/', store)).toBe('client');
    expect(overlayModeSetting('https://h/?mode=peer', store)).toBe('peer');
    expect(overlayModeSetting('https://h/', store)).toBe('peer');
  });

  it('ignores unknown values and a storage that throws', () => {
    const store = memoryStore();
    saveOverlayMode('client', store);
    expect(overlayModeSetting('https://h/?mode=router', store)).toBe('client');
    store.items.set(OVERLAY_MODE_KEY, 'bogus');
    expect(overlayModeSetting('https://h/', store)).toBe('peer');
    const throwing: ModeSettingStore = {
      getItem: () => {
        throw new Error('denied');
      },
      setItem: () => {
        throw new Error('denied');
      },
    };
    expect(overlayModeSetting('https://h/?mode=client', throwing)).toBe('client');
    expect(overlayModeSetting('https://h/', throwing)).toBe('peer');
    expect(overlayModeSetting('https://h/', undefined)).toBe('peer');
  });

  it('lets a later choice in Settings hold over a URL mode already taken, until a URL brings another mode', () => {
    const store = memoryStore();
    const page = 'https://h/?mode=client';
    expect(overlayModeSetting(page, store)).toBe('client');
    // Settings: back to peer; the page (same URL) creates its next overlay (a rejoin), and is reloaded.
    saveOverlayMode('peer', store);
    expect(overlayModeSetting(page, store)).toBe('peer');
    expect(overlayModeSetting(page, store)).toBe('peer');
    expect(rememberedOverlayMode(store)).toBe('peer');
    // A URL with the other mode is a new choice; the first one again after it is new again.
    expect(overlayModeSetting('https://h/?mode=peer', store)).toBe('peer');
    expect(overlayModeSetting(page, store)).toBe('client');
  });

  it('takes the URL mode again once the remembered choice is gone (data cleared)', () => {
    const store = memoryStore();
    expect(overlayModeSetting('https://h/?mode=client', store)).toBe('client');
    store.items.delete(OVERLAY_MODE_KEY);
    expect(rememberedOverlayMode(store)).toBe('peer');
    expect(overlayModeSetting('https://h/?mode=client', store)).toBe('client');
  });
});
