/**
 * What an Attach carries for one WebRTC data channel (ARCHITECTURE.md "Attach over WebRTC"): the
 * ICE ufrag, password and candidates of RFC 6940 §6.5.1.1, and the DTLS fingerprint, setup role,
 * SCTP port and maximum message size of our 0xC001 message extension (wire/methods/
 * dtls-fingerprint.ts). No SDP travels: each side reads these fields out of its local SDP and
 * rebuilds the remote SDP from the fields it received, with sdp-transform.
 */
import { parse, write, type MediaDescription, type SessionDescription } from 'sdp-transform';
import {
  DtlsSetupRole,
  dtlsFingerprintFromSdp,
  dtlsSetupRoleFromSdp,
  sdpFingerprintValue,
  sdpSetupValue,
  type DtlsFingerprint,
} from '../../wire/methods/dtls-fingerprint.js';
import { iceCandidateFromSdp, iceCandidateToSdp, type IceCandidate, type IceExtension } from '../../wire/methods/attach.js';

export interface IceParameters {
  /** RFC 8839 §5.4 ice-ufrag (§6.5.1.1 `ufrag`). */
  readonly ufrag: string;
  /** RFC 8839 §5.4 ice-pwd (§6.5.1.1 `password`). */
  readonly password: string;
  /**
   * §6.5.1.1 `candidates`: the ones RELOAD can carry (component 1, UDP, IP addresses, and mDNS
   * host names by our IceExtension, see MDNS_HOSTNAME_EXTENSION).
   */
  readonly candidates: readonly IceCandidate[];
  /** DTLS certificate fingerprint, setup role, SCTP port, max message size (extension 0xC001). */
  readonly dtls: DtlsFingerprint;
}

/** Thrown when a local SDP lacks what an Attach must carry, or received fields cannot make an SDP. */
export class IceParametersError extends Error {
  override readonly name: string = 'IceParametersError';
}

/**
 * DEVIATION (ours, like message extension 0xC001): the name of the IceExtension (RFC 6940
 * §6.5.1.1 `extensions`) that carries an mDNS host name (RFC 8839 §5.1 allows an FQDN
 * connection-address; draft-ietf-mmusic-mdns-ice-candidates). A browser that has not been
 * granted the microphone hides its host addresses behind `<uuid>.local` names, which IpAddressPort
 * (§6.3.1) cannot carry; such a candidate travels with the unspecified address 0.0.0.0, its real
 * port, and this extension, and the receiver puts the name back so that its ICE agent resolves it
 * by mDNS itself (Chromium does; libdatachannel tries getaddrinfo on a thread of its own and
 * drops the candidate when that fails). A peer that does not know the extension sees a 0.0.0.0
 * host candidate that ICE cannot use, with an extension attribute RFC 8839 §5.1 says to ignore;
 * candidateLines here never hands ICE a 0.0.0.0 candidate that has no valid name.
 */
export const MDNS_HOSTNAME_EXTENSION = 'chordphone-mdns-hostname';

/**
 * The mDNS names browsers make for host candidates: a UUID under `.local` (Chromium and Firefox
 * use a random version-4 UUID). Nothing else is accepted, so a name from the wire cannot be an
 * arbitrary DNS query or inject SDP.
 */
const MDNS_HOSTNAME = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\.local$/;
const MDNS_HOSTNAME_LENGTH = 42;

/** True for an mDNS host name we carry (lower-case `<uuid>.local`, 42 characters). */
export function isMdnsHostname(name: string): boolean {
  return name.length === MDNS_HOSTNAME_LENGTH && MDNS_HOSTNAME.test(name);
}

const ascii = new TextEncoder();
const MDNS_EXTENSION_NAME = ascii.encode(MDNS_HOSTNAME_EXTENSION);

function isMdnsExtension(e: IceExtension): boolean {
  return e.name.length === MDNS_EXTENSION_NAME.length && e.name.every((b, i) => b === MDNS_EXTENSION_NAME[i]);
}

/** The unspecified address (0.0.0.0 or ::) stands in for a name: not an address ICE can use. */
function isUnspecified(c: IceCandidate): boolean {
  return (c.addrPort.kind === 'ipv4' || c.addrPort.kind === 'ipv6') && c.addrPort.address.every((b) => b === 0);
}

/**
 * One SDP candidate line as an IceCandidate, an mDNS host name becoming 0.0.0.0 plus our
 * extension; undefined for what RELOAD cannot carry (see iceCandidateFromSdp).
 */
function candidateFromLine(line: string): IceCandidate | undefined {
  const tokens = line.split(/[ \t]+/);
  const address = tokens[4]?.toLowerCase();
  const hostname = address !== undefined && address.endsWith('.local') && isMdnsHostname(address) ? address : undefined;
  if (hostname !== undefined) tokens[4] = '0.0.0.0';
  const parsed = iceCandidateFromSdp(tokens.join(' '));
  if (!parsed.ok) return undefined;
  if (hostname === undefined) return parsed.candidate;
  if (parsed.candidate.extensions.some(isMdnsExtension)) return undefined;
  return { ...parsed.candidate, extensions: [...parsed.candidate.extensions, { name: MDNS_EXTENSION_NAME, value: ascii.encode(hostname) }] };
}

/**
 * One IceCandidate as a `candidate:…` line, our mDNS extension turned back into the name as the
 * connection-address; undefined when SDP cannot express it or ICE cannot use it (an unspecified
 * address without a valid name, a name on a real address, two names).
 */
function candidateToLine(c: IceCandidate): string | undefined {
  const names = c.extensions.filter(isMdnsExtension);
  if (names.length > 1) return undefined;
  const unspecified = isUnspecified(c);
  const [mdns] = names;
  if (mdns === undefined) return unspecified ? undefined : iceCandidateToSdp(c);
  if (!unspecified || mdns.value.length !== MDNS_HOSTNAME_LENGTH) return undefined;
  const hostname = String.fromCharCode(...mdns.value);
  if (!isMdnsHostname(hostname)) return undefined;
  const tokens = iceCandidateToSdp({ ...c, extensions: c.extensions.filter((e) => !isMdnsExtension(e)) }).split(' ');
  tokens[4] = hostname;
  return tokens.join(' ');
}

/**
 * The candidates as `candidate:…` attribute values (for addIceCandidate), mDNS names restored;
 * ones SDP cannot express or ICE cannot use are left out.
 */
export function candidateLines(parameters: IceParameters): string[] {
  const out: string[] = [];
  for (const c of parameters.candidates) {
    try {
      const line = candidateToLine(c);
      if (line !== undefined) out.push(line);
    } catch {
      // Not expressible in SDP (not text, unknown address type): of no use to ICE.
    }
  }
  return out;
}

/** `a=candidate:…` (node-datachannel) and `candidate:…` (browsers) both become `candidate:…`. */
export function normaliseCandidateLine(line: string): string {
  const t = line.trim();
  return t.startsWith('a=') ? t.slice(2) : t;
}

/** The data-channel m-section of an SDP (the one `UDP/DTLS/SCTP` / `DTLS/SCTP` application section). */
function applicationSection(sdp: SessionDescription): MediaDescription | undefined {
  return sdp.media.find((m) => m.type === 'application');
}

/**
 * Read our IceParameters out of a local SDP (offer or answer) plus candidates gathered by trickle
 * ICE. mDNS host names travel as MDNS_HOSTNAME_EXTENSION; candidates RELOAD cannot carry (TCP,
 * other names, other components) are left out; duplicates are dropped.
 */
export function iceParametersFromSdp(sdpText: string, trickled: readonly string[] = []): { parameters: IceParameters; mid: string } {
  const sdp = parse(sdpText);
  const media = applicationSection(sdp);
  if (!media) throw new IceParametersError('the SDP has no application (data channel) section');
  const ufrag = media.iceUfrag ?? sdp.iceUfrag;
  const password = media.icePwd ?? sdp.icePwd;
  const fp = media.fingerprint ?? sdp.fingerprint;
  const setupText = media.setup ?? sdp.setup;
  if (!ufrag || !password) throw new IceParametersError('the SDP has no ice-ufrag / ice-pwd');
  const fingerprint = fp ? dtlsFingerprintFromSdp(`${fp.type} ${fp.hash}`) : undefined;
  if (!fingerprint) throw new IceParametersError('the SDP has no usable a=fingerprint');
  const setup = (setupText && dtlsSetupRoleFromSdp(setupText)) || DtlsSetupRole.actpass;
  const lines = new Set<string>();
  for (const c of media.candidates ?? []) {
    let line = `candidate:${c.foundation} ${c.component} ${c.transport} ${c.priority} ${c.ip} ${c.port} typ ${c.type}`;
    if (c.raddr !== undefined && c.rport !== undefined) line += ` raddr ${c.raddr} rport ${c.rport}`;
    lines.add(line);
  }
  for (const t of trickled) lines.add(normaliseCandidateLine(t));
  const candidates: IceCandidate[] = [];
  const seen = new Set<string>();
  for (const line of lines) {
    const candidate = candidateFromLine(line);
    if (candidate === undefined) continue;
    const key = iceCandidateToSdp(candidate);
    if (seen.has(key)) continue;
    seen.add(key);
    candidates.push(candidate);
  }
  const dtls: DtlsFingerprint = {
    ...fingerprint,
    setup,
    ...(media.sctpPort !== undefined ? { sctpPort: media.sctpPort } : {}),
    ...(media.maxMessageSize !== undefined ? { maxMessageSize: media.maxMessageSize } : {}),
  };
  return { parameters: { ufrag, password, candidates, dtls }, mid: media.mid === undefined ? '0' : String(media.mid) };
}

/** Default SCTP port of a data channel (RFC 8841 §5: "5000"). */
const DEFAULT_SCTP_PORT = 5000;

/**
 * Rebuild the remote SDP (`offer` on the answerer, `answer` on the offerer) from received
 * IceParameters: one data-channel m-section with our `mid` (the answerer's is "0", the offerer
 * uses its own offer's), the remote ICE credentials, fingerprint and setup role, and every
 * candidate, closed by `a=end-of-candidates` (no trickle follows: RFC 8840 §4.4). With
 * `candidates: false` the candidates are left out, to be added with addIceCandidate.
 */
export function remoteSdp(parameters: IceParameters, mid = '0', options: { readonly candidates?: boolean } = {}): string {
  const withCandidates = options.candidates ?? true;
  const fingerprint = sdpFingerprintValue(parameters.dtls);
  const space = fingerprint.indexOf(' ');
  const setup = sdpSetupValue(parameters.dtls.setup);
  if (!setup) throw new IceParametersError(`DTLS setup role ${parameters.dtls.setup} has no SDP form`);
  if (!/^[A-Za-z0-9+/]{4,256}$/.test(parameters.ufrag) || !/^[A-Za-z0-9+/]{22,256}$/.test(parameters.password)) {
    // RFC 8839 §5.4: ice-char = ALPHA / DIGIT / "+" / "/"; ufrag 4..256, pwd 22..256 characters.
    throw new IceParametersError('the ICE ufrag or password is not RFC 8839 ice-chars of the right length');
  }
  const lines = withCandidates ? candidateLines(parameters).map((l) => `a=${l}`) : [];
  const parsedCandidates = lines.length > 0 ? applicationSection(parse(`v=0\r\nm=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\n${lines.join('\r\n')}\r\n`))?.candidates : undefined;
  const media: MediaDescription = {
    type: 'application',
    port: 9,
    protocol: 'UDP/DTLS/SCTP',
    payloads: 'webrtc-datachannel',
    connection: { version: 4, ip: '0.0.0.0' },
    rtp: [],
    fmtp: [],
    mid,
    // RFC 8840 §4.1.1: candidates may follow the description (we add them by addIceCandidate).
    ...(withCandidates ? {} : { iceOptions: 'ice2,trickle' }),
    iceUfrag: parameters.ufrag,
    icePwd: parameters.password,
    fingerprint: { type: fingerprint.slice(0, space), hash: fingerprint.slice(space + 1) },
    setup,
    sctpPort: parameters.dtls.sctpPort ?? DEFAULT_SCTP_PORT,
    ...(parameters.dtls.maxMessageSize !== undefined ? { maxMessageSize: parameters.dtls.maxMessageSize } : {}),
    ...(parsedCandidates ? { candidates: parsedCandidates } : {}),
    ...(withCandidates ? { endOfCandidates: 'end-of-candidates' as const } : {}),
  };
  const session: SessionDescription = {
    version: 0,
    origin: { username: '-', sessionId: '1', sessionVersion: 1, netType: 'IN', ipVer: 4, address: '0.0.0.0' },
    name: '-',
    timing: { start: 0, stop: 0 },
    groups: [{ type: 'BUNDLE', mids: mid }],
    media: [media],
  };
  return write(session);
}
