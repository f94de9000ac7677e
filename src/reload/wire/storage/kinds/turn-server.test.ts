import { describe, expect, it } from 'vitest';
import { EncodeError } from '../../codec/decode-error.js';
import { arbTurnServer } from '../../testing/storage.arb.js';
import { decodeTurnServer, encodeTurnServer, turnServiceResourceName, type TurnServer } from './turn-server.js';
import { decodeErrorPath, hex, roundTrips } from '../../testing/codec-test-kit.js';

describe('TurnServer (RFC 6940 §9)', () => {
  it.each([
    {
      name: 'IPv4',
      bytes: hex(`
        01                       // iteration: d = 1
        01 06 c0 00 02 01 0d 96  // IpAddressPort: ipv4_address, length 6, 192.0.2.1, port 3478
      `),
      value: { iteration: 1, serverAddress: { kind: 'ipv4', address: Uint8Array.of(192, 0, 2, 1), port: 3478 } } as TurnServer,
    },
    {
      name: 'IPv6',
      bytes: hex(`
        14                       // iteration: d = 20
        02 12                    // ipv6_address, length 18
        20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 01 // 2001:db8::1
        14 96                    // port 5270
      `),
      value: { iteration: 20, serverAddress: { kind: 'ipv6', address: hex('20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 01'), port: 5270 } } as TurnServer,
    },
  ])('$name', ({ bytes, value }) => {
    expect(decodeTurnServer(bytes)).toEqual(value);
    expect(encodeTurnServer(value)).toEqual(bytes);
  });

  it.each([
    ['truncated address', '01 01 06 c0 00 02', 'TurnServer.serverAddress.length'],
    ['trailing byte', '01 01 06 c0 00 02 01 0d 96 00', 'TurnServer'],
    ['empty', '', 'TurnServer.iteration'],
  ])('%s', (_name, text, path) => {
    expect(decodeErrorPath(() => decodeTurnServer(hex(text)))).toBe(path);
  });

  it('Resource Name: Node-ID || d (one byte)', () => {
    const nodeId = new Uint8Array(16).fill(0xab);
    expect(turnServiceResourceName(nodeId, 3)).toEqual(Uint8Array.from([...nodeId, 3]));
    expect(() => turnServiceResourceName(new Uint8Array(15), 1)).toThrow(EncodeError);
    expect(() => turnServiceResourceName(nodeId, 256)).toThrow(EncodeError);
  });

  it('properties', () => {
    roundTrips(arbTurnServer, encodeTurnServer, decodeTurnServer, { damage: false });
  });
});
