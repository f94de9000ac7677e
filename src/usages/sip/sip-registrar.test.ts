/**
 * SipRegistrar on the virtual clock, its Stores held until the test answers them: what an
 * `unregister` or `close` made while a Store is in flight does to the registration (RFC 7904 §3.1
 * lifetime and refresh; RFC 6940 §7.4.1.3 deletion marker).
 */
import { describe, expect, it } from 'vitest';
import type { OverlayPeer, StoreOutcome } from '../../reload/overlay/overlay-types.js';
import { ManualClock } from '../../reload/testing/manual-clock.js';
import { SipRegistrar } from './sip-registrar.js';

const LIFETIME_S = 10;
const REFRESH_MS = LIFETIME_S * 1000 * 0.8;

/** An overlay whose Stores wait for `answer()`; `stores` lists each Store's `exists`. */
function heldOverlay() {
  const stores: boolean[] = [];
  const held: (() => void)[] = [];
  const nodeId = new Uint8Array(16).fill(7);
  const answered: StoreOutcome = { answer: { kindResponses: [] }, hops: 1, responder: nodeId };
  const store: OverlayPeer['store'] = (_name, _kind, values) => {
    stores.push(values[0]!.exists !== false);
    return new Promise((resolve) => held.push(() => resolve(answered)));
  };
  return { overlay: { nodeId, store }, stores, answer: () => held.splice(0).forEach((a) => a()) };
}

/** Lets the answered Stores' continuations run. */
const settle = () => new Promise((r) => setImmediate(r));

function setup() {
  const clock = new ManualClock();
  const o = heldOverlay();
  const r = new SipRegistrar({ overlay: o.overlay, clock }, { aor: 'sip:alice@chordphone.test', lifetime: LIFETIME_S });
  /** Two refresh periods pass, every Store answered. */
  const twoPeriods = async () => {
    for (let i = 0; i < 2; i++) {
      clock.advance(REFRESH_MS);
      o.answer();
      await settle();
    }
  };
  return { clock, o, r, twoPeriods };
}

describe('SipRegistrar', () => {
  it('refreshes the registration at refreshRatio of its lifetime', async () => {
    const { o, r, twoPeriods } = setup();
    const p = r.register();
    o.answer();
    await p;
    expect(r.state).toBe('registered');
    await twoPeriods();
    expect(o.stores).toEqual([true, true, true]);
  });

  it('close() while the first Store is in flight: the registrar stays closed and never refreshes', async () => {
    const { o, r, twoPeriods } = setup();
    const p = r.register();
    r.close();
    o.answer();
    await p;
    await twoPeriods();
    expect(r.state).toBe('closed');
    expect(o.stores).toEqual([true]);
  });

  it('unregister() while the first Store is in flight: the registration stays removed and is never stored again', async () => {
    const { o, r, twoPeriods } = setup();
    const p = r.register();
    const q = r.unregister();
    o.answer();
    await Promise.all([p, q]);
    await twoPeriods();
    expect(r.state).toBe('unregistered');
    expect(o.stores).toEqual([true, false]);
  });

  it('unregister() while a refresh Store is in flight: no refresh after the removal', async () => {
    const { clock, o, r, twoPeriods } = setup();
    const p = r.register();
    o.answer();
    await p;
    clock.advance(REFRESH_MS); // the refresh Store goes out and waits
    const q = r.unregister();
    o.answer();
    await q;
    await twoPeriods();
    expect(r.state).toBe('unregistered');
    expect(o.stores).toEqual([true, true, false]);
  });

  it('register() again after unregister() in flight: the new registration is the one refreshed', async () => {
    const { o, r, twoPeriods } = setup();
    const p1 = r.register();
    const q = r.unregister();
    const p2 = r.register();
    o.answer();
    await Promise.all([p1, q, p2]);
    expect(r.state).toBe('registered');
    await twoPeriods();
    expect(o.stores).toEqual([true, false, true, true, true]);
  });
});
