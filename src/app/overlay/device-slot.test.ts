/**
 * Device slots (device-slot.ts): each tab of a browser holding an identity (the guest's, a user
 * name's) takes its own slot, so its own Node-ID of the shared certificate.
 */
import { describe, expect, it } from 'vitest';
import { claimDeviceSlot, deviceSlotLockName, GUEST_DEVICE, MAX_DEVICE_SLOTS, userDevice } from './device-slot.js';
import { FakeSlotLocks } from './fake-slot-locks.js';

describe('claimDeviceSlot', () => {
  it('gives each tab of the browser its own slot of an identity, and none once every slot is held', async () => {
    const locks = new FakeSlotLocks();
    const slots: (number | undefined)[] = [];
    for (let tab = 0; tab <= MAX_DEVICE_SLOTS; tab++) slots.push((await claimDeviceSlot(GUEST_DEVICE, locks.tab(`t${tab}`)))?.slot);
    expect(slots).toEqual([...Array.from({ length: MAX_DEVICE_SLOTS }, (_, i) => i), undefined]);
    expect(locks.names()).toEqual(Array.from({ length: MAX_DEVICE_SLOTS }, (_, i) => deviceSlotLockName(GUEST_DEVICE, i)));
  });

  it('hands a released slot, or one of a closed or reloaded tab, to the next tab', async () => {
    const locks = new FakeSlotLocks();
    const first = await claimDeviceSlot(GUEST_DEVICE, locks.tab('a'));
    await claimDeviceSlot(GUEST_DEVICE, locks.tab('b'));
    first?.release();
    await Promise.resolve();
    expect((await claimDeviceSlot(GUEST_DEVICE, locks.tab('c')))?.slot).toBe(0);
    locks.closeTab('b');
    expect((await claimDeviceSlot(GUEST_DEVICE, locks.tab('b-reloaded')))?.slot).toBe(1);
  });

  it('keeps the slots of the guest and of each user name apart (named users keep their lock names)', async () => {
    const locks = new FakeSlotLocks();
    const tab = locks.tab('a');
    const got = await Promise.all([claimDeviceSlot(GUEST_DEVICE, tab), claimDeviceSlot(userDevice('alice'), tab), claimDeviceSlot(userDevice('bob'), tab)]);
    expect(got.map((g) => g?.slot)).toEqual([0, 0, 0]);
    expect(locks.names()).toEqual(['chordphone-guest-0', 'chordphone-user-alice-0', 'chordphone-user-bob-0']);
  });

  it('takes slot 0 where the browser has no Web Locks', async () => {
    expect((await claimDeviceSlot(GUEST_DEVICE, undefined))?.slot).toBe(0);
  });
});
