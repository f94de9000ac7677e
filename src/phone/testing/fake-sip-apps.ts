/**
 * AppAttachService as OverlaySocket uses it, over fake SIP channels (fake-sip-channel.ts): devices
 * join with `peer`, each with its certificate user (`verifiedUser`) and a channel that `channel()`
 * returns for its Node-ID; `slowAttach` holds `channel()` back like a long AppAttach.
 */
import type { AppChannel } from '../../reload/links/app-channel.js';
import { toHex } from '../../reload/wire/codec/hex.js';
import { buildGruu } from '../../usages/sip/index.js';
import type { OverlaySocketDeps } from '../overlay-socket.js';
import { fakeSipChannel, type FakeSipChannel } from './fake-sip-channel.js';

/** A device: its channel to the socket, its AoR and GRUU. */
export interface FakeSipPeer {
  readonly ch: FakeSipChannel;
  readonly aor: string;
  readonly gruu: string;
}

export interface FakeSipApps {
  readonly apps: OverlaySocketDeps['apps'];
  /** Device `n` (Node-ID 16 bytes of `n`) of `user@domain` opens its channel; unless `verified`, with no certificate user known (no AppAttach seen). */
  peer(n: number, user: string, verified?: boolean): FakeSipPeer;
  /** Make channel() wait until the returned function is called. */
  slowAttach(): () => void;
}

export function fakeSipApps(domain: string): FakeSipApps {
  const listeners = new Set<(ch: AppChannel) => void>();
  const users = new Map<string, string>();
  const channels = new Map<string, FakeSipChannel>();
  /** While set, channel() waits for it (an AppAttach that takes long). */
  let attach: Promise<void> | undefined;
  const apps: OverlaySocketDeps['apps'] = {
    onChannel: (_application, listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    verifiedUser: (nodeId) => users.get(toHex(nodeId)),
    channel: async (target) => {
      const last = target instanceof Uint8Array ? target : target[target.length - 1]?.kind === 'node' ? (target[target.length - 1] as { nodeId: Uint8Array }).nodeId : undefined;
      await attach;
      const ch = last && channels.get(toHex(last));
      if (!ch) throw new Error('unreachable');
      return ch;
    },
  };
  return {
    apps,
    peer(n, user, verified = true) {
      const ch = fakeSipChannel(n);
      if (verified) users.set(toHex(ch.remoteNodeId), `${user}@${domain}`);
      channels.set(toHex(ch.remoteNodeId), ch);
      for (const l of listeners) l(ch);
      return { ch, aor: `sip:${user}@${domain}`, gruu: buildGruu(`sip:${user}@${domain}`, ch.remoteNodeId) };
    },
    slowAttach() {
      let release = (): void => {};
      attach = new Promise((r) => (release = r));
      return () => {
        attach = undefined;
        release();
      };
    },
  };
}
