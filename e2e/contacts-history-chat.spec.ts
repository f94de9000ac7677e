/**
 * Issue 7, "Must show": contacts with presence, the history after a missed call, and chat, between
 * two browsers over the real overlay of `chordphone serve --peers 20` (playwright.config.ts), with
 * Chromium's fake media. Alice and Bob (two browser contexts) join under their own user names.
 * Alice adds Bob as a contact and sees him online, and a contact nobody registered offline; a bad
 * address is refused in words. Alice calls Bob from her contacts and hangs up before he answers:
 * Bob's history shows a missed call from Alice, and its "Call back" rings Alice. Alice and Bob
 * chat (the unread count shows in Bob's list of conversations, replies appear live), a message to
 * someone offline says so, and the thread is still there after Alice reloads the page (IndexedDB).
 * Screenshots: contacts, history and chat at phone (390x844) and desktop (1280x800) sizes.
 *
 * Names carry a per-run suffix: open enrollment keeps each name for the key that took it, and the
 * server's data (tmp/e2e-data-PORT) outlives a run while the browser contexts do not.
 */
import { expect, test } from './overlay-log.js';
import { button, figure, joinAs, newPage, openView, phoneReady, runSuffix, shoot } from './phone-steps.js';

const run = runSuffix();
const ALICE = `alice-${run}`;
const BOB = `bob-${run}`;
const NOBODY = `nobody-${run}`;

test.describe.configure({ timeout: 180_000 });

test('contacts with presence, a missed call in the history with call-back, and chat that survives a reload', async ({ browser }, testInfo) => {
  const alice = await newPage(browser);
  const bob = await newPage(browser);
  await Promise.all([joinAs(alice, ALICE), joinAs(bob, BOB)]);

  // Contacts: Bob (registered) shows online, a name nobody registered offline; presence in words.
  await openView(alice, '#/contacts');
  const name = alice.getByRole('textbox', { name: 'Contact name', exact: true });
  const address = alice.getByRole('textbox', { name: 'Contact address', exact: true });
  await address.fill('tel:12345');
  await button(alice, 'Add contact').click();
  await expect(alice.getByTestId('contact-form-error')).toContainText('cannot be called here');
  await name.fill('Bob');
  await address.fill(BOB);
  const added = Date.now();
  await button(alice, 'Add contact').click();
  await expect(alice.getByRole('region', { name: 'Contacts' }).getByRole('status')).toContainText('Added Bob.');
  await name.fill('Nobody');
  await address.fill(NOBODY);
  await button(alice, 'Add contact').click();
  const contacts = alice.getByRole('list', { name: 'Contact list' });
  await expect(contacts.getByRole('listitem')).toHaveCount(2);
  const bobRow = alice.locator('[data-testid="contact"]', { hasText: 'Bob' });
  const nobodyRow = alice.locator('[data-testid="contact"]', { hasText: 'Nobody' });
  await expect(bobRow).toHaveAttribute('data-presence', 'online', { timeout: 20_000 });
  figure(testInfo, 'contact added → shown online (SIP-REGISTRATION lookup)', `${Date.now() - added} ms`);
  await expect(bobRow.getByTestId('presence')).toHaveText('Online');
  await expect(nobodyRow).toHaveAttribute('data-presence', 'offline', { timeout: 20_000 });
  await expect(nobodyRow.getByTestId('presence')).toHaveText('Offline');
  await shoot(alice, 'contacts');

  // Alice calls Bob from her contacts and hangs up while it rings: a missed call for Bob.
  await button(alice, 'Call Bob').click();
  await expect(bob.locator('[data-testid="call"][data-state="incoming"]')).toHaveCount(1, { timeout: 20_000 });
  await expect(alice.locator('[data-testid="call"]')).toHaveCount(1);
  await button(alice, 'Hang up').click();
  await expect(bob.locator('[data-testid="call"]')).toHaveCount(0, { timeout: 10_000 });

  await openView(bob, '#/history');
  const missed = bob.locator('[data-testid="history-entry"]').first();
  await expect(missed).toHaveAttribute('data-outcome', 'missed', { timeout: 10_000 });
  await expect(missed).toHaveAttribute('data-direction', 'in');
  await expect(missed).toContainText(ALICE);
  await expect(missed).toContainText('Missed call');
  await openView(alice, '#/history');
  await expect(alice.locator('[data-testid="history-entry"]').first()).toHaveAttribute('data-outcome', 'cancelled', { timeout: 10_000 });
  await expect(alice.locator('[data-testid="history-entry"]').first()).toContainText('Bob');

  // "Call back" rings Alice; she declines, and Bob's history has his call back at the top.
  await button(bob, `Call back ${ALICE}`).click();
  await expect(alice.locator('[data-testid="call"][data-state="incoming"]')).toHaveCount(1, { timeout: 20_000 });
  await expect(alice.locator('[data-testid="call"]')).toContainText(BOB);
  await button(alice, 'Decline').click();
  await expect(alice.locator('[data-testid="call"]')).toHaveCount(0, { timeout: 10_000 });
  await openView(bob, '#/history');
  const entries = bob.locator('[data-testid="history-entry"]');
  await expect(entries).toHaveCount(2, { timeout: 10_000 });
  await expect(entries.first()).toHaveAttribute('data-outcome', 'rejected');
  await expect(entries.first()).toHaveAttribute('data-direction', 'out');
  await expect(entries.nth(1)).toHaveAttribute('data-outcome', 'missed');
  await shoot(bob, 'history');

  // Add to contacts from the history: the form comes filled in; then the history shows her name.
  await button(bob, `Add ${ALICE} to contacts`).first().click();
  await expect(bob.getByRole('textbox', { name: 'Contact address', exact: true })).toHaveValue(ALICE);
  await bob.getByRole('textbox', { name: 'Contact name', exact: true }).fill('Alice');
  await button(bob, 'Add contact').click();
  await expect(bob.locator('[data-testid="contact"]', { hasText: 'Alice' })).toHaveAttribute('data-presence', 'online', { timeout: 20_000 });
  await openView(bob, '#/history');
  await expect(button(bob, 'Call back Alice')).toHaveCount(2);

  // Chat: Alice writes to Bob; his list of conversations shows it unread; his reply appears live.
  await openView(alice, `#/chat/${encodeURIComponent(BOB)}`);
  const hello = `hello Bob ${run}`;
  await alice.getByRole('textbox', { name: 'Message', exact: true }).fill(hello);
  await button(alice, 'Send message').click();
  const aliceThread = alice.getByRole('list', { name: 'Messages' });
  await expect(aliceThread.getByRole('listitem').last()).toContainText('Delivered', { timeout: 10_000 });
  await openView(bob, '#/chat');
  const thread = bob.locator('[data-testid="thread"]', { hasText: hello });
  await expect(thread).toHaveAttribute('data-unread', '1', { timeout: 10_000 });
  await thread.getByRole('button').click();
  await expect(bob.getByTestId('messages')).toContainText(hello);
  const reply = `hi Alice ${run}`;
  await bob.getByRole('textbox', { name: 'Message', exact: true }).fill(reply);
  await bob.getByRole('textbox', { name: 'Message', exact: true }).press('Enter');
  await expect(aliceThread).toContainText(reply, { timeout: 10_000 });
  await openView(bob, '#/chat');
  await expect(bob.locator('[data-testid="thread"]', { hasText: reply })).toHaveAttribute('data-unread', '0');

  // A message to someone offline: said in words, kept as not delivered.
  await openView(alice, `#/chat/${encodeURIComponent(NOBODY)}`);
  await alice.getByRole('textbox', { name: 'Message', exact: true }).fill('anyone there?');
  await button(alice, 'Send message').click();
  await expect(alice.getByTestId('chat-error')).toHaveText(`${NOBODY} is not online.`, { timeout: 10_000 });
  await expect(alice.getByTestId('messages')).toContainText('Not delivered');

  // The thread survives a reload (IndexedDB): Alice comes back as herself (or joins again).
  await openView(alice, `#/chat/${encodeURIComponent(BOB)}`);
  await shoot(alice, 'chat');
  await alice.reload();
  const returning = await alice
    .getByTestId('phone-aor')
    .filter({ hasText: new RegExp(`^${ALICE}@`) })
    .waitFor({ timeout: 20_000 })
    .then(() => true, () => false);
  if (!returning) {
    await alice.getByRole('textbox', { name: 'User name', exact: true }).fill(ALICE);
    await button(alice, 'Join').click();
  }
  await phoneReady(alice, ALICE);
  await openView(alice, `#/chat/${encodeURIComponent(BOB)}`);
  const after = alice.getByRole('list', { name: 'Messages' });
  await expect(after).toContainText(hello, { timeout: 10_000 });
  await expect(after).toContainText(reply);
  await openView(alice, '#/contacts');
  await expect(alice.getByRole('list', { name: 'Contact list' }).getByRole('listitem')).toHaveCount(2);

  // Edit and delete a contact.
  await button(alice, 'Edit Nobody').click();
  const editName = alice.getByRole('form', { name: 'Edit Nobody' }).getByRole('textbox', { name: 'Contact name', exact: true });
  await expect(editName).toBeFocused();
  await editName.fill('Nobody Home');
  await editName.press('Enter');
  await expect(alice.locator('[data-testid="contact"]', { hasText: 'Nobody Home' })).toHaveCount(1);
  await button(alice, 'Delete Nobody Home').click();
  await expect(alice.getByRole('list', { name: 'Contact list' }).getByRole('listitem')).toHaveCount(1);

  await alice.context().close();
  await bob.context().close();
});
