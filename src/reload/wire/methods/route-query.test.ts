import { describe, expect, it } from 'vitest';
import { decodeRouteQueryReq, encodeRouteQueryReq, type RouteQueryReq } from './route-query.js';
import { arbRouteQueryReq } from '../testing/methods.arb.js';
import { decodeErrorPath, hex as h, roundTrips } from '../testing/codec-test-kit.js';

const ID = '000102030405060708090a0b0c0d0e0f';

describe('RouteQueryReq (RFC 6940 §6.4.2.4.1)', () => {
  const rows: { name: string; bytes: Uint8Array; value: RouteQueryReq }[] = [
    {
      name: 'to a Node-ID, asking for an Update',
      bytes: h(
        '01', // send_update: True
        '01 10', ID, // destination: type node, length 16, Node-ID
        '0000', // overlay_specific_data: empty
      ),
      value: { sendUpdate: true, destination: { kind: 'node', nodeId: h(ID) }, overlaySpecificData: new Uint8Array() },
    },
    {
      name: 'to a Resource-ID, with overlay data',
      bytes: h(
        '00', // send_update: False
        '02 11 10', ID, // destination: type resource, length 17, ResourceId<0..2^8-1> of 16 bytes (rfc6940-readings #2)
        '0001 ff', // overlay_specific_data: one byte
      ),
      value: { sendUpdate: false, destination: { kind: 'resource', resourceId: h(ID) }, overlaySpecificData: h('ff') },
    },
  ];
  for (const row of rows) {
    it(`${row.name}: decodes and re-encodes byte for byte`, () => {
      expect(decodeRouteQueryReq(row.bytes)).toEqual(row.value);
      expect(encodeRouteQueryReq(row.value)).toEqual(row.bytes);
    });
  }

  const failures: { name: string; bytes: Uint8Array; path: string }[] = [
    { name: 'send_update 2', bytes: h('02 01 10', ID, '0000'), path: 'RouteQueryReq.sendUpdate' },
    { name: 'destination type 0', bytes: h('00 00 10', ID, '0000'), path: 'RouteQueryReq.destination.Destination.type' },
    { name: 'overlay data missing', bytes: h('00 01 10', ID), path: 'RouteQueryReq.overlaySpecificData' },
    { name: 'trailing byte', bytes: h('00 01 10', ID, '0000 00'), path: 'RouteQueryReq' },
  ];
  for (const row of failures) {
    it(`fails: ${row.name}`, () => expect(decodeErrorPath(() => decodeRouteQueryReq(row.bytes))).toBe(row.path));
  }

  it('round-trips both ways, and mutations raise only DecodeError', () => {
    roundTrips(arbRouteQueryReq, encodeRouteQueryReq, decodeRouteQueryReq, { truncate: false });
  });
});
