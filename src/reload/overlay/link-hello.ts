/**
 * Binding a WebSocket link to the Node-ID at its other end (RFC 6940 §6.4.2.1: a peer uses "a
 * transport channel that is bound to the Node-ID"). A WebSocket carries no RELOAD certificate
 * (its TLS, with wss:, is the web server's), so the first RELOAD exchange on the link proves it:
 *
 *   dialer ── Ping to the wildcard Node-ID, via list empty, signed ──▶ acceptor   (binds the dialer)
 *   dialer ◀── PingAns, signed ─────────────────────────────────────── acceptor   (binds the acceptor)
 *
 * §6.5.3: "A ping can be addressed ... to the wildcard Node-ID"; §6.1.1: the wildcard is "consumed
 * locally"; §6.3.4: the answer to it may come from any Node-ID ("unless the response has been
 * sent to the wildcard Node-ID"). Each side binds the link to the Node-ID whose certificate signed
 * the message it received (verified with the injected Verifier, as transport verifies). Both
 * messages are ordinary RELOAD messages, so a capture of the link decodes as Ping / PingAns.
 *
 * DEVIATION (RFC 6940 expects the TLS/DTLS handshake with RELOAD certificates to bind the
 * channel): a signed Ping proves who signed it, not that the signer is on this socket now; a
 * replayed Ping could bind an eavesdropper's link to the victim's Node-ID. The transaction id is
 * random and the answer's signer is checked by the dialer, and every message on the link is
 * still signed end to end (§6.3.4), so such a link can misroute but not forge.
 */
import type { OverlayParameters } from '../forwarding/index.js';
import { WILDCARD_NODE_ID } from '../forwarding/index.js';
import type { Link } from '../links/link.js';
import { AbortError, randomU64, type AbortOptions, type Clock, type Random } from '../runtime/components.js';
import { ReloadError } from '../runtime/reload-error.js';
import type { Signer, Verifier } from '../security/signer.js';
import { answerHeader } from '../transport/answer-header.js';
import { parseMessageParts } from '../transport/message-parts.js';
import { DecodeError } from '../wire/codec/decode-error.js';
import { bytesEqual } from '../wire/codec/hex.js';
import { decodeForwardingHeaderOnly, encodeForwardedMessage } from '../wire/forwarded-message.js';
import { RELOAD_VERSION, UNFRAGMENTED, type ForwardingHeader } from '../wire/forwarding-header.js';
import type { NodeId } from '../wire/ids.js';
import { MessageCode } from '../wire/message-codes.js';
import type { MessageContents } from '../wire/message-contents.js';
import { messageSignatureInput } from '../wire/message-signature-input.js';
import { encodePingAns, encodePingReq } from '../wire/methods/ping.js';

export interface LinkHelloDeps {
  readonly clock: Clock;
  readonly random: Random;
  readonly signer: Signer;
  readonly verifier: Verifier;
  /** Milliseconds since 1970 for PingAns.time. */
  readonly epochClock: () => number;
}

/** Thrown when the other end does not prove a Node-ID in time. */
export class LinkHelloError extends Error {
  override readonly name: string = 'LinkHelloError';
}

/** Default wait for the other end's message (ms). */
export const DEFAULT_HELLO_TIMEOUT_MS = 5_000;

async function sign(deps: LinkHelloDeps, header: ForwardingHeader, contents: MessageContents, p: OverlayParameters): Promise<Uint8Array> {
  const identity = deps.signer.identity();
  const signature = await deps.signer.sign(messageSignatureInput(header.overlay, header.transactionId, contents, identity));
  return encodeForwardedMessage({ forwardingHeader: header, messageContents: contents, securityBlock: { certificates: deps.signer.certificates(), signature } }, { maxMessageSize: p.maxMessageSize });
}

interface Received {
  readonly header: ForwardingHeader;
  readonly messageCode: number;
  readonly signer: NodeId;
}

/** Decode and verify one whole message; undefined when it is not a valid signed message. */
async function verify(deps: LinkHelloDeps, bytes: Uint8Array, p: OverlayParameters): Promise<Received | undefined> {
  try {
    const { header, payload } = decodeForwardingHeaderOnly(bytes, { maxMessageSize: p.maxMessageSize });
    if (header.overlay !== p.overlay) return undefined;
    const parts = parseMessageParts(payload);
    if (!parts) return undefined;
    const { signature, certificates } = parts.securityBlock;
    const signer = await deps.verifier.verify(messageSignatureInput(header.overlay, header.transactionId, parts.contentsBytes, signature.identity), signature, certificates);
    return { header, messageCode: parts.contents.messageCode, signer: signer.nodeId };
  } catch (e) {
    if (e instanceof DecodeError || e instanceof ReloadError) return undefined;
    throw e;
  }
}

/** Resolve with the first message on `link` that `accept` turns into a value; reject on timeout, close or abort. */
function firstMessage<T>(link: Link, deps: LinkHelloDeps, timeoutMs: number, options: AbortOptions, accept: (bytes: Uint8Array) => Promise<T | undefined>): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let done = false;
    const finish = (error: Error | undefined, value?: T) => {
      if (done) return;
      done = true;
      timer.cancel();
      offMessage();
      offState();
      options.signal?.removeEventListener('abort', onAbort);
      if (error) reject(error);
      else resolve(value as T);
    };
    const onAbort = () => finish(new AbortError());
    const timer = deps.clock.setTimer(timeoutMs, () => finish(new LinkHelloError(`no Node-ID proved on ${link.remoteAddress} within ${timeoutMs} ms`)));
    const offMessage = link.onMessage((bytes) => {
      void accept(bytes).then(
        (v) => {
          if (v === undefined) finish(new LinkHelloError(`the first message on ${link.remoteAddress} is not the expected signed Ping`));
          else finish(undefined, v);
        },
        (e: unknown) => finish(e instanceof Error ? e : new Error(String(e))),
      );
    });
    const offState = link.onStateChange((s) => {
      if (s === 'closed') finish(new LinkHelloError(`${link.remoteAddress} closed before proving a Node-ID`));
    });
    options.signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** Dialer side: send the signed Ping, resolve with the Node-ID that signed the PingAns. */
export async function helloDial(deps: LinkHelloDeps, p: OverlayParameters, link: Link, options: AbortOptions & { timeoutMs?: number } = {}): Promise<NodeId> {
  const header: ForwardingHeader = {
    overlay: p.overlay,
    configurationSequence: p.configurationSequence,
    version: RELOAD_VERSION,
    ttl: p.initialTtl,
    fragment: UNFRAGMENTED,
    length: 0,
    transactionId: randomU64(deps.random),
    maxResponseLength: 0,
    viaList: [],
    destinationList: [{ kind: 'node', nodeId: WILDCARD_NODE_ID }],
    options: [],
  };
  const contents: MessageContents = { messageCode: MessageCode.ping_req, messageBody: encodePingReq({ padding: new Uint8Array(0) }), extensions: [] };
  const answer = firstMessage(link, deps, options.timeoutMs ?? DEFAULT_HELLO_TIMEOUT_MS, options, async (bytes) => {
    const got = await verify(deps, bytes, p);
    if (!got || got.messageCode !== MessageCode.ping_ans || got.header.transactionId !== header.transactionId) return undefined;
    return got.signer;
  });
  answer.catch(() => {});
  if (!link.send(await sign(deps, header, contents, p))) throw new LinkHelloError(`cannot send on ${link.remoteAddress}`);
  return answer;
}

/** Acceptor side: wait for the signed Ping to the wildcard, answer it, resolve with its signer's Node-ID. */
export async function helloAccept(
  deps: LinkHelloDeps,
  parameters: OverlayParameters | Promise<OverlayParameters>,
  link: Link,
  options: AbortOptions & { timeoutMs?: number } = {},
): Promise<NodeId> {
  // Listening starts now (a Ping arriving while `parameters` is still pending is not lost).
  const request = await firstMessage(link, deps, options.timeoutMs ?? DEFAULT_HELLO_TIMEOUT_MS, options, async (bytes) => {
    const got = await verify(deps, bytes, await parameters);
    const first = got?.header.destinationList[0];
    // Only a Ping its signer sent itself (empty via list) to the wildcard Node-ID binds the link.
    if (!got || got.messageCode !== MessageCode.ping_req || got.header.viaList.length !== 0) return undefined;
    if (got.header.destinationList.length !== 1 || first?.kind !== 'node' || !bytesEqual(first.nodeId, WILDCARD_NODE_ID)) return undefined;
    return got;
  });
  const p = await parameters;
  const header = answerHeader(request.header, request.signer, deps.signer.nodeId, p);
  const responseId = randomU64(deps.random);
  const contents: MessageContents = { messageCode: MessageCode.ping_ans, messageBody: encodePingAns({ responseId, time: BigInt(Math.floor(deps.epochClock())) }), extensions: [] };
  if (!link.send(await sign(deps, header, contents, p))) throw new LinkHelloError(`cannot answer on ${link.remoteAddress}`);
  return request.signer;
}
