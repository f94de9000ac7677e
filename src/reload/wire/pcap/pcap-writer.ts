/**
 * Writes classic pcap files. `encodePcapFile` writes any parsed `PcapFile` back byte for byte;
 * `PcapWriter` builds a capture of UDP datagrams as raw IP packets (LINKTYPE_RAW, 101: no
 * link-layer header, IPv4 or IPv6 told apart by the version nibble). Pure: runs in the browser
 * (a "Download capture" button) as well as in Node.
 */
import { concatBytes } from '../codec/concat-bytes.js';
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
  writeFileHeader(view, file);
  let at = PCAP_FILE_HEADER_LENGTH;
  for (const r of file.records) at = writeRecord(out, view, at, r, little);
  return out;
}

/** The 24-byte global header of `file` at the start of `view`. */
function writeFileHeader(view: DataView, file: Omit<PcapFile, 'records'>): void {
  const little = file.byteOrder === 'little';
  view.setUint32(0, file.precision === 'nanoseconds' ? PCAP_MAGIC_NANOSECONDS : PCAP_MAGIC_MICROSECONDS, little);
  view.setUint16(4, file.versionMajor, little);
  view.setUint16(6, file.versionMinor, little);
  view.setInt32(8, file.thiszone, little);
  view.setUint32(12, file.sigfigs, little);
  view.setUint32(16, file.snaplen, little);
  view.setUint32(20, file.network, little);
}

/** One record (its 16-byte header, then its data) at `at` of `out` (`view` is over `out`'s buffer); returns the end. */
function writeRecord(out: Uint8Array, view: DataView, at: number, r: PcapRecord, little: boolean): number {
  view.setUint32(at, r.tsSec, little);
  view.setUint32(at + 4, r.tsFraction, little);
  view.setUint32(at + 8, r.data.length, little);
  view.setUint32(at + 12, r.origLen, little);
  out.set(r.data, at + PCAP_RECORD_HEADER_LENGTH);
  return at + PCAP_RECORD_HEADER_LENGTH + r.data.length;
}

/** One UDP datagram to record. */
export interface UdpRecordInit {
  /** Milliseconds since 1970-01-01 UTC (as `Date.now()` gives); kept to the microsecond. */
  readonly timestampMs: number;
  readonly src: UdpEndpoint;
  readonly dst: UdpEndpoint;
  readonly payload: Uint8Array;
}

/** The file header every PcapWriter capture has. */
const WRITER_HEADER: Omit<PcapFile, 'records'> = {
  byteOrder: 'little',
  precision: 'microseconds',
  versionMajor: PCAP_VERSION_MAJOR,
  versionMinor: PCAP_VERSION_MINOR,
  thiszone: 0,
  sigfigs: 0,
  snaplen: PCAP_WRITER_SNAPLEN,
  network: LinkType.LINKTYPE_RAW,
};

/** Bytes of encoded records gathered into one array before a new one is started (PcapWriter). */
export const PCAP_WRITER_CHUNK_BYTES = 1 << 20;

/**
 * Builds a capture of UDP datagrams: little-endian, microsecond timestamps, version 2.4,
 * LINKTYPE_RAW. IPv4 header checksums, UDP lengths and UDP checksums are all correct.
 *
 * Each record is encoded once, as it is added, into chunks of about PCAP_WRITER_CHUNK_BYTES:
 * `parts()` hands out the file so far as those arrays, without encoding or copying it again. A
 * capture written to disk every few seconds (`chordphone serve --pcap`) used to encode the whole
 * file each time, up to 200,000 records: 100-150 ms of blocked event loop per write on an idle
 * machine, every 2 s, in a process whose links judge their peers by how promptly they answer.
 */
export class PcapWriter {
  private readonly header = new Uint8Array(PCAP_FILE_HEADER_LENGTH);
  /** Full chunks, each cut to its used length. */
  private readonly sealed: Uint8Array[] = [];
  private chunk: Uint8Array;
  private view: DataView;
  private used = 0;
  private count = 0;

  constructor(private readonly chunkBytes = PCAP_WRITER_CHUNK_BYTES) {
    writeFileHeader(new DataView(this.header.buffer), WRITER_HEADER);
    // No chunk until the first record (a capture may stay empty).
    this.chunk = new Uint8Array(0);
    this.view = new DataView(this.chunk.buffer);
  }

  /** Number of records added so far. */
  get recordCount(): number {
    return this.count;
  }

  /** Appends one IPv4 or IPv6 UDP packet. Throws EncodeError for values the format cannot carry. */
  addUdp(init: UdpRecordInit): this {
    const { tsSec, tsFraction } = microsecondTimestamp(init.timestampMs);
    const packet = encodeIpUdpPacket({ ...init, identification: (this.count + 1) & 0xffff });
    const size = PCAP_RECORD_HEADER_LENGTH + packet.length;
    if (this.used + size > this.chunk.length) {
      if (this.used > 0) this.sealed.push(this.chunk.subarray(0, this.used));
      this.chunk = new Uint8Array(Math.max(this.chunkBytes, size));
      this.view = new DataView(this.chunk.buffer);
      this.used = 0;
    }
    this.used = writeRecord(this.chunk, this.view, this.used, { tsSec, tsFraction, origLen: packet.length, data: packet }, true);
    this.count++;
    return this;
  }

  /**
   * The whole file so far as consecutive parts (header first), without a copy. Bytes already handed
   * out never change: later records go after them or into new chunks, so a write of these parts
   * may run while more records are added.
   */
  parts(): Uint8Array[] {
    return [this.header, ...this.sealed, ...(this.used > 0 ? [this.chunk.subarray(0, this.used)] : [])];
  }

  /** The whole file so far, in one array. */
  toBytes(): Uint8Array {
    return concatBytes(...this.parts());
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
