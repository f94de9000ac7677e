/**
 * Issue 7 Settings against the real server (20 Node peers) in Chromium: a user joins, opens
 * Settings (screenshots at phone and desktop sizes), sets a STUN override and rejoins: the
 * RTCPeerConnections the overlay then makes for its links (Attach ICE) and the Phone's media
 * configuration use it; switches to client mode: the session joins again with the same user name,
 * and the overlay status (Overlay view and Settings) says client mode with the attached peer;
 * "Download capture" gives a pcap that tshark decodes with no malformed packet; "Clear identity and
 * data" deletes the user's key, and the page starts again at the first run.
 *
 * The user name carries a per-run suffix: the server's data (tmp/e2e-data-PORT) outlives the run.
 */
import { expect, test, type Page } from './overlay-log.js';
import { DESKTOP, figure, joinAs, overlaySnapshot, phoneReady, READY_TIMEOUT_MS, runSuffix, shoot } from './phone-steps.js';
import { tsharkDecode } from './tshark.js';

const NAME = `settings-${runSuffix()}`;
/** Loopback only: nothing answers there, which is fine, the test reads the configuration used. */
const MY_STUN = 'stun:127.0.0.1:3478';

type DebugWindow = {
  chordphone: { phone?: { init?: { rtcConfiguration?: RTCConfiguration } } };
  __iceServersUsed: string[][];
};

/** Records, in the page, the ICE server URLs of every RTCPeerConnection made (data channels and calls). */
async function recordPeerConnections(page: Page): Promise<void> {
  await page.addInitScript(() => {
    const used: string[][] = [];
    (globalThis as unknown as { __iceServersUsed: string[][] }).__iceServersUsed = used;
    const Original = globalThis.RTCPeerConnection;
    globalThis.RTCPeerConnection = class extends Original {
      constructor(config?: RTCConfiguration) {
        used.push((config?.iceServers ?? []).flatMap((s) => (Array.isArray(s.urls) ? s.urls : [s.urls])));
        super(config);
      }
    };
  });
}

/** The credential entries in the browser's key store (reload/security/idb-key-store.ts). */
function keyStoreEntries(page: Page): Promise<string[]> {
  return page.evaluate(
    () =>
      new Promise<string[]>((resolve, reject) => {
        const open = indexedDB.open('chordphone-identity');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const db = open.result;
          if (!db.objectStoreNames.contains('credentials')) {
            db.close();
            resolve([]);
            return;
          }
          const keys = db.transaction('credentials').objectStore('credentials').getAllKeys();
          keys.onsuccess = () => {
            db.close();
            resolve(keys.result.map(String));
          };
          keys.onerror = () => reject(keys.error);
        };
      }),
  );
}

test.describe.configure({ timeout: 180_000 });

test('settings: STUN override used, client mode by rejoining, capture decodes, clear identity back to the first run', async ({ browser }, testInfo) => {
  const context = await browser.newContext({ viewport: DESKTOP });
  const page = await context.newPage();
  await recordPeerConnections(page);
  const aor = await joinAs(page, NAME);
  expect(aor).toMatch(new RegExp(`^${NAME}@`));
  const domain = aor.slice(aor.indexOf('@') + 1);
  expect(await keyStoreEntries(page)).toContain(`${domain}.user.${NAME}`);

  // Settings: reachable from the main navigation; shows version, overlay, Node-ID and mode.
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Settings' }).click();
  await expect(page.getByRole('heading', { name: 'Settings', level: 2 })).toBeVisible();
  await expect(page.getByTestId('app-version')).toHaveText(/^\d+\.\d+\.\d+/);
  await expect(page.getByTestId('settings-overlay')).toHaveText(domain);
  await expect(page.getByTestId('settings-node-id')).toHaveText(/^[0-9a-f]{32}$/);
  await expect(page.getByTestId('settings-mode')).toHaveAttribute('data-mode', 'peer');
  await shoot(page, 'settings', { noSidewaysScroll: true });

  // A bad STUN address is refused in words, on the field, with the focus there.
  const stun = page.getByRole('textbox', { name: 'STUN servers' });
  await stun.fill('stun:not a host!');
  await page.getByRole('button', { name: 'Save servers' }).click();
  await expect(stun).toHaveAttribute('aria-invalid', 'true');
  await expect(stun).toHaveAccessibleDescription(/is not a STUN server address\. Write it as host:port or stun:host:port/);
  await expect(stun).toBeFocused();

  // The override: saved, then a rejoin; the overlay's new links and the Phone's calls use it.
  await stun.fill(MY_STUN);
  await page.getByRole('button', { name: 'Save servers' }).click();
  await expect(page.getByTestId('ice-in-use')).toHaveText(`In use: your servers, ${MY_STUN}`);
  const before = await page.evaluate(() => (globalThis as unknown as DebugWindow).__iceServersUsed.length);
  const nodeBefore = await page.getByTestId('settings-node-id').textContent();
  let t0 = Date.now();
  await page.getByRole('button', { name: 'Rejoin with these servers' }).click();
  await expect(page.getByTestId('ice-result')).toContainText('Joined again with these servers.', { timeout: READY_TIMEOUT_MS });
  figure(testInfo, 'rejoin with a STUN override (click → registered)', `${Date.now() - t0} ms`);
  await phoneReady(page);
  expect(await page.getByTestId('phone-aor').textContent()).toBe(aor);
  await expect(page.getByTestId('settings-node-id')).toHaveText(nodeBefore!);
  await expect
    .poll(async () => page.evaluate((n) => (globalThis as unknown as DebugWindow).__iceServersUsed.slice(n), before), { timeout: 20_000 })
    .toContainEqual([MY_STUN]);
  const media = await page.evaluate(() => (globalThis as unknown as DebugWindow).chordphone.phone?.init?.rtcConfiguration?.iceServers);
  expect(media).toEqual([{ urls: MY_STUN }]);

  // Client mode: the switch, its confirm, a rejoin with the same user name; the status says client, attached.
  const clientMode = page.getByRole('switch', { name: 'Client mode' });
  await expect(clientMode).not.toBeChecked();
  await expect(clientMode).toHaveAccessibleDescription(/routes and stores nothing for others/);
  await clientMode.focus();
  await page.keyboard.press('Space');
  await expect(clientMode).toBeChecked();
  t0 = Date.now();
  await page.getByRole('button', { name: 'Rejoin now' }).click();
  await expect(page.getByTestId('mode-result')).toHaveText('Joined again as a client.', { timeout: READY_TIMEOUT_MS });
  figure(testInfo, 'rejoin as a client (click → registered)', `${Date.now() - t0} ms`);
  await phoneReady(page);
  expect(await page.getByTestId('phone-aor').textContent()).toBe(aor);
  await expect(page.getByTestId('settings-mode')).toHaveAttribute('data-mode', 'client');
  await expect(page.getByTestId('settings-mode')).toHaveAttribute('data-attached-peer', /^[0-9a-f]{32}$/, { timeout: 10_000 });
  await expect(page.getByTestId('settings-mode')).toHaveText(/^Client, attached to peer [0-9a-f]{8}…$/);
  const snapshot = await overlaySnapshot(page);
  expect(snapshot.mode).toBe('client');
  expect(snapshot.attachedPeer).toMatch(/^[0-9a-f]{32}$/);
  // A client is in nobody's ring: it has no predecessors of its own.
  expect(snapshot.predecessors).toEqual([]);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Overlay' }).click();
  await expect(page.getByTestId('overlay-mode')).toHaveAttribute('data-mode', 'client');
  await expect(page.getByTestId('overlay-mode')).toHaveText(`Client, attached to peer ${snapshot.attachedPeer!.slice(0, 8)}…`);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Settings' }).click();

  // Download capture, from Settings: a pcap tshark decodes with no malformed packet.
  const downloading = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Download capture' }).click();
  const download = await downloading;
  expect(download.suggestedFilename()).toMatch(/^chordphone-[0-9a-f]{8}\.pcap$/);
  const file = testInfo.outputPath('settings-capture.pcap');
  await download.saveAs(file);
  const seen = tsharkDecode(file);
  expect(seen.packets).toBeGreaterThan(0);
  expect(seen.malformed).toEqual([]);
  // The client's Attach to its peer (§6.5.1) is in it.
  expect(seen.codes.has(0x03)).toBe(true);

  // Clear identity and data: a confirm that says what is lost, then the first run again, the key gone.
  const clearButton = page.getByRole('button', { name: 'Clear identity and data…' });
  const confirm = page.getByRole('group', { name: /Delete everything Chordphone keeps in this browser\?/ });
  // Escape backs out of the confirm, the focus back on the button that opened it.
  await clearButton.click();
  await expect(confirm).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(confirm).toHaveCount(0);
  await expect(clearButton).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(confirm).toContainText('the keys and certificates of every user name used in this browser');
  await expect(confirm).toContainText(aor);
  await expect(confirm).toContainText('your contacts, call history and chat messages');
  await expect(confirm.getByRole('button', { name: 'Cancel' })).toBeFocused();
  await shoot(page, 'settings-clear', { noSidewaysScroll: true });
  await page.setViewportSize(DESKTOP);
  await confirm.getByRole('button', { name: 'Delete everything' }).click();
  await expect(page.getByRole('textbox', { name: 'User name', exact: true })).toBeVisible({ timeout: 20_000 });
  expect(new URL(page.url()).hash).toBe('');
  const kept = await page.evaluate(() => Object.keys(localStorage));
  for (const key of ['chordphone.user', 'chordphone.overlay-mode', 'chordphone.ice-servers']) expect(kept).not.toContain(key);
  expect(await keyStoreEntries(page)).not.toContain(`${domain}.user.${NAME}`);
  // Settings are back to their defaults.
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Settings' }).click();
  await expect(page.getByRole('switch', { name: 'Client mode' })).not.toBeChecked();
  await expect(page.getByTestId('ice-in-use')).toHaveText(/^In use: the overlay’s servers/);
  await context.close();
});
