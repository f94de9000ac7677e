/**
 * Message transport against a scripted forwarding layer (tests only): a forwarding that records
 * what transport sends and hands messages up as forwarding would, a test-only signature scheme,
 * and helpers to craft the messages of other nodes.
 *
 * `reload/testing/` holds test doubles that tests of more than one layer use (this one: the
 * transport's own tests and those of the usages that answer the transport, the §8 usage's
 * certificate source; beside it a clock, a hasher, a fake link, a test PKI, an error assertion).
 * A layer's own `testing/` folder holds fixtures of that layer's own types, for its tests and for
 * the tests of neighbours built on those types.
 */
import { VirtualClock } from '../../sim/virtual-clock.js';
import { SeededRandom } from '../../sim/seeded-random.js';
import type { Logger } from '../runtime/components.js';
import { ReloadError } from '../runtime/reload-error.js';
import { toHex } from '../wire/codec/hex.js';
import { CertificateUnknownError, type Signer, type VerifiedSigner, type Verifier } from '../security/signer.js';
import type { Forwarding, ForwardingDelegate, OverlayParameters, SendResult } from '../forwarding/index.js';
import { overlayParameters } from '../forwarding/index.js';
import type { Destination } from '../wire/destination.js';
import { decodeForwardedMessage, decodeForwardingHeaderOnly, encodeForwardedMessage } from '../wire/forwarded-message.js';
import { UNFRAGMENTED, type ForwardingHeader } from '../wire/forwarding-header.js';
import { decodeMessageBody, encodeMessageBody, type MessageBody } from '../wire/message-body.js';
import type { MessageExtension } from '../wire/message-contents.js';
import { messageSignatureInput } from '../wire/message-signature-input.js';
import type { Signature, SignerIdentity } from '../wire/security-block.js';
import { createMessageTransport, type MessageTransport, type TransportInit } from '../transport/index.js';

export const id = (b: number) => new Uint8Array(16).fill(b);
export const node = (nodeId: Uint8Array): Destination => ({ kind: 'node', nodeId });
export const OVERLAY = 0x11223344;
export const params = overlayParameters({ overlay: OVERLAY, configurationSequence: 9 });

/** A test-only signature: the Node-ID as identity, a checksum of the input as the value. */
export function checksum(input: Uint8Array): Uint8Array {
  let a = 1;
  let b = 0;
  for (const x of input) {
    a = (a + x) % 65521;
    b = (b + a) % 65521;
  }
  return Uint8Array.of(b >> 8, b & 0xff, a >> 8, a & 0xff);
}
export function stubSigner(nodeId: Uint8Array): Signer {
  const identity: SignerIdentity = { identityType: 1, hashAlg: 0, hash: nodeId };
  return {
    nodeId,
    userName: 'stub',
    certificates: () => [],
    identity: () => identity,
    sign: async (input) => ({ algorithm: { hash: 0, signature: 0 }, identity, signatureValue: checksum(input) }),
  };
}
export const stubVerifier: Verifier = {
  async verify(input: Uint8Array, signature: Signature): Promise<VerifiedSigner> {
    const expected = checksum(input);
    if (!('hash' in signature.identity) || signature.signatureValue.join() !== expected.join()) throw ReloadError.of('Error_Forbidden', 'bad signature');
    return { nodeId: signature.identity.hash, nodeIds: [signature.identity.hash], userName: 'stub' };
  },
};

/**
 * stubVerifier, except that the certificate of a signer not in `known` (hex Node-IDs) was omitted
 * and is not cached (X509Verifier's CertificateUnknownError, §6.3.4).
 */
export function omittedUnlessKnown(known: ReadonlySet<string>): Verifier {
  return {
    verify(input, signature, certificates, options) {
      if ('hash' in signature.identity && !known.has(toHex(signature.identity.hash))) return Promise.reject(new CertificateUnknownError('no certificate has that cert_hash'));
      return stubVerifier.verify(input, signature, certificates, options);
    },
  };
}

export class ScriptedForwarding implements Forwarding {
  readonly localNodeId = id(0xa0);
  /** Replaced by a test to change a configuration value (it is read where it is used). */
  parameters: OverlayParameters = params;
  sent: Uint8Array[] = [];
  result: SendResult = { ok: true };
  delegate!: ForwardingDelegate;
  setRouter(): void {}
  setDelegate(d: ForwardingDelegate): void {
    this.delegate = d;
  }
  addLink(): void {}
  removeLink(): void {}
  retireLink(): void {}
  getLink() {
    return undefined;
  }
  isUsable() {
    return false;
  }
  isUsableKey() {
    return false;
  }
  neighbours() {
    return [];
  }
  onLinkEvent() {
    return () => {};
  }
  send(m: Uint8Array): SendResult {
    this.sent.push(m);
    return this.result;
  }
  stats() {
    return { originated: 0, forwarded: 0, delivered: 0, dropped: 0, errors: 0, fragmentsSent: 0, reassembled: 0, routeArounds: 0 };
  }
  close(): void {}
}

/** A transport for Node-ID id(0xa0) over a ScriptedForwarding, on a virtual clock. */
export function setup(init: TransportInit = {}, verifier: Verifier = stubVerifier, logger?: Logger) {
  const clock = new VirtualClock();
  const fwd = new ScriptedForwarding();
  const transport: MessageTransport = createMessageTransport({ clock, random: new SeededRandom(5), signer: stubSigner(fwd.localNodeId), verifier, forwarding: fwd, ...(logger ? { logger } : {}) }, init);
  return { clock, fwd, transport };
}

export interface Craft {
  from?: Uint8Array;
  signer?: Uint8Array;
  transactionId: bigint;
  body: MessageBody;
  extensions?: MessageExtension[];
  header?: Partial<ForwardingHeader>;
  bodyContext?: Parameters<typeof encodeMessageBody>[1];
  /** Corrupt the signature value after signing. */
  tamper?: boolean;
}

/** Build a signed message as another node would, and hand it up to the transport. */
export async function deliver(fwd: ScriptedForwarding, c: Craft): Promise<void> {
  const signer = stubSigner(c.signer ?? c.from ?? id(0xb0));
  const { code, bytes } = encodeMessageBody(c.body, c.bodyContext);
  const contents = { messageCode: code, messageBody: bytes, extensions: c.extensions ?? [] };
  const header: ForwardingHeader = {
    overlay: OVERLAY,
    configurationSequence: 9,
    version: 0x0a,
    ttl: 98,
    fragment: UNFRAGMENTED,
    length: 0,
    transactionId: c.transactionId,
    maxResponseLength: 0,
    viaList: [],
    destinationList: [node(fwd.localNodeId)],
    options: [],
    ...c.header,
  };
  const signed = await signer.sign(messageSignatureInput(header.overlay, header.transactionId, contents, signer.identity()));
  const signature = c.tamper ? { ...signed, signatureValue: signed.signatureValue.map((b) => b ^ 0xff) } : signed;
  const message = encodeForwardedMessage({ forwardingHeader: header, messageContents: contents, securityBlock: { certificates: [], signature } });
  const parsed = decodeForwardingHeaderOnly(message);
  fwd.delegate.deliver({ bytes: message, header: parsed.header, payload: parsed.payload, from: c.from ?? id(0xb0) });
}

export function lastSent(fwd: ScriptedForwarding) {
  const m = decodeForwardedMessage(fwd.sent.at(-1)!);
  return { ...m, body: decodeMessageBody(m.messageContents.messageCode, m.messageContents.messageBody) };
}

export const pingAns = (responseId = 1n): MessageBody => ({ name: 'ping_ans', value: { responseId, time: 0n } });
export const ping: MessageBody & { name: 'ping_req' } = { name: 'ping_req', value: { padding: new Uint8Array() } };
