/** The overlay's snapshot in a React component, re-rendered on each change. */
import { useSyncExternalStore } from 'react';
import type { Overlay, OverlaySnapshot } from './overlay.js';

export function useOverlaySnapshot(overlay: Overlay): OverlaySnapshot {
  return useSyncExternalStore(overlay.subscribe, overlay.getSnapshot, overlay.getSnapshot);
}
