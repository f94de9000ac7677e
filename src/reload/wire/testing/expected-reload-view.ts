/**
 * Test-only: what we encoded, in the view shape that tsharkMessageView (tshark-reload-view.ts)
 * reads from tshark, so that the two compare with `toEqual`.
 */
import { toHex } from '../codec/hex.js';
import type { Destination } from '../destination.js';
import type { ForwardingHeader } from '../forwarding-header.js';
import type { ReloadMessage } from '../reload-message.js';
import type { MessageExtension } from '../message-contents.js';
import type { SecurityBlock, Signature } from '../security-block.js';
import type { IceCandidate } from '../methods/attach.js';
import { formatIpAddress, type IpAddressPort } from '../ip-address-port.js';
import { decodeStoreAns, type StoreAns } from '../storage/store.js';
import type { StoredData, DataValue } from '../storage/stored-data.js';
import type { StoredDataSpecifier } from '../storage/fetch.js';
import type { StoredMetaData } from '../storage/stat.js';
import { KindId, ErrorCode, MessageCode } from '../message-codes.js';
import { decodeSipRegistration } from '../storage/kinds/sip-registration.js';
import { decodeTurnServer } from '../storage/kinds/turn-server.js';
import type { View } from './tshark-reload-view.js';

const u32hex = (v: number): string => v.toString(16).padStart(8, '0');
const u16hex = (v: number): string => v.toString(16).padStart(4, '0');

function eDestination(d: Destination): string {
  switch (d.kind) {
    case 'node':
      return `node:${toHex(d.nodeId)}`;
    case 'resource':
      return `resource:${toHex(d.resourceId)}`;
    case 'compressed':
      return `compressed:${u16hex(d.id)}`;
    default:
      return `unsupported:${d.kind}`;
  }
}

export function expectedHeaderView(h: ForwardingHeader): View {
  return {
    overlay: h.overlay,
    configurationSequence: h.configurationSequence,
    version: h.version,
    ttl: h.ttl,
    fragment: h.fragment,
    lastFragment: (h.fragment & 0x40000000) !== 0,
    fragmentOffset: h.fragment & 0xffffff,
    length: h.length,
    transactionId: h.transactionId,
    maxResponseLength: h.maxResponseLength,
    viaList: h.viaList.map(eDestination),
    destinationList: h.destinationList.map(eDestination),
    options: h.options.map((o) => ({ type: o.type, flags: o.flags, option: toHex(o.option) })),
  };
}

const eAddress = (a: IpAddressPort): string => (a.kind === 'unknown' ? `type-${a.type}` : `${formatIpAddress(a)} ${a.port}`);

function eCandidates(cs: readonly IceCandidate[]): View[] {
  return cs.map((c) => ({
    addrPort: eAddress(c.addrPort),
    overlayLink: c.overlayLink,
    foundation: toHex(c.foundation),
    priority: c.priority,
    type: c.type,
    relAddrPort: c.type === 1 ? undefined : eAddress(c.relAddrPort),
    extensions: c.extensions.map((e) => [toHex(e.name), toHex(e.value)]),
  }));
}

function eSignature(s: Signature): View {
  return {
    algorithm: [s.algorithm.hash, s.algorithm.signature],
    identityType: s.identity.identityType,
    identity: 'hash' in s.identity ? [s.identity.hashAlg, toHex(s.identity.hash)] : [],
    signatureValue: toHex(s.signatureValue),
  };
}

/** What tshark should make of a DataValue of `kind` (it dissects the IANA Kinds it knows). */
function eDataValue(kind: number, v: DataValue): View {
  const value = toHex(v.value);
  if (!v.exists && v.value.length === 0) return { exists: v.exists, value, as: 'opaque' };
  if (kind === KindId.SIP_REGISTRATION) {
    const s = decodeSipRegistration(v.value);
    const sip = s.kind === 'uri' ? { type: 1, uri: toHex(s.uri) } : s.kind === 'route' ? { type: 2, contactPrefs: toHex(s.contactPrefs), destinationList: s.destinationList.map(eDestination) } : { type: s.type };
    return { exists: v.exists, value, as: 'sipregistration', sip };
  }
  if (kind === KindId.TURN_SERVICE) {
    const t = decodeTurnServer(v.value);
    return { exists: v.exists, value, as: 'turnserver', turn: { iteration: t.iteration, serverAddress: eAddress(t.serverAddress) } };
  }
  if (kind === KindId.CERTIFICATE_BY_USER || kind === KindId.CERTIFICATE_BY_NODE) return { exists: v.exists, value, as: 'certificate' };
  return { exists: v.exists, value, as: 'opaque' };
}

function eStoredData(kind: number, d: StoredData): View {
  const v = d.value;
  const value =
    v.model === 'dictionary'
      ? { key: toHex(v.dictionaryEntry.key), value: eDataValue(kind, v.dictionaryEntry.value) }
      : v.model === 'array'
        ? { index: v.arrayEntry.index, value: eDataValue(kind, v.arrayEntry.value) }
        : { value: eDataValue(kind, v.singleValueEntry) };
  return { storageTime: d.storageTime, lifetime: d.lifetime, value, signature: eSignature(d.signature) };
}

function eMeta(m: StoredMetaData): View {
  const meta = (x: { exists: boolean; valueLength: number; hashAlgorithm: number; hashValue: Uint8Array }): View => ({
    exists: x.exists, valueLength: x.valueLength, hashAlgorithm: x.hashAlgorithm, hashValue: toHex(x.hashValue),
  });
  const d = m.metadata;
  const metadata =
    d.model === 'dictionary'
      ? { key: toHex(d.dictionaryEntry.key), value: meta(d.dictionaryEntry.value) }
      : d.model === 'array'
        ? { index: d.arrayEntry.index, value: meta(d.arrayEntry.value) }
        : { value: meta(d.singleValueEntry) };
  return { storageTime: m.storageTime, lifetime: m.lifetime, metadata };
}

function eSpecifiers(specifiers: readonly StoredDataSpecifier[]): View {
  const keyBytes = (keys: readonly Uint8Array[]): number => keys.reduce((n, k) => n + 2 + k.length, 0);
  return {
    specifiers: specifiers.map((s) => {
      const m = s.modelSpecifier;
      const length = m.model === 'single' ? 0 : m.model === 'array' ? 2 + 8 * m.indices.length : 2 + keyBytes(m.keys);
      return {
        kind: s.kind,
        generation: s.generation,
        length,
        // Each ArrayRange as `<first><last>/<bytes the item covers>`.
        ...(m.model === 'array' ? { indices: m.indices.map((a) => `${u32hex(a.first)}${u32hex(a.last)}/8`) } : {}),
      };
    }),
    keys: specifiers.flatMap((s) => (s.modelSpecifier.model === 'dictionary' ? [s.modelSpecifier.keys.map(toHex)] : [])),
  };
}

function eStoreAns(a: StoreAns): View[] {
  return a.kindResponses.map((k) => ({ kind: k.kind, generation: k.generationCounter, replicas: k.replicas.map(toHex) }));
}

/** The structure tshark should show for our body (undefined: an empty body, nothing under it). */
export function expectedBodyView(m: ReloadMessage): View | undefined {
  const b = m.body;
  switch (b.name) {
    case 'probe_req':
      return { requestedInfo: [...b.value.requestedInfo] };
    case 'probe_ans':
      return { probeInfo: b.value.probeInfo.map((p) => ({ type: p.type, value: 'responsiblePpb' in p ? p.responsiblePpb : 'numResources' in p ? p.numResources : 'uptime' in p ? p.uptime : -1 })) };
    case 'attach_req':
    case 'attach_ans':
      return { ufrag: toHex(b.value.ufrag), password: toHex(b.value.password), sendUpdate: b.value.sendUpdate, role: toHex(b.value.role), candidates: eCandidates(b.value.candidates) };
    case 'app_attach_req':
    case 'app_attach_ans':
      return { ufrag: toHex(b.value.ufrag), password: toHex(b.value.password), application: b.value.application, role: toHex(b.value.role), candidates: eCandidates(b.value.candidates) };
    case 'store_req':
      return {
        resource: toHex(b.value.resource),
        replicaNumber: b.value.replicaNumber,
        kindData: b.value.kindData.map((k) => ({ kind: k.kind, generation: k.generationCounter, values: k.values.map((d) => eStoredData(k.kind, d)) })),
      };
    case 'store_ans':
      return { kindResponses: eStoreAns(b.value) };
    case 'fetch_req':
    case 'stat_req':
      return { resource: toHex(b.value.resource), ...eSpecifiers(b.value.specifiers) };
    case 'fetch_ans':
      return { kindResponses: b.value.kindResponses.map((k) => ({ kind: k.kind, generation: k.generation, values: k.values.map((d) => eStoredData(k.kind, d)) })) };
    case 'stat_ans':
      return { kindResponses: b.value.kindResponses.map((k) => ({ kind: k.kind, generation: k.generation, values: k.values.map(eMeta) })) };
    case 'find_req':
      return { resource: toHex(b.value.resource), kinds: [...b.value.kinds] };
    case 'find_ans':
      return { results: b.value.results.map((r) => ({ kind: r.kind, closest: toHex(r.closest) })) };
    case 'join_req':
      return { joiningPeerId: toHex(b.value.joiningPeerId), overlaySpecificData: toHex(b.value.overlaySpecificData) };
    case 'join_ans':
      return { overlaySpecificData: toHex(b.value.overlaySpecificData) };
    case 'leave_req': {
      const d = b.value.chordLeaveData;
      return { leavingPeerId: toHex(b.value.leavingPeerId), chordLeaveData: d && { type: d.type, nodeIds: (d.type === 1 ? d.successors : d.predecessors).map(toHex) } };
    }
    case 'update_req': {
      const u = b.value;
      const lists = u.type === 1 ? { predecessors: [], successors: [], fingers: [] } : { predecessors: u.predecessors.map(toHex), successors: u.successors.map(toHex), fingers: u.type === 3 ? u.fingers.map(toHex) : [] };
      return { uptime: u.uptime, type: u.type, ...lists };
    }
    case 'route_query_req':
      return { sendUpdate: b.value.sendUpdate, destination: eDestination(b.value.destination), overlaySpecificData: toHex(b.value.overlaySpecificData) };
    case 'route_query_ans':
      return { nextPeer: toHex(b.value.nextPeer) };
    case 'ping_req':
      return { padding: toHex(b.value.padding) };
    case 'ping_ans':
      return { responseId: b.value.responseId, time: b.value.time };
    case 'config_update_req': {
      const v = b.value;
      const kinds = 'kinds' in v ? v.kinds.map(toHex) : [];
      const inner = 'kinds' in v ? 3 + v.kinds.reduce((n, k) => n + 2 + k.length, 0) : 'configData' in v ? 3 + v.configData.length : v.unknown.length;
      return { type: v.type, length: inner, kinds };
    }
    case 'error': {
      const { errorCode, errorInfo } = b.value;
      if (errorCode === ErrorCode.Error_Generation_Counter_Too_Low) return { errorCode, storeAns: eStoreAns(decodeStoreAns(errorInfo)) };
      if (errorCode === ErrorCode.Error_Unknown_Kind) {
        const kinds: number[] = [];
        for (let i = 1; i + 4 <= errorInfo.length; i += 4) kinds.push(new DataView(errorInfo.buffer, errorInfo.byteOffset + i, 4).getUint32(0));
        return { errorCode, unknownKinds: kinds };
      }
      return { errorCode, errorInfo: toHex(errorInfo) };
    }
    case 'leave_ans':
    case 'update_ans':
    case 'config_update_ans':
      return undefined;
    case 'path_track_req':
    case 'path_track_ans':
    case 'unknown':
      // No view yet: tshark 4.0 does not dissect RFC 7851 PathTrack bodies (see the test's #8).
      return { noViewFor: b.name };
  }
}

function eExtension(e: MessageExtension): View {
  return { type: e.type, critical: e.critical, contents: toHex(e.extensionContents), dissectedAs: 'reload.message_extension.content' };
}

/**
 * What we encoded, in tsharkMessageView's shape. `bodyLength` is the size of our message_body; the
 * header's `length` is taken from `m` as it is (use the decoded or re-read header for the real one).
 */
export function expectedMessageView(m: ReloadMessage, bodyLength: number): View {
  const securityBlock: SecurityBlock = m.securityBlock;
  return {
    header: expectedHeaderView(m.forwardingHeader),
    messageCode: m.body.name === 'unknown' ? m.body.code : MessageCode[m.body.name],
    bodyLength,
    body: expectedBodyView(m),
    extensions: m.extensions.map(eExtension),
    certificates: securityBlock.certificates.map((c) => ({ type: c.type, certificate: toHex(c.certificate) })),
    signature: eSignature(securityBlock.signature),
  };
}
