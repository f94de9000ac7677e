/**
 * Certificate lookup tests (tests only; certificate-lookup*.test.ts): Node-IDs to look up, junk
 * messages naming them, and the bounds of CertificateLookups at their defaults (RFC 6940 §6.3.4, §13.1).
 */
import { DEFAULT_OVERLAY_RELIABILITY_TIMER_MS } from '../../forwarding/index.js';
import { decodeForwardedMessage } from '../../wire/forwarded-message.js';
import { MAX_CERTIFICATE_LOOKUPS, certificateLookupShare, certificateLookupTimeoutMs } from '../certificate-lookups.js';
import type { MessageTransport } from '../message-transport.js';
import { deliver, node, ping, type ScriptedForwarding } from '../../testing/scripted-forwarding.js';

/** A Node-ID made from `n` (never one of id()'s). */
export const nodeIdOf = (n: number) => {
  const b = new Uint8Array(16);
  new DataView(b.buffer).setUint32(0, n + 1);
  return b;
};

/** `transport` answers pings. */
export const answersPings = (transport: MessageTransport) => transport.handle('ping_req', () => ({ value: { responseId: 1n, time: 0n } }));

/**
 * Junk requests from `from` naming the signers nodeIdOf(first) … nodeIdOf(first + count - 1), each
 * its own lookup; transaction id i + 1 for nodeIdOf(i). Their signatures do not verify.
 */
export async function junk(fwd: ScriptedForwarding, from: Uint8Array, first: number, count = 20): Promise<void> {
  for (let i = first; i < first + count; i++) await deliver(fwd, { from, signer: nodeIdOf(i), transactionId: BigInt(i + 1), header: { viaList: [node(nodeIdOf(i))] }, body: ping, tamper: true });
}

/** The transaction id of the last request `fwd` sent. */
export const lastTransactionId = (fwd: ScriptedForwarding) => decodeForwardedMessage(fwd.sent.at(-1)!).forwardingHeader.transactionId;

/** A lookup's timeout at the default overlay-reliability-timer (3 s). */
export const CERTIFICATE_LOOKUP_TIMEOUT_MS = certificateLookupTimeoutMs(DEFAULT_OVERLAY_RELIABILITY_TIMER_MS);

/** The most lookups the messages of one link start while no other link's run (they leave the others' share). */
export const ONE_LINK = MAX_CERTIFICATE_LOOKUPS - certificateLookupShare(MAX_CERTIFICATE_LOOKUPS);
