import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { fromHex } from '../wire/codec/hex.js';
import { formatReloadNodeUri, parseReloadNodeUri } from './reload-uri.js';

const ID = fromHex('000102030405060708090a0b0c0d0e0f')!;

describe('RELOAD Node-ID URI (§11.3, §14.15)', () => {
  it('is reload:// + the hex Destination List of one node_id entry (01 10 + Node-ID) + @overlay/', () => {
    expect(formatReloadNodeUri(ID, 'overlay.example.org')).toBe('reload://0110000102030405060708090a0b0c0d0e0f@overlay.example.org/');
  });

  it('parses back, accepting upper-case hex and scheme', () => {
    expect(parseReloadNodeUri('RELOAD://0110000102030405060708090A0B0C0D0E0F@overlay.example.org/')).toEqual({ nodeId: ID, overlay: 'overlay.example.org' });
  });

  it.each([
    ['another scheme', 'sip:0110000102030405060708090a0b0c0d0e0f@o/', /not a reload/],
    ['the bare Node-ID (not a Destination List)', 'reload://000102030405060708090a0b0c0d0e0f@o/', /does not decode|single node_id/],
    ['two destinations', 'reload://0110000102030405060708090a0b0c0d0e0f0110000102030405060708090a0b0c0d0e0f@o/', /single node_id/],
    ['a resource destination', 'reload://0211100102030405060708090a0b0c0d0e0f00@o/', /single node_id/],
    ['a specifier', 'reload://0110000102030405060708090a0b0c0d0e0f@o/00', /no specifier/],
    ['no trailing slash', 'reload://0110000102030405060708090a0b0c0d0e0f@o', /expected/],
    ['no overlay', 'reload://0110000102030405060708090a0b0c0d0e0f@/', /bad overlay/],
    ['odd hex', 'reload://011@o/', /not hexadecimal/],
    ['truncated id', 'reload://01100001@o/', /does not decode/],
  ])('refuses %s', (_name, uri, reason) => {
    const r = parseReloadNodeUri(uri);
    expect('error' in r && r.error).toMatch(reason);
  });

  it('round-trips any Node-ID', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 16, maxLength: 16 }), fc.constantFrom('a.b', 'chordphone.test', 'x-y_z~1'), (id, overlay) => {
        expect(parseReloadNodeUri(formatReloadNodeUri(id, overlay))).toEqual({ nodeId: id, overlay });
      }),
    );
  });
});
