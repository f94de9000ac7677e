/** Classic pcap capture files: write UDP datagrams as raw IP packets, read them back. */
export {
  LinkType,
  recordTimestampMs,
  type PcapFile,
  type PcapRecord,
  type UdpDatagram,
  type UdpEndpoint,
} from './pcap-file.js';
export { decodePcapFile, extractUdpDatagrams, decodeUdpCapture } from './pcap-reader.js';
export { encodePcapFile, PcapWriter, PCAP_WRITER_SNAPLEN, type UdpRecordInit } from './pcap-writer.js';
