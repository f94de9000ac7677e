/**
 * The echo peer as the CLI runs it (issue 6): `chordphone peer --echo NAME`, and the one named
 * `echo` that `chordphone serve` starts by default. A Node peer that joins the server's overlay
 * like any `chordphone peer` (configuration, open enrollment as NAME, join), then registers
 * `sip:NAME@<overlay>` and answers every call with what it hears (src/phone/node/echo-peer.ts).
 * Its key, certificate and records stay under `dataDir`, so the name stays its own across runs.
 */
import { systemClock } from '../platform/system-clock.js';
import { webCryptoRandom } from '../platform/web-crypto.js';
import { iceServersOf } from '../app/overlay/ice-servers.js';
import { joinOverlay, type JoinedOverlay } from '../app/overlay/overlay-client.js';
import { exitBeforeWrtcTeardown } from '../phone/node/wrtc-media.js';
import { startEchoPeer, type EchoPeer } from '../phone/node/echo-peer.js';
import { AppAttachService } from '../reload/overlay/index.js';
import { ApplicationId } from '../reload/wire/methods/app-attach.js';
import type { Logger } from '../reload/runtime/components.js';
import type { NodeNetworkFactory } from '../server/chordphone-server.js';
import { nodeClientDeps } from './node-client-deps.js';

export interface EchoOverlayPeerInit {
  /** The server (any URL on it). */
  readonly serverUrl: string;
  /** The user name to register (`echo` → sip:echo@<overlay>). */
  readonly name: string;
  /** Where its key, certificate and records live. */
  readonly dataDir: string;
  readonly bootstrap?: readonly string[];
  readonly network?: NodeNetworkFactory;
  /** Gives up joining. */
  readonly signal?: AbortSignal;
  /** The overlay's log (`chordphone serve --log`). */
  readonly logger?: Logger;
}

export interface EchoOverlayPeer {
  readonly joined: JoinedOverlay;
  readonly echo: EchoPeer;
  /** Unregister, leave (bounded by `leaveTimeoutMs`) and close. */
  stop(leaveTimeoutMs?: number): Promise<void>;
}

export async function startEchoOverlayPeer(init: EchoOverlayPeerInit): Promise<EchoOverlayPeer> {
  // @roamhq/wrtc media in this process: leave before its teardown can crash the exit.
  exitBeforeWrtcTeardown();
  const joined = await joinOverlay(
    nodeClientDeps(init.dataDir, init.network, init.logger),
    {
      serverUrl: init.serverUrl,
      credentialsName: (c) => `${c.instanceName}.echo-${init.name}`,
      userName: () => init.name,
      extractable: true,
      ...(init.bootstrap ? { bootstrap: init.bootstrap } : {}),
      ...(init.signal ? { signal: init.signal } : {}),
    },
  );
  const network = joined.network.appChannels;
  if (!network) {
    await joined.close();
    throw new Error('the peer network has no application channels (AppAttach), so the echo peer cannot take calls');
  }
  const apps = new AppAttachService({ transport: joined.peer.transport, network, clock: systemClock }, { applications: [ApplicationId.SIP] });
  const domain = joined.configuration.instanceName;
  let echo: EchoPeer;
  try {
    echo = await startEchoPeer(
      { overlay: joined.peer, apps, clock: systemClock, random: webCryptoRandom },
      { name: joined.peer.userName.slice(0, joined.peer.userName.lastIndexOf('@')), domain, rtcConfiguration: { iceServers: iceServersOf(joined.configuration).map((s) => ({ ...s })) } },
    );
  } catch (e) {
    apps.close();
    await joined.close();
    throw e;
  }
  return {
    joined,
    echo,
    async stop(leaveTimeoutMs = 3_000) {
      await echo.stop().catch(() => undefined);
      apps.close();
      await joined.peer.leave({ signal: AbortSignal.timeout(leaveTimeoutMs) }).catch(() => undefined);
      // The peer, then its records file (held until closed; nodeClientDeps closeAwaitsRecords).
      await joined.close();
    },
  };
}
