import { describe, expect, it } from 'vitest';
import { OVERLAY_MODE_KEY, overlayModeSetting, saveOverlayMode, type ModeSettingStore } from './overlay-mode.js';

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
});
