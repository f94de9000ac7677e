/**
 * STUN and TURN servers in the overlay configuration (issue 5: "STUN and TURN servers come from
 * the configuration"). RFC 6940 has no element for them (its TURN servers are overlay peers found
 * through the TURN-SERVICE Kind, §9), so a Chordphone extension element carries the WebRTC
 * iceServers a browser needs, ignored by other implementations as a foreign element (§11.1.1):
 * `<ice:ice-server url="stun:host:3478"/>`, `<ice:ice-server url="turn:host:3478" username="u" credential="p"/>`.
 */
import type { Configuration, ForeignElement } from '../../reload/wire/config/overlay-configuration.js';

export const CHORDPHONE_ICE_SERVERS_NAMESPACE = 'urn:chordphone:params:xml:ns:p2p:ice-servers';
const ELEMENT = 'ice-server';

/** One ICE server, as RTCIceServer wants it (one URL each). */
export interface IceServer {
  /** `stun:` / `turn:` / `turns:` URL (RFC 7064, RFC 7065). */
  readonly urls: string;
  readonly username?: string;
  readonly credential?: string;
}

/** A `--stun` / `--turn` argument: `stun:host[:port]`, `turn:user:pass@host[:port]` or a bare `host[:port]`. */
export function parseIceServer(text: string, scheme: 'stun' | 'turn'): IceServer {
  const trimmed = text.trim();
  const withScheme = /^(stun|turns?):/i.test(trimmed) ? trimmed : `${scheme}:${trimmed}`;
  const m = /^(stun|turns?):(?:([^:@\s]+):([^@\s]+)@)?([^\s@/?#]+)$/i.exec(withScheme);
  if (!m || !/^(\[[0-9a-f:.]+\]|[a-z0-9.-]+)(:\d{1,5})?$/i.test(m[4]!)) throw new RangeError(`"${text}" is not a ${scheme.toUpperCase()} server (host[:port]${scheme === 'turn' ? ', user:password@host[:port]' : ''})`);
  const urls = `${m[1]!.toLowerCase()}:${m[4]!}`;
  if (m[1]!.toLowerCase() !== 'stun' && (m[2] === undefined || m[3] === undefined)) throw new RangeError(`a TURN server needs user:password@ (${text})`);
  return { urls, ...(m[2] !== undefined ? { username: m[2] } : {}), ...(m[3] !== undefined ? { credential: m[3] } : {}) };
}

/** The extension elements listing `servers`. */
export function iceServerElements(servers: readonly IceServer[]): ForeignElement[] {
  return servers.map((s) => ({
    namespace: CHORDPHONE_ICE_SERVERS_NAMESPACE,
    name: ELEMENT,
    attributes: [
      { namespace: '', name: 'url', value: s.urls },
      ...(s.username !== undefined ? [{ namespace: '', name: 'username', value: s.username }] : []),
      ...(s.credential !== undefined ? [{ namespace: '', name: 'credential', value: s.credential }] : []),
    ],
    text: '',
    children: [],
  }));
}

/** The ICE servers a configuration lists (elements without a usable url are skipped). */
export function iceServersOf(configuration: Configuration): IceServer[] {
  const out: IceServer[] = [];
  for (const e of configuration.extensions) {
    if (e.namespace !== CHORDPHONE_ICE_SERVERS_NAMESPACE || e.name !== ELEMENT) continue;
    const attr = (n: string) => e.attributes.find((a) => a.name === n && a.namespace === '')?.value;
    const urls = attr('url');
    if (!urls || !/^(stun|turns?):/i.test(urls)) continue;
    const username = attr('username');
    const credential = attr('credential');
    out.push({ urls, ...(username !== undefined ? { username } : {}), ...(credential !== undefined ? { credential } : {}) });
  }
  return out;
}

/**
 * The ICE servers to use (issue 7 Settings "STUN/TURN override"): the user's own list when they set
 * one, else the overlay configuration's. Both data-channel links (Attach, RFC 6940 §6.5.1) and
 * call media (AppAttach's SIP sessions) take them from here.
 */
export function iceServersFor(configured: readonly IceServer[], override: readonly IceServer[] | undefined): IceServer[] {
  return (override ?? configured).map((s) => ({ ...s }));
}
