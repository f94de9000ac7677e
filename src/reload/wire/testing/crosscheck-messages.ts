/**
 * Hand-built, realistic RELOAD messages for the Wireshark cross-check: at least one message of
 * every message code in MessageBodies, as a session between two peers of one chord-reload overlay
 * would carry them (alice asks, bob answers), plus error answers, a message routed through a via
 * list to a resource with a forwarding option, a certificate in a SecurityBlock and a store large
 * enough to be fragmented (RFC 6940 §6.7). Pure: hashes and the certificate are passed in.
 */
import { encodeWith } from '../codec/writer.js';
import { RELOAD_VERSION, UNFRAGMENTED, DEFAULT_INITIAL_TTL, type ForwardingHeader } from '../forwarding-header.js';
import type { Destination } from '../destination.js';
import type { ReloadMessage } from '../reload-message.js';
import type { MessageBody } from '../message-body.js';
import type { MessageExtension } from '../message-contents.js';
import { ErrorCode, KindId, MessageExtensionType } from '../message-codes.js';
import { HashAlgorithm, SignatureAlgorithm, SignerIdentityType, type SecurityBlock, type Signature } from '../security-block.js';
import { ForwardingOptionFlag } from '../forwarding-option.js';
import { CandType, OverlayLinkType, type IceCandidate } from '../methods/attach.js';
import { ApplicationId } from '../methods/app-attach.js';
import { DTLS_FINGERPRINT_EXTENSION, DtlsSetupRole, encodeDtlsFingerprint } from '../methods/dtls-fingerprint.js';
import { ProbeInformationType } from '../methods/probe.js';
import { ChordLeaveType, ChordUpdateType, encodeChordLeaveData, type ChordLeaveData } from '../methods/chord.js';
import { ConfigUpdateType } from '../methods/config-update.js';
import {
  DiagnosticKindId,
  diagnosticFlag,
  encodeDiagnosticsRequest,
  encodeDiagnosticsResponse,
  type DiagnosticsRequest,
  type DiagnosticsResponse,
} from '../methods/diagnostics.js';
import { parseIpAddressPort, type IpAddressPort } from '../ip-address-port.js';
import { encodeStoreAns } from '../storage/store.js';
import { ARRAY_APPEND_INDEX, syntheticNonexistentSignature, type StoredData, type StoredDataValue } from '../storage/stored-data.js';
import { ARRAY_LAST_INDEX } from '../storage/fetch.js';
import { encodeSipRegistration, type SipRegistration } from '../storage/kinds/sip-registration.js';
import { encodeTurnServer } from '../storage/kinds/turn-server.js';
import { encodeRedirServiceProvider } from '../storage/kinds/redir.js';

/** What the messages need from outside a pure module. */
export interface CrosscheckDeps {
  readonly sha1: (data: Uint8Array) => Uint8Array;
  readonly sha256: (data: Uint8Array) => Uint8Array;
  /** Alice's DER X.509 certificate (a real one made at test time, or any DER bytes). */
  readonly certificate: Uint8Array;
  /** A second certificate of alice's (a renewal, RFC 6940 §8: both stay stored for a while). */
  readonly renewedCertificate: Uint8Array;
}

/** One message of the session. `from` sends it on the alice–bob link. */
export interface CrosscheckCase {
  readonly name: string;
  readonly from: 'alice' | 'bob';
  readonly message: ReloadMessage;
  /** Split with fragmentMessage into pieces of at most this many bytes (RFC 6940 §6.7). */
  readonly maxFragmentSize?: number;
}

export const OVERLAY_NAME = 'chordphone.example.org';

/**
 * RFC 7374 §10.3: REDIR is Kind 0x104, which Wireshark 4.0 does not know (its table has decimal
 * 104), so the capture check tells tshark its data model through the `reload_kindids` UAT.
 */
export const CROSSCHECK_UAT_KINDS: readonly { readonly id: number; readonly name: string; readonly model: 'SINGLE' | 'ARRAY' | 'DICTIONARY' }[] = [
  { id: KindId.REDIR, name: 'REDIR', model: 'DICTIONARY' },
];

const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);

function ip(text: string, port: number): IpAddressPort {
  const v = parseIpAddressPort(text, port);
  if (!v) throw new Error(`bad address ${text}`);
  return v;
}

/** Every message of the session, in the order they go on the wire. */
export function crosscheckCases(deps: CrosscheckDeps): CrosscheckCase[] {
  const first16 = (b: Uint8Array): Uint8Array => b.slice(0, 16);
  const nodeId = (name: string): Uint8Array => first16(deps.sha256(utf8(`node-id:${name}`)));
  // RFC 6940 §10.2: a chord-reload Resource-ID is SHA-1 of the Resource Name, truncated to 128 bits.
  const resourceId = (name: Uint8Array | string): Uint8Array => first16(deps.sha1(typeof name === 'string' ? utf8(name) : name));
  // RFC 6940 §6.3.2 (rfc6940-readings #1): the overlay field is the low 32 bits of SHA-1(overlay name).
  const overlayDigest = deps.sha1(utf8(OVERLAY_NAME));
  const overlay = new DataView(overlayDigest.buffer, overlayDigest.byteOffset).getUint32(16);

  const [alice, bob, carol, dave, erin, frank] = ['alice', 'bob', 'carol', 'dave', 'erin', 'frank'].map(nodeId) as [
    Uint8Array, Uint8Array, Uint8Array, Uint8Array, Uint8Array, Uint8Array,
  ];
  const alicePhone = nodeId('alice-phone');
  const node = (id: Uint8Array): Destination => ({ kind: 'node', nodeId: id });
  const aliceAor = 'alice@chordphone.example.org';
  const aliceResource = resourceId(aliceAor);
  const bobCertificate = deps.sha256(utf8('bob certificate')); // only its hash is ever sent

  // RFC 6940 §6.3.4: cert_hash identity (hash_alg, then the certificate hash, rfc6940-readings #3).
  const signature = (cert: Uint8Array, salt: string): Signature => {
    const r = deps.sha256(utf8(`r:${salt}`));
    const s = deps.sha256(utf8(`s:${salt}`));
    // A DER ECDSA-Sig-Value of two positive 32-byte integers (the shape a real one has).
    const value = Uint8Array.from([0x30, 0x44, 0x02, 0x20, ...r.map((b, i) => (i === 0 ? b & 0x7f : b)), 0x02, 0x20, ...s.map((b, i) => (i === 0 ? b & 0x7f : b))]);
    return {
      algorithm: { hash: HashAlgorithm.sha256, signature: SignatureAlgorithm.ecdsa },
      identity: { identityType: SignerIdentityType.cert_hash, hashAlg: HashAlgorithm.sha256, hash: deps.sha256(cert) },
      signatureValue: value,
    };
  };
  const signedBy = (who: 'alice' | 'bob', salt: string, certificates: readonly Uint8Array[] = []): SecurityBlock => ({
    certificates: certificates.map((certificate) => ({ type: 0, certificate })), // X.509 (rfc6940-readings #4)
    signature: signature(who === 'alice' ? deps.certificate : bobCertificate, salt),
  });

  let txCounter = 0;
  const nextTransaction = (): bigint => {
    const d = deps.sha256(utf8(`transaction:${txCounter++}`));
    return new DataView(d.buffer, d.byteOffset).getBigUint64(0);
  };
  const header = (init: Partial<ForwardingHeader> & Pick<ForwardingHeader, 'transactionId' | 'destinationList'>): ForwardingHeader => ({
    overlay,
    configurationSequence: 12,
    version: RELOAD_VERSION,
    ttl: DEFAULT_INITIAL_TTL,
    fragment: UNFRAGMENTED,
    length: 0,
    maxResponseLength: 0,
    viaList: [],
    options: [],
    ...init,
  });

  const cases: CrosscheckCase[] = [];
  /** A request from alice to bob and bob's answer (same transaction id, §6.3.2). */
  const exchange = (
    name: string,
    request: MessageBody,
    answer: MessageBody,
    more: { reqExtensions?: MessageExtension[]; ansExtensions?: MessageExtension[]; reqCertificates?: Uint8Array[]; maxFragmentSize?: number } = {},
  ): void => {
    const transactionId = nextTransaction();
    cases.push({
      name: `${name}: ${request.name}`,
      from: 'alice',
      message: {
        forwardingHeader: header({ transactionId, destinationList: [node(bob)], maxResponseLength: 5000 }),
        body: request,
        extensions: more.reqExtensions ?? [],
        securityBlock: signedBy('alice', `${name}-req`, more.reqCertificates),
      },
      ...(more.maxFragmentSize === undefined ? {} : { maxFragmentSize: more.maxFragmentSize }),
    });
    cases.push({
      name: `${name}: ${answer.name}`,
      from: 'bob',
      message: {
        forwardingHeader: header({ transactionId, destinationList: [node(alice)], ttl: 98 }),
        body: answer,
        extensions: more.ansExtensions ?? [],
        securityBlock: signedBy('bob', `${name}-ans`),
      },
    });
  };

  const t0 = 1_772_355_600_000n; // 2026-03-01T09:00:00Z, storage_time in ms (§7)
  const stored = (value: StoredDataValue, i: number, lifetime = 86_400): StoredData => ({
    storageTime: t0 + BigInt(i) * 1000n,
    lifetime,
    value,
    signature: signature(deps.certificate, `stored-${i}`),
  });
  const dict = (key: Uint8Array, value: Uint8Array, exists = true): StoredDataValue => ({ model: 'dictionary', dictionaryEntry: { key, value: { exists, value } } });
  const arr = (index: number, value: Uint8Array): StoredDataValue => ({ model: 'array', arrayEntry: { index, value: { exists: true, value } } });
  const sipRoute: SipRegistration = { kind: 'route', contactPrefs: utf8('(sip.schemes=SIP)'), destinationList: [node(alice)] };
  const sipUri: SipRegistration = { kind: 'uri', uri: utf8('sip:alice@office.chordphone.example.org') };
  const dtls = (setup: number): MessageExtension => ({
    type: DTLS_FINGERPRINT_EXTENSION,
    critical: false,
    extensionContents: encodeDtlsFingerprint({ hashFunction: utf8('sha-256'), fingerprint: deps.sha256(utf8(`dtls:${setup}`)), setup, sctpPort: 5000, maxMessageSize: 262_144 }),
  });
  const host = (addr: IpAddressPort, foundation: string, priority: number): IceCandidate => ({
    addrPort: addr, overlayLink: OverlayLinkType.DTLS_UDP_SR, foundation: utf8(foundation), priority, type: CandType.host,
    extensions: [{ name: utf8('generation'), value: utf8('0') }, { name: utf8('network-id'), value: utf8('1') }],
  });
  const related = (type: 2 | 4, addr: IpAddressPort, rel: IpAddressPort, foundation: string, priority: number): IceCandidate => ({
    addrPort: addr, overlayLink: OverlayLinkType.DTLS_UDP_SR, foundation: utf8(foundation), priority, type, relAddrPort: rel,
    extensions: [{ name: utf8('generation'), value: utf8('0') }],
  });
  const aliceHost4 = ip('192.168.1.23', 50_312);
  const aliceHost6 = ip('2001:db8:1:2::23', 50_314);
  const aliceSrflx = ip('203.0.113.7', 61_022);
  const aliceCandidates: IceCandidate[] = [
    host(aliceHost4, '1467250027', 2_122_260_223),
    host(aliceHost6, '2183472721', 2_122_197_247),
    related(CandType.srflx, aliceSrflx, aliceHost4, '842163049', 1_686_052_607),
    related(CandType.relay, ip('2001:db8:ffff::3478', 49_170), aliceSrflx, '3071394410', 41_885_439),
  ];
  const bobCandidates: IceCandidate[] = [
    host(ip('198.51.100.20', 40_002), '3320193441', 2_122_260_223),
    related(CandType.srflx, ip('198.51.100.20', 40_002), ip('10.0.7.2', 40_002), '1598102155', 1_686_052_607),
    related(CandType.relay, ip('198.51.100.99', 3479), ip('198.51.100.20', 40_002), '712386655', 41_885_439),
  ];
  const fingers = [carol, dave, erin, frank].slice().sort(compareBytes);

  exchange('probe', { name: 'probe_req', value: { requestedInfo: [ProbeInformationType.responsible_set, ProbeInformationType.num_resources, ProbeInformationType.uptime] } }, {
    name: 'probe_ans',
    value: { probeInfo: [{ type: 1, responsiblePpb: 61_250_000 }, { type: 2, numResources: 37 }, { type: 3, uptime: 86_523 }] },
  });
  exchange(
    'attach',
    { name: 'attach_req', value: { ufrag: utf8('Xf3a'), password: utf8('9uKf2QbR0LxTnS7Ve4WcYp1d'), role: utf8('passive'), candidates: aliceCandidates, sendUpdate: false } },
    { name: 'attach_ans', value: { ufrag: utf8('8Zq1'), password: utf8('hT5mWv0sK3pYc9RbLx2NeQ7j'), role: utf8('active'), candidates: bobCandidates, sendUpdate: true } },
    { reqExtensions: [dtls(DtlsSetupRole.actpass)], ansExtensions: [dtls(DtlsSetupRole.active)] },
  );
  exchange('join', { name: 'join_req', value: { joiningPeerId: alice, overlaySpecificData: new Uint8Array(0) } }, { name: 'join_ans', value: { overlaySpecificData: new Uint8Array(0) } }, {
    reqCertificates: [deps.certificate], // a SecurityBlock carrying the signer's certificate (§6.3.4)
  });
  exchange('update', { name: 'update_req', value: { uptime: 3600, type: ChordUpdateType.full, predecessors: [carol, dave], successors: [bob, erin], fingers } }, { name: 'update_ans', value: {} });
  exchange(
    'store SIP registration',
    {
      name: 'store_req',
      value: {
        resource: aliceResource,
        replicaNumber: 0,
        kindData: [{ kind: KindId.SIP_REGISTRATION, generationCounter: 4n, values: [stored(dict(alice, encodeSipRegistration(sipRoute)), 1, 3600), stored(dict(alicePhone, encodeSipRegistration(sipUri)), 2, 3600)] }],
      },
    },
    { name: 'store_ans', value: { kindResponses: [{ kind: KindId.SIP_REGISTRATION, generationCounter: 5n, replicas: [erin, frank] }] } },
  );
  exchange(
    'store TURN service',
    {
      name: 'store_req',
      // RFC 6940 §9: Resource Name = Node-ID || d (turn-server.ts), a single value.
      value: { resource: resourceId(Uint8Array.from([...alice, 1])), replicaNumber: 0, kindData: [{ kind: KindId.TURN_SERVICE, generationCounter: 0n, values: [stored({ model: 'single', singleValueEntry: { exists: true, value: encodeTurnServer({ iteration: 1, serverAddress: ip('203.0.113.7', 3478) }) } }, 3)] }] },
    },
    { name: 'store_ans', value: { kindResponses: [{ kind: KindId.TURN_SERVICE, generationCounter: 1n, replicas: [carol] }] } },
  );
  exchange(
    'store certificates (fragmented)',
    {
      name: 'store_req',
      value: {
        resource: aliceResource,
        replicaNumber: 0,
        // RFC 6940 §8: certificates are appended (index 0xFFFFFFFF), old and renewed side by side.
        kindData: [{ kind: KindId.CERTIFICATE_BY_USER, generationCounter: 1n, values: [stored(arr(ARRAY_APPEND_INDEX, deps.certificate), 4), stored(arr(ARRAY_APPEND_INDEX, deps.renewedCertificate), 5)] }],
      },
    },
    { name: 'store_ans', value: { kindResponses: [{ kind: KindId.CERTIFICATE_BY_USER, generationCounter: 3n, replicas: [erin, frank] }] } },
    { maxFragmentSize: 480 },
  );
  exchange(
    'store ReDiR',
    {
      name: 'store_req',
      value: {
        // RFC 7374 §6: Resource Name = namespace || level || node; key = the provider's Node-ID.
        resource: resourceId(Uint8Array.from([...utf8('voice-mail'), 0, 2, 0, 3])),
        replicaNumber: 0,
        kindData: [{ kind: KindId.REDIR, generationCounter: 2n, values: [stored(dict(alice, encodeRedirServiceProvider({ type: 0, destinationList: [node(alice)], namespace: utf8('voice-mail'), level: 2, node: 3, extension: new Uint8Array(0) })), 6)] }],
      },
    },
    { name: 'store_ans', value: { kindResponses: [{ kind: KindId.REDIR, generationCounter: 3n, replicas: [] }] } },
  );
  exchange(
    'fetch',
    {
      name: 'fetch_req',
      value: {
        resource: aliceResource,
        specifiers: [
          { kind: KindId.SIP_REGISTRATION, generation: 0n, modelSpecifier: { model: 'dictionary', keys: [alice, alicePhone, carol] } },
          { kind: KindId.CERTIFICATE_BY_USER, generation: 2n, modelSpecifier: { model: 'array', indices: [{ first: 0, last: 0 }, { first: 2, last: ARRAY_LAST_INDEX }] } },
        ],
      },
    },
    {
      name: 'fetch_ans',
      value: {
        kindResponses: [
          {
            kind: KindId.SIP_REGISTRATION,
            generation: 5n,
            values: [
              stored(dict(alice, encodeSipRegistration(sipRoute)), 1, 3600),
              stored(dict(alicePhone, encodeSipRegistration(sipUri)), 2, 3600),
              // RFC 6940 §7.4.2.2: a key with no value comes back as a non-existent value signed by `none`.
              { storageTime: 0n, lifetime: 0, value: dict(carol, new Uint8Array(0), false), signature: syntheticNonexistentSignature() },
            ],
          },
          { kind: KindId.CERTIFICATE_BY_USER, generation: 3n, values: [stored(arr(0, deps.certificate), 4)] },
        ],
      },
    },
  );
  exchange(
    'stat',
    {
      name: 'stat_req',
      value: {
        resource: aliceResource,
        specifiers: [
          { kind: KindId.SIP_REGISTRATION, generation: 0n, modelSpecifier: { model: 'dictionary', keys: [] } },
          { kind: KindId.CERTIFICATE_BY_USER, generation: 0n, modelSpecifier: { model: 'array', indices: [{ first: 0, last: ARRAY_LAST_INDEX }] } },
        ],
      },
    },
    {
      name: 'stat_ans',
      value: {
        kindResponses: [
          { kind: KindId.SIP_REGISTRATION, generation: 5n, values: [{ storageTime: t0 + 1000n, lifetime: 3600, metadata: { model: 'dictionary', dictionaryEntry: { key: alice, value: { exists: true, valueLength: encodeSipRegistration(sipRoute).length, hashAlgorithm: HashAlgorithm.sha256, hashValue: deps.sha256(encodeSipRegistration(sipRoute)) } } } }] },
          { kind: KindId.CERTIFICATE_BY_USER, generation: 3n, values: [{ storageTime: t0 + 4000n, lifetime: 86_400, metadata: { model: 'array', arrayEntry: { index: 0, value: { exists: true, valueLength: deps.certificate.length, hashAlgorithm: HashAlgorithm.sha256, hashValue: deps.sha256(deps.certificate) } } } }] },
        ],
      },
    },
  );
  exchange('find', { name: 'find_req', value: { resource: resourceId('voice-mail'), kinds: [KindId.SIP_REGISTRATION, KindId.REDIR] } }, {
    name: 'find_ans',
    value: { results: [{ kind: KindId.SIP_REGISTRATION, closest: aliceResource }, { kind: KindId.REDIR, closest: resourceId(Uint8Array.from([...utf8('voice-mail'), 0, 2, 0, 3])) }] },
  });
  exchange('route query', { name: 'route_query_req', value: { sendUpdate: false, destination: { kind: 'resource', resourceId: resourceId('bob@chordphone.example.org') }, overlaySpecificData: new Uint8Array(0) } }, {
    name: 'route_query_ans',
    value: { nextPeer: dave },
  });
  exchange('ping', { name: 'ping_req', value: { padding: new Uint8Array(0) } }, { name: 'ping_ans', value: { responseId: 0x6d2f5a91c3e80b47n, time: t0 + 7_250n } });
  // RFC 7851 §4.2: Diagnostic_Ping, a ping carrying a DiagnosticsRequest and answered with a DiagnosticsResponse.
  const diagnosticsRequest: DiagnosticsRequest = {
    expiration: t0 + 60_000n,
    timestampInitiated: t0 + 8_000n,
    dMFlags: diagnosticFlag(DiagnosticKindId.STATUS_INFO) | diagnosticFlag(DiagnosticKindId.ROUTING_TABLE_SIZE) | diagnosticFlag(DiagnosticKindId.SOFTWARE_VERSION) | diagnosticFlag(DiagnosticKindId.APP_UPTIME),
    diagnosticExtensionsList: [],
  };
  const diagnosticsResponse: DiagnosticsResponse = {
    expiration: t0 + 60_000n,
    timestampInitiated: t0 + 8_000n,
    timestampReceived: t0 + 8_012n,
    hopCounter: 100,
    diagnosticInfoList: [
      { kind: DiagnosticKindId.STATUS_INFO, value: 0 },
      { kind: DiagnosticKindId.ROUTING_TABLE_SIZE, value: 17 },
      { kind: DiagnosticKindId.SOFTWARE_VERSION, value: 'chordphone/0.1.0' },
      { kind: DiagnosticKindId.APP_UPTIME, value: 86_523n },
    ],
  };
  const diagnosticPing = (contents: Uint8Array): MessageExtension => ({ type: MessageExtensionType.Diagnostic_Ping, critical: false, extensionContents: contents });
  exchange('diagnostic ping', { name: 'ping_req', value: { padding: new Uint8Array(0) } }, { name: 'ping_ans', value: { responseId: 0x1b0c77e2a9d4f361n, time: t0 + 8_012n } }, {
    reqExtensions: [diagnosticPing(encodeDiagnosticsRequest(diagnosticsRequest))],
    ansExtensions: [diagnosticPing(encodeDiagnosticsResponse(diagnosticsResponse))],
  });
  exchange(
    'app attach',
    { name: 'app_attach_req', value: { ufrag: utf8('Qm7r'), password: utf8('c2VjcmV0LXNpcC1jaGFubmVs'), application: ApplicationId.SIP, role: utf8('passive'), candidates: aliceCandidates.slice(0, 3) } },
    { name: 'app_attach_ans', value: { ufrag: utf8('Lp0v'), password: utf8('YW5vdGhlci1zaXAtY2hhbm5l'), application: ApplicationId.SIP, role: utf8('active'), candidates: bobCandidates.slice(0, 2) } },
    { reqExtensions: [dtls(DtlsSetupRole.actpass)], ansExtensions: [dtls(DtlsSetupRole.active)] },
  );
  exchange(
    'config update',
    { name: 'config_update_req', value: { type: ConfigUpdateType.kind, kinds: [utf8('<kind id="260"><data-model>DICTIONARY</data-model><access-control>NODE-MATCH</access-control><max-count>4</max-count><max-size>512</max-size></kind>')] } },
    { name: 'config_update_ans', value: {} },
  );
  exchange(
    'path track',
    { name: 'path_track_req', value: { destination: node(erin), request: diagnosticsRequest } },
    { name: 'path_track_ans', value: { nextHop: node(dave), response: diagnosticsResponse } },
  );
  const leaveData: ChordLeaveData = { type: ChordLeaveType.from_succ, successors: [erin, frank] };
  // RFC 6940 §10.9: the LeaveReq's overlay_specific_data holds the ChordLeaveData.
  exchange('leave', { name: 'leave_req', value: { leavingPeerId: alice, overlaySpecificData: encodeChordLeaveData(leaveData), chordLeaveData: leaveData } }, { name: 'leave_ans', value: {} });

  // Error answers (RFC 6940 §6.3.3.1), each answering a request of alice's.
  const errorInfoUnknownKinds = encodeWith((w) => w.prefixed(1, () => w.u32(0xf00d), 'unknown_kinds'));
  const errors: [string, number, Uint8Array][] = [
    ['not found', ErrorCode.Error_Not_Found, utf8('Keine Registrierung für bob@chordphone.example.org gefunden')],
    ['forbidden', ErrorCode.Error_Forbidden, utf8('Zertifikat passt nicht zur Node-ID — Speichern verweigert ✗')],
    // §7.4.1.2: error_info is a StoreAns with the current generation counters and no replicas.
    ['generation too low', ErrorCode.Error_Generation_Counter_Too_Low, encodeStoreAns({ kindResponses: [{ kind: KindId.SIP_REGISTRATION, generationCounter: 9n, replicas: [] }] })],
    // §7.4.1.2: error_info is `KindId unknown_kinds<0..2^8-1>`.
    ['unknown kind', ErrorCode.Error_Unknown_Kind, errorInfoUnknownKinds],
    ['ttl exceeded', ErrorCode.Error_TTL_Exceeded, utf8('TTL erreicht 0 bei Knoten dave')],
  ];
  for (const [name, errorCode, errorInfo] of errors) {
    cases.push({
      name: `error: ${name}`,
      from: 'bob',
      message: {
        forwardingHeader: header({ transactionId: nextTransaction(), destinationList: [node(alice)], ttl: 97 }),
        body: { name: 'error', value: { errorCode, errorInfo } },
        extensions: [],
        securityBlock: signedBy('bob', `error-${name}`),
      },
    });
  }

  // A request on its way through the overlay: via list of two peers, a compressed destination
  // (§6.3.2.2, 16-bit, first bit set) before the resource, and a forwarding option (§6.3.2.3).
  cases.push({
    name: 'routed fetch: via list, compressed and resource destinations, forwarding option',
    from: 'alice',
    message: {
      forwardingHeader: header({
        transactionId: nextTransaction(),
        ttl: 97,
        viaList: [node(carol), node(dave)],
        destinationList: [{ kind: 'compressed', id: 0x8a3c }, { kind: 'resource', resourceId: resourceId('bob@chordphone.example.org') }],
        options: [{ type: 1, flags: ForwardingOptionFlag.RESPONSE_COPY, option: utf8('trace:7f3a') }],
        maxResponseLength: 4096,
      }),
      body: { name: 'fetch_req', value: { resource: resourceId('bob@chordphone.example.org'), specifiers: [{ kind: KindId.SIP_REGISTRATION, generation: 0n, modelSpecifier: { model: 'dictionary', keys: [] } }] } },
      extensions: [],
      securityBlock: signedBy('alice', 'routed-fetch'),
    },
  });
  return cases;
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return (a[i] ?? 0) - (b[i] ?? 0);
  return a.length - b.length;
}

