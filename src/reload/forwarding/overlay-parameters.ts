/**
 * The overlay configuration values the forwarding and transport layers apply (RFC 6940 §11.1),
 * taken from the configuration document by the composition root.
 */
import { DEFAULT_INITIAL_TTL } from '../wire/forwarding-header.js';
import { DEFAULT_MAX_MESSAGE_SIZE } from '../wire/forwarded-message.js';

/** RFC 6940 §11.1 overlay-reliability-timer: "If not present, the default value is 3000." */
export const DEFAULT_OVERLAY_RELIABILITY_TIMER_MS = 3000;

export interface OverlayParameters {
  /** The forwarding header's `overlay`: lower 32 bits of SHA-1 of the overlay name (§6.3.2). */
  readonly overlay: number;
  /** Our configuration document's sequence number (§6.3.2.1). */
  readonly configurationSequence: number;
  /** §11.1 initial-ttl (default 100): the TTL we send with, and the most we accept (§6.3.2). */
  readonly initialTtl: number;
  /** §11.1 max-message-size (default 5000). */
  readonly maxMessageSize: number;
  /** §11.1 overlay-reliability-timer in ms (default 3000, at least 200). */
  readonly overlayReliabilityTimerMs: number;
}

export function overlayParameters(init: Partial<OverlayParameters> & { readonly overlay: number }): OverlayParameters {
  const p: OverlayParameters = {
    configurationSequence: 0,
    initialTtl: DEFAULT_INITIAL_TTL,
    maxMessageSize: DEFAULT_MAX_MESSAGE_SIZE,
    overlayReliabilityTimerMs: DEFAULT_OVERLAY_RELIABILITY_TIMER_MS,
    ...init,
  };
  if (!Number.isInteger(p.overlay) || p.overlay < 0 || p.overlay > 0xffffffff) throw new RangeError(`overlay ${p.overlay} is not a uint32`);
  if (!Number.isInteger(p.initialTtl) || p.initialTtl < 0 || p.initialTtl > 255) throw new RangeError(`initial-ttl ${p.initialTtl} is not a uint8`);
  if (p.overlayReliabilityTimerMs < 200) throw new RangeError('overlay-reliability-timer MUST be at least 200 ms (§11.1)');
  return p;
}
