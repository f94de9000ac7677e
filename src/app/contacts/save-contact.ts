/**
 * The contact form's save (ContactsView: "Add contact", a contact's "Edit"): a new contact, or one
 * edited in place, or moved to another address. An address that is already another contact is
 * refused in words and both stay as they were: the form never replaces someone else silently.
 */
import type { CallAddress } from '../../phone/index.js';
import { AppStoreError, type Contact, type ContactsApi } from '../store/index.js';
import { shortAddress } from './contact-format.js';

/** Saves `old` edited (undefined: a new contact) as `name` at `target`; what is wrong, in words, when it cannot. */
export async function saveContact(contacts: ContactsApi, old: Contact | undefined, name: string, target: CallAddress, domain: string | undefined, now: () => number): Promise<{ saved: Contact } | { problem: string }> {
  const contact: Contact = { aor: target.aor, displayName: name.trim() || target.user, addedAt: old?.addedAt ?? now() };
  if (old && old.aor === target.aor) {
    await contacts.put(contact);
    return { saved: contact };
  }
  try {
    await contacts.add(contact);
  } catch (e) {
    if (!(e instanceof AppStoreError && e.code === 'exists')) throw e;
    const kept = await contacts.get(target.aor);
    return { problem: `${shortAddress(target.aor, domain)} is already in your contacts${kept ? ` as ${kept.displayName}` : ''}: edit that contact instead.` };
  }
  // Moved to a new address: the old entry goes once the new one is kept.
  if (old) await contacts.remove(old.aor);
  return { saved: contact };
}
