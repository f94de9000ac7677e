/**
 * The Settings view (issue 7): what this browser is in the overlay (app version, overlay, user name,
 * Node-ID, mode), client mode versus peer, the STUN/TURN override, the capture of this tab's
 * RELOAD traffic, and "Clear identity and data". Settings are kept by settings-store.ts; a mode
 * change applies by joining again with the same user name (rejoin.ts).
 */
import { useMemo, useState } from 'react';
import { safeLocalStorage } from '../browser-storage.js';
import { CaptureDownload } from '../CaptureDownload.js';
import { iceServersOf, type IceServer } from '../overlay/ice-servers.js';
import { IdentityFacts } from '../overlay/IdentityFacts.js';
import { Panel } from '../Panel.js';
import type { ViewProps } from '../views.js';
import { ClearDataSetting } from './ClearDataSetting.js';
import { IceSetting } from './IceSetting.js';
import { ModeSetting } from './ModeSetting.js';
import { loadSettings, type Settings } from './settings-store.js';
import './settings.css';
import { useSessionSnapshot } from '../call/use-phone.js';
import { useOverlaySnapshot } from '../overlay/use-overlay.js';

/** Loads the app again (a rejoin of the boot identity). */
const reloadPage = () => location.reload();
/** Loads the app from its start: no `?call=`, no `?mode=`, no route (after clearing the data). */
const restartApp = () => location.replace(location.pathname);

export function SettingsView({ session }: ViewProps) {
  const s = useSessionSnapshot(session);
  const o = useOverlaySnapshot(s.overlay);
  const store = useMemo(() => safeLocalStorage(), []);
  const [settings, setSettings] = useState<Settings>(() => loadSettings(store));
  // The overlay configuration's servers, once joined (`o` changes when the overlay joins or restarts).
  const configuration = o.joined ? s.overlay.joined?.configuration : undefined;
  const overlayServers: readonly IceServer[] | undefined = configuration ? iceServersOf(configuration) : undefined;

  return (
    <Panel title="Settings">
      <div className="settings">
        <section className="settings-section" aria-label="This browser">
          <dl className="facts settings-facts">
            <dt>App version</dt>
            <dd data-testid="app-version">{__APP_VERSION__}</dd>
            <IdentityFacts
              overlayName={o.overlayName ?? s.domain}
              userName={s.userName ?? o.userName}
              snapshot={o}
              testIds={{ overlay: 'settings-overlay', user: 'settings-user', nodeId: 'settings-node-id', mode: 'settings-mode' }}
            />
          </dl>
        </section>

        <ModeSetting session={session} store={store} saved={settings.mode} onSaved={(mode) => setSettings((old) => ({ ...old, mode }))} reload={reloadPage} />

        <IceSetting
          session={session}
          store={store}
          saved={settings.iceServers}
          overlayServers={overlayServers}
          onSaved={(iceServers) => setSettings((old) => ({ ...old, iceServers }))}
          reload={reloadPage}
        />

        <section className="settings-section" aria-label="Capture">
          <h3>Capture</h3>
          <p className="muted settings-explain">A pcap file of this tab’s RELOAD messages, for Wireshark or tshark.</p>
          <CaptureDownload overlay={s.overlay} />
        </section>

        <ClearDataSetting session={session} userName={s.userName} restart={restartApp} />
      </div>
    </Panel>
  );
}
