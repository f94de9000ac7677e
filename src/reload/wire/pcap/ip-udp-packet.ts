/**
 * An IPv4 (RFC 791) or IPv6 (RFC 8200) packet carrying one UDP datagram (RFC 768): built for the
 * pcap writer, taken apart for the pcap reader. No options, extension headers or fragments are
 * written; the reader steps over IPv6 extension headers and skips fragments.
 */
import { EncodeError } from '../codec/decode-error.js';
import { formatIpAddress, parseIpAddressPort } from '../ip-address-port.js';
import { internetChecksum } from './internet-checksum.js';
import { pcapDecodeError, type UdpEndpoint } from './pcap-file.js';

export const IPPROTO_UDP = 17;
export const IPV4_HEADER_LENGTH = 20;
export const IPV6_HEADER_LENGTH = 40;
export const UDP_HEADER_LENGTH = 8;
/** Hop limit / TTL written into built packets. */
export const DEFAULT_TTL = 64;
/** Largest UDP payload in an IPv4 packet: total length is 16 bits and covers both headers. */
export const MAX_UDP_PAYLOAD_IPV4 = 0xffff - IPV4_HEADER_LENGTH - UDP_HEADER_LENGTH;
/** Largest UDP payload in an IPv6 packet without a jumbogram option (RFC 8200 §3, RFC 768). */
export const MAX_UDP_PAYLOAD_IPV6 = 0xffff - UDP_HEADER_LENGTH;

export interface IpUdpPacketInit {
  readonly src: UdpEndpoint;
  readonly dst: UdpEndpoint;
  readonly payload: Uint8Array;
  /** IPv4 Identification field (ignored for IPv6). */
  readonly identification?: number;
}

function addressBytes(endpoint: UdpEndpoint, field: string): Uint8Array {
  if (!Number.isInteger(endpoint.port) || endpoint.port < 0 || endpoint.port > 0xffff) {
    throw new EncodeError(`${field}.port`, `${endpoint.port} is not a port number (0..65535)`);
  }
  const parsed = parseIpAddressPort(endpoint.ip, endpoint.port);
  if (!parsed || parsed.kind === 'unknown') throw new EncodeError(`${field}.ip`, `"${endpoint.ip}" is not an IPv4 or IPv6 address`);
  return parsed.address;
}

/** The whole IP packet (IP header, UDP header, payload) with correct lengths and checksums. */
export function encodeIpUdpPacket(init: IpUdpPacketInit): Uint8Array {
  const src = addressBytes(init.src, 'src');
  const dst = addressBytes(init.dst, 'dst');
  if (src.length !== dst.length) throw new EncodeError('dst.ip', 'source and destination must both be IPv4 or both be IPv6');
  const v6 = src.length === 16;
  const max = v6 ? MAX_UDP_PAYLOAD_IPV6 : MAX_UDP_PAYLOAD_IPV4;
  if (init.payload.length > max) {
    throw new EncodeError('payload', `${init.payload.length} bytes do not fit in one ${v6 ? 'IPv6' : 'IPv4'} UDP datagram (at most ${max})`);
  }
  const identification = init.identification ?? 0;
  if (!Number.isInteger(identification) || identification < 0 || identification > 0xffff) {
    throw new EncodeError('identification', `${identification} is not an integer in 0..65535`);
  }

  const udpLength = UDP_HEADER_LENGTH + init.payload.length;
  const ipHeaderLength = v6 ? IPV6_HEADER_LENGTH : IPV4_HEADER_LENGTH;
  const packet = new Uint8Array(ipHeaderLength + udpLength);
  const view = new DataView(packet.buffer);

  if (v6) {
    // RFC 8200 §3: version 6, traffic class 0, flow label 0, payload length, next header, hop limit.
    view.setUint32(0, 6 << 28);
    view.setUint16(4, udpLength);
    view.setUint8(6, IPPROTO_UDP);
    view.setUint8(7, DEFAULT_TTL);
    packet.set(src, 8);
    packet.set(dst, 24);
  } else {
    // RFC 791 §3.1: version 4, IHL 5 (no options), total length, no fragmentation.
    view.setUint8(0, 0x45);
    view.setUint16(2, IPV4_HEADER_LENGTH + udpLength);
    view.setUint16(4, identification);
    view.setUint8(8, DEFAULT_TTL);
    view.setUint8(9, IPPROTO_UDP);
    packet.set(src, 12);
    packet.set(dst, 16);
    view.setUint16(10, internetChecksum(packet.subarray(0, IPV4_HEADER_LENGTH)));
  }

  const udp = ipHeaderLength;
  view.setUint16(udp, init.src.port);
  view.setUint16(udp + 2, init.dst.port);
  view.setUint16(udp + 4, udpLength);
  packet.set(init.payload, udp + UDP_HEADER_LENGTH);
  // RFC 768 (IPv4) and RFC 8200 §8.1 (IPv6): checksum over a pseudo-header and the datagram;
  // a computed 0 is sent as 0xffff, since 0 means "no checksum" (which IPv6 forbids).
  const pseudo = new Uint8Array(v6 ? 40 : 12);
  const pv = new DataView(pseudo.buffer);
  pseudo.set(src, 0);
  pseudo.set(dst, src.length);
  if (v6) {
    pv.setUint32(32, udpLength);
    pv.setUint8(39, IPPROTO_UDP);
  } else {
    pv.setUint8(9, IPPROTO_UDP);
    pv.setUint16(10, udpLength);
  }
  const checksum = internetChecksum(pseudo, packet.subarray(udp));
  view.setUint16(udp + 6, checksum === 0 ? 0xffff : checksum);
  return packet;
}

/** Addresses, ports and payload of a UDP packet. */
export interface IpUdpFields {
  readonly src: UdpEndpoint;
  readonly dst: UdpEndpoint;
  readonly payload: Uint8Array;
  readonly truncated: boolean;
}

/** Where an IP packet sits, for error paths and offsets. */
export interface PacketLocation {
  /** Path of the enclosing structures, e.g. `['PcapFile', 'records[3]']`. */
  readonly path: readonly string[];
  /** Absolute offset of the packet's first byte in the file. */
  readonly offset: number;
}

const IPV6_EXTENSION_HEADERS = new Set([0, 43, 60]); // hop-by-hop, routing, destination options
const IPV6_FRAGMENT_HEADER = 44;

function ipText(bytes: Uint8Array): string {
  return formatIpAddress(bytes.length === 4 ? { kind: 'ipv4', address: bytes, port: 0 } : { kind: 'ipv6', address: bytes, port: 0 });
}

/**
 * The UDP datagram in an IP packet, or undefined when the packet is not UDP, is a fragment we
 * cannot reassemble, or was cut by the snaplen before the UDP header ended.
 *
 * @param packet captured bytes of the IP packet
 * @param wireLength its length on the wire (more than `packet.length` when the capture cut it)
 * @throws DecodeError when the headers contradict each other or the captured bytes
 */
export function decodeIpUdpPacket(packet: Uint8Array, wireLength: number, at: PacketLocation): IpUdpFields | undefined {
  const truncated = packet.length < wireLength;
  const version = (packet[0] ?? 0) >> 4;
  if (packet.length === 0) {
    if (truncated) return undefined;
    throw pcapDecodeError([...at.path, 'IpHeader'], 'version', at.offset, 'empty IP packet');
  }
  if (version === 4) return decodeIpv4(packet, truncated, at);
  if (version === 6) return decodeIpv6(packet, truncated, at);
  throw pcapDecodeError([...at.path, 'IpHeader'], 'version', at.offset, `IP version ${version} (expected 4 or 6)`);
}

function decodeIpv4(p: Uint8Array, truncated: boolean, at: PacketLocation): IpUdpFields | undefined {
  const path = [...at.path, 'Ipv4Header'];
  if (p.length < IPV4_HEADER_LENGTH) {
    if (truncated) return undefined;
    throw pcapDecodeError(path, 'ihl', at.offset, `needs ${IPV4_HEADER_LENGTH} bytes but the packet has ${p.length}`);
  }
  const view = new DataView(p.buffer, p.byteOffset, p.byteLength);
  const ihl = (view.getUint8(0) & 0x0f) * 4;
  const totalLength = view.getUint16(2);
  if (ihl < IPV4_HEADER_LENGTH) throw pcapDecodeError(path, 'ihl', at.offset, `header length ${ihl} is less than 20`);
  if (totalLength < ihl) throw pcapDecodeError(path, 'totalLength', at.offset + 2, `total length ${totalLength} is less than the header length ${ihl}`);
  if (!truncated && totalLength > p.length) {
    throw pcapDecodeError(path, 'totalLength', at.offset + 2, `total length ${totalLength} exceeds the ${p.length} bytes captured`);
  }
  const flagsAndOffset = view.getUint16(6);
  const moreFragments = (flagsAndOffset & 0x2000) !== 0;
  const fragmentOffset = flagsAndOffset & 0x1fff;
  if (view.getUint8(9) !== IPPROTO_UDP || moreFragments || fragmentOffset !== 0) return undefined;
  if (p.length < ihl) {
    if (truncated) return undefined;
    throw pcapDecodeError(path, 'ihl', at.offset, `header length ${ihl} exceeds the ${p.length} bytes captured`);
  }
  return decodeUdp(p, ihl, totalLength, p.slice(12, 16), p.slice(16, 20), at);
}

function decodeIpv6(p: Uint8Array, truncated: boolean, at: PacketLocation): IpUdpFields | undefined {
  const path = [...at.path, 'Ipv6Header'];
  if (p.length < IPV6_HEADER_LENGTH) {
    if (truncated) return undefined;
    throw pcapDecodeError(path, 'payloadLength', at.offset, `needs ${IPV6_HEADER_LENGTH} bytes but the packet has ${p.length}`);
  }
  const view = new DataView(p.buffer, p.byteOffset, p.byteLength);
  const payloadLength = view.getUint16(4);
  if (payloadLength === 0) return undefined; // a jumbogram (RFC 2675) or nothing: not supported
  const end = IPV6_HEADER_LENGTH + payloadLength;
  if (!truncated && end > p.length) {
    throw pcapDecodeError(path, 'payloadLength', at.offset + 4, `payload length ${payloadLength} exceeds the ${p.length - IPV6_HEADER_LENGTH} bytes captured`);
  }
  let next = view.getUint8(6);
  let offset = IPV6_HEADER_LENGTH;
  // RFC 8200 §4: step over extension headers to the upper-layer header.
  while (IPV6_EXTENSION_HEADERS.has(next) || next === IPV6_FRAGMENT_HEADER) {
    if (offset + 8 > Math.min(end, p.length)) {
      if (truncated) return undefined;
      throw pcapDecodeError(path, 'nextHeader', at.offset + offset, 'extension header runs past the payload');
    }
    if (next === IPV6_FRAGMENT_HEADER) {
      const fragment = view.getUint16(offset + 2);
      if ((fragment & 0xfff8) !== 0 || (fragment & 1) !== 0) return undefined; // a fragment: not reassembled
      next = view.getUint8(offset);
      offset += 8;
    } else {
      const length = (view.getUint8(offset + 1) + 1) * 8;
      next = view.getUint8(offset);
      offset += length;
    }
  }
  if (next !== IPPROTO_UDP) return undefined;
  if (offset > end) throw pcapDecodeError(path, 'nextHeader', at.offset + offset, 'extension header runs past the payload');
  return decodeUdp(p, offset, end, p.slice(8, 24), p.slice(24, 40), at);
}

/**
 * The UDP header at `start`, in an IP packet whose IP-level length ends at `end`. `end` lies past
 * the captured bytes only when the snaplen cut the packet; the payload is then marked truncated.
 */
function decodeUdp(
  p: Uint8Array,
  start: number,
  end: number,
  src: Uint8Array,
  dst: Uint8Array,
  at: PacketLocation,
): IpUdpFields | undefined {
  const path = [...at.path, 'UdpHeader'];
  if (end - start < UDP_HEADER_LENGTH) {
    throw pcapDecodeError(path, 'length', at.offset + start, `the IP packet leaves ${end - start} bytes, less than a UDP header`);
  }
  if (p.length < start + UDP_HEADER_LENGTH) return undefined; // cut by the snaplen (end ≤ length otherwise)
  const view = new DataView(p.buffer, p.byteOffset, p.byteLength);
  const length = view.getUint16(start + 4);
  if (length < UDP_HEADER_LENGTH || length > end - start) {
    throw pcapDecodeError(path, 'length', at.offset + start + 4, `UDP length ${length} is outside 8..${end - start} (what the IP header leaves)`);
  }
  const payloadEnd = start + length;
  return {
    src: { ip: ipText(src), port: view.getUint16(start) },
    dst: { ip: ipText(dst), port: view.getUint16(start + 2) },
    payload: p.slice(start + UDP_HEADER_LENGTH, Math.min(payloadEnd, p.length)),
    truncated: payloadEnd > p.length,
  };
}
