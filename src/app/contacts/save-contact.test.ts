import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { parseCallAddress } from '../../phone/index.js';
import { appStoreName, openAppStore } from '../store/index.js';
import { saveContact } from './save-contact.js';

const DOMAIN = 'test.example';
let n = 0;
const target = (address: string) => parseCallAddress(address, DOMAIN, undefined);

describe('saveContact: the contact form', () => {
  it('adding an address that is already a contact says so and keeps that contact, not replacing it', async () => {
    const store = await openAppStore(appStoreName(DOMAIN, `save-${n++}`));
    expect(await saveContact(store.contacts, undefined, 'Bob', target('bob'), DOMAIN, () => 1)).toMatchObject({ saved: { displayName: 'Bob' } });
    expect(await saveContact(store.contacts, undefined, 'Robert', target('bob'), DOMAIN, () => 2)).toEqual({ problem: 'bob is already in your contacts as Bob: edit that contact instead.' });
    expect(await store.contacts.list()).toEqual([{ aor: `sip:bob@${DOMAIN}`, displayName: 'Bob', addedAt: 1 }]);
    store.close();
  });

  it('editing a contact to the address of another one says so and changes neither', async () => {
    const store = await openAppStore(appStoreName(DOMAIN, `save-${n++}`));
    await saveContact(store.contacts, undefined, 'Bob', target('bob'), DOMAIN, () => 1);
    const rob = await saveContact(store.contacts, undefined, 'Rob', target('rob'), DOMAIN, () => 2);
    if (!('saved' in rob)) throw new Error(rob.problem);
    expect(await saveContact(store.contacts, rob.saved, 'Rob', target('bob'), DOMAIN, () => 3)).toEqual({ problem: 'bob is already in your contacts as Bob: edit that contact instead.' });
    expect((await store.contacts.list()).map((c) => [c.displayName, c.aor])).toEqual([
      ['Bob', `sip:bob@${DOMAIN}`],
      ['Rob', `sip:rob@${DOMAIN}`],
    ]);
    store.close();
  });

  it('edits a name in place, moves a contact to a new address keeping when it was added, and names one by its user when no name is typed', async () => {
    const store = await openAppStore(appStoreName(DOMAIN, `save-${n++}`));
    const bob = await saveContact(store.contacts, undefined, '  ', target('bob'), DOMAIN, () => 1);
    expect(bob).toEqual({ saved: { aor: `sip:bob@${DOMAIN}`, displayName: 'bob', addedAt: 1 } });
    if (!('saved' in bob)) return;
    const renamed = await saveContact(store.contacts, bob.saved, 'Bobby', target('bob'), DOMAIN, () => 5);
    if (!('saved' in renamed)) throw new Error(renamed.problem);
    await saveContact(store.contacts, renamed.saved, 'Bobby', target('robert'), DOMAIN, () => 9);
    expect(await store.contacts.list()).toEqual([{ aor: `sip:robert@${DOMAIN}`, displayName: 'Bobby', addedAt: 1 }]);
    store.close();
  });
});
