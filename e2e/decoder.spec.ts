import { expect, test, type Page } from './overlay-log.js';
import { toHex } from '../src/reload/wire/codec/hex.js';
import { encodeFramedMessage } from '../src/reload/wire/framing.js';
import { UNFRAGMENTED } from '../src/reload/wire/forwarding-header.js';
import { PcapWriter } from '../src/reload/wire/pcap/index.js';
import { encodeReloadMessage, type ReloadMessage } from '../src/reload/wire/reload-message.js';

/** The decoder is a tool of the Overlay view. */
const OVERLAY_VIEW = '/#/overlay';

/**
 * Press Decode from the keyboard. The page goes on changing while the tab joins, and in one e2e run
 * the button moved between Playwright's check that it was still and its click (at the click its box
 * was ~120 px above where the textarea it follows had just been): the click landed elsewhere and
 * the form was never sent. Focus and Enter do not depend on where the button is (and are what a
 * keyboard user does).
 */
async function decode(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Decode' }).press('Enter');
}

const store: ReloadMessage = {
  forwardingHeader: {
    overlay: 0x5eed0001,
    configurationSequence: 3,
    version: 0x0a,
    ttl: 99,
    fragment: UNFRAGMENTED,
    length: 0,
    transactionId: 0xfeedfacecafebeefn,
    maxResponseLength: 0,
    viaList: [],
    destinationList: [{ kind: 'resource', resourceId: Uint8Array.from({ length: 16 }, (_, i) => i) }],
    options: [],
  },
  body: {
    name: 'find_req',
    value: { resource: Uint8Array.from({ length: 16 }, (_, i) => i), kinds: [1, 2] },
  },
  extensions: [],
  securityBlock: { certificates: [], signature: { algorithm: { hash: 4, signature: 1 }, identity: { identityType: 3 }, signatureValue: new Uint8Array() } },
};

test('the decoder panel decodes a pasted message in the page', async ({ page }) => {
  await page.goto(OVERLAY_VIEW);
  await page.getByLabel('Hex of a RELOAD message or framed message').fill(toHex(encodeReloadMessage(store)));
  await decode(page);
  const results = page.locator('.decoder-results');
  await expect(results).toContainText('1 payload: 1 decoded, 0 rejected');
  await expect(results).toContainText('find_req (transaction feedfacecafebeef)');
  await expect(results.locator('pre')).toContainText('"resource": "000102030405060708090a0b0c0d0e0f"');
});

test('a broken message shows the structure, field and byte where decoding stopped', async ({ page }) => {
  await page.goto(OVERLAY_VIEW);
  const hex = toHex(encodeReloadMessage(store));
  await page.getByLabel('Hex of a RELOAD message or framed message').fill(hex.slice(0, hex.length - 10));
  await decode(page);
  await expect(page.getByRole('alert')).toContainText(/ForwardingHeader\.length: .*\(at byte 16\)/);
  await page.getByLabel('Hex of a RELOAD message or framed message').fill('zz');
  await decode(page);
  await expect(page.getByRole('alert')).toContainText('neither a pcap file nor hex');
});

test('a pcap capture opened from disk decodes frame by frame', async ({ page }) => {
  await page.goto(OVERLAY_VIEW);
  const pcap = new PcapWriter()
    .addUdp({ timestampMs: 1, src: { ip: '192.0.2.1', port: 6084 }, dst: { ip: '192.0.2.2', port: 6084 }, payload: encodeFramedMessage({ kind: 'data', sequence: 0, message: encodeReloadMessage(store) }) })
    .addUdp({ timestampMs: 2, src: { ip: '192.0.2.2', port: 6084 }, dst: { ip: '192.0.2.1', port: 6084 }, payload: encodeFramedMessage({ kind: 'ack', ackSequence: 0, received: 0 }) })
    .toBytes();
  await page.getByLabel('or open a pcap capture').setInputFiles({ name: 'two.pcap', mimeType: 'application/vnd.tcpdump.pcap', buffer: Buffer.from(pcap) });
  const results = page.locator('.decoder-results');
  await expect(results).toContainText('2 payloads: 2 decoded, 0 rejected');
  await expect(results).toContainText('frame 1: find_req');
  await expect(results).toContainText('frame 2: framing ack');
});

test('decoded output stays inside the page at phone width', async ({ page }, testInfo) => {
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto(OVERLAY_VIEW);
  await page.getByLabel('Hex of a RELOAD message or framed message').fill(toHex(encodeReloadMessage(store)));
  await decode(page);
  await expect(page.locator('.decoder-results pre')).toBeVisible();
  const { scrollWidth, clientWidth } = await page.evaluate(() => ({ scrollWidth: document.documentElement.scrollWidth, clientWidth: document.documentElement.clientWidth }));
  expect(scrollWidth).toBeLessThanOrEqual(clientWidth);
  await page.screenshot({ path: testInfo.outputPath('decoder-390.png'), fullPage: true });
});
