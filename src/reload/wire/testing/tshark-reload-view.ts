/**
 * Test-only: one plain "view" shape for a RELOAD message, built two ways so that a test can
 * compare them with `toEqual`:
 * - `tsharkMessageView` (here) reads what tshark's `reload` dissector says (its JSON tree, see
 *   tshark.ts), faithfully, quirks included;
 * - `expectedMessageView` (expected-reload-view.ts) writes down what we encoded.
 * Bytes are lower-case hex, Destinations are `node:<hex>` / `resource:<hex>` / `compressed:<hex>`,
 * addresses `<ip> <port>`. Field names follow the RFC structures; tolerances for dissector bugs
 * belong to the test.
 */
import { big, colonHex, has, items, num, opaqueHex, raw, rawHex, subtree, subtrees, text, type TsharkTree } from './tshark.js';

export type View = { readonly [key: string]: unknown };

function tDestination(d: TsharkTree): string {
  if (has(d, 'reload.forwarding.destination.compressed_id')) return `compressed:${raw(d, 'reload.forwarding.destination.compressed_id')}`;
  const type = num(d, 'reload.forwarding.destination.type');
  if (type === 1) return `node:${colonHex(d, 'reload.destination.data.nodeid')}`;
  if (type === 2) return `resource:${opaqueHex(d, 'reload.destination.data.resourceid')}`;
  return `type-${type}:${Object.keys(d).join(',')}`;
}

function tDestinations(tree: TsharkTree, key: string): string[] {
  return subtrees(tree, key).flatMap((l) => subtrees(l, 'reload.destination').map(tDestination));
}

function tHeader(f: TsharkTree): View {
  const frag = subtree(f, 'reload.forwarding.fragment_tree');
  return {
    overlay: num(f, 'reload.forwarding.overlay'),
    configurationSequence: num(f, 'reload.forwarding.configuration_sequence'),
    version: num(f, 'reload.forwarding.version'),
    ttl: num(f, 'reload.forwarding.ttl'),
    fragment: num(f, 'reload.forwarding.fragment'),
    lastFragment: text(frag, 'reload.forwarding.fragment.last') === '1',
    fragmentOffset: num(frag, 'reload.forwarding.fragment.offset'),
    length: num(f, 'reload.length.32'),
    transactionId: big(f, 'reload.forwarding.trans_id'),
    maxResponseLength: num(f, 'reload.forwarding.max_response_length'),
    viaList: tDestinations(f, 'reload.forwarding.via_list'),
    destinationList: tDestinations(f, 'reload.forwarding.destination_list'),
    options: subtrees(f, 'reload.forwarding.options').flatMap((o) =>
      subtrees(o, 'reload.forwarding.option').map((x) => ({
        type: num(x, 'reload.forwarding.option.type'),
        flags: num(x, 'reload.forwarding.option.flags'),
        option: rawHex(x, 'reload.opaque.data')[0] ?? '',
      })),
    ),
  };
}

function tAddress(t: TsharkTree): string {
  const v4 = subtrees(t, 'reload.ipv4addrport');
  const a = v4[0] ?? subtree(t, 'reload.ipv6addrport');
  return `${text(a, v4.length > 0 ? 'reload.ipv4addr' : 'reload.ipv6addr')} ${text(a, 'reload.port')}`;
}

function tCandidates(body: TsharkTree): View[] {
  return subtrees(subtree(body, 'reload.icecandidates'), 'reload.icecandidate').map((c) => ({
    addrPort: tAddress(subtree(c, 'reload.icecandidate.addr_port')),
    overlayLink: num(c, 'reload.overlaylink.type'),
    foundation: opaqueHex(c, 'reload.icecandidate.foundation'),
    priority: num(c, 'reload.icecandidate.priority'),
    type: num(c, 'reload.icecandidate.type'),
    relAddrPort: has(c, 'reload.icecandidate.relay_addr') ? tAddress(subtree(c, 'reload.icecandidate.relay_addr')) : undefined,
    extensions: subtrees(subtree(c, 'reload.iceextensions'), 'reload.iceextension').map((e) => [opaqueHex(e, 'reload.iceextension.name'), opaqueHex(e, 'reload.iceextension.value')]),
  }));
}

function tNodeIds(tree: TsharkTree, key: string): string[] {
  return subtrees(tree, key).flatMap((l) => items(l, 'reload.nodeid').map((v) => String(v).replace(/:/g, '')));
}

function tSignature(s: TsharkTree): View {
  const alg = subtree(s, 'reload.signatureandhashalgorithm');
  const id = subtree(s, 'reload.signature.identity');
  const value = subtrees(subtree(id, 'reload.signature.identity.identity'), 'reload.signature.identity.value')[0];
  return {
    algorithm: [num(alg, 'reload.hash_algorithm'), num(alg, 'reload.signature_algorithm')],
    identityType: num(id, 'reload.signature.identity.type'),
    identity: value && has(value, 'reload.signeridentityvalue.hash_alg')
      ? [num(value, 'reload.signeridentityvalue.hash_alg'), opaqueHex(value, 'reload.signature.identity.value.certificate_hash')]
      : [],
    signatureValue: opaqueHex(s, 'reload.signature.value'),
  };
}

/** A DataValue as tshark reads it: `exists`, the value's bytes and what it dissected them as. */
function tDataValue(v: TsharkTree): View {
  const exists = text(v, 'reload.datavalue.exists') === '1';
  const known = ['reload.sipregistration', 'reload.turnserver', 'reload.certificate'].find((k) => has(v, k));
  if (known === undefined) {
    return { exists, value: has(v, 'reload.datavaluevalue') ? opaqueHex(v, 'reload.datavaluevalue') : '', as: 'opaque' };
  }
  const view: Record<string, unknown> = { exists, value: raw(v, known), as: known.slice('reload.'.length) };
  if (known === 'reload.sipregistration') {
    const s = subtree(v, known);
    const data = subtree(s, 'reload.sipregistration.data');
    view.sip = has(data, 'reload.sipregistration.data.uri')
      ? { type: num(s, 'reload.sipregistration.type'), uri: opaqueHex(data, 'reload.sipregistration.data.uri') }
      : { type: num(s, 'reload.sipregistration.type'), contactPrefs: opaqueHex(data, 'reload.sipregistration.data.contact_prefs'), destinationList: tDestinations(data, 'reload.sipregistration.data.destination_list') };
  } else if (known === 'reload.turnserver') {
    const t = subtree(v, known);
    view.turn = { iteration: num(t, 'reload.turnserver.iteration'), serverAddress: tAddress(subtree(t, 'reload.turnserver.server_address')) };
  }
  return view;
}

function tStoredValue(v: TsharkTree): View {
  if (has(v, 'reload.dictionarykey')) {
    const key = subtree(v, 'reload.dictionarykey');
    return { key: has(key, 'reload.nodeid') ? colonHex(key, 'reload.nodeid') : opaqueHex(v, 'reload.dictionarykey'), value: tDataValue(subtree(v, 'reload.dictionary.value')) };
  }
  if (has(v, 'reload.arrayentry.index')) return { index: num(v, 'reload.arrayentry.index'), value: tDataValue(subtree(v, 'reload.arrayentry.value')) };
  return { value: tDataValue(v) };
}

function tStoredData(d: TsharkTree): View {
  return {
    storageTime: BigInt(`0x${raw(d, 'reload.storeddata.storage_time')}`),
    lifetime: num(d, 'reload.storeddata.lifetime'),
    value: tStoredValue(subtree(d, 'reload.value')),
    signature: tSignature(subtree(d, 'reload.signature')),
  };
}

/** StoreKindData (and, as tshark labels it, FetchKindResponse). */
function tKindData(k: TsharkTree): View {
  return {
    kind: num(k, 'reload.kinddata.kind'),
    generation: big(k, 'reload.generation_counter'),
    values: subtrees(subtree(k, 'reload.kinddata.values_length'), 'reload.storeddata').map(tStoredData),
  };
}

function tMetaValue(v: TsharkTree): View {
  const meta = (m: TsharkTree): View => ({
    exists: text(m, 'reload.datavalue.exists') === '1',
    valueLength: num(m, 'reload.metadata.value_length'),
    hashAlgorithm: num(m, 'reload.hash_algorithm'),
    hashValue: opaqueHex(m, 'reload.metadata.hash_value'),
  });
  if (has(v, 'reload.dictionarykey')) return { key: colonHex(subtree(v, 'reload.dictionarykey'), 'reload.nodeid'), value: meta(subtree(v, 'reload.dictionary.value')) };
  if (has(v, 'reload.arrayentry.index')) return { index: num(v, 'reload.arrayentry.index'), value: meta(subtree(v, 'reload.arrayentry.value')) };
  return { value: meta(v) };
}

function tSpecifiers(body: TsharkTree): View {
  const list = subtree(body, 'reload.fetchreq.specifiers');
  return {
    specifiers: subtrees(list, 'reload.storeddataspecifier').map((s) => ({
      kind: num(s, 'reload.kinddata.kind'),
      generation: big(s, 'reload.generation_counter'),
      length: num(s, 'reload.length.16'),
      ...(has(s, 'reload.storeddataspecifier.indices') ? { indices: rawHex(subtree(s, 'reload.storeddataspecifier.indices'), 'reload.arrayrange').map((h) => `${h.slice(0, 16)}/${h.length / 2}`) } : {}),
    })),
    // tshark puts the dictionary keys beside the specifiers, not inside them (wireshark note #3).
    keys: subtrees(list, 'reload.storeddataspecifier.keys').map((k) => subtrees(k, 'reload.dictionarykey').map((d) => rawHex(d, 'reload.opaque.data')[0] ?? '')),
  };
}

function tStoreAns(a: TsharkTree): View[] {
  return subtrees(subtree(a, 'reload.storeans.kind_responses'), 'reload.storekindresponse').map((k) => ({
    kind: num(k, 'reload.kinddata.kind'),
    generation: big(k, 'reload.generation_counter'),
    replicas: tNodeIds(k, 'reload.storekindresponse.replicas'),
  }));
}

/** The dissected body: the subtree under message_body named after the structure. */
function tBody(code: number, body: TsharkTree): View | undefined {
  const sub = Object.keys(body).find((k) => !k.endsWith('_raw') && k !== 'reload.length.32');
  if (sub === undefined) return undefined;
  const b = subtree(body, sub);
  switch (sub) {
    case 'reload.probereq':
      return { requestedInfo: items(subtree(b, 'reload.probereq.requested_info'), 'reload.probe_information.type').map(Number) };
    case 'reload.probeans':
      return {
        probeInfo: subtrees(subtree(b, 'reload.probe_info'), 'reload.probe_information').map((p) => {
          const d = subtree(p, 'reload.probe_information_data');
          const key = ['reload.responsible_set', 'reload.num_resources', 'reload.uptime'].find((k) => has(d, k)) ?? '';
          return { type: num(p, 'reload.probe_information.type'), value: num(d, key) };
        }),
      };
    case 'reload.attachreqans':
    case 'reload.appattachreq':
    case 'reload.appattachans':
      return {
        ufrag: opaqueHex(b, 'reload.ufrag'),
        password: opaqueHex(b, 'reload.password'),
        ...(sub === 'reload.attachreqans' ? { sendUpdate: text(b, 'reload.sendupdate') === '1' } : { application: num(b, 'reload.application') }),
        role: opaqueHex(b, 'reload.role'),
        candidates: tCandidates(b),
      };
    case 'reload.storereq':
      return {
        resource: opaqueHex(b, 'reload.resource'),
        replicaNumber: num(b, 'reload.store.replica_number'),
        kindData: subtrees(subtree(b, 'reload.store.kind_data'), 'reload.kinddata').map(tKindData),
      };
    case 'reload.storeans':
      return { kindResponses: tStoreAns(b) };
    case 'reload.fetchreq':
    case 'reload.statreq':
      return { resource: opaqueHex(b, 'reload.resource'), ...tSpecifiers(b) };
    case 'reload.fetchans':
      return { kindResponses: subtrees(b, 'reload.kinddata').map(tKindData) };
    case 'reload.statans':
      return {
        kindResponses: subtrees(b, 'reload.statkindresponse').map((k) => ({
          kind: num(k, 'reload.kinddata.kind'),
          generation: big(k, 'reload.generation_counter'),
          values: subtrees(subtree(k, 'reload.kinddata.values_length'), 'reload.storedmetadata').map((m) => ({
            storageTime: BigInt(`0x${raw(m, 'reload.storeddata.storage_time')}`),
            lifetime: num(m, 'reload.storeddata.lifetime'),
            metadata: tMetaValue(subtree(m, 'reload.value')),
          })),
        })),
      };
    case 'reload.findreq':
      return { resource: opaqueHex(b, 'reload.resource'), kinds: items(subtree(b, 'reload.kindid_list'), 'reload.kindid').map(Number) };
    case 'reload.findans':
      return { results: subtrees(b, 'reload.findkinddata').map((k) => ({ kind: num(k, 'reload.kinddata.kind'), closest: opaqueHex(k, 'reload.findkindata.closest') })) };
    case 'reload.joinreq':
      return { joiningPeerId: colonHex(b, 'reload.joinreq.joining_peer_id'), overlaySpecificData: opaqueHex(b, 'reload.overlay_specific_data') };
    case 'reload.joinans':
      return { overlaySpecificData: opaqueHex(b, 'reload.overlay_specific_data') };
    case 'reload.leavereq': {
      const osd = subtree(b, 'reload.overlay_specific_data');
      const leave = subtree(osd, 'reload.chordleavedata');
      const type = num(leave, 'reload.chordleavedata.type');
      return { leavingPeerId: colonHex(b, 'reload.leavereq.leaving_peer_id'), chordLeaveData: { type, nodeIds: tNodeIds(leave, type === 1 ? 'reload.chordleavedata.successors' : 'reload.chordleavedata.predecessors') } };
    }
    case 'reload.chordupdate':
      return {
        uptime: num(b, 'reload.uptime'),
        type: num(b, 'reload.chordupdate.type'),
        predecessors: tNodeIds(b, 'reload.chordupdate.predecessors'),
        successors: tNodeIds(b, 'reload.chordupdate.successors'),
        fingers: tNodeIds(b, 'reload.chordupdate.fingers'),
      };
    case 'reload.routequeryreq':
      return { sendUpdate: text(b, 'reload.sendupdate') === '1', destination: tDestination(subtree(b, 'reload.routequeryreq.destination')), overlaySpecificData: opaqueHex(b, 'reload.overlay_specific_data') };
    case 'reload.chordroutequeryans':
      return { nextPeer: colonHex(b, 'reload.chordroutequeryans.nodeid') };
    case 'reload.pingreq':
      return { padding: opaqueHex(b, 'reload.padding') };
    case 'reload.pingans':
      return { responseId: big(b, 'reload.ping.response_id'), time: BigInt(`0x${raw(b, 'reload.ping.time')}`) };
    case 'reload.configupdatereq':
      return {
        type: num(b, 'reload.configupdatereq.type'),
        length: num(b, 'reload.length.32'),
        kinds: subtrees(b, 'reload.configupdatereq.kinds').flatMap((k) => rawHex(k, 'reload.configupdatereq.kinddescription').map((h) => h.slice(4))),
      };
    case 'reload.error_response': {
      const errorCode = num(b, 'reload.error_response.code');
      if (has(b, 'reload.storeans')) return { errorCode, storeAns: tStoreAns(subtree(b, 'reload.storeans')) };
      if (has(b, 'reload.kindid_list')) return { errorCode, unknownKinds: items(subtree(b, 'reload.kindid_list'), 'reload.kindid').map(Number) };
      return { errorCode, errorInfo: opaqueHex(b, 'reload.error_response_info') };
    }
    default:
      return { unexpected: sub, code };
  }
}

function tExtension(e: TsharkTree, rawBytes: string): View {
  // The bytes tshark gives the extension: type (2), critical (1), length (4), then the contents.
  const dissectedAs = Object.keys(e).find((k) => !k.endsWith('_raw') && !['reload.message_extension.type', 'reload.message_extension.critical', 'reload.length.32', 'reload.message_extension.content_tree'].includes(k));
  return { type: num(e, 'reload.message_extension.type'), critical: text(e, 'reload.message_extension.critical') === '1', contents: rawBytes.slice(14), dissectedAs };
}

/** What tshark's `reload` layer says about one whole (or reassembled) message. */
export function tsharkMessageView(reload: TsharkTree): View {
  const contents = subtree(reload, 'reload.message.contents');
  const code = num(contents, 'reload.message.code');
  const body = subtree(contents, 'reload.message.body');
  const ext = subtree(contents, 'reload.message.extensions');
  const sec = subtree(reload, 'reload.security_block');
  const certs = subtree(sec, 'reload.certificates');
  return {
    header: tHeader(subtree(reload, 'reload.forwarding')),
    messageCode: code,
    bodyLength: num(body, 'reload.length.32'),
    body: tBody(code, body),
    extensions: subtrees(ext, 'reload.message_extension').map((e, i) => tExtension(e, rawHex(ext, 'reload.message_extension')[i] ?? '')),
    certificates: subtrees(certs, 'reload.genericcertificate').map((c) => ({ type: num(c, 'reload.certificate.type'), certificate: raw(c, 'reload.certificate') })),
    signature: tSignature(subtree(sec, 'reload.signature')),
  };
}

/** The forwarding header alone (every fragment has one). */
export function tsharkHeaderView(reload: TsharkTree): View {
  return tHeader(subtree(reload, 'reload.forwarding'));
}
