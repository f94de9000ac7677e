/**
 * Host addresses (`a.b.c.d:port`, `[v6]:port`) as IpAddressPort and as the one host candidate
 * (RFC 6940 §6.5.1.1) of a network without ICE: what AttachService and the memory network's
 * application channels both put in their Attach / AppAttach fields.
 */
import { formatIpAddress, parseIpAddressPort, type IpAddressPort } from '../wire/ip-address-port.js';
import { CandType, OverlayLinkType, type IceCandidate } from '../wire/methods/attach.js';

/** `a.b.c.d:port` / `[v6]:port` → IpAddressPort; undefined when it is not one. */
export function parseAddress(address: string): IpAddressPort | undefined {
  const m = /^\[?([^\]]+?)\]?:(\d{1,5})$/.exec(address);
  if (!m) return undefined;
  const port = Number(m[2]);
  if (port > 0xffff) return undefined;
  return parseIpAddressPort(m[1]!, port);
}

/** IpAddressPort → `a.b.c.d:port` / `[v6]:port`. */
export function formatAddress(a: IpAddressPort): string | undefined {
  if (a.kind === 'ipv4') return `${formatIpAddress(a)}:${a.port}`;
  if (a.kind === 'ipv6') return `[${formatIpAddress(a)}]:${a.port}`;
  return undefined;
}

/**
 * RFC 8445 §5.1.2.1 priority of a host candidate: type preference 126, local preference 65535,
 * component 1 (the one RELOAD component, §6.5.1.1).
 */
const HOST_PRIORITY = (126 << 24) + (65535 << 8) + (256 - 1);

const FOUNDATION = new TextEncoder().encode('1');

/** The host candidate for `addrPort` (no ICE: TLS_TCP_FH_NO_ICE). */
export function hostCandidate(addrPort: IpAddressPort): IceCandidate {
  return { addrPort, overlayLink: OverlayLinkType.TLS_TCP_FH_NO_ICE, foundation: FOUNDATION, priority: HOST_PRIORITY, type: CandType.host, extensions: [] };
}
