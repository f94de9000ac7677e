/**
 * fast-check arbitraries for the RFC 6940 §6.3 message envelope, §6.6.2 framing and §6.7 fragment
 * field. They generate only valid values (vector bounds, RFC placement rules), so that
 * decode(encode(x)) equals x and a later fuzz test / Wireshark cross-check can reuse them.
 */
import fc from 'fast-check';
import { NODE_ID_LENGTH } from '../ids.js';
import type { Destination } from '../destination.js';
import type { ForwardingOption } from '../forwarding-option.js';
import { RELOAD_VERSION, UNFRAGMENTED, DEFAULT_INITIAL_TTL, FragmentBits, type ForwardingHeader } from '../forwarding-header.js';
import { encodeErrorResponse, type ErrorResponse, type MessageContents, type MessageExtension } from '../message-contents.js';
import { MessageCode } from '../message-codes.js';
import { encodeForwardedMessage, type ForwardedMessage } from '../forwarded-message.js';
import type { FramedMessage } from '../framing.js';
import type { GenericCertificate, SecurityBlock, Signature, SignerIdentity } from '../security-block.js';
import { bytes, u16, u32, u64, u8 } from './primitives.arb.js';

export const arbNodeId: fc.Arbitrary<Uint8Array> = fc.uint8Array({ minLength: NODE_ID_LENGTH, maxLength: NODE_ID_LENGTH });

/** A resource destination (rfc6940-readings #2), Resource-IDs of 0..32 bytes, mostly 16. */
export const arbResourceDestination: fc.Arbitrary<Destination> = fc
  .oneof(fc.uint8Array({ minLength: 16, maxLength: 16 }), bytes(32))
  .map((resourceId) => ({ kind: 'resource', resourceId }) as const);

/** Options for `arbDestination`. */
export interface DestinationArbOptions {
  /** Include `resource` destinations (default true; never valid in a via_list). */
  readonly resource?: boolean;
  /** Include unknown destination types 4..127 (default true). */
  readonly unknownTypes?: boolean;
}

/** RFC 6940 §6.3.2.2 Destination, every form (resource ids up to 32 bytes, opaque ids up to 16). */
export function arbDestination(options: DestinationArbOptions = {}): fc.Arbitrary<Destination> {
  const forms: fc.Arbitrary<Destination>[] = [
    arbNodeId.map((nodeId) => ({ kind: 'node', nodeId }) as const),
    bytes(16).map((opaqueId) => ({ kind: 'opaque', opaqueId }) as const),
    fc.integer({ min: 0x8000, max: 0xffff }).map((id) => ({ kind: 'compressed', id }) as const),
  ];
  if (options.resource ?? true) forms.push(arbResourceDestination);
  if (options.unknownTypes ?? true) {
    forms.push(fc.record({ kind: fc.constant('unknown' as const), type: fc.integer({ min: 4, max: 0x7f }), data: bytes(24) }));
  }
  return fc.oneof(...forms);
}

/** A via_list: no resource destinations (RFC 6940 §6.3.2.2). */
export function arbViaList(options: Omit<DestinationArbOptions, 'resource'> = {}): fc.Arbitrary<Destination[]> {
  return fc.array(arbDestination({ ...options, resource: false }), { maxLength: 8 });
}

/** A destination_list: a resource destination, if any, only last (RFC 6940 §6.3.2.2). */
export function arbDestinationList(options: Omit<DestinationArbOptions, 'resource'> = {}): fc.Arbitrary<Destination[]> {
  return fc
    .tuple(fc.array(arbDestination({ ...options, resource: false }), { maxLength: 7 }), fc.option(arbResourceDestination, { nil: undefined }))
    .map(([head, last]) => (last ? [...head, last] : head));
}

/** RFC 6940 §6.3.2.3 ForwardingOption (any type but 0, any flags, opaque value). */
export const arbForwardingOption: fc.Arbitrary<ForwardingOption> = fc.record({
  type: fc.integer({ min: 1, max: 0xff }),
  flags: u8,
  option: bytes(32),
});

/** A `fragment` field: high bit always set (RFC 6940 §6.3.2), any last bit, reserved bits and offset. */
export const arbFragmentField: fc.Arbitrary<number> = fc.integer({ min: 0, max: 0x7fffffff }).map((v) => (v | FragmentBits.ALWAYS_SET) >>> 0);

/** Options for `arbForwardingHeader`. */
export interface ForwardingHeaderArbOptions {
  readonly fragment?: fc.Arbitrary<number>;
  /** Include unknown destination types (default true). */
  readonly unknownDestinationTypes?: boolean;
}

/**
 * RFC 6940 §6.3.2 ForwardingHeader. Version is RELOAD_VERSION and ttl ≤ 100 (values a node
 * accepts); `length` is any uint32 (the whole-message arbitrary sets it to the real size).
 */
export function arbForwardingHeader(options: ForwardingHeaderArbOptions = {}): fc.Arbitrary<ForwardingHeader> {
  const unknownTypes = options.unknownDestinationTypes ?? true;
  return fc.record({
    overlay: u32,
    configurationSequence: u16,
    version: fc.constant(RELOAD_VERSION),
    ttl: fc.integer({ min: 0, max: DEFAULT_INITIAL_TTL }),
    fragment: options.fragment ?? arbFragmentField,
    length: u32,
    transactionId: u64,
    maxResponseLength: u32,
    viaList: arbViaList({ unknownTypes }),
    destinationList: arbDestinationList({ unknownTypes }),
    options: fc.array(arbForwardingOption, { maxLength: 4 }),
  });
}

/** RFC 6940 §6.3.3 MessageExtension (any type but 0 unless `type` is given). */
export function arbMessageExtension(type: fc.Arbitrary<number> = fc.integer({ min: 1, max: 0xffff })): fc.Arbitrary<MessageExtension> {
  return fc.record({ type, critical: fc.boolean(), extensionContents: bytes(32) });
}

/** Options for `arbMessageContents`. */
export interface MessageContentsArbOptions {
  readonly messageCode?: fc.Arbitrary<number>;
  readonly messageBody?: fc.Arbitrary<Uint8Array>;
  readonly extensionType?: fc.Arbitrary<number>;
}

/** RFC 6940 §6.3.3 MessageContents with an opaque body (any code but 0 unless given). */
export function arbMessageContents(options: MessageContentsArbOptions = {}): fc.Arbitrary<MessageContents> {
  return fc.record({
    messageCode: options.messageCode ?? fc.integer({ min: 1, max: 0xffff }),
    messageBody: options.messageBody ?? bytes(64),
    extensions: fc.array(arbMessageExtension(options.extensionType), { maxLength: 3 }),
  });
}

/** RFC 6940 §6.3.3.1 ErrorResponse (any error code but 0). */
export const arbErrorResponse: fc.Arbitrary<ErrorResponse> = fc.record({
  errorCode: fc.integer({ min: 1, max: 0xffff }),
  errorInfo: bytes(48),
});

/** RFC 6940 §6.3.4 GenericCertificate (any type, opaque bytes: not real DER). */
export const arbGenericCertificate: fc.Arbitrary<GenericCertificate> = fc.record({ type: u8, certificate: bytes(64) });

/** RFC 6940 §6.3.4 SignerIdentity: cert_hash, cert_hash_node_id, none, and optionally unknown types 4..255. */
export function arbSignerIdentity(options: { readonly unknownTypes?: boolean } = {}): fc.Arbitrary<SignerIdentity> {
  const forms: fc.Arbitrary<SignerIdentity>[] = [
    fc.record({ identityType: fc.constantFrom(1 as const, 2 as const), hashAlg: u8, hash: bytes(64) }),
    fc.constant({ identityType: 3 as const }),
  ];
  if (options.unknownTypes ?? true) forms.push(fc.record({ identityType: fc.integer({ min: 4, max: 0xff }), unknown: bytes(32) }));
  return fc.oneof(...forms);
}

/** RFC 6940 §6.3.4 Signature. */
export function arbSignature(options: { readonly unknownIdentityTypes?: boolean } = {}): fc.Arbitrary<Signature> {
  return fc.record({
    algorithm: fc.record({ hash: u8, signature: u8 }),
    identity: arbSignerIdentity({ unknownTypes: options.unknownIdentityTypes ?? true }),
    signatureValue: bytes(64),
  });
}

/** Options for `arbSecurityBlock`. */
export interface SecurityBlockArbOptions {
  /** Most certificates (default 3; 0 for none, e.g. when a dissector would parse them as DER). */
  readonly maxCertificates?: number;
  readonly unknownIdentityTypes?: boolean;
}

/** RFC 6940 §6.3.4 SecurityBlock. */
export function arbSecurityBlock(options: SecurityBlockArbOptions = {}): fc.Arbitrary<SecurityBlock> {
  return fc.record({
    certificates: fc.array(arbGenericCertificate, { maxLength: options.maxCertificates ?? 3 }),
    signature: arbSignature({ unknownIdentityTypes: options.unknownIdentityTypes ?? true }),
  });
}

/** RFC 6940 §6.6.2 FramedMessage. */
export const arbFramedMessage: fc.Arbitrary<FramedMessage> = fc.oneof(
  fc.record({ kind: fc.constant('data' as const), sequence: u32, message: bytes(128) }),
  fc.record({ kind: fc.constant('ack' as const), ackSequence: u32, received: u32 }),
);

/**
 * Message codes no dissector gives a body structure to: codes 0x0100..0x7FFF (unassigned in
 * §14.8), so an opaque body is a valid message of an unknown method.
 */
export const arbUnassignedMessageCode: fc.Arbitrary<number> = fc.integer({ min: 0x0100, max: 0x7fff });

/**
 * Default contents for whole messages: an unassigned method with an opaque body, or an `error`
 * (0xFFFF) whose body is a real ErrorResponse; extensions use unassigned types 0x0100..0xFFFE.
 */
export const arbEnvelopeMessageContents: fc.Arbitrary<MessageContents> = fc.oneof(
  arbMessageContents({ messageCode: arbUnassignedMessageCode, extensionType: fc.integer({ min: 0x100, max: 0xfffe }) }),
  arbMessageContents({
    messageCode: fc.constant(MessageCode.error),
    messageBody: arbErrorResponse.map(encodeErrorResponse),
    extensionType: fc.integer({ min: 0x100, max: 0xfffe }),
  }),
);

/** Options for `arbForwardedMessage`. */
export interface ForwardedMessageArbOptions {
  readonly messageContents?: fc.Arbitrary<MessageContents>;
  readonly securityBlock?: fc.Arbitrary<SecurityBlock>;
  readonly unknownDestinationTypes?: boolean;
}

/**
 * RFC 6940 §6.3 ForwardedMessage: a whole message (fragment = 0xC0000000) whose header `length`
 * is its real encoded size, so it round-trips exactly.
 */
export function arbForwardedMessage(options: ForwardedMessageArbOptions = {}): fc.Arbitrary<ForwardedMessage> {
  return fc
    .record({
      forwardingHeader: arbForwardingHeader({ fragment: fc.constant(UNFRAGMENTED), unknownDestinationTypes: options.unknownDestinationTypes ?? true }),
      messageContents: options.messageContents ?? arbEnvelopeMessageContents,
      securityBlock: options.securityBlock ?? arbSecurityBlock(),
    })
    .map((m) => ({ ...m, forwardingHeader: { ...m.forwardingHeader, length: encodeForwardedMessage(m).length } }));
}
