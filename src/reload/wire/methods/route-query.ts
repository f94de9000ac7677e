import { decodeAll, type Reader } from '../codec/reader.js';
import { encodeWith, type Writer } from '../codec/writer.js';
import { readDestination, writeDestination, type Destination } from '../destination.js';

/**
 * RFC 6940 §6.4.2.4.1 RouteQueryReq. The answer (§6.4.2.4.2) is "completely overlay specific":
 * for chord-reload it is ChordRouteQueryAns (§10.8, `chord.ts`); chord-reload puts nothing in
 * `overlaySpecificData` (§10.8: "the RouteQueryReq contains no additional information").
 */
export interface RouteQueryReq {
  /** Ask the responder to send an Update right away (§6.4.2.4.1). */
  readonly sendUpdate: boolean;
  /** Any Destination: a Node-ID, a Resource-ID or an opaque id. */
  readonly destination: Destination;
  /** `opaque overlay_specific_data<0..2^16-1>`. */
  readonly overlaySpecificData: Uint8Array;
}

function routeQueryReqFields(r: Reader): RouteQueryReq {
  return {
    sendUpdate: r.bool('sendUpdate'),
    destination: r.scope('destination', () => readDestination(r)),
    overlaySpecificData: r.opaque('overlaySpecificData', 2),
  };
}

export function readRouteQueryReq(r: Reader): RouteQueryReq {
  return r.scope('RouteQueryReq', () => routeQueryReqFields(r));
}

export function writeRouteQueryReq(w: Writer, v: RouteQueryReq): void {
  w.bool(v.sendUpdate);
  writeDestination(w, v.destination);
  w.opaque(2, v.overlaySpecificData, 'RouteQueryReq.overlaySpecificData');
}

export function decodeRouteQueryReq(bytes: Uint8Array): RouteQueryReq {
  return decodeAll(bytes, 'RouteQueryReq', routeQueryReqFields);
}

export function encodeRouteQueryReq(v: RouteQueryReq): Uint8Array {
  return encodeWith((w) => writeRouteQueryReq(w, v));
}
