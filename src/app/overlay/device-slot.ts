/**
 * One Node-ID per tab (Web Locks). The tabs of a browser share IndexedDB, and so the stored key and
 * certificate of an identity (the guest's, or a user name's): each tab takes its own device slot of
 * that identity, slot N meaning the N+1th Node-ID of the certificate (overlay-client.ts
 * `nodeIdSlot`). Else two tabs would join with one Node-ID (RFC 6940 §2: a Node-ID "uniquely
 * identifies a node"): the ring (§10) has one place for it (the second's Join takes the first's
 * place; Attaches and answers reach either), and both tabs would keep their records in the same
 * database (idb-backend.ts: one per overlay and Node-ID).
 *
 * Light: early-boot.ts claims the guest's slot with it in the initial JavaScript; `ifAvailable`
 * answers at once, never waiting for another tab.
 */
import { browserWebLocks, type WebLocks } from '../../reload/runtime/web-locks.js';

/** Tabs (devices) of one identity per browser; the enrollment server gives up to 8 Node-IDs per certificate. */
export const MAX_DEVICE_SLOTS = 4;

/** The boot overlay's identity (the overlay's instance-name entry of the key store, browser-overlay.ts). */
export const GUEST_DEVICE = 'guest';

/** The identity of user name `name` (its key store entry `<overlay>.user.<name>`, browser-session.ts). */
export function userDevice(name: string): string {
  return `user-${name}`;
}

/** The Web Lock of slot `slot` of `device` (GUEST_DEVICE or userDevice(name)). */
export function deviceSlotLockName(device: string, slot: number): string {
  return `chordphone-${device}-${slot}`;
}

/** One tab's hold on a device slot. */
export interface DeviceSlot {
  readonly slot: number;
  /** Let go of it; settles once another claim can take it (the lock manager has let go). */
  release(): void | Promise<void>;
}

/** The slot of a tab that cannot tell its slots apart (no Web Locks, or no claimer): slot 0, nothing to let go of. */
export const SOLE_SLOT: DeviceSlot = { slot: 0, release: () => {} };

/**
 * Every guest device slot of this browser is held by another tab: this one cannot join as the
 * guest (overlay-boot.ts at boot, phone-session.ts on "Try again").
 */
export class GuestSlotsTakenError extends Error {
  constructor() {
    super(
      `Chordphone is already open as a guest in ${MAX_DEVICE_SLOTS} other tabs of this browser, and each tab needs a Node-ID of its own. ` +
        'Close another Chordphone tab, then press Try again, or choose a user name and press Join.',
    );
    this.name = 'GuestSlotsTakenError';
  }
}

/**
 * The lowest free device slot of `device` for this tab, held until released or the tab goes away
 * (so a reloaded tab gets a slot again); undefined when all MAX_DEVICE_SLOTS are taken. `locks`:
 * the origin's lock manager, by default the page's; null where there is none.
 * OUR CHOICE: without Web Locks (an old browser) every tab takes slot 0, as before they existed.
 */
export async function claimDeviceSlot(device: string, locks: WebLocks | null = browserWebLocks() ?? null): Promise<DeviceSlot | undefined> {
  if (!locks) return SOLE_SLOT;
  for (let slot = 0; slot < MAX_DEVICE_SLOTS; slot++) {
    const release = await new Promise<(() => Promise<void>) | undefined>((resolve, reject) => {
      // Settles once the lock manager has let go of the slot (after `done`).
      const request: Promise<void> = locks.request(deviceSlotLockName(device, slot), { ifAvailable: true }, (lock) => {
        if (!lock) {
          resolve(undefined);
          return undefined;
        }
        return new Promise<void>((done) =>
          resolve(() => {
            done();
            return request.catch(() => undefined);
          }),
        );
      });
      request.catch(reject);
    });
    if (release) return { slot, release };
  }
  return undefined;
}

/**
 * Give `slot` back once `closing` (Overlay.close() of the overlay that joined with its Node-ID)
 * has settled: until then its peer may still be on the ring (leaving, or a join under way), and
 * another tab claiming the slot meanwhile would join with the same Node-ID (RFC 6940 §10: the ring
 * has one place for it). `slot` may be the claim itself (overlay-boot.ts: the guest's, claimed early).
 * Settles (never rejects) once the slot is free for another claim: a tab claiming the same
 * identity again (phone-session.ts "Try again" as the guest) waits for it, so it gets that slot back.
 */
export function releaseWhenClosed(closing: Promise<unknown>, slot: DeviceSlot | Promise<DeviceSlot | undefined> | undefined): Promise<void> {
  return closing
    .then(
      () => slot,
      () => slot,
    )
    .then((held) => held?.release())
    .catch(() => undefined);
}
