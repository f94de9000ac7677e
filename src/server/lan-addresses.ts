/**
 * The machine's LAN addresses: where phones and other computers reach the server (over HTTPS,
 * since getUserMedia and crypto.subtle need a secure context off localhost).
 */
import { hostname, networkInterfaces, type NetworkInterfaceInfo } from 'node:os';

export interface LanAddresses {
  /** Non-internal IPv4 addresses first, then IPv6 ones that are not link-local. */
  readonly ips: readonly string[];
  /** The machine's host name (for the certificate's DNS SAN and `<name>.local`). */
  readonly hostname: string;
}

/** This machine's LAN addresses (`interfaces` injectable for tests). */
export function lanAddresses(interfaces: NodeJS.Dict<NetworkInterfaceInfo[]> = networkInterfaces(), name: string = hostname()): LanAddresses {
  const v4: string[] = [];
  const v6: string[] = [];
  for (const list of Object.values(interfaces)) {
    for (const a of list ?? []) {
      if (a.internal) continue;
      if (a.family === 'IPv4') v4.push(a.address);
      else if (!a.address.toLowerCase().startsWith('fe80:')) v6.push(a.address);
    }
  }
  return { ips: [...new Set(v4), ...new Set(v6)], hostname: name };
}

/** `host` as it goes into a URL (IPv6 in brackets). */
export function urlHost(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}
