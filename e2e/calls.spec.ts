/**
 * Issue 6, "What it must show" 1: calls by AoR between browsers, over the real overlay of
 * `chordphone serve --peers 20` (playwright.config.ts), with Chromium's fake audio device. Alice
 * and Bob (two browser contexts) join under their own user names through the call screen ("User
 * name", "Join"); Alice calls Bob by AoR, Bob answers, and on both sides the inbound RTP audio
 * byte counters (getStats, through window.chordphone.inboundAudioBytes) grow over 3 s; Alice hangs
 * up and both calls end. A text (SIP MESSAGE) from Alice reaches Bob. Calling an AoR nobody
 * registered says it is not online. Bob open in two tabs (two devices: two Node-IDs of bob's
 * certificate) rings in both; one answers and the other stops ringing; declined on both, Alice
 * reads that Bob declined. `/?call=echo` joins as a guest and calls the server's echo peer in one
 * click, and audio comes back. A blocked microphone is said as such, with how to allow it.
 *
 * Names carry a per-run suffix: open enrollment keeps each name for the key that took it, and the
 * server's data (tmp/e2e-data-PORT) outlives a run while the browser contexts do not.
 */
import { randomBytes } from 'node:crypto';
import { expect, test, type Page, type TestInfo } from '@playwright/test';

const READY_TIMEOUT_MS = 40_000;
const run = randomBytes(3).toString('hex');
const ALICE = `alice-${run}`;
const BOB = `bob-${run}`;

type DebugWindow = { chordphone: { inboundAudioBytes(id: string): Promise<number> } };

/** A figure of the run: in the report's annotations and on the console. */
function figure(testInfo: TestInfo, what: string, value: string): void {
  testInfo.annotations.push({ type: what, description: value });
  console.log(`${what}: ${value}`);
}

/** Waits for the phone to be registered; returns the full user name it shows. */
async function phoneReady(page: Page): Promise<string> {
  await expect(page.getByTestId('phone-status')).toHaveAttribute('data-phase', 'ready', { timeout: READY_TIMEOUT_MS });
  return (await page.getByTestId('phone-aor').textContent()) ?? '';
}

async function joinAs(page: Page, name: string): Promise<string> {
  await page.goto('/');
  await page.getByRole('textbox', { name: 'User name', exact: true }).fill(name);
  await page.getByRole('button', { name: 'Join', exact: true }).click();
  const aor = await phoneReady(page);
  expect(aor).toMatch(new RegExp(`^${name}@`));
  return aor;
}

/** The one call on the page that is in `state`, and its id. */
async function callIn(page: Page, state: string, timeout = 20_000): Promise<string> {
  const call = page.locator(`[data-testid="call"][data-state="${state}"]`);
  await expect(call).toHaveCount(1, { timeout });
  return (await call.getAttribute('data-call-id'))!;
}

function inboundBytes(page: Page, callId: string): Promise<number> {
  return page.evaluate((id) => (globalThis as unknown as DebugWindow).chordphone.inboundAudioBytes(id), callId);
}

/** Inbound audio bytes now and 3 s later. */
async function growthOver3s(page: Page, callId: string): Promise<[number, number]> {
  // Media may take a moment after "connected" (ICE, DTLS): wait for the first bytes, then measure.
  await expect.poll(() => inboundBytes(page, callId), { timeout: 10_000 }).toBeGreaterThan(0);
  const before = await inboundBytes(page, callId);
  await page.waitForTimeout(3_000);
  return [before, await inboundBytes(page, callId)];
}

test.describe.configure({ timeout: 150_000 });

test('Alice calls Bob by AoR: a MESSAGE; both of Bob\'s tabs ring, one answers, audio both ways, hang up; not online; declined', async ({ browser }, testInfo) => {
  const alice = await (await browser.newContext()).newPage();
  const bob = await (await browser.newContext()).newPage();
  const [aliceAor, bobAor] = await Promise.all([joinAs(alice, ALICE), joinAs(bob, BOB)]);
  const domain = bobAor.slice(bobAor.indexOf('@') + 1);
  expect(aliceAor).toBe(`${ALICE}@${domain}`);

  // A text (SIP MESSAGE, RFC 3428) by user@domain.
  const text = `hello Bob ${run}`;
  await alice.getByRole('textbox', { name: 'Call address' }).fill(`${BOB}@${domain}`);
  await alice.getByRole('textbox', { name: 'Message', exact: true }).fill(text);
  await alice.getByRole('button', { name: 'Send message', exact: true }).click();
  await expect(bob.getByTestId('messages')).toContainText(`${ALICE}: ${text}`, { timeout: 10_000 });

  // Bob in a second tab of the same browser: a second device of bob (its own Node-ID of bob's certificate).
  const bob2 = await bob.context().newPage();
  await joinAs(bob2, BOB);
  const nodeIds = await Promise.all([bob, bob2].map((p) => p.evaluate(() => (globalThis as unknown as { chordphone: { overlay: { getSnapshot(): { nodeId?: string } } } }).chordphone.overlay.getSnapshot().nodeId)));
  expect(nodeIds[0]).toMatch(/^[0-9a-f]{32}$/);
  expect(nodeIds[1]).toMatch(/^[0-9a-f]{32}$/);
  expect(nodeIds[0]).not.toBe(nodeIds[1]);

  // By AoR with the sip: scheme (RFC 7904 §4: lookup, AppAttach, INVITE), forked to both devices.
  const clicked = Date.now();
  await alice.getByRole('textbox', { name: 'Call address' }).fill(`sip:${BOB}@${domain}`);
  await alice.getByRole('button', { name: 'Call', exact: true }).click();
  const [bobCall] = await Promise.all([callIn(bob, 'incoming'), callIn(bob2, 'incoming')]);
  figure(testInfo, 'click on Call → ringing at both of the callee\'s tabs', `${Date.now() - clicked} ms`);
  await expect(bob.getByTestId('call')).toContainText(`${ALICE} is calling you.`);
  await expect(bob2.getByRole('button', { name: 'Answer', exact: true })).toBeVisible();
  await expect(alice.locator('[data-testid="call"][data-state="ringing"]')).toHaveCount(1, { timeout: 10_000 });
  await bob.getByRole('button', { name: 'Answer', exact: true }).click();
  const aliceCall = await callIn(alice, 'connected');
  await callIn(bob, 'connected');
  // The other tab stops ringing (CANCEL: answered elsewhere).
  await expect(bob2.getByTestId('call')).toHaveCount(0, { timeout: 10_000 });
  await expect(alice.getByRole('button', { name: 'Mute', exact: true })).toBeVisible();
  await expect(bob.getByRole('button', { name: 'Hang up', exact: true })).toBeVisible();

  const [[a0, a1], [b0, b1]] = await Promise.all([growthOver3s(alice, aliceCall), growthOver3s(bob, bobCall)]);
  figure(testInfo, 'inbound RTP audio bytes over 3 s', `Alice ${a0} → ${a1}, Bob ${b0} → ${b1}`);
  expect(a1).toBeGreaterThan(a0);
  expect(b1).toBeGreaterThan(b0);

  await alice.getByRole('button', { name: 'Hang up', exact: true }).click();
  await expect(alice.getByTestId('call-outcome')).toHaveAttribute('data-state', 'ended', { timeout: 10_000 });
  await expect(bob.getByTestId('call-outcome')).toHaveAttribute('data-state', 'ended', { timeout: 10_000 });
  await expect(alice.getByTestId('call')).toHaveCount(0);
  await expect(bob.getByTestId('call')).toHaveCount(0);

  // An AoR nobody registered: "… is not online." (issue 6: within 2 s).
  const nobody = `nobody-${run}`;
  await alice.getByRole('textbox', { name: 'Call address' }).fill(nobody);
  const asked = Date.now();
  await alice.getByRole('button', { name: 'Call', exact: true }).click();
  await expect(alice.getByTestId('call-outcome')).toHaveText(`${nobody} is not online.`, { timeout: 10_000 });
  figure(testInfo, 'click on Call → "not online"', `${Date.now() - asked} ms`);

  // Declined on both devices: "… declined the call."
  await alice.getByRole('textbox', { name: 'Call address' }).fill(BOB);
  await alice.getByRole('button', { name: 'Call', exact: true }).click();
  await Promise.all([callIn(bob, 'incoming'), callIn(bob2, 'incoming')]);
  for (const tab of [bob, bob2]) {
    const decline = tab.getByRole('button', { name: 'Decline', exact: true });
    // A 6xx from one device may already have cancelled the other's ringing (RFC 3261 §16.7).
    if ((await decline.count()) > 0) await decline.click().catch(() => {});
  }
  await expect(alice.getByTestId('call-outcome')).toHaveText(`${BOB} declined the call.`, { timeout: 10_000 });
  await expect(bob.getByTestId('call')).toHaveCount(0);
  await expect(bob2.getByTestId('call')).toHaveCount(0, { timeout: 10_000 });

  // A malformed address: what is wrong with it, in words.
  await alice.getByRole('textbox', { name: 'Call address' }).fill('tel:12345');
  await alice.getByRole('button', { name: 'Call', exact: true }).click();
  await expect(alice.getByTestId('phone-error')).toContainText('cannot be called here');

  await alice.context().close();
  await bob.context().close();
});

test('/?call=echo joins and calls the echo peer in one click; its audio comes back', async ({ browser }, testInfo) => {
  const page = await (await browser.newContext()).newPage();
  await page.goto('/?call=echo');
  await phoneReady(page);
  // The server starts its echo peer beside the others: until it has registered, "echo is not online".
  let clicked = Date.now();
  await expect(async () => {
    clicked = Date.now();
    await page.getByRole('button', { name: 'Call echo', exact: true }).click();
    await expect(page.locator('[data-testid="call"][data-state="connected"]')).toHaveCount(1, { timeout: 5_000 });
  }).toPass({ timeout: 30_000, intervals: [1_000] });
  const id = await callIn(page, 'connected');
  figure(testInfo, 'click on "Call echo" → connected', `${Date.now() - clicked} ms`);
  const [before, after] = await growthOver3s(page, id);
  figure(testInfo, 'inbound RTP audio bytes from the echo peer over 3 s', `${before} → ${after}`);
  expect(after).toBeGreaterThan(before);
  await page.getByRole('button', { name: 'Hang up', exact: true }).click();
  await expect(page.getByTestId('call-outcome')).toHaveAttribute('data-state', 'ended', { timeout: 10_000 });
  await page.context().close();
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
  await page.getByRole('button', { name: 'Call echo', exact: true }).click();
  await expect(page.getByTestId('phone-error')).toContainText('The microphone is blocked. Allow it for this site');
  await expect(page.getByTestId('call')).toHaveCount(0);
  await context.close();
});
