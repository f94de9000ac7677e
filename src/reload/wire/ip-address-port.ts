import type { Reader } from './codec/reader.js';
import type { Writer } from './codec/writer.js';
import { EncodeError } from './codec/decode-error.js';

/** RFC 6940 §6.3.1 AddressType. */
export const AddressType = { invalidAddressType: 0, ipv4_address: 1, ipv6_address: 2 } as const;

/**
 * RFC 6940 §6.3.1 IpAddressPort. An address type we do not know is kept as opaque bytes: the
 * RFC puts `type` and `length` first precisely so that a reader can skip a new type.
 */
export type IpAddressPort =
  | { readonly kind: 'ipv4'; readonly address: Uint8Array; readonly port: number }
  | { readonly kind: 'ipv6'; readonly address: Uint8Array; readonly port: number }
  | { readonly kind: 'unknown'; readonly type: number; readonly data: Uint8Array };

export function readIpAddressPort(r: Reader, field = 'IpAddressPort'): IpAddressPort {
  return r.scope(field, () => {
    const at = r.offset;
    const type = r.u8('type');
    const length = r.length('length', 1);
    if (type === AddressType.ipv4_address || type === AddressType.ipv6_address) {
      const size = type === AddressType.ipv4_address ? 4 : 16;
      if (length !== size + 2) r.fail('length', `an ${size === 4 ? 'IPv4' : 'IPv6'} address and port take ${size + 2} bytes, not ${length}`, at + 1);
      const address = r.fixed('addr', size);
      const port = r.u16('port');
      return { kind: size === 4 ? 'ipv4' : 'ipv6', address, port } as const;
    }
    if (type === AddressType.invalidAddressType) r.fail('type', 'address type 0 (invalidAddressType)', at);
    return { kind: 'unknown', type, data: r.fixed('data', length) } as const;
  });
}

export function writeIpAddressPort(w: Writer, v: IpAddressPort): void {
  if (v.kind === 'unknown') {
    if (v.type === 0 || v.type === 1 || v.type === 2) throw new EncodeError('IpAddressPort.type', `type ${v.type} is not an unknown type`);
    w.u8(v.type, 'IpAddressPort.type').opaque(1, v.data, 'IpAddressPort.data');
    return;
  }
  const size = v.kind === 'ipv4' ? 4 : 16;
  w.u8(v.kind === 'ipv4' ? AddressType.ipv4_address : AddressType.ipv6_address)
    .u8(size + 2)
    .bytes(v.address, 'IpAddressPort.addr', size)
    .u16(v.port, 'IpAddressPort.port');
}

/** Text form of an address: dotted quad, or RFC 5952 compressed IPv6. */
export function formatIpAddress(v: IpAddressPort): string {
  if (v.kind === 'ipv4') return Array.from(v.address).join('.');
  if (v.kind === 'ipv6') {
    const groups: number[] = [];
    for (let i = 0; i < 16; i += 2) groups.push(((v.address[i] ?? 0) << 8) | (v.address[i + 1] ?? 0));
    // RFC 5952 §4.2.3: compress the longest run (length ≥ 2) of zero groups, the first on a tie.
    let best = -1;
    let bestLen = 1;
    for (let i = 0; i < 8; ) {
      if (groups[i] !== 0) {
        i++;
        continue;
      }
      let j = i;
      while (j < 8 && groups[j] === 0) j++;
      if (j - i > bestLen) {
        best = i;
        bestLen = j - i;
      }
      i = j;
    }
    const hex = groups.map((g) => g.toString(16));
    if (best < 0) return hex.join(':');
    return `${hex.slice(0, best).join(':')}::${hex.slice(best + bestLen).join(':')}`;
  }
  return `type-${v.type}`;
}

/** Build an IpAddressPort from text (`192.0.2.1`, `2001:db8::1`); undefined when it is not an address. */
export function parseIpAddressPort(address: string, port: number): IpAddressPort | undefined {
  const v4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(address);
  if (v4) {
    const parts = v4.slice(1).map(Number);
    if (parts.some((p) => p > 255)) return undefined;
    return { kind: 'ipv4', address: Uint8Array.from(parts), port };
  }
  if (!address.includes(':')) return undefined;
  const halves = address.split('::');
  if (halves.length > 2) return undefined;
  const parse = (s: string): number[] | undefined => {
    if (s === '') return [];
    const out: number[] = [];
    for (const g of s.split(':')) {
      if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return undefined;
      out.push(parseInt(g, 16));
    }
    return out;
  };
  const head = parse(halves[0] ?? '');
  const tail = halves.length === 2 ? parse(halves[1] ?? '') : [];
  if (!head || !tail) return undefined;
  const fill = 8 - head.length - tail.length;
  if ((halves.length === 1 && fill !== 0) || fill < 0 || (halves.length === 2 && fill < 1)) return undefined;
  const groups = [...head, ...new Array<number>(fill).fill(0), ...tail];
  const bytes = new Uint8Array(16);
  groups.forEach((g, i) => {
    bytes[i * 2] = g >> 8;
    bytes[i * 2 + 1] = g & 0xff;
  });
  return { kind: 'ipv6', address: bytes, port };
}
