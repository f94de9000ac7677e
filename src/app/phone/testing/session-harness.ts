/**
 * Stand-ins for the phone session's tests (phone-session.test.ts: names; phone-session-guest.test.ts:
 * the guest): overlays whose start, close and restarts the test drives, phones that record who
 * registered and stopped, and device slots as the Web Locks keep them (a name's in `held`, the
 * guest's in `guestSlots`). What is under test is the session's sequencing, on the real session.
 */
import type { Phone, PhoneCall } from '../../../phone/index.js';
import type { JoinedOverlay } from '../../overlay/overlay-client.js';
import type { Overlay, OverlaySnapshot } from '../../overlay/overlay.js';
import type { BrowserPhone } from '../browser-phone.js';
import type { DeviceSlot } from '../../overlay/device-slot.js';
import { createPhoneSession, type PhoneSessionDeps } from '../phone-session.js';

export interface FakeOverlay extends Overlay {
  readonly userName: string;
  closed: boolean;
  /** Ends the close under way (its peer leaving, its records closing): close() settles then. */
  finishClose(): void;
  /** What close() returns: settles once finishClose() was called. */
  readonly whenClosed: Promise<void>;
  resolveStart(): void;
  rejectStart(e: Error): void;
  /** A ConfigUpdate restarted the peer: a new peer object, listeners told. */
  restartPeer(): void;
  /** That restart could not join again: the overlay says `failed`, listeners told. */
  failRestart(error: string): void;
}

export function fakeOverlay(userName: string): FakeOverlay {
  let resolve!: () => void;
  let reject!: (e: Error) => void;
  const started = new Promise<void>((r, j) => ((resolve = r), (reject = j)));
  let joined: JoinedOverlay | undefined;
  const listeners = new Set<() => void>();
  let generation = 0;
  let snapshot: Partial<OverlaySnapshot> = { phase: 'idle', joined: false };
  let finishClose!: () => void;
  const closing = new Promise<void>((r) => (finishClose = r));
  const o = {
    userName,
    closed: false,
    start: () => started,
    subscribe(l: () => void) {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    getSnapshot: () => snapshot,
    failRestart(error: string) {
      snapshot = { phase: 'failed', joined: false, error };
      for (const l of [...listeners]) l();
    },
    restartPeer() {
      joined = { ...joined!, peer: { userName: `${userName}@example.test`, generation: ++generation } } as unknown as JoinedOverlay;
      for (const l of [...listeners]) l();
    },
    get joined() {
      return joined;
    },
    close() {
      o.closed = true;
      return closing;
    },
    finishClose: () => finishClose(),
    whenClosed: closing,
    resolveStart() {
      joined = { peer: { userName: `${userName}@example.test` }, configuration: { instanceName: 'example.test' } } as unknown as JoinedOverlay;
      resolve();
    },
    rejectStart: (e: Error) => reject(e),
  };
  return o as unknown as FakeOverlay;
}

interface Started {
  readonly user: string;
  stopped: boolean;
}

/** A session whose boot overlay (guest `guest`) has joined and which then joined as alice (device slots in `held`). */
export async function joinedAsAlice(guest: string) {
  const held = new Set<string>();
  const boot = fakeOverlay(guest);
  const h = harness(boot, held);
  boot.resolveStart();
  await settle();
  const alice = h.session.join('alice');
  await settle();
  h.created[0]!.resolveStart();
  await alice;
  return { ...h, held };
}

/**
 * The real session on `boot` with stand-in deps; `patch` changes them (a claim that fails, no guest
 * deps), given the harness's own (`guestClaim`: the guest's claim, from `guestSlots`).
 */
export function harness(boot: FakeOverlay, held: Set<string> = new Set(), returning?: string, patch: (deps: PhoneSessionDeps, own: { readonly guestClaim: () => Promise<DeviceSlot | undefined> }) => PhoneSessionDeps = (d) => d) {
  const created: FakeOverlay[] = [];
  const slots: number[] = [];
  const phones: Started[] = [];
  // Device slots as the Web Locks keep them: `name/slot` in `held`, the guest's slot numbers in `guestSlots`.
  const claim = async (name: string, from: Set<string> = held, key = (slot: number) => `${name}/${slot}`) => {
    const slot = [0, 1].find((i) => !from.has(key(i)));
    if (slot === undefined) return undefined;
    from.add(key(slot));
    return { slot, release: () => void from.delete(key(slot)) };
  };
  // A guest's boot overlay holds guest slot 0 and gives it back once closed (overlay-boot.ts).
  const guestSlots = new Set<string>(returning === undefined ? ['0'] : []);
  const guestSlotReturned = returning === undefined ? boot.whenClosed.then(() => void guestSlots.delete('0')) : Promise.resolve();
  const guestClaim = () => claim('guest', guestSlots, String);
  const deps: PhoneSessionDeps = {
    overlay: boot,
    ...(returning === undefined ? {} : { userName: returning }),
    claim,
    createOverlay: (name, slot) => {
      const o = fakeOverlay(name);
      created.push(o);
      slots.push(slot);
      return o;
    },
    guest: {
      claim: guestClaim,
      createOverlay: (slot) => {
        const o = fakeOverlay(`guest-again-${created.length}`);
        created.push(o);
        slots.push(slot);
        return o;
      },
      slotReturned: guestSlotReturned,
    },
    startPhone: async (joined) => {
      const record: Started = { user: joined.peer.userName, stopped: false };
      phones.push(record);
      let n = 0;
      const phone = {
        onIncomingCall: () => () => {},
        subscribe: () => () => {},
        snapshot: () => ({ calls: [] }),
        call: async (address: string) => ({ id: `call-${++n}-${address}` }) as unknown as PhoneCall,
      } as unknown as Phone;
      const bp: BrowserPhone = {
        phone,
        stop: async () => {
          record.stopped = true;
        },
      };
      return bp;
    },
  };
  const session = createPhoneSession(patch(deps, { guestClaim }));
  return { session, created, slots, phones, guestSlots };
}

export const settle = () => new Promise((r) => setTimeout(r, 0));
