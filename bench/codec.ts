/**
 * Codec throughput: encode + decode of whole RELOAD messages (RFC 6940 §6.3) against a
 * JSON.stringify + JSON.parse round trip of the same message as plain JSON (bytes as hex,
 * uint64 as strings, via `toJsonValue`, converted once outside the timed loop). Goal: ≥ 3×.
 *
 * Cases:
 * (a) store_req: one StoreKindData of a single-value Kind with one 1 KB StoredData (§7.4.1.1);
 * (b) fetch_ans: 10 SIP-REGISTRATION (RFC 7904, dictionary) entries, route registrations of
 *     ~150 bytes (feature-predicate contact prefs + a 3-hop destination list) (§7.4.2.2);
 * (c) update_req: a chord ChordUpdate of type full (§10.7) with a full routing table for a ~10k
 *     peer overlay: 3 predecessors and 3 successors (§10.1, "at least the three peers before and
 *     after") and 16 fingers (§10.7.4.3 grows the table to 16; log2(10,000) ≈ 13.3 < 16).
 * Every message is signed: ECDSA P-256/SHA-256 (72-byte DER signature, cert_hash identity), and
 * so is every StoredData; via list 2 Node-IDs, destination list 1 Node-ID or Resource-ID.
 */
import { decodeReloadMessage, encodeReloadMessage, type ReloadMessage, type ReloadMessageLimits } from '../src/reload/wire/reload-message.js';
import { toJsonValue } from '../src/reload/wire/json.js';
import { KindId } from '../src/reload/wire/message-codes.js';
import { UNFRAGMENTED, RELOAD_VERSION, type ForwardingHeader } from '../src/reload/wire/forwarding-header.js';
import type { Destination } from '../src/reload/wire/destination.js';
import type { Signature } from '../src/reload/wire/security-block.js';
import type { StoredData } from '../src/reload/wire/storage/stored-data.js';
import { kindModelsFrom } from '../src/reload/wire/storage/data-model.js';
import { encodeSipRegistration } from '../src/reload/wire/storage/kinds/sip-registration.js';
import { ChordUpdateType } from '../src/reload/wire/methods/chord.js';
import { consume, fmt, opsPerSecond, table, type BenchModule, type BenchOptions } from './bench.js';

/** Deterministic filler bytes (no Math.random: runs compare). */
function filled(n: number, seed: number): Uint8Array {
  const b = new Uint8Array(n);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    b[i] = x & 0xff;
  }
  return b;
}
const nodeId = (seed: number) => filled(16, seed);
const node = (seed: number): Destination => ({ kind: 'node', nodeId: nodeId(seed) });
const text = (s: string) => new TextEncoder().encode(s);

/** SHA-256 + ECDSA (TLS codes 4, 3), signer by certificate hash (§6.3.4). */
function signature(seed: number): Signature {
  return { algorithm: { hash: 4, signature: 3 }, identity: { identityType: 1, hashAlg: 4, hash: filled(32, seed) }, signatureValue: filled(72, seed + 1) };
}

function header(destination: Destination, transactionId: bigint): ForwardingHeader {
  return {
    overlay: 0x2a3b4c5d,
    configurationSequence: 7,
    version: RELOAD_VERSION,
    ttl: 98,
    fragment: UNFRAGMENTED,
    length: 0,
    transactionId,
    maxResponseLength: 0,
    viaList: [node(101), node(102)],
    destinationList: [destination],
    options: [],
  };
}

const CONFIG_SINGLE_KIND = 0x7f000001;
const limits: ReloadMessageLimits = { body: { kinds: kindModelsFrom([[CONFIG_SINGLE_KIND, 'single']]) } };
const NOW = 1_767_225_600_000n;

function withLength(m: ReloadMessage): ReloadMessage {
  return { ...m, forwardingHeader: { ...m.forwardingHeader, length: encodeReloadMessage(m, limits).length } };
}

/** (a) store_req with one 1 KB single-value StoredData. */
export function storeReq1k(): ReloadMessage {
  const resource = filled(16, 7);
  const value: StoredData = {
    storageTime: NOW,
    lifetime: 3600,
    value: { model: 'single', singleValueEntry: { exists: true, value: filled(1024, 8) } },
    signature: signature(9),
  };
  return withLength({
    forwardingHeader: header({ kind: 'resource', resourceId: resource }, 0x1122334455667788n),
    body: { name: 'store_req', value: { resource, replicaNumber: 0, kindData: [{ kind: CONFIG_SINGLE_KIND, generationCounter: 1n, values: [value] }] } },
    extensions: [],
    securityBlock: { certificates: [], signature: signature(10) },
  });
}

/** (b) fetch_ans with 10 SIP-REGISTRATION dictionary entries of ~150 bytes. */
export function fetchAnsSip10(): ReloadMessage {
  const prefs = text('(&(sip.audio=TRUE)(sip.video=TRUE)(sip.methods=INVITE,ACK,BYE,CANCEL,OPTIONS)(sip.extensions=gruu))');
  const values: StoredData[] = Array.from({ length: 10 }, (_, i) => {
    const registration = encodeSipRegistration({ kind: 'route', contactPrefs: prefs, destinationList: [node(200 + i), node(300 + i), node(400 + i)] });
    return {
      storageTime: NOW - BigInt(i * 60_000),
      lifetime: 3600,
      value: { model: 'dictionary', dictionaryEntry: { key: nodeId(400 + i), value: { exists: true, value: registration } } },
      signature: signature(500 + i),
    };
  });
  return withLength({
    forwardingHeader: header(node(103), 0x2233445566778899n),
    body: { name: 'fetch_ans', value: { kindResponses: [{ kind: KindId.SIP_REGISTRATION, generation: 12n, values }] } },
    extensions: [],
    securityBlock: { certificates: [], signature: signature(11) },
  });
}

/** (c) chord update_req, type full: 3 predecessors, 3 successors, 16 fingers. */
export function chordUpdateFull(): ReloadMessage {
  const ids = (n: number, base: number) => Array.from({ length: n }, (_, i) => nodeId(base + i));
  return withLength({
    forwardingHeader: header(node(104), 0x33445566778899aan),
    body: { name: 'update_req', value: { uptime: 86_400, type: ChordUpdateType.full, predecessors: ids(3, 600), successors: ids(3, 610), fingers: ids(16, 620) } },
    extensions: [],
    securityBlock: { certificates: [], signature: signature(12) },
  });
}

export const CODEC_CASES: readonly { readonly name: string; readonly message: () => ReloadMessage }[] = [
  { name: 'store_req 1 KB single value', message: storeReq1k },
  { name: 'fetch_ans 10 SIP-REGISTRATION', message: fetchAnsSip10 },
  { name: 'update_req chord full (3+3+16)', message: chordUpdateFull },
];

const GOAL = 3;

function runCodec(options: BenchOptions): { ok: boolean } {
  const rows: string[][] = [];
  let ok = true;
  for (const c of CODEC_CASES) {
    const message = c.message();
    const bytes = encodeReloadMessage(message, limits);
    const json = toJsonValue(message);
    const jsonSize = JSON.stringify(json).length;
    const roundTrip = opsPerSecond(() => consume(decodeReloadMessage(encodeReloadMessage(message, limits), limits).forwardingHeader.length), options);
    const encode = opsPerSecond(() => consume(encodeReloadMessage(message, limits).length), { ...options, roundMs: options.roundMs / 2 });
    const decode = opsPerSecond(() => consume(decodeReloadMessage(bytes, limits).forwardingHeader.length), { ...options, roundMs: options.roundMs / 2 });
    const jsonRoundTrip = opsPerSecond(() => consume((JSON.parse(JSON.stringify(json)) as { length?: number }).length ?? 1), options);
    const ratio = roundTrip / jsonRoundTrip;
    ok &&= ratio >= GOAL;
    rows.push([
      c.name,
      `${fmt(bytes.length)} B`,
      `${fmt(jsonSize)} B`,
      fmt(roundTrip),
      fmt((roundTrip * bytes.length) / 1e6, 1),
      fmt(1e6 / encode, 2),
      fmt(1e6 / decode, 2),
      fmt(jsonRoundTrip),
      fmt((jsonRoundTrip * jsonSize) / 1e6, 1),
      `${fmt(ratio, 2)}×`,
      ratio >= GOAL ? `✓ ≥${GOAL}×` : `✗ <${GOAL}×`,
    ]);
  }
  console.log(
    table(['case', 'wire', 'JSON', 'enc+dec msg/s', 'MB/s', 'enc µs', 'dec µs', 'JSON rt msg/s', 'JSON MB/s', 'ours/JSON', 'goal'], rows),
  );
  console.log('MB/s = messages/s × size (wire bytes for ours, JSON characters for JSON); ours/JSON compares messages/s (higher = we are faster).');
  return { ok };
}

export const codecBench: BenchModule = {
  name: 'codec',
  description: 'RELOAD message encode+decode vs JSON.stringify+JSON.parse (goal ≥ 3×)',
  run: runCodec,
};
