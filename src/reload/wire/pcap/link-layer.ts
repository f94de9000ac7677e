/**
 * Link-layer headers in front of the IP packet in a pcap record, for the link types the reader
 * knows (tcpdump.org "Link-layer header types"). Anything that is not IPv4 or IPv6 is skipped.
 */
import { LinkType } from './pcap-file.js';

const ETHERTYPE_IPV4 = 0x0800;
const ETHERTYPE_IPV6 = 0x86dd;
const ETHERTYPE_VLAN = 0x8100; // IEEE 802.1Q
const ETHERTYPE_QINQ = 0x88a8; // IEEE 802.1ad

/** Whether `linkType` is one whose IP packets `ipPacketStart` can find. */
export function isSupportedLinkType(linkType: number): boolean {
  return (Object.values(LinkType) as number[]).includes(linkType);
}

function etherTypeIsIp(type: number): boolean {
  return type === ETHERTYPE_IPV4 || type === ETHERTYPE_IPV6;
}

/**
 * Offset of the IP header in `data`, or undefined when the record carries no IP packet (ARP,
 * another protocol, or a frame too short for its link-layer header).
 */
export function ipPacketStart(linkType: number, data: Uint8Array): number | undefined {
  const u16 = (at: number): number | undefined => (at + 2 <= data.length ? ((data[at] ?? 0) << 8) | (data[at + 1] ?? 0) : undefined);
  switch (linkType) {
    case LinkType.LINKTYPE_RAW:
    case LinkType.LINKTYPE_IPV4:
    case LinkType.LINKTYPE_IPV6:
      return 0;
    case LinkType.LINKTYPE_NULL:
    case LinkType.LINKTYPE_LOOP: {
      // A 4-byte address family (host byte order for NULL, network for LOOP; its values differ
      // between systems), so look at the IP version instead.
      const version = (data[4] ?? 0) >> 4;
      return data.length > 4 && (version === 4 || version === 6) ? 4 : undefined;
    }
    case LinkType.LINKTYPE_ETHERNET: {
      let at = 12;
      let type = u16(at);
      while (type === ETHERTYPE_VLAN || type === ETHERTYPE_QINQ) {
        at += 4;
        type = u16(at);
      }
      return type !== undefined && etherTypeIsIp(type) ? at + 2 : undefined;
    }
    case LinkType.LINKTYPE_LINUX_SLL: {
      const type = u16(14);
      return type !== undefined && etherTypeIsIp(type) ? 16 : undefined;
    }
    case LinkType.LINKTYPE_LINUX_SLL2: {
      const type = u16(0);
      return type !== undefined && etherTypeIsIp(type) && data.length >= 20 ? 20 : undefined;
    }
    default:
      return undefined;
  }
}
