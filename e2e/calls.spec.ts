/**
 * Calls by AoR between browsers (issue 6, "What it must show" 1) through the issue-7 call screens,
 * over the real overlay of `chordphone serve --peers 20` (playwright.config.ts), with Chromium's
 * fake audio and video devices. Alice and Bob (two browser contexts) join under their own user
 * names through the first run ("User name", "Join"). A text (SIP MESSAGE) from Alice's Chat view
 * reaches Bob's. Bob open in two tabs (two devices: two Node-IDs of bob's certificate) rings in
 * both; one answers and the other stops ringing. During the call: inbound RTP audio grows on both
 * sides (getStats through window.chordphone.inboundAudioBytes), the timer advances, Mute toggles,
 * Hold stops the held side's inbound audio and Resume brings it back, the keypad sends DTMF (by
 * click and by keyboard) that Bob receives (SIP INFO), the details panel shows RTT, loss, codec and
 * bytes, the level meters move, and video turned on mid-call reaches Bob (videoWidth > 0) and goes
 * away when turned off. Alice hangs up and both calls end. Calling an AoR nobody registered says it
 * is not online; declined on both devices, Alice reads that Bob declined; a video call answered
 * with video shows video on both sides. `/?call=echo` joins as a guest and calls the server's echo
 * peer in one click, audio comes back and the keypad sends to it. A second call during a call, the
 * tab hidden, shows a system notification (closed when the tab is seen) and both calls; answering
 * it puts the first on hold, and Resume swaps back. A blocked microphone is said as
 * such, with how to allow it. Screenshots: the incoming call and the call in progress (keypad and details open), at phone
 * and desktop sizes.
 *
 * Names carry a per-run suffix: open enrollment keeps each name for the key that took it, and the
 * server's data (tmp/e2e-data-PORT) outlives a run while the browser contexts do not.
 */
import { expect, test, type Page } from './overlay-log.js';
import { button, callIn, DESKTOP, figure, inboundAudioBytes, joinAs, newPage, openView, overlaySnapshot, phoneReady, runSuffix, shoot } from './phone-steps.js';

const run = runSuffix();
const ALICE = `alice-${run}`;
const BOB = `bob-${run}`;

/** Inbound audio bytes now and `ms` later. */
async function growthOver(page: Page, callId: string, ms = 3_000): Promise<[number, number]> {
  // Media may take a moment after "connected" (ICE, DTLS): wait for the first bytes, then measure.
  await expect.poll(() => inboundAudioBytes(page, callId), { timeout: 10_000 }).toBeGreaterThan(0);
  const before = await inboundAudioBytes(page, callId);
  await page.waitForTimeout(ms);
  return [before, await inboundAudioBytes(page, callId)];
}

/** The remote video's frame width (0 until frames are decoded). */
function remoteVideoWidth(page: Page): Promise<number> {
  return page
    .getByTestId('remote-video')
    .evaluate((v: HTMLVideoElement) => v.videoWidth)
    .catch(() => 0);
}

test.describe.configure({ timeout: 240_000 });

test('Alice calls Bob by AoR: a MESSAGE; both of Bob\'s tabs ring, one answers; audio, timer, mute, hold, DTMF, details, meters, video; hang up; not online; declined; a video call', async ({ browser }, testInfo) => {
  const alice = await newPage(browser, { viewport: DESKTOP });
  const bob = await newPage(browser, { viewport: DESKTOP });
  const [aliceAor, bobAor] = await Promise.all([joinAs(alice, ALICE), joinAs(bob, BOB)]);
  const domain = bobAor.slice(bobAor.indexOf('@') + 1);
  expect(aliceAor).toBe(`${ALICE}@${domain}`);

  // A text (SIP MESSAGE, RFC 3428) by user@domain, from Alice's thread with Bob to Bob's with Alice.
  const text = `hello Bob ${run}`;
  await openView(alice, `#/chat/${encodeURIComponent(`${BOB}@${domain}`)}`);
  await openView(bob, `#/chat/${encodeURIComponent(ALICE)}`);
  await alice.getByRole('textbox', { name: 'Message', exact: true }).fill(text);
  await button(alice, 'Send message').click();
  await expect(bob.getByTestId('messages')).toContainText(text, { timeout: 10_000 });
  await expect(bob.getByRole('list', { name: 'Messages' })).toContainText(text);
  await openView(alice, '#/phone');
  await openView(bob, '#/phone');

  // Bob in a second tab of the same browser: a second device of bob (its own Node-ID of bob's certificate).
  const bob2 = await bob.context().newPage();
  await bob2.goto('/');
  await phoneReady(bob2);
  await expect(bob2.getByTestId('phone-aor')).toHaveText(bobAor);
  const nodeIds = await Promise.all([bob, bob2].map(async (p) => (await overlaySnapshot(p)).nodeId));
  expect(nodeIds[0]).toMatch(/^[0-9a-f]{32}$/);
  expect(nodeIds[1]).toMatch(/^[0-9a-f]{32}$/);
  expect(nodeIds[0]).not.toBe(nodeIds[1]);

  // By AoR with the sip: scheme (RFC 7904 §4: lookup, AppAttach, INVITE), forked to both devices.
  await alice.getByRole('textbox', { name: 'Call address' }).fill(`sip:${BOB}@${domain}`);
  // Typed, the lookup has started (the dialer prepares after a 250 ms pause).
  await alice.waitForTimeout(400);
  const clicked = Date.now();
  await button(alice, 'Call').click();
  const [bobCall] = await Promise.all([callIn(bob, 'incoming'), callIn(bob2, 'incoming')]);
  figure(testInfo, 'click on Call → ringing at both of the callee\'s tabs', `${Date.now() - clicked} ms`);
  await expect(bob.getByTestId('call')).toContainText(`${ALICE} is calling you.`);
  await expect(bob.getByTestId('call')).toContainText(`sip:${ALICE}@${domain}`);
  await expect(button(bob2, 'Answer')).toBeVisible();
  await expect(button(bob2, 'Decline')).toBeVisible();
  await expect(alice.locator('[data-testid="call"][data-state="ringing"]')).toHaveCount(1, { timeout: 10_000 });
  await shoot(bob, 'incoming-call');
  await button(bob, 'Answer').click();
  const aliceCall = await callIn(alice, 'connected');
  await callIn(bob, 'connected');
  // The other tab stops ringing (CANCEL: answered elsewhere).
  await expect(bob2.getByTestId('call')).toHaveCount(0, { timeout: 10_000 });
  await expect(button(alice, 'Mute')).toBeVisible();
  await expect(button(bob, 'Hang up')).toBeVisible();

  const [[a0, a1], [b0, b1]] = await Promise.all([growthOver(alice, aliceCall), growthOver(bob, bobCall)]);
  figure(testInfo, 'inbound RTP audio bytes over 3 s', `Alice ${a0} → ${a1}, Bob ${b0} → ${b1}`);
  expect(a1).toBeGreaterThan(a0);
  expect(b1).toBeGreaterThan(b0);

  // The timer counts mm:ss from "connected".
  const timer = alice.getByTestId('call-timer');
  const t0 = (await timer.textContent()) ?? '';
  expect(t0).toMatch(/^\d\d:\d\d$/);
  await expect(timer).not.toHaveText(t0, { timeout: 3_000 });
  expect(((await timer.textContent()) ?? '') > t0).toBe(true);

  // Mute is a toggle button.
  await button(bob, 'Mute').click();
  await expect(button(bob, 'Mute')).toHaveAttribute('aria-pressed', 'true');
  await expect(bob.getByTestId('call')).toContainText('(muted)');
  await button(bob, 'Mute').click();
  await expect(button(bob, 'Mute')).toHaveAttribute('aria-pressed', 'false');

  // Hold (a re-INVITE, a=sendonly): Bob stops sending, so Alice's inbound audio stops growing; Resume brings it back.
  await button(alice, 'Hold').click();
  await expect(button(alice, 'Resume')).toBeVisible();
  await expect(bob.getByTestId('call')).toContainText(`${ALICE} put the call on hold.`, { timeout: 10_000 });
  await alice.waitForTimeout(1_000);
  const [h0, h1] = await growthOver(alice, aliceCall, 2_000);
  figure(testInfo, 'Alice\'s inbound RTP audio bytes over 2 s on hold', `${h0} → ${h1}`);
  expect(h1 - h0).toBeLessThan(300);
  await button(alice, 'Resume').click();
  await expect(button(alice, 'Hold')).toBeVisible();
  await expect.poll(() => inboundAudioBytes(alice, aliceCall), { timeout: 10_000 }).toBeGreaterThan(h1 + 1_000);
  await expect(bob.getByTestId('call')).not.toContainText('put the call on hold', { timeout: 10_000 });

  // The keypad: DTMF by click and, focus inside it, by keyboard; Bob receives the tones (SIP INFO).
  await button(alice, 'Keypad').click();
  await expect(button(alice, 'Keypad')).toHaveAttribute('aria-expanded', 'true');
  await button(alice, '1').click();
  await button(alice, '#').focus();
  await alice.keyboard.press('Enter');
  await alice.keyboard.press('5');
  await expect(alice.getByTestId('dtmf-sent')).toHaveText('Sent: 1#5');
  await expect(bob.getByTestId('dtmf-received')).toHaveText('Keys received: 1#5', { timeout: 10_000 });

  // Call details: RTT, loss, jitter, codec and bytes, as numbers, refreshed while open.
  await button(alice, 'Call details').click();
  const details = alice.getByTestId('call-details');
  await expect(details).toContainText(/Round-trip time\s*\d+ ms/, { timeout: 10_000 });
  await expect(details).toContainText(/Packet loss, received audio\s*\d+\.\d %/);
  await expect(details).toContainText(/Jitter, received audio\s*\d+ ms/);
  await expect(details).toContainText(/Audio codec\s*opus/i);
  const received = async () => (await details.locator('.call-details-row', { hasText: 'Audio received' }).locator('dd').textContent()) ?? '';
  const r0 = await received();
  expect(r0).toMatch(/^\d+(\.\d)? (B|KB|MB)$/);
  await expect.poll(received, { timeout: 5_000 }).not.toBe(r0);
  figure(testInfo, 'call details at Alice', ((await details.textContent()) ?? '').replace(/\s+/g, ' '));

  // Level meters: a meter per side with a value; Bob's fake microphone beeps, so Alice's meter of Bob moves.
  const meter = alice.getByRole('meter', { name: `${BOB}'s level` });
  await expect(alice.getByRole('meter', { name: 'Your microphone level' })).toHaveAttribute('aria-valuenow', /^\d+$/);
  await expect.poll(async () => Number(await meter.getAttribute('aria-valuenow')), { timeout: 10_000, intervals: [100] }).toBeGreaterThan(0);

  // Devices: microphone and camera lists (the fake devices), the speaker where setSinkId exists.
  await button(alice, 'Devices').click();
  const mic = alice.getByRole('combobox', { name: 'Microphone' });
  await expect(mic).toBeEnabled();
  await expect.poll(() => mic.locator('option').count()).toBeGreaterThan(1);
  // Another microphone (Chromium's fake devices): replaceTrack, and Bob keeps hearing Alice.
  const current = await mic.inputValue();
  const values = await mic.locator('option').evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value));
  const another = values.find((v) => v !== '' && v !== current && v !== 'default')!;
  await mic.selectOption(another);
  await expect(alice.getByRole('status').filter({ hasText: 'Microphone switched.' })).toBeVisible({ timeout: 10_000 });
  const m0 = await inboundAudioBytes(bob, bobCall);
  await expect.poll(() => inboundAudioBytes(bob, bobCall), { timeout: 5_000 }).toBeGreaterThan(m0 + 1_000);
  await expect(alice.getByRole('combobox', { name: 'Speaker' })).toBeEnabled();
  await button(alice, 'Devices').click();
  await shoot(alice, 'in-call');

  // Video on mid-call (a re-INVITE adding m=video, Chromium's fake camera): Bob sees frames; off again, gone.
  await button(alice, 'Video').click();
  await expect(button(alice, 'Video').and(alice.locator('[aria-pressed="true"]')).or(alice.getByTestId('call-error'))).toBeVisible({ timeout: 10_000 });
  await expect(alice.getByTestId('call-error')).toHaveCount(0);
  await expect(button(alice, 'Video')).toHaveAttribute('aria-pressed', 'true');
  await expect(alice.getByTestId('local-video')).toBeVisible();
  await expect.poll(() => remoteVideoWidth(bob), { timeout: 15_000 }).toBeGreaterThan(0);
  figure(testInfo, 'Alice\'s video at Bob', `${await remoteVideoWidth(bob)} px wide`);
  await expect(details).toContainText('Video codec', { timeout: 5_000 });
  await button(alice, 'Video').click();
  await expect(button(alice, 'Video')).toHaveAttribute('aria-pressed', 'false', { timeout: 10_000 });
  await expect(alice.getByTestId('local-video')).toHaveCount(0);
  await expect(bob.getByTestId('remote-video')).toHaveCount(0, { timeout: 15_000 });
  expect(await alice.locator('[data-testid="call"]').getAttribute('data-state')).toBe('connected');

  await button(alice, 'Hang up').click();
  await expect(alice.getByTestId('call-outcome')).toHaveAttribute('data-state', 'ended', { timeout: 10_000 });
  await expect(bob.getByTestId('call-outcome')).toHaveAttribute('data-state', 'ended', { timeout: 10_000 });
  await expect(alice.getByTestId('call')).toHaveCount(0);
  await expect(bob.getByTestId('call')).toHaveCount(0);

  // An AoR nobody registered: "… is not online." (issue 6: within 2 s).
  const nobody = `nobody-${run}`;
  await alice.getByRole('textbox', { name: 'Call address' }).fill(nobody);
  const asked = Date.now();
  await button(alice, 'Call').click();
  await expect(alice.getByTestId('call-outcome')).toHaveText(`${nobody} is not online.`, { timeout: 10_000 });
  figure(testInfo, 'click on Call → "not online"', `${Date.now() - asked} ms`);

  // Declined on both devices: "… declined the call."
  await alice.getByRole('textbox', { name: 'Call address' }).fill(BOB);
  await button(alice, 'Call').click();
  await Promise.all([callIn(bob, 'incoming'), callIn(bob2, 'incoming')]);
  for (const tab of [bob, bob2]) {
    const decline = button(tab, 'Decline');
    // A 6xx from one device may already have cancelled the other's ringing (RFC 3261 §16.7).
    if ((await decline.count()) > 0) await decline.click().catch(() => {});
  }
  await expect(alice.getByTestId('call-outcome')).toHaveText(`${BOB} declined the call.`, { timeout: 10_000 });
  await expect(bob.getByTestId('call')).toHaveCount(0);
  await expect(bob2.getByTestId('call')).toHaveCount(0, { timeout: 10_000 });

  // A video call ("Video call", "Answer with video"): video both ways.
  await alice.getByRole('checkbox', { name: 'Video call' }).check();
  await button(alice, 'Call').click();
  await Promise.all([callIn(bob, 'incoming'), callIn(bob2, 'incoming')]);
  await button(bob, 'Answer with video').click();
  await Promise.all([callIn(alice, 'connected'), callIn(bob, 'connected')]);
  await expect.poll(() => remoteVideoWidth(bob), { timeout: 15_000 }).toBeGreaterThan(0);
  await expect.poll(() => remoteVideoWidth(alice), { timeout: 15_000 }).toBeGreaterThan(0);
  await expect(button(alice, 'Video')).toHaveAttribute('aria-pressed', 'true');
  await button(bob, 'Hang up').click();
  await expect(alice.getByTestId('call-outcome')).toHaveAttribute('data-state', 'ended', { timeout: 10_000 });
  await alice.getByRole('checkbox', { name: 'Video call' }).uncheck();

  // A malformed address: what is wrong with it, in words (as typed, and as an alert on Call).
  await alice.getByRole('textbox', { name: 'Call address' }).fill('tel:12345');
  await expect(alice.getByRole('textbox', { name: 'Call address' })).toHaveAttribute('aria-invalid', 'true');
  await expect(alice.getByRole('textbox', { name: 'Call address' })).toHaveAccessibleDescription(/cannot be called here/);
  await button(alice, 'Call').click();
  await expect(alice.getByTestId('phone-error')).toContainText('cannot be called here');

  await alice.context().close();
  await bob.context().close();
});

test('/?call=echo joins and calls the echo peer in one click; its audio comes back', async ({ browser }, testInfo) => {
  const page = await newPage(browser);
  await page.goto('/?call=echo');
  await phoneReady(page);
  // The server starts its echo peer beside the others: until it has registered, "echo is not online".
  let clicked = Date.now();
  await expect(async () => {
    clicked = Date.now();
    await button(page, 'Call echo').click();
    await expect(page.locator('[data-testid="call"][data-state="connected"]')).toHaveCount(1, { timeout: 5_000 });
  }).toPass({ timeout: 30_000, intervals: [1_000] });
  const id = await callIn(page, 'connected');
  figure(testInfo, 'click on "Call echo" → connected', `${Date.now() - clicked} ms`);
  const [before, after] = await growthOver(page, id);
  figure(testInfo, 'inbound RTP audio bytes from the echo peer over 3 s', `${before} → ${after}`);
  expect(after).toBeGreaterThan(before);
  // The echo peer takes DTMF too (SIP INFO answered 200): the keypad sends without an error.
  await button(page, 'Keypad').click();
  await button(page, '7').click();
  await expect(page.getByTestId('dtmf-sent')).toHaveText('Sent: 7');
  await page.waitForTimeout(1_000);
  await expect(page.locator('[data-testid="call"] [role="alert"]')).toHaveCount(0);
  await button(page, 'Hang up').click();
  await expect(page.getByTestId('call-outcome')).toHaveAttribute('data-state', 'ended', { timeout: 10_000 });
  await page.context().close();
});

test('a second call during a call, the tab in the background: a notification; both shown, answering it puts the first on hold; Resume swaps back', async ({ browser }) => {
  const carolContext = await browser.newContext({ viewport: DESKTOP });
  // Notifications allowed, and every one the page shows recorded (title, closed).
  await carolContext.grantPermissions(['notifications']);
  await carolContext.addInitScript(() => {
    const Real = window.Notification;
    const notes: { title: string; closed: boolean }[] = [];
    (globalThis as unknown as { __notes: typeof notes }).__notes = notes;
    class Recording extends Real {
      constructor(title: string, options?: NotificationOptions) {
        super(title, options);
        const note = { title, closed: false };
        notes.push(note);
        const close = this.close.bind(this);
        this.close = () => ((note.closed = true), close());
      }
    }
    window.Notification = Recording as typeof Notification;
  });
  const carol = await carolContext.newPage();
  const CAROL = `carol-${run}`;
  await joinAs(carol, CAROL);
  // Allowed already: the dialer does not offer to turn notifications on.
  await expect(button(carol, 'Turn on call notifications')).toHaveCount(0);
  // Carol talks to the echo peer (until it has registered: "echo is not online").
  await carol.getByRole('textbox', { name: 'Call address' }).fill('echo');
  await expect(async () => {
    await button(carol, 'Call').click();
    await expect(carol.locator('[data-testid="call"][data-state="connected"]')).toHaveCount(1, { timeout: 5_000 });
  }).toPass({ timeout: 30_000, intervals: [1_000] });
  const echoCall = await callIn(carol, 'connected');

  // A guest opens Carol's Share link and calls her in one click, while Carol's tab is in the background.
  const guest = await newPage(browser);
  await guest.goto(`/?call=${CAROL}`);
  await phoneReady(guest);
  const setVisibility = (state: 'hidden' | 'visible') =>
    carol.evaluate((v) => {
      Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => v });
      document.dispatchEvent(new Event('visibilitychange'));
    }, state);
  const notes = () => carol.evaluate(() => (globalThis as unknown as { __notes: { title: string; closed: boolean }[] }).__notes);
  await setVisibility('hidden');
  await button(guest, `Call ${CAROL}`).click();
  // Ringing at Carol, or (so a failure says why) the guest's outcome.
  const failure = await Promise.race([
    carol.locator('[data-testid="call"][data-state="incoming"]').waitFor({ timeout: 20_000 }).then(() => undefined),
    guest.getByTestId('call-outcome').waitFor({ timeout: 20_000 }).then(() => guest.getByTestId('call-outcome').textContent()),
  ]);
  expect(failure).toBeUndefined();
  const second = await callIn(carol, 'incoming');
  // The system notification while hidden; seen again, the tab closes it.
  await expect.poll(notes, { timeout: 5_000 }).toEqual([{ title: expect.stringMatching(/ is calling$/), closed: false }]);
  await setVisibility('visible');
  await expect.poll(notes, { timeout: 5_000 }).toEqual([{ title: expect.stringMatching(/ is calling$/), closed: true }]);
  await expect(carol.getByTestId('call')).toHaveCount(2);
  await expect(carol.getByText('Answering puts your call with echo on hold.')).toBeVisible();
  await button(carol, 'Answer').click();
  const first = carol.locator(`[data-testid="call"][data-call-id="${echoCall}"]`);
  const other = carol.locator(`[data-testid="call"][data-call-id="${second}"]`);
  await expect(other).toHaveAttribute('data-state', 'connected', { timeout: 10_000 });
  await expect(first.getByRole('button', { name: 'Resume', exact: true })).toBeVisible();
  await expect(other.getByRole('button', { name: 'Hold', exact: true })).toBeVisible();
  await callIn(guest, 'connected');

  // Resume the first: the second goes on hold.
  await carol.waitForTimeout(500);
  await first.getByRole('button', { name: 'Resume', exact: true }).click();
  await expect(other.getByRole('button', { name: 'Resume', exact: true })).toBeVisible({ timeout: 10_000 });
  await expect(first.getByRole('button', { name: 'Hold', exact: true })).toBeVisible();
  await expect(guest.getByTestId('call')).toContainText(`${CAROL} put the call on hold.`, { timeout: 10_000 });

  await other.getByRole('button', { name: 'Hang up', exact: true }).click();
  await expect(guest.getByTestId('call-outcome')).toHaveAttribute('data-state', 'ended', { timeout: 10_000 });
  await first.getByRole('button', { name: 'Hang up', exact: true }).click();
  await expect(carol.getByTestId('call')).toHaveCount(0, { timeout: 10_000 });
  await carolContext.close();
  await guest.context().close();
});

test('a blocked microphone is said as such, with how to allow it', async ({ browser }) => {
  const context = await browser.newContext();
  // What Chromium does when the person (or a site setting) blocks the microphone.
  await context.addInitScript(() => {
    navigator.mediaDevices.getUserMedia = () => Promise.reject(new DOMException('Permission denied', 'NotAllowedError'));
  });
  const page = await context.newPage();
  await page.goto('/?call=echo');
  await phoneReady(page);
  await button(page, 'Call echo').click();
  await expect(page.getByTestId('phone-error')).toContainText('The microphone is blocked. Allow it for this site');
  await expect(page.getByTestId('call')).toHaveCount(0);
  await context.close();
});
