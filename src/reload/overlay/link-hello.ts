/**
 * Binding a WebSocket link to the Node-ID at its other end (RFC 6940 §6.4.2.1: a peer uses "a
 * transport channel that is bound to the Node-ID"). A WebSocket carries no RELOAD certificate
 * (its TLS, with wss:, is the web server's), so the first RELOAD exchange on the link proves it:
 *
 *   dialer ◀── Ping to the wildcard, padding: nonce, signed ──────────── acceptor   (the challenge)
 *   dialer ── Ping to the acceptor, padding: nonce ‖ acceptor's Node-ID, signed ──▶ acceptor   (binds the dialer)
 *   dialer ◀── PingAns, signed ─────────────────────────────────────────── acceptor   (binds the acceptor)
 *
 * §6.6.1 asks of an overlay link protocol that "it MUST be possible to cryptographically verify
 * that the endpoint has a given Node-ID" and that it "MUST also provide replay
 * prevention/detection". A signed message proves who signed it, not that the signer is on this
 * socket now, so each end binds the other by a signature over something fresh it chose itself:
 * - The acceptor binds the dialer by the dialer's Ping, whose padding (inside the signed
 *   MessageContents, §6.3.4) carries the acceptor's random nonce of this link and the Node-ID
 *   that signed the challenge. A Ping captured on another link, or made for another acceptor, is
 *   refused: a third party cannot bind its own link to someone else's Node-ID.
 * - The dialer binds the acceptor by the PingAns to its Ping (its transaction id is random and
 *   signed, §6.3.4), signed by the Node-ID that signed the challenge.
 * The dialer answers the challenge with its own Ping rather than a PingAns: a PingAns has no
 * field to carry the acceptor's Node-ID under the signature.
 *
 * OUR CHOICE: the dialer's Ping is bound to the acceptor's Node-ID, not to the URL it dialed. The
 * acceptor cannot know that URL: `chordphone serve` answers on every address of the machine
 * (127.0.0.1, localhost, each LAN address, a name), and behind a reverse proxy on a public URL
 * this code is never told. The Node-ID is what both ends know and what §6.4.2.1 binds to. So a
 * server that relays the hello in real time (a reverse proxy, or a peer the victim dialed that
 * passes everything on to another) cannot bind either end to a Node-ID but the other's own; it
 * stays in the middle, though: it can drop, delay and (wss: ends at it) read what passes, and
 * inject messages signed by itself, as a router on the path could, but not forge either end's.
 *
 * §6.5.3: "A ping can be addressed ... to the wildcard Node-ID"; §6.1.1: the wildcard is "consumed
 * locally". Each side verifies with the injected Verifier, as transport verifies. All three are
 * ordinary RELOAD messages, so a capture of the link decodes as Ping / Ping / PingAns.
 *
 * DEVIATION: RFC 6940 §6.5.3.1 says a PingReq "is empty of meaningful contents"; the hello's
 * padding carries the challenge. And RFC 6940 expects TLS/DTLS with RELOAD certificates on a
 * link (§6.6.1): here the messages after the hello are not bound to the link, only signed end to
 * end (§6.3.4), and confidentiality is what wss: gives.
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
import { concatBytes } from '../wire/codec/concat-bytes.js';
import { bytesEqual, toHex } from '../wire/codec/hex.js';
import { decodeForwardingHeaderOnly, encodeForwardedMessage } from '../wire/forwarded-message.js';
import { RELOAD_VERSION, UNFRAGMENTED, type ForwardingHeader } from '../wire/forwarding-header.js';
import type { NodeId } from '../wire/ids.js';
import { MessageCode } from '../wire/message-codes.js';
import type { MessageContents } from '../wire/message-contents.js';
import { messageSignatureInput } from '../wire/message-signature-input.js';
import { decodePingReq, encodePingAns, encodePingReq } from '../wire/methods/ping.js';

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

/**
 * The other end speaks another version of this hello, so no link can be made until both run the
 * same code (the remedy is in the message: reload the page, which loads the server's version).
 *
 * The hello before the acceptor's challenge (the "first hello"): the dialer sent a signed Ping to
 * the wildcard with empty padding as soon as the socket opened, and the acceptor answered it with
 * a PingAns. Neither version can be made to accept the other without giving up the replay
 * protection of the challenge, so each says what happened instead of waiting out its timeout:
 * - an acceptor of this version that gets a first-hello Ping refuses it (it binds nothing) with
 *   this error, naming the signer whose page is out of date;
 * - a dialer of this version in front of a first-hello acceptor hears nothing (that acceptor
 *   waits for the dialer to speak first): when the socket stays silent until the timeout or
 *   closes without a word, this error says that is what such an acceptor does. (A dialer of the
 *   first hello sees this version's challenge as a first message that is not a PingAns, and fails
 *   at once with its own LinkHelloError; its code cannot be changed after the fact.)
 */
export class HelloVersionError extends LinkHelloError {
  override readonly name: string = 'HelloVersionError';
}

/** Default wait for the other end's proof (ms). */
export const DEFAULT_HELLO_TIMEOUT_MS = 5_000;

/** OUR CHOICE: the challenge nonce is 128 random bits, as many as a Node-ID: one per link, never guessed. */
export const HELLO_NONCE_BYTES = 16;

type Parameters = OverlayParameters | Promise<OverlayParameters>;

async function sign(deps: LinkHelloDeps, header: ForwardingHeader, contents: MessageContents, p: OverlayParameters): Promise<Uint8Array> {
  const identity = deps.signer.identity();
  const signature = await deps.signer.sign(messageSignatureInput(header.overlay, header.transactionId, contents, identity));
  return encodeForwardedMessage({ forwardingHeader: header, messageContents: contents, securityBlock: { certificates: deps.signer.certificates(), signature } }, { maxMessageSize: p.maxMessageSize });
}

/** A signed hello Ping from us (empty via list) to `destination`, carrying `padding`. */
async function signPing(deps: LinkHelloDeps, p: OverlayParameters, transactionId: bigint, destination: NodeId, padding: Uint8Array): Promise<Uint8Array> {
  const header: ForwardingHeader = {
    overlay: p.overlay,
    configurationSequence: p.configurationSequence,
    version: RELOAD_VERSION,
    ttl: p.initialTtl,
    fragment: UNFRAGMENTED,
    length: 0,
    transactionId,
    maxResponseLength: 0,
    viaList: [],
    destinationList: [{ kind: 'node', nodeId: destination }],
    options: [],
  };
  return sign(deps, header, { messageCode: MessageCode.ping_req, messageBody: encodePingReq({ padding }), extensions: [] }, p);
}

/** What the dialer's Ping carries: the acceptor's nonce, then the Node-ID that signed the challenge. */
function binding(nonce: Uint8Array, acceptor: NodeId): Uint8Array {
  return concatBytes(nonce, acceptor);
}

interface Received {
  readonly header: ForwardingHeader;
  readonly contents: MessageContents;
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
    return { header, contents: parts.contents, signer: signer.nodeId };
  } catch (e) {
    if (e instanceof DecodeError || e instanceof ReloadError) return undefined;
    throw e;
  }
}

/** The padding of a hello Ping its signer sent itself (empty via list) to `destination` alone; undefined for anything else. */
function helloPingPadding(got: Received, destination: NodeId): Uint8Array | undefined {
  const { header, contents } = got;
  const [first, ...rest] = header.destinationList;
  if (contents.messageCode !== MessageCode.ping_req || header.viaList.length !== 0) return undefined;
  if (rest.length !== 0 || first?.kind !== 'node' || !bytesEqual(first.nodeId, destination)) return undefined;
  try {
    return decodePingReq(contents.messageBody).padding;
  } catch (e) {
    if (e instanceof DecodeError) return undefined;
    throw e;
  }
}

/**
 * Resolve with the first message on `link` that `accept` turns into a value; reject on timeout,
 * close or abort, or with what `accept` throws. `silence`, if given, is the error for a timeout or
 * close before any message arrived.
 */
function firstMessage<T>(
  link: Link,
  deps: LinkHelloDeps,
  timeoutMs: number,
  options: AbortOptions,
  what: string,
  accept: (bytes: Uint8Array) => Promise<T | undefined>,
  silence?: (why: string) => LinkHelloError,
): Promise<T> {
  // Already aborted: no 'abort' event will come for the listener below, and the hello would wait out its timeout.
  if (options.signal?.aborted) return Promise.reject(new AbortError());
  return new Promise<T>((resolve, reject) => {
    let done = false;
    let heard = false;
    const ended = (why: string, otherwise: string) => (silence && !heard ? silence(why) : new LinkHelloError(otherwise));
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
    const timer = deps.clock.setTimer(timeoutMs, () => finish(ended(`within ${timeoutMs} ms`, `no Node-ID proved on ${link.remoteAddress} within ${timeoutMs} ms`)));
    const offMessage = link.onMessage((bytes) => {
      heard = true;
      void accept(bytes).then(
        (v) => {
          if (v === undefined) finish(new LinkHelloError(`the message on ${link.remoteAddress} is not the expected ${what}`));
          else finish(undefined, v);
        },
        (e: unknown) => finish(e instanceof Error ? e : new Error(String(e))),
      );
    });
    const offState = link.onStateChange((s) => {
      if (s === 'closed') finish(ended('before it closed', `${link.remoteAddress} closed before proving a Node-ID`));
    });
    options.signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** Milliseconds left of a hello that may take `timeoutMs` from now. */
function deadline(clock: Clock, timeoutMs: number): () => number {
  const end = clock.now() + timeoutMs;
  return () => Math.max(0, end - clock.now());
}

/** Dialer side: wait for the challenge, send the Ping bound to it, resolve with the Node-ID that signed the challenge and the PingAns. */
export async function helloDial(deps: LinkHelloDeps, parameters: Parameters, link: Link, options: AbortOptions & { timeoutMs?: number } = {}): Promise<NodeId> {
  const left = deadline(deps.clock, options.timeoutMs ?? DEFAULT_HELLO_TIMEOUT_MS);
  // Listening starts now (a challenge arriving while `parameters` is still pending is not lost).
  const challenge = await firstMessage(
    link,
    deps,
    left(),
    options,
    'signed challenge Ping to the wildcard',
    async (bytes) => {
      const got = await verify(deps, bytes, await parameters);
      const nonce = got && helloPingPadding(got, WILDCARD_NODE_ID);
      return got && nonce?.length === HELLO_NONCE_BYTES ? { acceptor: got.signer, nonce } : undefined;
    },
    // An acceptor of this hello challenges as soon as it accepts; a first-hello one (HelloVersionError) never does.
    (why) =>
      new HelloVersionError(
        `${link.remoteAddress} sent no hello challenge ${why}: no challenge came: the server is older (reload the page) or not answering (shutting down, overloaded, or no RELOAD peer).`,
      ),
  );
  const p = await parameters;
  const transactionId = randomU64(deps.random);
  const answer = firstMessage(link, deps, left(), options, 'signed PingAns', async (bytes) => {
    const got = await verify(deps, bytes, p);
    if (!got || got.contents.messageCode !== MessageCode.ping_ans || got.header.transactionId !== transactionId) return undefined;
    // The answer comes from the one that sent the challenge this Ping is bound to.
    return bytesEqual(got.signer, challenge.acceptor) ? got.signer : undefined;
  });
  answer.catch(() => {});
  const ping = await signPing(deps, p, transactionId, challenge.acceptor, binding(challenge.nonce, challenge.acceptor));
  // Aborted while signing: `answer` has rejected already; nothing goes out for a caller that has gone.
  if (options.signal?.aborted) throw new AbortError();
  if (!link.send(ping)) throw new LinkHelloError(`cannot send on ${link.remoteAddress}`);
  return answer;
}

/** Acceptor side: send the challenge, wait for the Ping bound to it, answer it, resolve with its signer's Node-ID. */
export async function helloAccept(deps: LinkHelloDeps, parameters: Parameters, link: Link, options: AbortOptions & { timeoutMs?: number } = {}): Promise<NodeId> {
  // A caller that has gone already: nothing to sign or send (no real signature to wait for either).
  if (options.signal?.aborted) throw new AbortError();
  // RFC 6940 §6.6.1: "The overlay link protocol MUST also provide replay prevention/detection":
  // only a Ping signed over this link's fresh nonce, and for us, binds the link.
  const nonce = deps.random.bytes(HELLO_NONCE_BYTES);
  const expected = binding(nonce, deps.signer.nodeId);
  // Listening starts now (a Ping arriving while `parameters` is still pending is not lost).
  const request = firstMessage(link, deps, options.timeoutMs ?? DEFAULT_HELLO_TIMEOUT_MS, options, 'signed Ping bound to our challenge', async (bytes) => {
    const got = await verify(deps, bytes, await parameters);
    const padding = got && helloPingPadding(got, deps.signer.nodeId);
    if (got && padding && bytesEqual(padding, expected)) return got;
    // Refused as any other message is (it answers no challenge, so it binds nothing), but named.
    if (got && helloPingPadding(got, WILDCARD_NODE_ID)?.length === 0) {
      throw new HelloVersionError(
        `${link.remoteAddress} sent the hello of an older Chordphone (a Ping to the wildcard, not an answer to our challenge): a page loaded before this server was upgraded. Reload that page.`,
      );
    }
    return undefined;
  });
  request.catch(() => {});
  const p = await parameters;
  const challenge = await signPing(deps, p, randomU64(deps.random), WILDCARD_NODE_ID, nonce);
  // Aborted before or during the hello so far: `request` has rejected already; no challenge for a caller that has gone.
  if (options.signal?.aborted) throw new AbortError();
  if (!link.send(challenge)) throw new LinkHelloError(`cannot send on ${link.remoteAddress}`);
  const got = await request;
  const header = answerHeader(got.header, got.signer, deps.signer.nodeId, p);
  const responseId = randomU64(deps.random);
  const contents: MessageContents = { messageCode: MessageCode.ping_ans, messageBody: encodePingAns({ responseId, time: BigInt(Math.floor(deps.epochClock())) }), extensions: [] };
  const answer = await sign(deps, header, contents, p);
  // Aborted while signing: the caller has gone, so no answer binds the link for it.
  if (options.signal?.aborted) throw new AbortError();
  if (!link.send(answer)) throw new LinkHelloError(`cannot answer on ${link.remoteAddress}`);
  return got.signer;
}
