/**
 * Reads classic pcap files (either byte order, micro- or nanosecond timestamps) and finds the
 * UDP datagrams in them. Pure: runs in Node and in the browser. Throws only DecodeError.
 */
import { ipPacketStart, isSupportedLinkType } from './link-layer.js';
import { decodeIpUdpPacket } from './ip-udp-packet.js';
import {
  PCAP_FILE_HEADER_LENGTH,
  PCAP_MAGIC_MICROSECONDS,
  PCAP_MAGIC_NANOSECONDS,
  PCAP_RECORD_HEADER_LENGTH,
  PCAP_VERSION_MAJOR,
  PCAPNG_BLOCK_TYPE_SHB,
  pcapDecodeError,
  recordTimestampMs,
  type PcapFile,
  type PcapRecord,
  type UdpDatagram,
} from './pcap-file.js';

const FILE = ['PcapFile'];

/** Magic number as read big-endian → byte order and precision. */
const MAGICS: ReadonlyMap<number, Pick<PcapFile, 'byteOrder' | 'precision'>> = new Map([
  [PCAP_MAGIC_MICROSECONDS, { byteOrder: 'big', precision: 'microseconds' }],
  [PCAP_MAGIC_NANOSECONDS, { byteOrder: 'big', precision: 'nanoseconds' }],
  [0xd4c3b2a1, { byteOrder: 'little', precision: 'microseconds' }],
  [0x4d3cb2a1, { byteOrder: 'little', precision: 'nanoseconds' }],
]);

const hex32 = (n: number): string => `0x${n.toString(16).padStart(8, '0')}`;

/** Parses a whole pcap file: the header and every record. */
export function decodePcapFile(bytes: Uint8Array): PcapFile {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length < 4) throw pcapDecodeError(FILE, 'magicNumber', 0, `needs 4 bytes but only ${bytes.length} remain`);
  const magic = view.getUint32(0);
  const kind = MAGICS.get(magic);
  if (!kind) {
    let reason = `not a pcap file (magic number ${hex32(magic)})`;
    if (magic === PCAPNG_BLOCK_TYPE_SHB) reason = 'this is a pcapng file; save it as classic pcap first (editcap -F pcap in.pcapng out.pcap, or tshark -F pcap)';
    else if (magic === 0xa1b2cd34 || magic === 0x34cdb2a1) reason = 'the "modified" (Kuznetzov) pcap format is not supported';
    throw pcapDecodeError(FILE, 'magicNumber', 0, reason);
  }
  if (bytes.length < PCAP_FILE_HEADER_LENGTH) {
    throw pcapDecodeError(FILE, 'versionMajor', 4, `the file header needs ${PCAP_FILE_HEADER_LENGTH} bytes but the file has ${bytes.length}`);
  }
  const little = kind.byteOrder === 'little';
  const u16 = (at: number) => view.getUint16(at, little);
  const u32 = (at: number) => view.getUint32(at, little);

  const versionMajor = u16(4);
  const versionMinor = u16(6);
  if (versionMajor !== PCAP_VERSION_MAJOR) {
    throw pcapDecodeError(FILE, 'versionMajor', 4, `version ${versionMajor}.${versionMinor} is not supported (expected ${PCAP_VERSION_MAJOR}.x)`);
  }
  const fractionLimit = kind.precision === 'nanoseconds' ? 1_000_000_000 : 1_000_000;

  const records: PcapRecord[] = [];
  let at = PCAP_FILE_HEADER_LENGTH;
  while (at < bytes.length) {
    const path = [...FILE, `records[${records.length}]`];
    const left = bytes.length - at;
    if (left < PCAP_RECORD_HEADER_LENGTH) {
      throw pcapDecodeError(path, 'tsSec', at, `a record header needs ${PCAP_RECORD_HEADER_LENGTH} bytes but only ${left} remain`);
    }
    const tsSec = u32(at);
    const tsFraction = u32(at + 4);
    const inclLen = u32(at + 8);
    const origLen = u32(at + 12);
    if (tsFraction >= fractionLimit) {
      throw pcapDecodeError(path, 'tsFraction', at + 4, `${tsFraction} is not below ${fractionLimit} (${kind.precision} in a second)`);
    }
    if (inclLen > left - PCAP_RECORD_HEADER_LENGTH) {
      throw pcapDecodeError(path, 'inclLen', at + 8, `length ${inclLen} exceeds the ${left - PCAP_RECORD_HEADER_LENGTH} bytes that remain`);
    }
    if (inclLen > origLen) {
      throw pcapDecodeError(path, 'inclLen', at + 8, `captured length ${inclLen} exceeds the original length ${origLen}`);
    }
    const start = at + PCAP_RECORD_HEADER_LENGTH;
    records.push({ tsSec, tsFraction, origLen, data: bytes.slice(start, start + inclLen) });
    at = start + inclLen;
  }

  return {
    ...kind,
    versionMajor,
    versionMinor,
    thiszone: view.getInt32(8, little),
    sigfigs: u32(12),
    snaplen: u32(16),
    network: u32(20),
    records,
  };
}

/**
 * The UDP datagrams in a parsed capture, in record order. Records that hold no UDP (other
 * protocols, IP fragments, packets cut before the UDP header ended) are left out.
 *
 * @throws DecodeError for a link type it cannot take apart, or IP/UDP headers that contradict
 *   each other or the captured bytes
 */
export function extractUdpDatagrams(file: PcapFile): UdpDatagram[] {
  if (!isSupportedLinkType(file.network)) {
    throw pcapDecodeError(FILE, 'network', 20, `link type ${file.network} is not supported (use raw IP, Ethernet, Linux cooked or loopback captures)`);
  }
  // Offsets in errors are absolute in the file, so recompute where each record's data begins.
  let dataOffset = PCAP_FILE_HEADER_LENGTH + PCAP_RECORD_HEADER_LENGTH;
  const out: UdpDatagram[] = [];
  file.records.forEach((record, recordIndex) => {
    const start = ipPacketStart(file.network, record.data);
    if (start !== undefined && start <= record.data.length) {
      const udp = decodeIpUdpPacket(record.data.subarray(start), record.origLen - start, {
        path: [...FILE, `records[${recordIndex}]`],
        offset: dataOffset + start,
      });
      if (udp) out.push({ recordIndex, timestampMs: recordTimestampMs(file, record), ...udp });
    }
    dataOffset += record.data.length + PCAP_RECORD_HEADER_LENGTH;
  });
  return out;
}

/** `extractUdpDatagrams(decodePcapFile(bytes))`. */
export function decodeUdpCapture(bytes: Uint8Array): UdpDatagram[] {
  return extractUdpDatagrams(decodePcapFile(bytes));
}
