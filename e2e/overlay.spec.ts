/**
 * Issue 5, "What it must show" 1 and 2: the server with 20 headless Node peers (playwright.config.ts
 * starts `chordphone serve --peers 20`) and two browser contexts A and B. Both join; A stores a
 * value and B fetches it; B attaches to A and both link tables then hold a WebRTC data-channel
 * link to the other (read from the status API, not assumed); A's capture decodes in tshark with
 * no malformed packet and shows Join, Update, Attach, Store and Fetch; closing A is noticed by B
 * within 5 s and A's value stays fetchable from the replicas; reloading B keeps its Node-ID and
 * its records.
 */
import { expect, test, type Page } from './overlay-log.js';
import type { OverlaySnapshot } from '../src/app/overlay/overlay.js';
import { figure, overlaySnapshot } from './phone-steps.js';
import { tsharkDecode } from './tshark.js';

const JOIN_TIMEOUT_MS = 20_000;

async function joined(page: Page): Promise<OverlaySnapshot> {
  await expect(page.getByRole('status')).toHaveAttribute('data-phase', 'joined', { timeout: JOIN_TIMEOUT_MS });
  return overlaySnapshot(page);
}

/** Runs one action of the status view and returns its outcome line (numbered: a repeat still counts). */
async function act(page: Page, button: string): Promise<string> {
  const result = page.getByTestId('note-result');
  const before = Number((await result.count()) > 0 ? await result.getAttribute('data-seq') : 0);
  await page.getByRole('button', { name: button }).click();
  await expect(result).toHaveAttribute('data-seq', String(before + 1), { timeout: 15_000 });
  return (await result.textContent()) ?? '';
}

async function fetchNote(page: Page, userName: string): Promise<string> {
  await page.getByLabel('Someone’s user name').fill(userName);
  return act(page, 'Fetch note');
}

async function storeNote(page: Page, text: string): Promise<string> {
  await page.getByLabel('Your note').fill(text);
  return act(page, 'Store note');
}

test.describe.configure({ timeout: 120_000 });

test('two browsers and 20 Node peers: join, store and fetch, Attach over a data channel, failure, reload', async ({ browser }, testInfo) => {
  const contextA = await browser.newContext();
  const contextB = await browser.newContext();
  const a = await contextA.newPage();
  const b = await contextB.newPage();
  // The status view is the Overlay view of the app (#/overlay).
  await Promise.all([a.goto('/#/overlay'), b.goto('/#/overlay')]);
  const [sa, sb] = await Promise.all([joined(a), joined(b)]);
  figure(testInfo, 'join (first visit: key, enrollment, join)', `A ${sa.joinMs} ms, B ${sb.joinMs} ms`);
  expect(sa.nodeId).toMatch(/^[0-9a-f]{32}$/);
  expect(sb.nodeId).toMatch(/^[0-9a-f]{32}$/);
  expect(sa.nodeId).not.toBe(sb.nodeId);
  expect(sa.userName).toMatch(/^guest-[0-9a-f]{6}@/);
  // Each tab is linked into the ring: a WebSocket to the server's peer at least, and neighbours.
  expect(sa.links.length).toBeGreaterThan(0);
  expect(sa.successors.length).toBeGreaterThan(0);
  expect(sa.predecessors.length).toBeGreaterThan(0);
  await expect(a.getByTestId('node-id')).toHaveText(sa.nodeId!);

  // A stores, B fetches (RFC 6940 §7.4.1, §7.4.2) through the overlay.
  const note = `hello from A ${Date.now()}`;
  expect(await storeNote(a, note)).toContain('Stored your note');
  expect(await fetchNote(b, sa.userName!)).toContain(note);
  expect(await fetchNote(a, sa.userName!)).toContain(note);

  // B attaches to A (§6.5.1): both link tables hold a data-channel link to the other.
  await b.getByLabel('Node-ID to link to').fill(sa.nodeId!);
  expect(await act(b, 'Attach')).toContain('Linked directly');
  await expect.poll(async () => (await overlaySnapshot(b)).links.find((l) => l.nodeId === sa.nodeId)?.transport, { timeout: 10_000 }).toBe('webrtc');
  await expect.poll(async () => (await overlaySnapshot(a)).links.find((l) => l.nodeId === sb.nodeId)?.transport, { timeout: 10_000 }).toBe('webrtc');
  await expect(b.getByRole('table', { name: 'Link table' }).locator(`tr[data-node-id="${sa.nodeId}"]`)).toHaveAttribute('data-transport', 'webrtc');

  // A's capture ("Download capture") decodes in tshark and shows Join, Update, Attach, Store, Fetch.
  const downloading = a.waitForEvent('download');
  await a.getByRole('button', { name: 'Download capture' }).click();
  const file = testInfo.outputPath('tab-a.pcap');
  await (await downloading).saveAs(file);
  const seen = tsharkDecode(file);
  expect(seen.malformed).toEqual([]);
  for (const [name, code] of [['join_req', 0x0f], ['update_req', 0x13], ['attach_req', 0x03], ['store_req', 0x07], ['fetch_req', 0x09]] as const) {
    expect(seen.codes.has(code), `${name} in A's capture`).toBe(true);
  }

  // B stores a note of its own, for the reload check below.
  const noteB = `B was here ${Date.now()}`;
  expect(await storeNote(b, noteB)).toContain('Stored your note');

  // Closing A: B notices within 5 s (its link to A leaves the table) and routes around it;
  // A's value stays fetchable from the replicas (§10.4).
  const closedAt = Date.now();
  await contextA.close();
  await expect.poll(async () => (await overlaySnapshot(b)).links.some((l) => l.nodeId === sa.nodeId), { timeout: 5_000, intervals: [100] }).toBe(false);
  figure(testInfo, 'A closed → gone from B’s link table', `${Date.now() - closedAt} ms`);
  expect(await fetchNote(b, sa.userName!)).toContain(note);

  // Reloading B keeps its Node-ID (stored identity, no new enrollment) and its records.
  await b.reload();
  const again = await joined(b);
  expect(again.nodeId).toBe(sb.nodeId);
  expect(again.reusedIdentity).toBe(true);
  figure(testInfo, 'join (reload: stored identity)', `${again.joinMs} ms`);
  expect(await fetchNote(b, sb.userName!)).toContain(noteB);
  expect(await fetchNote(b, sa.userName!)).toContain(note);
  await contextB.close();
});

test('the server’s capture of the run (--pcap) decodes in tshark with no malformed packet', async () => {
  // playwright.config.ts runs the server with --pcap tmp/e2e-server-PORT.pcap; it rewrites the file every 2 s.
  const file = `tmp/e2e-server-${process.env.E2E_PORT ?? 4173}.pcap`;
  await expect.poll(() => tsharkDecode(file).codes.has(0x09), { timeout: 10_000 }).toBe(true);
  const seen = tsharkDecode(file);
  expect(seen.packets).toBeGreaterThan(100);
  expect(seen.malformed).toEqual([]);
  for (const code of [0x0f, 0x13, 0x03, 0x07, 0x09]) expect(seen.codes.has(code)).toBe(true);
});
