/**
 * Send a chat message (SIP MESSAGE, RFC 3428) and keep it in the thread (issue 7): the message is
 * stored at once as `sending`, then `delivered` on the 2xx (RFC 3428 §7) or `failed` otherwise, so
 * the thread shows it while it travels and keeps it after a reload. The recorder leaves it alone
 * (AppStoreHub.claimSent).
 */
import { parseCallAddress } from '../../phone/index.js';
import type { PhoneSession } from '../phone/phone-session.js';
import type { AppStoreHub } from '../store/index.js';

/** Rejects with AddressError (bad address), PhoneError ("bob is not online.") or an Error in words. */
export async function sendChat(session: PhoneSession, hub: AppStoreHub, address: string, text: string, now: () => number = Date.now): Promise<void> {
  const s = session.getSnapshot();
  const phone = s.phone;
  if (!phone || s.phase !== 'ready' || !s.domain || !s.userName) throw new Error('The phone is not connected to the overlay yet; wait until it says Ready.');
  if (text.trim() === '') throw new Error('Type a message first.');
  const { aor } = parseCallAddress(address, s.domain, phone.domains);
  const store = await hub.storeFor(s.domain, s.userName);
  const id = await store.chat.append({ aor, direction: 'out', text, at: now(), status: 'sending' });
  const release = hub.claimSent(aor, text);
  try {
    await phone.sendMessage(aor, text);
  } catch (e) {
    release();
    await store.chat.setStatus(id, 'failed');
    throw e;
  }
  await store.chat.setStatus(id, 'delivered');
}
