/**
 * Names of the performance marks the page sets while it boots (issue 5: where page load → joined
 * goes), read by bench/overlay-join.ts on the page's clock.
 */

/** The overlay's code has arrived and run (overlay-boot.ts `bootOverlay`). */
export const OVERLAY_CODE_MARK = 'chordphone:overlay-code';
