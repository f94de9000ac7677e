/**
 * The classic libpcap capture file format ("pcap savefile", draft-ietf-opsawg-pcap; tcpdump's
 * pcap-savefile(5)), not pcapng. A file is a 24-byte header followed by records, each a 16-byte
 * header and the captured bytes. All header fields are in the byte order of the writer, which the
 * magic number reveals; the magic also says whether timestamps count micro- or nanoseconds.
 */
import { DecodeError } from '../codec/decode-error.js';

/** Magic number of a file with microsecond timestamps. */
export const PCAP_MAGIC_MICROSECONDS = 0xa1b2c3d4;
/** Magic number of a file with nanosecond timestamps. */
export const PCAP_MAGIC_NANOSECONDS = 0xa1b23c4d;
/** First four bytes of a pcapng file (Section Header Block type), the same in either byte order. */
export const PCAPNG_BLOCK_TYPE_SHB = 0x0a0d0d0a;

export const PCAP_VERSION_MAJOR = 2;
export const PCAP_VERSION_MINOR = 4;
export const PCAP_FILE_HEADER_LENGTH = 24;
export const PCAP_RECORD_HEADER_LENGTH = 16;

/** LINKTYPE_ values (tcpdump.org link-layer header types) that the reader can take apart. */
export const LinkType = {
  LINKTYPE_NULL: 0,
  LINKTYPE_ETHERNET: 1,
  LINKTYPE_RAW: 101,
  LINKTYPE_LOOP: 108,
  LINKTYPE_LINUX_SLL: 113,
  LINKTYPE_IPV4: 228,
  LINKTYPE_IPV6: 229,
  LINKTYPE_LINUX_SLL2: 276,
} as const;

/** The file header (pcap-savefile(5) "File Header"), plus every record that follows it. */
export interface PcapFile {
  /** Byte order of the header fields, as the magic number showed. */
  readonly byteOrder: 'little' | 'big';
  /** Unit of `PcapRecord.tsFraction`. */
  readonly precision: 'microseconds' | 'nanoseconds';
  readonly versionMajor: number;
  readonly versionMinor: number;
  /** Offset of the timestamps from UTC, in seconds; always 0 in practice. */
  readonly thiszone: number;
  readonly sigfigs: number;
  /** Largest number of bytes captured per packet. */
  readonly snaplen: number;
  /** Link-layer header type of every record (`LinkType`). Named `network` in pcap-savefile(5). */
  readonly network: number;
  readonly records: readonly PcapRecord[];
}

/** One packet record (pcap-savefile(5) "Record (Packet) Header" and data). */
export interface PcapRecord {
  /** Seconds since 1970-01-01 UTC. */
  readonly tsSec: number;
  /** Micro- or nanoseconds within the second (see `PcapFile.precision`). */
  readonly tsFraction: number;
  /** Length of the packet on the wire; at least `data.length` (more when the capture cut it). */
  readonly origLen: number;
  /** The captured bytes (`incl_len` of them), starting with the link-layer header. */
  readonly data: Uint8Array;
}

/** An IP address (dotted quad or RFC 5952 IPv6 text) and a port. */
export interface UdpEndpoint {
  readonly ip: string;
  readonly port: number;
}

/** A UDP datagram found in a capture. */
export interface UdpDatagram {
  /** Index of its record in `PcapFile.records`. */
  readonly recordIndex: number;
  /** Capture time in milliseconds since 1970-01-01 UTC (fractional below a millisecond). */
  readonly timestampMs: number;
  readonly src: UdpEndpoint;
  readonly dst: UdpEndpoint;
  /** The UDP payload (or as much of it as was captured, when `truncated`). */
  readonly payload: Uint8Array;
  /** True when the capture's snaplen cut the packet, so `payload` is shorter than the datagram's. */
  readonly truncated: boolean;
}

/** Milliseconds since the epoch of a record's timestamp. */
export function recordTimestampMs(file: Pick<PcapFile, 'precision'>, record: PcapRecord): number {
  const perMs = file.precision === 'nanoseconds' ? 1_000_000 : 1_000;
  return record.tsSec * 1000 + record.tsFraction / perMs;
}

/**
 * A DecodeError at `structures.field` (e.g. `PcapFile.records[2].Ipv4Header.totalLength`). The
 * structure is the last segment that starts with a capital letter.
 */
export function pcapDecodeError(structures: readonly string[], field: string, offset: number, reason: string): DecodeError {
  const structure = [...structures].reverse().find((s) => /^[A-Z]/.test(s)) ?? 'PcapFile';
  return new DecodeError({
    path: [...structures, field].filter((s) => s !== '').join('.'),
    structure,
    field,
    offset,
    reason,
  });
}
