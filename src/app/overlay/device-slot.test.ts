/**
 * Device slots (device-slot.ts): each tab of a browser holding an identity (the guest's, a user
 * name's) takes its own slot, so its own Node-ID of the shared certificate.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { FakeWebLocks } from '../../reload/testing/fake-web-locks.js';
import { claimDeviceSlot, deviceSlotLockName, GUEST_DEVICE, MAX_DEVICE_SLOTS, releaseWhenClosed, userDevice } from './device-slot.js';

describe('claimDeviceSlot', () => {
  it('gives each tab of the browser its own slot of an identity, and none once every slot is held', async () => {
    const locks = new FakeWebLocks();
    const slots: (number | undefined)[] = [];
    for (let tab = 0; tab <= MAX_DEVICE_SLOTS; tab++) slots.push((await claimDeviceSlot(GUEST_DEVICE, locks.tab(`t${tab}`)))?.slot);
    expect(slots).toEqual([...Array.from({ length: MAX_DEVICE_SLOTS }, (_, i) => i), undefined]);
    expect(locks.names()).toEqual(Array.from({ length: MAX_DEVICE_SLOTS }, (_, i) => deviceSlotLockName(GUEST_DEVICE, i)));
  });

  it('hands a released slot, or one of a closed or reloaded tab, to the next tab', async () => {
    const locks = new FakeWebLocks();
    const first = await claimDeviceSlot(GUEST_DEVICE, locks.tab('a'));
    await claimDeviceSlot(GUEST_DEVICE, locks.tab('b'));
    first?.release();
    // Let go once the promise its callback returned settles, as the browser does.
    await vi.waitFor(() => expect(locks.names()).toEqual([deviceSlotLockName(GUEST_DEVICE, 1)]));
    expect((await claimDeviceSlot(GUEST_DEVICE, locks.tab('c')))?.slot).toBe(0);
    locks.closeTab('b');
    expect((await claimDeviceSlot(GUEST_DEVICE, locks.tab('b-reloaded')))?.slot).toBe(1);
  });

  it('releaseWhenClosed gives the slot back only after the close, and settles once it is free: the tab claiming again gets the same slot', async () => {
    const locks = new FakeWebLocks();
    const tab = locks.tab('a');
    const held = await claimDeviceSlot(GUEST_DEVICE, tab);
    let closed!: () => void;
    const returned = releaseWhenClosed(new Promise<void>((r) => (closed = r)), held);
    await new Promise((r) => setTimeout(r, 0));
    expect(locks.names()).toEqual([deviceSlotLockName(GUEST_DEVICE, 0)]);
    closed();
    await returned;
    expect(locks.names()).toEqual([]);
    expect((await claimDeviceSlot(GUEST_DEVICE, tab))?.slot).toBe(0);
  });

  it('keeps the slots of the guest and of each user name apart (named users keep their lock names)', async () => {
    const locks = new FakeWebLocks();
    const tab = locks.tab('a');
    const got = await Promise.all([claimDeviceSlot(GUEST_DEVICE, tab), claimDeviceSlot(userDevice('alice'), tab), claimDeviceSlot(userDevice('bob'), tab)]);
    expect(got.map((g) => g?.slot)).toEqual([0, 0, 0]);
    expect(locks.names()).toEqual(['chordphone-guest-0', 'chordphone-user-alice-0', 'chordphone-user-bob-0']);
  });

  afterEach(() => vi.unstubAllGlobals());

  /** The page's Web Locks (navigator.locks), with slot 0 of the guest held by another tab. */
  async function pageLocksWithSlot0Held(): Promise<FakeWebLocks> {
    const locks = new FakeWebLocks();
    await claimDeviceSlot(GUEST_DEVICE, locks.tab('other'));
    vi.stubGlobal('navigator', { locks: locks.tab('this') });
    return locks;
  }

  it('takes slot 0 where the browser has no Web Locks (null), whatever the page has', async () => {
    await pageLocksWithSlot0Held();
    expect((await claimDeviceSlot(GUEST_DEVICE, null))?.slot).toBe(0);
  });

  it('uses the page’s Web Locks by default', async () => {
    const locks = await pageLocksWithSlot0Held();
    expect((await claimDeviceSlot(GUEST_DEVICE))?.slot).toBe(1);
    expect(locks.names()).toEqual([deviceSlotLockName(GUEST_DEVICE, 0), deviceSlotLockName(GUEST_DEVICE, 1)]);
  });
});
