import { EncodeError } from '../../codec/decode-error.js';
import { decodeAll, type Reader } from '../../codec/reader.js';
import { encodeWith, type Writer } from '../../codec/writer.js';
import { readDestination, writeDestination, type Destination } from '../../destination.js';

/** RFC 7374 §4.1 RedirServiceProviderExtType: `none(0)`; "Unknown types are allowed". */
export const RedirServiceProviderExtType = { none: 0 } as const;

/**
 * RFC 7374 §4.1 RedirServiceProvider: the value (DataValue.value) of a REDIR (Kind 0x104)
 * dictionary entry, whose key is the service provider's Node-ID (§6). On the wire: `type`,
 * `destination_list<0..2^16-1>`, `namespace<0..2^16-1>`, `level`, `node`, then `length` (uint16,
 * "the length of the rest of the Resource Record"; computed on encode) and the extension.
 *
 * Wireshark (tshark 4.0) carries code for the older draft-ietf-p2psip-service-discovery-03 layout
 * (a length, serviceProvider NodeId, namespace, level, node) but does not know Kind 0x104, so it
 * leaves REDIR values undissected; we follow the RFC 7374 text.
 */
export interface RedirServiceProvider {
  /** RedirServiceProviderExtType; 0 (`none`) has an empty extension. */
  readonly type: number;
  /** The route to the service provider (RFC 6940 §6.3.2.2 Destinations). */
  readonly destinationList: readonly Destination[];
  /** UTF-8 namespace of the service, e.g. `turn-server` (RFC 7374 §10.4). */
  readonly namespace: Uint8Array;
  /** Level in the ReDiR tree (0 is the root). */
  readonly level: number;
  /** Position of the tree node at that level. */
  readonly node: number;
  /** The `select (type)` extension, kept opaque (no extension types are defined). */
  readonly extension: Uint8Array;
}

export function readRedirServiceProvider(r: Reader): RedirServiceProvider {
  return r.scope('RedirServiceProvider', () => {
    const type = r.u8('type');
    const destinationList = r.vector('destinationList', 2, readDestination);
    const namespace = r.opaque('namespace', 2);
    const level = r.u16('level');
    const node = r.u16('node');
    const at = r.offset;
    const extension = r.opaque('extension', 2);
    // RFC 7374 §4.1: the select has no arm for none(0), so its extension is empty.
    if (type === RedirServiceProviderExtType.none && extension.length > 0) {
      r.fail('length', `extension type none (0) carries no extension, got ${extension.length} bytes`, at);
    }
    return { type, destinationList, namespace, level, node, extension };
  });
}

export function writeRedirServiceProvider(w: Writer, v: RedirServiceProvider): void {
  if (v.type === RedirServiceProviderExtType.none && v.extension.length > 0) {
    throw new EncodeError('RedirServiceProvider.extension', 'extension type none (0) carries no extension');
  }
  w.u8(v.type, 'RedirServiceProvider.type');
  w.prefixed(2, () => v.destinationList.forEach((d) => writeDestination(w, d)), 'RedirServiceProvider.destinationList');
  w.opaque(2, v.namespace, 'RedirServiceProvider.namespace');
  w.u16(v.level, 'RedirServiceProvider.level');
  w.u16(v.node, 'RedirServiceProvider.node');
  w.opaque(2, v.extension, 'RedirServiceProvider.length');
}

/** A REDIR DataValue.value: exactly one RedirServiceProvider. */
export function decodeRedirServiceProvider(bytes: Uint8Array): RedirServiceProvider {
  return decodeAll(bytes, 'RedirServiceProvider', readRedirServiceProvider);
}

export function encodeRedirServiceProvider(v: RedirServiceProvider): Uint8Array {
  return encodeWith((w) => writeRedirServiceProvider(w, v));
}

/**
 * RFC 7374 §6: the REDIR Resource Name is "created by concatenating three pieces of information:
 * namespace, level, and node number" (the tree node's H(namespace, level, node), §3, §5). The
 * RFC does not fix how the integers are written; we use the RedirServiceProvider field widths:
 * the namespace's UTF-8 bytes, then `level` and `node` as big-endian uint16.
 */
export function redirResourceName(namespace: string | Uint8Array, level: number, node: number): Uint8Array {
  const ns = typeof namespace === 'string' ? new TextEncoder().encode(namespace) : namespace;
  return encodeWith((w) => {
    w.bytes(ns);
    w.u16(level, 'level');
    w.u16(node, 'node');
  });
}
