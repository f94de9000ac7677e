import { decodeAll, type Reader } from '../codec/reader.js';
import { encodeWith, type Writer } from '../codec/writer.js';
import { EncodeError } from '../codec/decode-error.js';
import {
  formatIpAddress,
  parseIpAddressPort,
  readIpAddressPort,
  writeIpAddressPort,
  type IpAddressPort,
} from '../ip-address-port.js';

/**
 * RFC 6940 §6.5.1.1 OverlayLinkType, with the §14.10 registry's EXP-LINK (registry names, `-` → `_`).
 * Extensible: any other non-zero value decodes as itself.
 */
export const OverlayLinkType = {
  invalidOverlayLinkType: 0,
  DTLS_UDP_SR: 1,
  DTLS_UDP_SR_NO_ICE: 3,
  TLS_TCP_FH_NO_ICE: 4,
  EXP_LINK: 5,
} as const;

/**
 * RFC 6940 §6.5.1.1 CandType. The enum lists `/* RESERVED(3) *\/`, yet the text under
 * rel_addr_port says it is "present only for types "relay", "prfix", and "srflx"": 3 is the
 * drafts' (and Wireshark's) prflx, so we decode it as prflx with a rel_addr_port.
 */
export const CandType = { invalidCandType: 0, host: 1, srflx: 2, prflx: 3, relay: 4 } as const;

/** RFC 6940 §6.5.1.1 IceExtension: binary forms of an SDP candidate extension's name and value. */
export interface IceExtension {
  readonly name: Uint8Array;
  readonly value: Uint8Array;
}

interface IceCandidateBase {
  readonly addrPort: IpAddressPort;
  /** OverlayLinkType (§6.5.1.1, §14.10). */
  readonly overlayLink: number;
  /** `opaque foundation<0..255>`. */
  readonly foundation: Uint8Array;
  readonly priority: number;
  readonly extensions: readonly IceExtension[];
}

/** RFC 6940 §6.5.1.1 IceCandidate of type host: no rel_addr_port. */
export interface HostIceCandidate extends IceCandidateBase {
  readonly type: typeof CandType.host;
}

/** RFC 6940 §6.5.1.1 IceCandidate of type srflx, prflx or relay: with rel_addr_port. */
export interface RelatedIceCandidate extends IceCandidateBase {
  readonly type: typeof CandType.srflx | typeof CandType.prflx | typeof CandType.relay;
  readonly relAddrPort: IpAddressPort;
}

/** RFC 6940 §6.5.1.1 IceCandidate (the component ID is always 1 and is left out). */
export type IceCandidate = HostIceCandidate | RelatedIceCandidate;

/** RFC 6940 §6.5.1.1 AttachReqAns: the body of both attach_req and attach_ans. */
export interface AttachReqAns {
  readonly ufrag: Uint8Array;
  readonly password: Uint8Array;
  /** An RFC 4145 setup value as text: "passive" in the request, "active" in the answer (§6.5.1.1). */
  readonly role: Uint8Array;
  readonly candidates: readonly IceCandidate[];
  readonly sendUpdate: boolean;
}

export function readIceExtension(r: Reader): IceExtension {
  return r.scope('IceExtension', () => ({ name: r.opaque('name', 2), value: r.opaque('value', 2) }));
}

export function writeIceExtension(w: Writer, v: IceExtension): void {
  w.opaque(2, v.name, 'IceExtension.name').opaque(2, v.value, 'IceExtension.value');
}

export function readIceCandidate(r: Reader): IceCandidate {
  return r.scope('IceCandidate', (): IceCandidate => {
    const addrPort = readIpAddressPort(r, 'addrPort');
    const linkAt = r.offset;
    const overlayLink = r.u8('overlayLink');
    if (overlayLink === OverlayLinkType.invalidOverlayLinkType) r.fail('overlayLink', 'overlay link type 0 (invalidOverlayLinkType)', linkAt);
    const foundation = r.opaque('foundation', 1);
    const priority = r.u32('priority');
    const typeAt = r.offset;
    const type = r.u8('type');
    if (type === CandType.host) {
      return { addrPort, overlayLink, foundation, priority, type, extensions: r.vector('extensions', 2, readIceExtension) };
    }
    if (type === CandType.srflx || type === CandType.prflx || type === CandType.relay) {
      const relAddrPort = readIpAddressPort(r, 'relAddrPort');
      return { addrPort, overlayLink, foundation, priority, type, relAddrPort, extensions: r.vector('extensions', 2, readIceExtension) };
    }
    // RFC 6940 §6.5.1.1: the select depends on the type, so an unknown type cannot be skipped.
    return r.fail('type', type === 0 ? 'candidate type 0 (invalidCandType)' : `unknown CandType ${type}`, typeAt);
  });
}

export function writeIceCandidate(w: Writer, v: IceCandidate): void {
  writeIpAddressPort(w, v.addrPort);
  if (v.overlayLink === OverlayLinkType.invalidOverlayLinkType) throw new EncodeError('IceCandidate.overlayLink', 'overlay link type 0 is invalid');
  w.u8(v.overlayLink, 'IceCandidate.overlayLink');
  w.opaque(1, v.foundation, 'IceCandidate.foundation');
  w.u32(v.priority, 'IceCandidate.priority');
  w.u8(v.type, 'IceCandidate.type');
  if (v.type === CandType.srflx || v.type === CandType.prflx || v.type === CandType.relay) {
    if (v.relAddrPort === undefined) throw new EncodeError('IceCandidate.relAddrPort', `a candidate of type ${v.type} needs rel_addr_port`);
    writeIpAddressPort(w, v.relAddrPort);
  } else if (v.type !== CandType.host) {
    throw new EncodeError('IceCandidate.type', `unknown CandType ${String((v as { type: unknown }).type)}`);
  }
  w.prefixed(2, () => v.extensions.forEach((e) => writeIceExtension(w, e)), 'IceCandidate.extensions');
}

function attachReqAnsFields(r: Reader): AttachReqAns {
  return {
    ufrag: r.opaque('ufrag', 1),
    password: r.opaque('password', 1),
    role: r.opaque('role', 1),
    candidates: r.vector('candidates', 2, readIceCandidate),
    sendUpdate: r.bool('sendUpdate'),
  };
}

export function readAttachReqAns(r: Reader): AttachReqAns {
  return r.scope('AttachReqAns', () => attachReqAnsFields(r));
}

export function writeAttachReqAns(w: Writer, v: AttachReqAns): void {
  w.opaque(1, v.ufrag, 'AttachReqAns.ufrag').opaque(1, v.password, 'AttachReqAns.password').opaque(1, v.role, 'AttachReqAns.role');
  writeIceCandidates(w, v.candidates, 'AttachReqAns.candidates');
  w.bool(v.sendUpdate);
}

/** `IceCandidate candidates<0..2^16-1>` (shared with AppAttach, §6.5.2). */
export function writeIceCandidates(w: Writer, candidates: readonly IceCandidate[], field: string): void {
  w.prefixed(2, () => candidates.forEach((c) => writeIceCandidate(w, c)), field);
}

export function decodeAttachReqAns(bytes: Uint8Array): AttachReqAns {
  return decodeAll(bytes, 'AttachReqAns', attachReqAnsFields);
}

export function encodeAttachReqAns(v: AttachReqAns): Uint8Array {
  return encodeWith((w) => writeAttachReqAns(w, v));
}

// ---------------------------------------------------------------------------------------------
// SDP `candidate` attribute (RFC 8839 §5.1) ⇄ IceCandidate. Browsers hand candidates over as
// `candidate:…` strings (node-datachannel as `a=candidate:…`); RFC 6940 §6.5.1.1 calls the
// IceCandidate "a direct translation of the information from the ICE string structures".
// ---------------------------------------------------------------------------------------------

const candTypeNames: Record<number, string> = { 1: 'host', 2: 'srflx', 3: 'prflx', 4: 'relay' };
const candTypeByName: Record<string, IceCandidate['type']> = { host: 1, srflx: 2, prflx: 3, relay: 4 };

/** The result of parsing one SDP candidate line: the candidate, or why it cannot be carried. */
export type SdpCandidateParse = { readonly ok: true; readonly candidate: IceCandidate } | { readonly ok: false; readonly reason: string };

export interface SdpCandidateParseOptions {
  /**
   * The OverlayLinkType for an SDP transport (lower-cased, e.g. `udp`, `tcp`), or undefined when
   * it has none. Default: `udp` → DTLS-UDP-SR (the only ICE link type of §6.6); others refused.
   */
  readonly overlayLinkFor?: (transport: string) => number | undefined;
}

export interface SdpCandidateFormatOptions {
  /** The SDP transport for an OverlayLinkType. Default: DTLS-UDP-SR(-NO-ICE) → `UDP`, TLS-TCP-FH-NO-ICE → `TCP`. */
  readonly transportFor?: (overlayLink: number) => string | undefined;
}

function defaultOverlayLinkFor(transport: string): number | undefined {
  return transport === 'udp' ? OverlayLinkType.DTLS_UDP_SR : undefined;
}

function defaultTransportFor(overlayLink: number): string | undefined {
  if (overlayLink === OverlayLinkType.DTLS_UDP_SR || overlayLink === OverlayLinkType.DTLS_UDP_SR_NO_ICE) return 'UDP';
  if (overlayLink === OverlayLinkType.TLS_TCP_FH_NO_ICE) return 'TCP';
  return undefined;
}

function asciiBytes(s: string): Uint8Array {
  return Uint8Array.from(s, (c) => c.charCodeAt(0));
}

/** Bytes as SDP text when every byte is a VCHAR (RFC 5234: 0x21–0x7E), else undefined. */
function vcharText(b: Uint8Array): string | undefined {
  let s = '';
  for (const c of b) {
    if (c < 0x21 || c > 0x7e) return undefined;
    s += String.fromCharCode(c);
  }
  return s;
}

const VCHARS = /^[\x21-\x7e]+$/;
/** RFC 3261 token characters (RFC 8839's extension-att-name and transport-extension are tokens). */
const TOKEN = /^[A-Za-z0-9\-.!%*_+`'~]+$/;

function parseAddress(address: string, port: string, what: string): IpAddressPort | string {
  if (!/^\d{1,5}$/.test(port) || Number(port) > 0xffff) return `${what} port "${port}" is not a port number`;
  const ip = parseIpAddressPort(address, Number(port));
  if (ip) return ip;
  // RFC 8839 §5.1: connection-address may be an FQDN (e.g. an mDNS `.local` name); IpAddressPort
  // (RFC 6940 §6.3.1) carries only IPv4 and IPv6 addresses.
  return `${what} "${address}" is not an IPv4 or IPv6 address (IpAddressPort cannot carry a name)`;
}

/**
 * Parse an RFC 8839 §5.1 `candidate` attribute (with or without a leading `a=`) into an
 * IceCandidate. Refuses what RELOAD cannot carry: a component other than 1 (§6.5.1.1), an FQDN
 * address, a transport with no OverlayLinkType, an unknown candidate type, or a srflx/prflx/relay
 * candidate without raddr/rport (RFC 8839: they "MUST be present"). raddr/rport on a host
 * candidate ("MUST be omitted") are ignored; every other name/value pair becomes an IceExtension.
 */
export function iceCandidateFromSdp(text: string, options: SdpCandidateParseOptions = {}): SdpCandidateParse {
  const fail = (reason: string): SdpCandidateParse => ({ ok: false, reason });
  let line = text.trim();
  if (line.startsWith('a=')) line = line.slice(2);
  if (!line.startsWith('candidate:')) return fail('not a candidate attribute');
  const tokens = line.slice('candidate:'.length).split(/[ \t]+/).filter((t) => t !== '');
  const [foundation, component, transport, priority, address, port, typ, typeName, ...rest] = tokens;
  if (typeName === undefined || address === undefined || port === undefined || priority === undefined || transport === undefined) {
    return fail('too few fields');
  }
  if (foundation === undefined || !VCHARS.test(foundation) || foundation.length > 255) return fail(`bad foundation "${foundation ?? ''}"`);
  if (component !== '1') return fail(`component ${component ?? ''} is not 1 (RFC 6940 §6.5.1.1: RELOAD uses a single component)`);
  if (!TOKEN.test(transport)) return fail(`bad transport "${transport}"`);
  const overlayLink = (options.overlayLinkFor ?? defaultOverlayLinkFor)(transport.toLowerCase());
  if (overlayLink === undefined || !Number.isInteger(overlayLink) || overlayLink < 1 || overlayLink > 0xff) {
    return fail(`transport ${transport} has no OverlayLinkType`);
  }
  if (!/^\d{1,10}$/.test(priority) || Number(priority) > 0xffffffff) return fail(`priority "${priority}" does not fit a uint32`);
  const addrPort = parseAddress(address, port, 'connection-address');
  if (typeof addrPort === 'string') return fail(addrPort);
  if (typ !== 'typ') return fail('missing "typ"');
  const type = candTypeByName[typeName];
  if (type === undefined) return fail(`candidate type "${typeName}" has no CandType`);
  if (rest.length % 2 !== 0) return fail('an extension name has no value');
  let raddr: string | undefined;
  let rport: string | undefined;
  const extensions: IceExtension[] = [];
  for (let i = 0; i < rest.length; i += 2) {
    const name = rest[i] ?? '';
    const value = rest[i + 1] ?? '';
    if (name === 'raddr' && raddr === undefined) raddr = value;
    else if (name === 'rport' && rport === undefined) rport = value;
    else {
      if (!TOKEN.test(name) || !VCHARS.test(value)) return fail(`bad extension "${name} ${value}"`);
      extensions.push({ name: asciiBytes(name), value: asciiBytes(value) });
    }
  }
  const base = { addrPort, overlayLink, foundation: asciiBytes(foundation), priority: Number(priority), extensions };
  if (type === CandType.host) return { ok: true, candidate: { ...base, type } };
  if (raddr === undefined || rport === undefined) return fail(`a ${typeName} candidate needs raddr and rport`);
  const relAddrPort = parseAddress(raddr, rport, 'raddr');
  if (typeof relAddrPort === 'string') return fail(relAddrPort);
  return { ok: true, candidate: { ...base, type, relAddrPort } };
}

/**
 * Format an IceCandidate as an RFC 8839 §5.1 `candidate` attribute value (`candidate:…`, no
 * `a=`), component 1. Throws EncodeError for what SDP cannot express: a foundation or extension
 * that is not text, an address of unknown type, an overlay link with no transport.
 */
export function iceCandidateToSdp(c: IceCandidate, options: SdpCandidateFormatOptions = {}): string {
  const foundation = vcharText(c.foundation);
  if (foundation === undefined || foundation.length === 0) throw new EncodeError('IceCandidate.foundation', 'not SDP text');
  const transport = (options.transportFor ?? defaultTransportFor)(c.overlayLink);
  if (transport === undefined) throw new EncodeError('IceCandidate.overlayLink', `no SDP transport for overlay link type ${c.overlayLink}`);
  const address = (v: IpAddressPort, field: string): string => {
    if (v.kind === 'unknown') throw new EncodeError(field, `address type ${v.type} has no SDP form`);
    return `${formatIpAddress(v)} ${v.port}`;
  };
  const typeName = candTypeNames[c.type];
  if (typeName === undefined) throw new EncodeError('IceCandidate.type', `unknown CandType ${c.type}`);
  let out = `candidate:${foundation} 1 ${transport} ${c.priority} ${address(c.addrPort, 'IceCandidate.addrPort')} typ ${typeName}`;
  if (c.type !== CandType.host) {
    const [raddr, rport] = address(c.relAddrPort, 'IceCandidate.relAddrPort').split(' ');
    out += ` raddr ${raddr ?? ''} rport ${rport ?? ''}`;
  }
  for (const e of c.extensions) {
    const name = vcharText(e.name);
    const value = vcharText(e.value);
    if (name === undefined || !TOKEN.test(name) || value === undefined) throw new EncodeError('IceExtension', 'not an SDP name/value pair');
    out += ` ${name} ${value}`;
  }
  return out;
}
