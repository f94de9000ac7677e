/**
 * SipRegistrar on the virtual clock, its Stores held until the test answers them: what an
 * `unregister` or `close` made while a Store is in flight does to the registration (RFC 7904 §3.1
 * lifetime and refresh; RFC 6940 §7.4.1.3 deletion marker).
 */
import { describe, expect, it } from 'vitest';
import type { OverlayPeer, StoreOutcome } from '../../reload/overlay/overlay-types.js';
import { ManualClock } from '../../reload/testing/manual-clock.js';
import { ReloadError } from '../../reload/runtime/reload-error.js';
import { ErrorCode, type ErrorCodeName } from '../../reload/wire/message-codes.js';
import { REGISTER_ATTEMPTS, SipRegistrar } from './sip-registrar.js';

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

describe('SipRegistrar: a first Store that failed for the overlay\'s passing state', () => {
  /** An overlay whose Stores fail with the next of `errors` (then succeed); `stores` lists when each was made. */
  function failingOverlay(errors: readonly ErrorCodeName[]) {
    const clock = new ManualClock();
    const stores: number[] = [];
    const nodeId = new Uint8Array(16).fill(7);
    const store: OverlayPeer['store'] = async () => {
      const error = errors[stores.length];
      stores.push(clock.now());
      if (error) throw ReloadError.of(error, 'in this test');
      return { answer: { kindResponses: [] }, hops: 1, responder: nodeId };
    };
    const r = new SipRegistrar({ overlay: { nodeId, store }, clock }, { aor: 'sip:alice@chordphone.test', lifetime: LIFETIME_S, retryMs: 1000 });
    /** Runs the clock until `p` settles. */
    const run = async (p: Promise<unknown>) => {
      let done = false;
      p.then(
        () => (done = true),
        () => (done = true),
      );
      for (let i = 0; i < 100 && !done; i++) {
        await settle();
        clock.advance(100);
      }
    };
    return { clock, r, stores, run, started: clock.now() };
  }

  it.each<[string, ErrorCodeName[], number[]]>([
    ['no answer in time (Error_Request_Timeout)', ['Error_Request_Timeout'], [0, 1000]],
    ['no answer, then a path past the TTL (Error_TTL_Exceeded)', ['Error_Request_Timeout', 'Error_TTL_Exceeded'], [0, 1000, 3000]],
  ])('%s: is made again, retryMs × the attempt apart, and registers', async (_name, errors, at) => {
    const { r, stores, run, started } = failingOverlay(errors);
    const p = r.register();
    await run(p);
    await expect(p).resolves.toBeUndefined();
    expect(r.state).toBe('registered');
    expect(stores.map((t) => t - started)).toEqual(at);
  });

  it(`fails after ${REGISTER_ATTEMPTS} attempts, and at once for a refusal of the Store itself or what the storage layer retried already`, async () => {
    const timeouts = failingOverlay(['Error_Request_Timeout', 'Error_Request_Timeout', 'Error_Request_Timeout']);
    const p = timeouts.r.register();
    await timeouts.run(p);
    await expect(p).rejects.toMatchObject({ code: ErrorCode.Error_Request_Timeout });
    expect(timeouts.stores).toHaveLength(REGISTER_ATTEMPTS);
    expect(timeouts.r.state).toBe('unregistered');
    // Error_Not_Found and Error_Loop_Detected reach the registrar after StorageService's own attempts.
    for (const code of ['Error_Forbidden', 'Error_Not_Found', 'Error_Loop_Detected'] as const) {
      const refused = failingOverlay([code]);
      await expect(refused.r.register()).rejects.toMatchObject({ code: ErrorCode[code] });
      expect(refused.stores).toHaveLength(1);
    }
  });

  it('close() while it waits to try again: register() ends at once, no other Store, and the registrar stays closed', async () => {
    const { clock, r, stores } = failingOverlay(['Error_Request_Timeout']);
    const started = clock.now();
    const p = r.register();
    await settle();
    r.close();
    await p;
    expect(clock.now()).toBe(started);
    clock.advance(10_000);
    await settle();
    expect(stores).toHaveLength(1);
    expect(r.state).toBe('closed');
  });

  it('an abort while it waits to try again rejects register() at once, with no other Store', async () => {
    const { clock, r, stores } = failingOverlay(['Error_Request_Timeout']);
    const started = clock.now();
    const abort = new AbortController();
    const p = r.register({ signal: abort.signal });
    await settle();
    abort.abort();
    await expect(p).rejects.toMatchObject({ name: 'AbortError' });
    expect(clock.now()).toBe(started);
    expect(stores).toHaveLength(1);
  });
});
