/**
 * The localStorage key that turns the overlay's console log on for every page of this origin (as
 * `?debug` does for one page; browser-overlay.ts consoleLogger). Its own module, free of browser
 * APIs, so the e2e suite's Node side (e2e/overlay-log.ts) sets the same key.
 */
export const OVERLAY_DEBUG_KEY = 'chordphone.debug';
