/**
 * The tab's phone session (issue 6): which overlay identity the tab uses and the Phone on it.
 *
 * The tab boots as a guest (browser-overlay.ts joins at once); once that overlay has joined, a
 * Phone registers the guest's AoR, so `/?call=bob` calls in one click. "User name" + "Join"
 * switches identity: a peer whose certificate carries that user name (RFC 7904 §3.3: the AoR is
 * the certificate's user name; open enrollment hands it out, first come first served), kept in
 * the key store under its own entry so the next visit reuses it. The old Phone unregisters and the
 * old peer is closed first.
 *
 * A returning user (`userName` in the deps: the name this browser last joined with) skips the
 * guest: the boot overlay is never started and the session joins with that name at once.
 *
 * A guest whose overlay failed (a restart with a newer configuration that could not join again,
 * RFC 6940 §6.5.4; every guest slot taken) has no name to correct: `rejoinAsGuest` ("Try again")
 * makes a new guest overlay once the old one has closed, on the guest slot the session holds (kept,
 * as a rejoin by name keeps its slot) or, for the boot overlay's, once that slot has gone back.
 *
 * ```ts
 * const session = createPhoneSession({ overlay, createOverlay: (name) => createBrowserOverlay(location.href, ...), startPhone });
 * session.subscribe(() => render(session.getSnapshot()));
 * await session.join('alice');   // alice@<overlay>, registered
 * session.close();               // pagehide
 * ```
 */
import type { Phone, PhoneCall } from '../../phone/index.js';
import { systemClock } from '../../platform/system-clock.js';
import { withTimeout, type Clock } from '../../reload/runtime/components.js';
import { describeError } from '../error-text.js';
import { GuestSlotsTakenError, releaseWhenClosed, SOLE_SLOT, type DeviceSlot } from '../overlay/device-slot.js';
import type { JoinedOverlay } from '../overlay/overlay-client.js';
import type { Overlay } from '../overlay/overlay.js';
import type { BrowserPhone } from './browser-phone.js';

/**
 * The longest a switch waits for the old Phone to unregister (its SIP-REGISTRATION removed, RFC
 * 7904 §3) before it closes the old overlay and goes on. OUR CHOICE: the Store may never be
 * answered (the old peer's links gone); the registration then lapses at its lifetime's end.
 */
export const PHONE_STOP_MAX_WAIT_MS = 2_000;

export type SessionPhase = 'joining' | 'registering' | 'ready' | 'failed' | 'closed';

export interface PhoneSessionSnapshot {
  readonly phase: SessionPhase;
  /** The overlay in use now (a new one after each identity switch). */
  readonly overlay: Overlay;
  readonly phone: Phone | undefined;
  /** The full user name (`alice@chordphone.local`), once joined. */
  readonly userName: string | undefined;
  /** The overlay's domain, once joined. */
  readonly domain: string | undefined;
  /** Why joining or registering failed, in words. */
  readonly error: string | undefined;
  /**
   * True while the tab uses the boot identity (a guest name nobody chose); false once a user name
   * was chosen with `join` or remembered (a returning user). Optional so stand-in sessions in tests
   * may leave it out (absent: not a guest).
   */
  readonly guest?: boolean;
}

export interface PhoneSession {
  getSnapshot(): PhoneSessionSnapshot;
  subscribe(listener: () => void): () => void;
  /** Use the identity `name` (a user name, with or without `@domain`): join with it and register it. */
  join(name: string, options?: JoinOptions): Promise<void>;
  /**
   * "Try again" as the guest (the boot identity), e.g. after its overlay failed: the overlay in use
   * closes and a new guest overlay joins once it has, and registers. A guest slot this session holds
   * is kept (the same Node-ID, never free for another tab meanwhile); the boot overlay's goes back
   * once it has closed (overlay-boot.ts) and is claimed again (the same one, unless another tab
   * took it meanwhile). Any failure ends the session `failed` with the reason, and is thrown.
   */
  rejoinAsGuest(): Promise<void>;
  /** Call `address` with the current Phone (Phone.call's errors), keeping the PhoneCall for `call(id)`. */
  dial(address: string, options?: { video?: boolean }): Promise<PhoneCall>;
  /** Start looking `address` up before the call (Phone.prepare): the dialer calls it while the address is typed. */
  prepare(address: string): void;
  /** Every call this tab made or took, by id (for the call screen's audio and the e2e's getStats). */
  call(id: string): PhoneCall | undefined;
  close(): void;
}

export interface JoinOptions {
  /**
   * Join again even when already joined as that name (a new overlay: a changed client mode or
   * STUN/TURN setting then applies, issue 7 Settings).
   */
  readonly again?: boolean;
}

export interface PhoneSessionDeps {
  /** The tab's boot overlay (already started or about to be). */
  readonly overlay: Overlay;
  /** A new overlay for the user name `name` (not started), using Node-ID number `slot` of its certificate. */
  readonly createOverlay: (name: string, slot: number) => Overlay;
  readonly startPhone: (joined: JoinedOverlay) => Promise<BrowserPhone>;
  /**
   * Hold a device slot of the user name `name` for this tab while it is in use: tabs of one
   * browser share the key, so each takes its own Node-ID of the certificate (slot 0, 1, ...;
   * device-slot.ts). Undefined when every slot is taken.
   */
  readonly claim?: (name: string) => Promise<DeviceSlot | undefined>;
  /**
   * A returning user's name: join with it at once instead of the boot overlay's guest identity
   * (the boot overlay is then never started).
   */
  readonly userName?: string;
  /** The guest's identity, for rejoinAsGuest (absent: only a page load joins as the guest). */
  readonly guest?: GuestDeps;
  /** Times the old Phone's unregistering (PHONE_STOP_MAX_WAIT_MS); default the system clock. */
  readonly clock?: Clock;
}

export interface GuestDeps {
  /** Hold a guest device slot for this tab (device-slot.ts GUEST_DEVICE); undefined when every slot is taken. */
  readonly claim: () => Promise<DeviceSlot | undefined>;
  /** A new guest overlay (not started) on Node-ID number `slot` of the guest's certificate. */
  readonly createOverlay: (slot: number) => Overlay;
  /** Settles once the boot overlay's guest slot is free again (overlay-boot.ts `guestSlotReturned`). */
  readonly slotReturned: Promise<void>;
}

/** An identity a switch joins as: how to hold one of its device slots, and a new overlay on one. */
interface Identity {
  /** The user name's local part; undefined: the guest. */
  readonly name: string | undefined;
  readonly claim: () => Promise<DeviceSlot | undefined>;
  /** A new overlay (not started) on Node-ID number `slot` of the identity's certificate. */
  readonly createOverlay: (slot: number) => Overlay;
}

/** The local part of a typed user name, lower-case (`Alice@x` → `alice`). */
export function localPart(name: string): string {
  const n = name.trim().toLowerCase();
  const at = n.lastIndexOf('@');
  return at < 0 ? n : n.slice(0, at);
}

export function createPhoneSession(deps: PhoneSessionDeps): PhoneSession {
  const clock = deps.clock ?? systemClock;
  const listeners = new Set<() => void>();
  const calls = new Map<string, PhoneCall>();
  let current: BrowserPhone | undefined;
  /**
   * The device slot this tab holds, and of which name (undefined: the guest's); released on a
   * switch or close. The boot overlay's guest slot is not here: overlay-boot.ts gives that back.
   */
  let held: (DeviceSlot & { readonly name: string | undefined }) | undefined;
  /**
   * Settles once the guest slot of the guest overlay this session last left (at first the boot
   * overlay's) is back, that overlay having closed (the next guest switch waits for it). A guest slot
   * given back with no overlay on it (giveBack) is waited for through `claims`.
   */
  let guestReturned: Promise<void> = deps.guest?.slotReturned ?? Promise.resolve();
  /** The peer the current Phone runs on. */
  let bound: unknown;
  let restarting = false;
  /** Bumped on each switch: work of an older identity is dropped. */
  let generation = 0;
  let snapshot: PhoneSessionSnapshot = { phase: 'joining', overlay: deps.overlay, phone: undefined, userName: undefined, domain: undefined, error: undefined, guest: deps.userName === undefined };

  const set = (patch: Partial<PhoneSessionSnapshot>) => {
    snapshot = { ...snapshot, ...patch };
    for (const l of [...listeners]) l();
  };

  const keep = (call: PhoneCall) => {
    calls.set(call.id, call);
    return call;
  };

  /**
   * Let go of the calls the Phone in use has let go of (ended or failed, and no longer in its
   * snapshot: Phone.track drops them a while after), with their RTCSession and media, so a tab open
   * for days does not keep every call it made or took. A call of a Phone left behind (a switch, a
   * restart) goes once it has ended.
   */
  const forgetDropped = () => {
    const listed = new Set(current?.phone.snapshot().calls.map((c) => c.id));
    for (const [id, call] of calls) if ((call.state === 'ended' || call.state === 'failed') && !listed.has(id)) calls.delete(id);
  };

  /** Switch `mine` failed with `e`: the session says why, unless a later switch has superseded it; `e` is thrown on. */
  function fail(e: unknown, mine: number): never {
    if (mine === generation) set({ phase: 'failed', error: describeError(e) });
    throw e;
  }

  /** Wait for `overlay` to join, then register its user's Phone (again when a ConfigUpdate restarts its peer). */
  const attach = async (overlay: Overlay, mine: number): Promise<void> => {
    try {
      await overlay.start();
      if (mine !== generation) return;
      if (!overlay.joined) throw new Error('the overlay closed before it joined');
      await startOn(overlay.joined, mine);
      // RFC 6940 §6.5.4: a newer configuration restarts the peer (overlay-client.ts); the Phone moves to the new one.
      const unsubscribe = overlay.subscribe(() => {
        if (mine !== generation) return unsubscribe();
        // Not joined any more (that restart could not join again): its Phone is of no use.
        const { phase, error } = overlay.getSnapshot();
        if (phase === 'failed') {
          unsubscribe();
          void stopCurrent();
          set({ phase: 'failed', phone: undefined, error: error ?? 'the overlay is not joined any more' });
          return;
        }
        const now = overlay.joined;
        if (!now || !current || now.peer === bound || restarting) return;
        restarting = true;
        void stopCurrent()
          .then(() => startOn(now, mine))
          .catch(() => {})
          .finally(() => (restarting = false));
      });
    } catch (e) {
      fail(e, mine);
    }
  };

  const startOn = async (joined: JoinedOverlay, mine: number): Promise<void> => {
    try {
      set({ phase: 'registering', userName: joined.peer.userName, domain: joined.configuration.instanceName, error: undefined });
      const started = await deps.startPhone(joined);
      if (mine !== generation) {
        await stopWithin(started);
        return;
      }
      current = started;
      bound = joined.peer;
      started.phone.onIncomingCall(keep);
      started.phone.subscribe(forgetDropped);
      set({ phase: 'ready', phone: started.phone });
    } catch (e) {
      fail(e, mine);
    }
  };

  /** Stop `phone` (unregister it), waiting PHONE_STOP_MAX_WAIT_MS of the session's clock at most. */
  const stopWithin = (phone: BrowserPhone): Promise<void> => withTimeout(clock, phone.stop(), PHONE_STOP_MAX_WAIT_MS, () => new Error('the Phone did not stop in time')).catch(() => {});

  const stopCurrent = async () => {
    const old = current;
    current = undefined;
    if (old) await stopWithin(old);
  };

  /**
   * Settles once no device slot claim of this session is under way or being given back (a claim
   * superseded by a later switch, or whose overlay could not be made, is given back first). Every
   * claim waits for it, so a claim after a superseded one gets the same slot (Node-ID). Only the
   * claims are ordered: the slot of the overlay a switch leaves goes back once that overlay has
   * closed (releaseWhenClosed), while the next identity's is claimed meanwhile; a switch back to
   * the name it left before then (alice, bob, alice at once) gets another slot of that name.
   */
  let claims: Promise<void> = Promise.resolve();

  /**
   * Gives back `slot` at once, no overlay running with it: the next claim waits for it through
   * `claims`, a guest's too: a guest switch reads `guestReturned` before its claimSlot reads `claims`,
   * so a give-back it could see in the one it sees in the other. Settles (never rejects) once back.
   */
  const giveBack = (slot: DeviceSlot): Promise<void> => {
    // releaseWhenClosed: a release that throws, even synchronously, still settles.
    const returned = releaseWhenClosed(Promise.resolve(), slot);
    claims = claims.then(() => returned);
    return returned;
  };

  /** A device slot of `identity` for switch `mine`, after the claims before it; undefined when superseded or every slot is taken. */
  const claimSlot = async (identity: Identity, mine: number): Promise<DeviceSlot | undefined> => {
    const before = claims;
    let settled!: (after?: Promise<void>) => void;
    claims = new Promise<void>((resolve) => (settled = resolve));
    let claimed: DeviceSlot | undefined;
    try {
      await before;
      if (mine !== generation) return undefined;
      claimed = await identity.claim();
      return mine === generation ? claimed : undefined;
    } finally {
      // Superseded meanwhile: given back before the next claim starts (one under way already waits
      // for `before`, this claim's turn, so that settles once the slot is back, and a claim of the
      // same identity gets this slot again).
      settled(claimed && mine !== generation ? giveBack(claimed) : undefined);
    }
  };

  /** The user name `name`'s device slots and overlays (every tab on slot 0 without deps.claim). */
  const userIdentity = (name: string): Identity => ({
    name,
    claim: () => (deps.claim ? deps.claim(name) : Promise.resolve(SOLE_SLOT)),
    createOverlay: (slot) => deps.createOverlay(name, slot),
  });

  /**
   * Close the overlay in use and join as `identity` (a user name, or the guest) on a new overlay,
   * with a device slot of that identity. `again`: as the same identity, keeping the slot this
   * session holds for it. Any failure (no slot free, a claim or an overlay that could not be made,
   * the join) ends in `failed` with the reason, and is thrown.
   */
  const switchTo = async (identity: Identity, again: boolean): Promise<void> => {
    const wanted = identity.name;
    const guest = wanted === undefined;
    const s = snapshot;
    const mine = ++generation;
    set({ phase: 'joining', phone: undefined, userName: undefined, error: undefined, guest });
    let overlay: Overlay;
    try {
      await stopCurrent();
      // Superseded while the Phone unregistered: the later switch closes the overlay in use and
      // gives back or keeps `held`, which may be its own slot by now (never given back here).
      if (mine !== generation) return;
      // A boot overlay never started (a returning user's) has nothing to leave: closing it would only show "Left the overlay".
      const closing = s.overlay !== deps.overlay || deps.userName === undefined ? s.overlay.close() : Promise.resolve();
      // A rejoin as the same identity (a name, or the guest) keeps this tab's device slot (and so
      // its Node-ID), never letting another tab take it meanwhile: its new peer joins once the old
      // one is off the ring (RFC 6940 §10: one place per Node-ID on the ring).
      const kept = again && held !== undefined && held.name === wanted ? held : undefined;
      if (kept) await closing.catch(() => undefined);
      else {
        const returned = releaseWhenClosed(closing, held);
        if (held && held.name === undefined) guestReturned = returned;
        held = undefined;
      }
      // The guest's slot goes back through releaseWhenClosed (overlay-boot.ts for the boot overlay's,
      // here for one this session made) once its overlay has closed, and is claimed again after: never
      // two peers with the slot's Node-ID on the ring, nor two guest slots held by this tab (a name's
      // slot may still be held meanwhile, until the overlay of that name has closed).
      if (guest && !kept) await guestReturned;
      if (mine !== generation) return;
      // A kept slot is still `held`: whatever supersedes this join gives it back or uses it.
      const claimed = kept ?? (await claimSlot(identity, mine));
      if (mine !== generation) {
        // Superseded after the claim was had (a switch in the moment before this one went on): not
        // this join's any more, so given back. (Never a kept one: with one, nothing waited since the check above.)
        if (claimed) void giveBack(claimed);
        return;
      }
      if (!claimed) throw guest ? new GuestSlotsTakenError() : new Error(`${wanted} is already open in too many tabs of this browser. Close one, or use another user name here.`);
      held = kept ?? { name: wanted, slot: claimed.slot, release: () => claimed.release() };
      try {
        overlay = identity.createOverlay(claimed.slot);
      } catch (e) {
        // No overlay was made with its Node-ID: the slot goes back at once (the next claim waits for it).
        held = undefined;
        void giveBack(claimed);
        throw e;
      }
    } catch (e) {
      fail(e, mine);
    }
    set({ overlay });
    await attach(overlay, mine);
  };

  const session: PhoneSession = {
    getSnapshot: () => snapshot,
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async join(name, options) {
      const wanted = localPart(name);
      if (wanted === '') throw new Error('Type a user name, for example alice.');
      const s = snapshot;
      if (!options?.again && s.userName !== undefined && localPart(s.userName) === wanted && (s.phase === 'ready' || s.phase === 'registering')) return;
      await switchTo(userIdentity(wanted), options?.again === true);
    },
    async rejoinAsGuest() {
      const { guest } = deps;
      if (!guest) {
        // Nothing closed: the overlay in use stays; the session says why it cannot.
        const e = new Error('This page cannot join as the guest again: reload it.');
        set({ phase: 'failed', error: e.message });
        throw e;
      }
      await switchTo({ ...guest, name: undefined }, true);
    },
    async dial(address, options) {
      const phone = current?.phone;
      if (!phone) throw new Error('The phone is not connected to the overlay yet.');
      return keep(await phone.call(address, options));
    },
    prepare: (address) => current?.phone.prepare(address),
    call: (id) => calls.get(id),
    close() {
      generation++;
      const old = current;
      current = undefined;
      // On pagehide the peer must close at once (its neighbours then see its links go at once); the
      // unregistering Store is started but cannot outlive the page, so a closed tab's registration
      // stays until its lifetime ends (Phone's registrationLifetime) and callers' routing skips it.
      void old?.stop().catch(() => {});
      void releaseWhenClosed(snapshot.overlay.close(), held);
      held = undefined;
      set({ phase: 'closed', phone: undefined });
    },
  };
  if (deps.userName !== undefined) session.join(deps.userName).catch(() => {});
  else void attach(deps.overlay, generation).catch(() => {});
  return session;
}
