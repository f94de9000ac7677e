/**
 * fast-check arbitraries for the non-storage method bodies (RFC 6940 §6.4.2, §6.5), chord-reload's
 * bodies (§10, RFC 7363), RFC 7851 diagnostics and our DTLS-fingerprint extension. They generate
 * only valid values (vector bounds, known select arms), so decode(encode(x)) equals x and a later
 * fuzz test / Wireshark cross-check can reuse them.
 */
import fc from 'fast-check';
import type { IpAddressPort } from '../ip-address-port.js';
import { arbDestination, arbNodeId } from './envelope.arb.js';
import type { AttachReqAns, IceCandidate, IceExtension } from '../methods/attach.js';
import type { AppAttachAns, AppAttachReq } from '../methods/app-attach.js';
import type { DtlsFingerprint } from '../methods/dtls-fingerprint.js';
import type { ProbeAns, ProbeInformation, ProbeReq } from '../methods/probe.js';
import type { JoinAns, JoinReq } from '../methods/join.js';
import type { LeaveAns, LeaveReq } from '../methods/leave.js';
import type { UpdateAns, UpdateReq } from '../methods/update.js';
import type { RouteQueryReq } from '../methods/route-query.js';
import type { ChordLeaveData, ChordRouteQueryAns, ChordUpdate, SelfTuningData } from '../methods/chord.js';
import type { PingAns, PingReq } from '../methods/ping.js';
import type {
  DiagnosticExtension,
  DiagnosticInfo,
  DiagnosticsRequest,
  DiagnosticsResponse,
  PathTrackAns,
  PathTrackReq,
} from '../methods/diagnostics.js';
import type { ConfigUpdateAns, ConfigUpdateReq } from '../methods/config-update.js';
import { bytes, u16, u32, u64, u8 } from './primitives.arb.js';

const list = <T>(arb: fc.Arbitrary<T>, maxLength = 8) => fc.array(arb, { maxLength });
const nodeIds = list(arbNodeId);

/** RFC 6940 §6.3.1 IpAddressPort: IPv4, IPv6, and (optionally) an unknown address type kept opaque. */
export function arbIpAddressPort(options: { readonly unknownTypes?: boolean } = {}): fc.Arbitrary<IpAddressPort> {
  const forms: fc.Arbitrary<IpAddressPort>[] = [
    fc.record({ kind: fc.constant('ipv4' as const), address: bytes(4, 4), port: u16 }),
    fc.record({ kind: fc.constant('ipv6' as const), address: bytes(16, 16), port: u16 }),
  ];
  if (options.unknownTypes ?? true) forms.push(fc.record({ kind: fc.constant('unknown' as const), type: fc.integer({ min: 3, max: 0xff }), data: bytes(24) }));
  return fc.oneof(...forms);
}

export const arbIceExtension: fc.Arbitrary<IceExtension> = fc.record({ name: bytes(16), value: bytes(16) });

/** RFC 6940 §6.5.1.1 IceCandidate, every CandType (prflx included) and any non-zero overlay link. */
export const arbIceCandidate: fc.Arbitrary<IceCandidate> = fc.oneof(
  fc.record({
    addrPort: arbIpAddressPort(),
    overlayLink: fc.integer({ min: 1, max: 0xff }),
    foundation: bytes(32),
    priority: u32,
    type: fc.constant(1 as const),
    extensions: list(arbIceExtension, 4),
  }),
  fc.record({
    addrPort: arbIpAddressPort(),
    overlayLink: fc.integer({ min: 1, max: 0xff }),
    foundation: bytes(32),
    priority: u32,
    type: fc.constantFrom(2 as const, 3 as const, 4 as const),
    relAddrPort: arbIpAddressPort(),
    extensions: list(arbIceExtension, 4),
  }),
);

const ascii = (chars: string, minLength: number, maxLength: number) =>
  fc.string({ unit: fc.constantFrom(...chars.split('')), minLength, maxLength }).map((s) => Uint8Array.from(s, (c) => c.charCodeAt(0)));
const ICE_CHARS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const TOKEN_CHARS = 'abcdefghijklmnopqrstuvwxyz0123456789-.!%*_+`\'~';
const VCHARS = Array.from({ length: 0x7e - 0x21 + 1 }, (_, i) => String.fromCharCode(0x21 + i)).join('');

/**
 * An IceCandidate that an RFC 8839 §5.1 candidate line can express and that parses back to the
 * same value: DTLS-UDP-SR (↔ UDP), IPv4/IPv6, ice-char foundation, token/VCHAR extensions
 * (names other than raddr/rport).
 */
export const arbSdpIceCandidate: fc.Arbitrary<IceCandidate> = fc
  .tuple(
    arbIpAddressPort({ unknownTypes: false }),
    ascii(ICE_CHARS, 1, 32),
    u32,
    fc.constantFrom(1 as const, 2 as const, 3 as const, 4 as const),
    arbIpAddressPort({ unknownTypes: false }),
    list(
      fc.record({ name: ascii(TOKEN_CHARS, 1, 12), value: ascii(VCHARS, 1, 16) }).filter((e) => {
        const n = String.fromCharCode(...e.name);
        return n !== 'raddr' && n !== 'rport';
      }),
      4,
    ),
  )
  .map(([addrPort, foundation, priority, type, rel, extensions]): IceCandidate => {
    const base = { addrPort, overlayLink: 1, foundation, priority, extensions };
    return type === 1 ? { ...base, type } : { ...base, type, relAddrPort: rel };
  });

const candidates = list(arbIceCandidate, 6);

export const arbAttachReqAns: fc.Arbitrary<AttachReqAns> = fc.record({
  ufrag: bytes(32),
  password: bytes(32),
  role: fc.constantFrom('passive', 'active', 'actpass').map((s) => Uint8Array.from(s, (c) => c.charCodeAt(0))),
  candidates,
  sendUpdate: fc.boolean(),
});

export const arbAppAttachReq: fc.Arbitrary<AppAttachReq> = fc.record({
  ufrag: bytes(32),
  password: bytes(32),
  application: fc.oneof(fc.constant(5060), u16),
  role: bytes(8),
  candidates,
});

export const arbAppAttachAns: fc.Arbitrary<AppAttachAns> = arbAppAttachReq;

/** Our private DTLS-fingerprint extension contents (dtls-fingerprint.ts), optional fields present or absent. */
export const arbDtlsFingerprint: fc.Arbitrary<DtlsFingerprint> = fc.record(
  { hashFunction: bytes(16), fingerprint: bytes(64), setup: fc.constantFrom(1, 2, 3), sctpPort: u16, maxMessageSize: u32 },
  { requiredKeys: ['hashFunction', 'fingerprint', 'setup'] },
);

export const arbProbeReq: fc.Arbitrary<ProbeReq> = fc.record({ requestedInfo: list(fc.integer({ min: 1, max: 0xff })) });

export const arbProbeInformation: fc.Arbitrary<ProbeInformation> = fc.oneof(
  u32.map((responsiblePpb) => ({ type: 1 as const, responsiblePpb })),
  u32.map((numResources) => ({ type: 2 as const, numResources })),
  u32.map((uptime) => ({ type: 3 as const, uptime })),
  fc.record({ type: fc.integer({ min: 4, max: 0xff }), unknown: bytes(16) }),
);

export const arbProbeAns: fc.Arbitrary<ProbeAns> = fc.record({ probeInfo: list(arbProbeInformation) });

export const arbJoinReq: fc.Arbitrary<JoinReq> = fc.record({ joiningPeerId: arbNodeId, overlaySpecificData: bytes() });
export const arbJoinAns: fc.Arbitrary<JoinAns> = fc.record({ overlaySpecificData: bytes() });
export const arbLeaveReq: fc.Arbitrary<LeaveReq> = fc.record({ leavingPeerId: arbNodeId, overlaySpecificData: bytes() });
export const arbLeaveAns: fc.Arbitrary<LeaveAns> = fc.constant({});
export const arbUpdateReq: fc.Arbitrary<UpdateReq> = fc.record({ overlaySpecificData: bytes() });
export const arbUpdateAns: fc.Arbitrary<UpdateAns> = fc.constant({});

export const arbRouteQueryReq: fc.Arbitrary<RouteQueryReq> = fc.record({
  sendUpdate: fc.boolean(),
  destination: arbDestination(),
  overlaySpecificData: bytes(),
});

export const arbChordUpdate: fc.Arbitrary<ChordUpdate> = fc.oneof(
  u32.map((uptime) => ({ uptime, type: 1 as const })),
  fc.record({ uptime: u32, type: fc.constant(2 as const), predecessors: nodeIds, successors: nodeIds }),
  fc.record({ uptime: u32, type: fc.constant(3 as const), predecessors: nodeIds, successors: nodeIds, fingers: list(arbNodeId, 16) }),
);

export const arbChordRouteQueryAns: fc.Arbitrary<ChordRouteQueryAns> = fc.record({ nextPeer: arbNodeId });

export const arbChordLeaveData: fc.Arbitrary<ChordLeaveData> = fc.oneof(
  nodeIds.map((successors) => ({ type: 1 as const, successors })),
  nodeIds.map((predecessors) => ({ type: 2 as const, predecessors })),
);

export const arbSelfTuningData: fc.Arbitrary<SelfTuningData> = fc.record({ networkSize: u32, joinRate: u32, leaveRate: u32 });

export const arbPingReq: fc.Arbitrary<PingReq> = fc.record({ padding: bytes() });
export const arbPingAns: fc.Arbitrary<PingAns> = fc.record({ responseId: u64, time: u64 });

export const arbDiagnosticExtension: fc.Arbitrary<DiagnosticExtension> = fc.record({
  kind: fc.integer({ min: 0x40, max: 0xfffe }),
  diagnosticExtensionContents: bytes(32),
});

export const arbDiagnosticsRequest: fc.Arbitrary<DiagnosticsRequest> = fc.record({
  expiration: u64,
  timestampInitiated: u64,
  dMFlags: u64,
  diagnosticExtensionsList: list(arbDiagnosticExtension, 4),
});

const US_ASCII_NO_NUL = Array.from({ length: 0x7f }, (_, i) => String.fromCharCode(i + 1)).join('');

/** RFC 7851 §5.2 DiagnosticInfo: every kind of §5.3, plus unassigned and local-use kinds kept opaque. */
export const arbDiagnosticInfo: fc.Arbitrary<DiagnosticInfo> = fc.oneof(
  fc.record({ kind: fc.constantFrom(0x1 as const, 0xf as const, 0x10 as const), value: u8 }),
  fc.record({ kind: fc.constantFrom(0x2 as const, 0xd as const, 0xe as const), value: u32 }),
  fc.record({ kind: fc.constantFrom(0x3 as const, 0x4 as const, 0x5 as const, 0x7 as const, 0x8 as const, 0x9 as const, 0xa as const), value: u64 }),
  fc.record({ kind: fc.constant(0x6 as const), value: fc.string({ unit: fc.constantFrom(...US_ASCII_NO_NUL.split('')), maxLength: 48 }) }),
  fc.record({ kind: fc.constant(0xb as const), value: list(fc.record({ kind: u32, instances: u64 }), 4) }),
  fc.record({ kind: fc.constant(0xc as const), value: list(fc.record({ messageCode: u16, sent: u64, received: u64 }), 4) }),
  fc.record({ kind: fc.oneof(fc.integer({ min: 0x11, max: 0x3e }), fc.integer({ min: 0xf000, max: 0xfffe })), unknown: bytes(16) }),
);

export const arbDiagnosticsResponse: fc.Arbitrary<DiagnosticsResponse> = fc.record({
  expiration: u64,
  timestampInitiated: u64,
  timestampReceived: u64,
  hopCounter: u8,
  diagnosticInfoList: list(arbDiagnosticInfo, 6),
});

export const arbPathTrackReq: fc.Arbitrary<PathTrackReq> = fc.record({ destination: arbDestination(), request: arbDiagnosticsRequest });
export const arbPathTrackAns: fc.Arbitrary<PathTrackAns> = fc.record({ nextHop: arbDestination(), response: arbDiagnosticsResponse });

export const arbConfigUpdateReq: fc.Arbitrary<ConfigUpdateReq> = fc.oneof(
  bytes(128).map((configData) => ({ type: 1 as const, configData })),
  list(bytes(48), 4).map((kinds) => ({ type: 2 as const, kinds })),
  fc.record({ type: fc.integer({ min: 3, max: 0xff }), unknown: bytes(32) }),
);

export const arbConfigUpdateAns: fc.Arbitrary<ConfigUpdateAns> = fc.constant({});
