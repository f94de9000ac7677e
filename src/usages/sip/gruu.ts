/**
 * RELOAD GRUUs (RFC 7904 §6): "GRUUs in RELOAD are constructed by embedding a base64-encoded
 * destination list in the "gr" URI parameter of the GRUU. The base64 encoding is done with the
 * alphabet specified in Table 1 of [RFC4648] with the exception that "~" is used in place of "=".
 *
 * OUR CHOICE: the destination list is encoded as RFC 6940 §6.3.2.2 Destination structures back to
 * back (as in a forwarding header's destination_list, without a length prefix); a GRUU for one
 * device is its Node-ID as a one-entry list: `sip:alice@overlay;gr=ARA...` (18 bytes, 24 chars).
 */
import { decodeAll } from '../../reload/wire/codec/reader.js';
import { encodeWith } from '../../reload/wire/codec/writer.js';
import { formatBase64, parseBase64 } from '../../reload/wire/config/configuration-values.js';
import { readDestinationList, writeDestinationList, type Destination } from '../../reload/wire/destination.js';
import type { NodeId } from '../../reload/wire/ids.js';
import { sipResourceName } from '../../reload/wire/storage/kinds/sip-registration.js';
import { SipUsageError } from './sip-usage-error.js';

/** A parsed RELOAD GRUU. */
export interface Gruu {
  /** The AoR without scheme and parameters (`alice@overlay`). */
  readonly aor: string;
  readonly destinationList: readonly Destination[];
  /** The device: the last entry of the destination list when it is a Node-ID (§5.1 "terminal entry"). */
  readonly nodeId: NodeId | undefined;
}

/** `gr` value: base64 with `~` for `=` (§6). */
export function encodeGrParameter(destinationList: readonly Destination[]): string {
  if (destinationList.length === 0) throw new RangeError('a GRUU needs a non-empty destination list');
  return formatBase64(encodeWith((w) => writeDestinationList(w, destinationList))).replaceAll('=', '~');
}

export function decodeGrParameter(value: string): Destination[] {
  const bytes = parseBase64(value.replaceAll('~', '='));
  if (!bytes || bytes.length === 0) throw new SipUsageError('invalid-gruu', `gr=${value} is not base64 (RFC 4648 with "~" for "=")`);
  try {
    return decodeAll(bytes, 'GRUU.destinationList', (r) => readDestinationList(r, 'destinationList', bytes.length));
  } catch (e) {
    throw new SipUsageError('invalid-gruu', `gr=${value} does not hold a RELOAD destination list`, { cause: e });
  }
}

/** The GRUU (as a SIP URI) of the device `nodeId` (or a destination list) for `aor`. */
export function buildGruu(aor: string, target: NodeId | readonly Destination[]): string {
  const name = sipResourceName(aor);
  if (!name) throw new SipUsageError('invalid-aor', `${aor} is not an address of record (user@host)`);
  const list: readonly Destination[] = target instanceof Uint8Array ? [{ kind: 'node', nodeId: target }] : target;
  return `sip:${name};gr=${encodeGrParameter(list)}`;
}

/**
 * The GRUU in a SIP URI (`sip:alice@overlay;gr=...`, with or without scheme, other parameters
 * allowed); undefined when the URI has no `gr` parameter (a plain AoR). Throws SipUsageError
 * `invalid-gruu` when `gr` is there but is not a destination list.
 */
export function parseGruu(uri: string): Gruu | undefined {
  const bare = uri.trim().replace(/^<|>$/g, '');
  const aor = sipResourceName(bare);
  const params = bare.split('?', 1)[0]!.split(';').slice(1);
  const gr = params.map((p) => p.split('=')).find(([k]) => k?.toLowerCase() === 'gr');
  if (!gr) return undefined;
  if (!aor) throw new SipUsageError('invalid-gruu', `${uri} is not a SIP URI of the form user@host;gr=...`);
  const destinationList = decodeGrParameter(gr.slice(1).join('='));
  const last = destinationList[destinationList.length - 1];
  return { aor, destinationList, nodeId: last?.kind === 'node' ? last.nodeId : undefined };
}
