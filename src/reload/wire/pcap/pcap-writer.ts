/**
 * Writes classic pcap files. `encodePcapFile` writes any parsed `PcapFile` back byte for byte;
 * `PcapWriter` builds a capture of UDP datagrams as raw IP packets (LINKTYPE_RAW, 101: no
 * link-layer header, IPv4 or IPv6 told apart by the version nibble). Pure: runs in the browser
 * (a "Download capture" button) as well as in Node.
 */
import { EncodeError } from '../codec/decode-error.js';
import { encodeIpUdpPacket } from './ip-udp-packet.js';
import {
  LinkType,
  PCAP_FILE_HEADER_LENGTH,
  PCAP_MAGIC_MICROSECONDS,
  PCAP_MAGIC_NANOSECONDS,
  PCAP_RECORD_HEADER_LENGTH,
  PCAP_VERSION_MAJOR,
  PCAP_VERSION_MINOR,
  type PcapFile,
  type PcapRecord,
  type UdpEndpoint,
} from './pcap-file.js';

/** Snapshot length written by `PcapWriter`: larger than any IP packet it builds. */
export const PCAP_WRITER_SNAPLEN = 262144;

const U32_MAX = 0xffffffff;

function checkU32(field: string, v: number, max = U32_MAX): void {
  if (!Number.isInteger(v) || v < 0 || v > max) throw new EncodeError(field, `${v} is not an integer in 0..${max}`);
}

/** The bytes of a pcap file, in the file's own byte order and timestamp precision. */
export function encodePcapFile(file: PcapFile): Uint8Array {
  checkU32('PcapFile.versionMajor', file.versionMajor, 0xffff);
  checkU32('PcapFile.versionMinor', file.versionMinor, 0xffff);
  if (!Number.isInteger(file.thiszone) || file.thiszone < -0x80000000 || file.thiszone > 0x7fffffff) {
    throw new EncodeError('PcapFile.thiszone', `${file.thiszone} is not a 32-bit signed integer`);
  }
  checkU32('PcapFile.sigfigs', file.sigfigs);
  checkU32('PcapFile.snaplen', file.snaplen);
  checkU32('PcapFile.network', file.network);
  const fractionMax = file.precision === 'nanoseconds' ? 999_999_999 : 999_999;
  let size = PCAP_FILE_HEADER_LENGTH;
  file.records.forEach((r, i) => {
    const field = `PcapFile.records[${i}]`;
    checkU32(`${field}.tsSec`, r.tsSec);
    checkU32(`${field}.tsFraction`, r.tsFraction, fractionMax);
    checkU32(`${field}.origLen`, r.origLen);
    if (r.data.length > r.origLen) throw new EncodeError(`${field}.origLen`, `${r.origLen} is less than the ${r.data.length} bytes captured`);
    size += PCAP_RECORD_HEADER_LENGTH + r.data.length;
  });

  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  const little = file.byteOrder === 'little';
  view.setUint32(0, file.precision === 'nanoseconds' ? PCAP_MAGIC_NANOSECONDS : PCAP_MAGIC_MICROSECONDS, little);
  view.setUint16(4, file.versionMajor, little);
  view.setUint16(6, file.versionMinor, little);
  view.setInt32(8, file.thiszone, little);
  view.setUint32(12, file.sigfigs, little);
  view.setUint32(16, file.snaplen, little);
  view.setUint32(20, file.network, little);
  let at = PCAP_FILE_HEADER_LENGTH;
  for (const r of file.records) {
    view.setUint32(at, r.tsSec, little);
    view.setUint32(at + 4, r.tsFraction, little);
    view.setUint32(at + 8, r.data.length, little);
    view.setUint32(at + 12, r.origLen, little);
    out.set(r.data, at + PCAP_RECORD_HEADER_LENGTH);
    at += PCAP_RECORD_HEADER_LENGTH + r.data.length;
  }
  return out;
}

/** One UDP datagram to record. */
export interface UdpRecordInit {
  /** Milliseconds since 1970-01-01 UTC (as `Date.now()` gives); kept to the microsecond. */
  readonly timestampMs: number;
  readonly src: UdpEndpoint;
  readonly dst: UdpEndpoint;
  readonly payload: Uint8Array;
}

/**
 * Builds a capture of UDP datagrams: little-endian, microsecond timestamps, version 2.4,
 * LINKTYPE_RAW. IPv4 header checksums, UDP lengths and UDP checksums are all correct.
 */
export class PcapWriter {
  private readonly records: PcapRecord[] = [];

  /** Number of records added so far. */
  get recordCount(): number {
    return this.records.length;
  }

  /** Appends one IPv4 or IPv6 UDP packet. Throws EncodeError for values the format cannot carry. */
  addUdp(init: UdpRecordInit): this {
    const { tsSec, tsFraction } = microsecondTimestamp(init.timestampMs);
    const packet = encodeIpUdpPacket({ ...init, identification: (this.records.length + 1) & 0xffff });
    this.records.push({ tsSec, tsFraction, origLen: packet.length, data: packet });
    return this;
  }

  /** The whole file so far. */
  toBytes(): Uint8Array {
    return encodePcapFile({
      byteOrder: 'little',
      precision: 'microseconds',
      versionMajor: PCAP_VERSION_MAJOR,
      versionMinor: PCAP_VERSION_MINOR,
      thiszone: 0,
      sigfigs: 0,
      snaplen: PCAP_WRITER_SNAPLEN,
      network: LinkType.LINKTYPE_RAW,
      records: this.records,
    });
  }
}

function microsecondTimestamp(timestampMs: number): { tsSec: number; tsFraction: number } {
  const micros = Math.round(timestampMs * 1000);
  if (!Number.isFinite(timestampMs) || micros < 0 || micros / 1_000_000 >= U32_MAX + 1) {
    throw new EncodeError('timestampMs', `${timestampMs} is not a time between 1970 and 2106 in milliseconds`);
  }
  const tsSec = Math.floor(micros / 1_000_000);
  return { tsSec, tsFraction: micros - tsSec * 1_000_000 };
}
