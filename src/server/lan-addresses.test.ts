import { describe, expect, it } from 'vitest';
import type { NetworkInterfaceInfo } from 'node:os';
import { lanAddresses, urlHost } from './lan-addresses.js';

const nic = (address: string, family: 'IPv4' | 'IPv6', internal = false) => ({ address, family, internal, netmask: '', mac: '', cidr: null }) as unknown as NetworkInterfaceInfo;

describe('lanAddresses', () => {
  it('lists external IPv4 first, then IPv6 that is not link-local; never loopback', () => {
    const got = lanAddresses(
      {
        lo: [nic('127.0.0.1', 'IPv4', true), nic('::1', 'IPv6', true)],
        eth0: [nic('fe80::1', 'IPv6'), nic('2001:db8::7', 'IPv6'), nic('192.168.1.20', 'IPv4')],
        wlan0: [nic('10.0.0.5', 'IPv4'), nic('192.168.1.20', 'IPv4')],
      },
      'studio',
    );
    expect(got).toEqual({ ips: ['192.168.1.20', '10.0.0.5', '2001:db8::7'], hostname: 'studio' });
  });

  it('brackets IPv6 hosts for URLs', () => {
    expect(urlHost('2001:db8::7')).toBe('[2001:db8::7]');
    expect(urlHost('192.168.1.20')).toBe('192.168.1.20');
  });
});
