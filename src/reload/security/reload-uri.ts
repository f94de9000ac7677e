/**
 * The RELOAD URI of a peer, as a certificate's subjectAltName carries it (RFC 6940 §11.3, §14.15).
 *
 * §14.15: `RELOAD-URI = "reload://" destination "@" overlay "/" [specifier]`, where destination
 * is "A hexadecimal-encoded Destination List object (i.e., multiple concatenated Destination
 * objects with no length prefix prior to the object as a whole)". §11.3: each Node-ID URI "MUST
 * contain a Destination List with a single entry of type "node_id"".
 *
 * So the destination is the §6.3.2.2 encoding of one `node` Destination — type 1, length 16, the
 * Node-ID — in hex: `reload://0110<32 hex digits>@overlay.example/`. OUR READING: not the bare
 * Node-ID hex (which §14.15 does not allow); no specifier (a certificate names a peer, not a
 * value); hex digits are produced in lower case and accepted in either case; the overlay is a
 * reg-name, compared case-insensitively like a host name.
 */
import { decodeAll } from '../wire/codec/reader.js';
import { encodeWith } from '../wire/codec/writer.js';
import { fromHex, toHex } from '../wire/codec/hex.js';
import { DecodeError } from '../wire/codec/decode-error.js';
import { readDestination, writeDestination, type Destination } from '../wire/destination.js';
import { NODE_ID_LENGTH, type NodeId } from '../wire/ids.js';

const SCHEME = 'reload://';

/** A peer's RELOAD URI: its Node-ID and overlay. */
export interface ReloadNodeUri {
  readonly nodeId: NodeId;
  readonly overlay: string;
}

/** `reload://0110<node-id hex>@<overlay>/` (§11.3, §14.15). */
export function formatReloadNodeUri(nodeId: NodeId, overlay: string): string {
  if (nodeId.length !== NODE_ID_LENGTH) throw new RangeError(`a Node-ID is ${NODE_ID_LENGTH} bytes, got ${nodeId.length}`);
  if (!isOverlayName(overlay)) throw new RangeError(`"${overlay}" is not a usable overlay name in a RELOAD URI`);
  const list = encodeWith((w) => writeDestination(w, { kind: 'node', nodeId }));
  return `${SCHEME}${toHex(list)}@${overlay}/`;
}

/**
 * The Node-ID and overlay of a certificate's RELOAD URI, or a reason it is not one: the
 * destination must be exactly one `node` Destination and there must be no specifier.
 */
export function parseReloadNodeUri(uri: string): ReloadNodeUri | { readonly error: string } {
  if (uri.slice(0, SCHEME.length).toLowerCase() !== SCHEME) return { error: 'not a reload: URI' };
  const rest = uri.slice(SCHEME.length);
  const at = rest.indexOf('@');
  const slash = rest.indexOf('/', at + 1);
  if (at <= 0 || slash < 0) return { error: 'expected reload://<destination>@<overlay>/' };
  if (slash !== rest.length - 1) return { error: 'a Node-ID URI has no specifier after the overlay' };
  const overlay = rest.slice(at + 1, slash);
  if (!isOverlayName(overlay)) return { error: `bad overlay name "${overlay}"` };
  const hex = rest.slice(0, at);
  const bytes = /^[0-9a-fA-F]+$/.test(hex) ? fromHex(hex) : undefined;
  if (!bytes) return { error: 'the destination is not hexadecimal' };
  let list: Destination[];
  try {
    list = decodeAll(bytes, 'DestinationList', (r) => {
      const out: Destination[] = [];
      while (r.remaining() > 0) out.push(readDestination(r));
      return out;
    });
  } catch (e) {
    if (e instanceof DecodeError) return { error: `the destination list does not decode: ${e.message}` };
    throw e;
  }
  const only = list[0];
  if (list.length !== 1 || only?.kind !== 'node') return { error: 'the destination list must be a single node_id entry (§11.3)' };
  return { nodeId: only.nodeId, overlay };
}

/** Overlay names are compared like host names (RFC 3986 reg-name is case-insensitive). */
export function sameOverlay(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}

/** A reg-name (RFC 3986) without percent-encoding: what an instance-name can be in a URI. */
function isOverlayName(name: string): boolean {
  return /^[A-Za-z0-9\-._~!$&'()*+,;=]+$/.test(name);
}
