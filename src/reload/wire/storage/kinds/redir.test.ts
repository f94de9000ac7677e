import { describe, expect, it } from 'vitest';
import { EncodeError } from '../../codec/decode-error.js';
import { arbRedirServiceProvider } from '../../testing/storage.arb.js';
import { decodeRedirServiceProvider, encodeRedirServiceProvider, redirResourceName, type RedirServiceProvider } from './redir.js';
import { decodeErrorPath, hex, roundTrips } from '../../testing/codec-test-kit.js';

const provider = new Uint8Array(16).fill(0x44);

/** RFC 7374 §4.1: a TURN relay registered at tree node (2, 3). */
const bytes = hex(`
  00                             // type: none(0)
  00 12                          // destination_list<0..2^16-1>: 18 bytes
  01 10 44 44 44 44 44 44 44 44 44 44 44 44 44 44 44 44 // Destination: node, the provider's Node-ID
  00 0b                          // namespace<0..2^16-1>: 11 bytes
  74 75 72 6e 2d 73 65 72 76 65 72 // "turn-server"
  00 02                          // level: 2
  00 03                          // node: 3
  00 00                          // length: 0, no extension
`);
const value: RedirServiceProvider = {
  type: 0,
  destinationList: [{ kind: 'node', nodeId: provider }],
  namespace: new TextEncoder().encode('turn-server'),
  level: 2,
  node: 3,
  extension: new Uint8Array(0),
};

describe('RedirServiceProvider (RFC 7374 §4.1)', () => {
  it('vector', () => {
    expect(decodeRedirServiceProvider(bytes)).toEqual(value);
    expect(encodeRedirServiceProvider(value)).toEqual(bytes);
  });

  it('an unknown extension type keeps its extension', () => {
    const ext = hex('05 00 00 00 00 00 00 00 00 00 02 ab cd');
    const v = { type: 5, destinationList: [], namespace: new Uint8Array(0), level: 0, node: 0, extension: hex('ab cd') };
    expect(decodeRedirServiceProvider(ext)).toEqual(v);
    expect(encodeRedirServiceProvider(v)).toEqual(ext);
  });

  it.each([
    ['type none with an extension', '00 00 00 00 00 00 00 00 00 00 01 ff', 'RedirServiceProvider.length'],
    ['destination list cut short', '00 00 03 01 10 44', 'RedirServiceProvider.destinationList[0].Destination.length'],
    ['missing node', '00 00 00 00 00 00 01', 'RedirServiceProvider.node'],
    ['trailing byte', '00 00 00 00 00 00 00 00 00 00 00 00', 'RedirServiceProvider'],
  ])('%s', (_name, text, path) => {
    expect(decodeErrorPath(() => decodeRedirServiceProvider(hex(text)))).toBe(path);
  });

  it('encoder refuses an extension on type none', () => {
    expect(() => encodeRedirServiceProvider({ ...value, extension: Uint8Array.of(1) })).toThrow(EncodeError);
  });

  it('Resource Name: namespace || level || node', () => {
    expect(redirResourceName('turn-server', 2, 3)).toEqual(hex('74 75 72 6e 2d 73 65 72 76 65 72 00 02 00 03'));
    expect(redirResourceName(Uint8Array.of(1), 0x100, 0)).toEqual(hex('01 01 00 00 00'));
    expect(() => redirResourceName('x', 0x10000, 0)).toThrow(EncodeError);
  });

  it('properties', () => {
    roundTrips(arbRedirServiceProvider, encodeRedirServiceProvider, decodeRedirServiceProvider, { damage: false });
  });
});
