/**
 * Message transport against a scripted forwarding layer (tests only): a forwarding that records
 * what transport sends and hands messages up as forwarding would (signed with the open test
 * scheme of test-signatures.ts), and helpers to craft the messages of other nodes.
 *
 * `reload/testing/` holds test doubles that tests of more than one layer use (this one: the
 * transport's own tests and those of the usages that answer the transport, the §8 usage's
 * certificate source; beside it a clock, a hasher, a fake link, a test PKI, test signatures, an
 * error assertion).
 * A layer's own `testing/` folder holds fixtures of that layer's own types, for its tests and for
 * the tests of neighbours built on those types.
 */
import { VirtualClock } from '../../sim/virtual-clock.js';
import { SeededRandom } from '../../sim/seeded-random.js';
import type { Logger } from '../runtime/components.js';
import type { Signer, Verifier } from '../security/signer.js';
import { stubSigner, stubVerifierOf, type SignatureTiming } from './test-signatures.js';
import type { Forwarding, ForwardingDelegate, OverlayParameters, SendResult } from '../forwarding/index.js';
import { overlayParameters } from '../forwarding/index.js';
import type { Destination } from '../wire/destination.js';
import { decodeForwardedMessage, decodeForwardingHeaderOnly, encodeForwardedMessage } from '../wire/forwarded-message.js';
import { UNFRAGMENTED, type ForwardingHeader } from '../wire/forwarding-header.js';
import { decodeMessageBody, encodeMessageBody, type MessageBody } from '../wire/message-body.js';
import type { MessageExtension } from '../wire/message-contents.js';
import { messageSignatureInput } from '../wire/message-signature-input.js';
import { createMessageTransport, type MessageTransport, type TransportInit } from '../transport/index.js';

export const id = (b: number) => new Uint8Array(16).fill(b);
export const node = (nodeId: Uint8Array): Destination => ({ kind: 'node', nodeId });
export const OVERLAY = 0x11223344;
export const params = overlayParameters({ overlay: OVERLAY, configurationSequence: 9 });

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

/**
 * `setup` for a transport whose signer and verifier answer as `timing` says (test-signatures.ts
 * SignatureTiming); `signer` replaces its signer (it signs as id(0xa0), the transport's Node-ID).
 */
export function setupWith(timing: SignatureTiming) {
  return (init: TransportInit = {}, verifier: Verifier = stubVerifierOf(timing), logger?: Logger, signer: Signer = stubSigner(id(0xa0), timing)) => {
    const clock = new VirtualClock();
    const fwd = new ScriptedForwarding();
    const transport: MessageTransport = createMessageTransport({ clock, random: new SeededRandom(5), signer, verifier, forwarding: fwd, ...(logger ? { logger } : {}) }, init);
    return { clock, fwd, transport };
  };
}

/** A transport for Node-ID id(0xa0) over a ScriptedForwarding, on a virtual clock (signer and verifier answer with promises). */
export const setup = setupWith('async');

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
  fwd.delegate.deliver({ bytes: message, header: parsed.header, headerLength: parsed.headerLength, from: c.from ?? id(0xb0) });
}

export function lastSent(fwd: ScriptedForwarding) {
  const m = decodeForwardedMessage(fwd.sent.at(-1)!);
  return { ...m, body: decodeMessageBody(m.messageContents.messageCode, m.messageContents.messageBody) };
}

export const pingAns = (responseId = 1n): MessageBody => ({ name: 'ping_ans', value: { responseId, time: 0n } });
export const ping: MessageBody & { name: 'ping_req' } = { name: 'ping_req', value: { padding: new Uint8Array() } };
