import { EncodeError } from '../../codec/decode-error.js';
import { decodeAll, type Reader } from '../../codec/reader.js';
import { encodeWith, type Writer } from '../../codec/writer.js';
import { NODE_ID_LENGTH, type NodeId } from '../../ids.js';
import { readIpAddressPort, writeIpAddressPort, type IpAddressPort } from '../../ip-address-port.js';

/**
 * RFC 6940 §9 TurnServer: the value (DataValue.value) of a TURN-SERVICE (Kind 0x2) single value.
 */
export interface TurnServer {
  /** The `d` of the Resource Name (1..turn-density). */
  readonly iteration: number;
  readonly serverAddress: IpAddressPort;
}

/** RFC 6940 §9: TURN-SERVICE uses NODE-MULTIPLE "with a maximum iteration of counter 20". */
export const TURN_SERVICE_MAX_ITERATION = 20;

export function readTurnServer(r: Reader): TurnServer {
  return r.scope('TurnServer', () => ({
    iteration: r.u8('iteration'),
    serverAddress: readIpAddressPort(r, 'serverAddress'),
  }));
}

export function writeTurnServer(w: Writer, v: TurnServer): void {
  w.u8(v.iteration, 'TurnServer.iteration');
  writeIpAddressPort(w, v.serverAddress);
}

/** A TURN-SERVICE DataValue.value: exactly one TurnServer. */
export function decodeTurnServer(bytes: Uint8Array): TurnServer {
  return decodeAll(bytes, 'TurnServer', readTurnServer);
}

export function encodeTurnServer(v: TurnServer): Uint8Array {
  return encodeWith((w) => writeTurnServer(w, v));
}

/**
 * RFC 6940 §9: "the peer forms a Resource Name by concatenating its Node-ID and the value d"
 * (NODE-MULTIPLE, §7.3.4: H(Node-ID || i)). The RFC does not fix how `d` is written; we use one
 * byte, the width of TurnServer.iteration, after the raw 16-byte Node-ID.
 */
export function turnServiceResourceName(nodeId: NodeId, d: number): Uint8Array {
  if (nodeId.length !== NODE_ID_LENGTH) throw new EncodeError('nodeId', `a Node-ID is ${NODE_ID_LENGTH} bytes, got ${nodeId.length}`);
  if (!Number.isInteger(d) || d < 0 || d > 0xff) throw new EncodeError('iteration', `${d} is not an integer in 0..255`);
  const name = new Uint8Array(NODE_ID_LENGTH + 1);
  name.set(nodeId);
  name[NODE_ID_LENGTH] = d;
  return name;
}
