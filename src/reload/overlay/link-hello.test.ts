/**
 * The WebSocket link hello (link-hello.ts): a signed Ping to the wildcard Node-ID and its PingAns
 * bind each end of a link to the Node-ID that signed what it received. Real certificates (test CA,
 * ECDSA), links of the memory network on the real clock.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../platform/system-clock.js';
import { webCryptoRandom } from '../../platform/web-crypto.js';
import { overlayParameters } from '../forwarding/index.js';
import { MemoryNetwork } from '../links/memory/index.js';
import type { Link } from '../links/link.js';
import type { X509Signer } from '../security/x509-signer.js';
import { TestPki } from '../security/testing/test-pki.js';
import { toHex } from '../wire/codec/hex.js';
import { decodeForwardedMessage } from '../wire/forwarded-message.js';
import { decodeFramedMessage } from '../wire/framing.js';
import { MessageCode } from '../wire/message-codes.js';
import { LinkHelloError, helloAccept, helloDial, type LinkHelloDeps } from './link-hello.js';

const params = overlayParameters({ overlay: 0x1234_5678 });
let pki: TestPki;
let alice: X509Signer;
let bob: X509Signer;
let mallory: X509Signer;

beforeAll(async () => {
  pki = await TestPki.create({ keyType: 'ecdsa-p256' });
  alice = await (await pki.peer(`alice@${pki.overlay}`, { keyType: 'ecdsa-p256' })).signer();
  bob = await (await pki.peer(`bob@${pki.overlay}`, { keyType: 'ecdsa-p256' })).signer();
  // Same overlay name, another CA: its certificates do not verify here.
  const other = await TestPki.create({ keyType: 'ecdsa-p256' });
  mallory = await (await other.peer(`mallory@${other.overlay}`, { keyType: 'ecdsa-p256' })).signer();
}, 30_000);

const deps = (signer: X509Signer): LinkHelloDeps => ({ clock: systemClock, random: webCryptoRandom, signer, verifier: pki.verifier(), epochClock: () => Date.now() });

async function pair() {
  const net = new MemoryNetwork({ clock: systemClock, random: webCryptoRandom }, { model: { latencyMs: 1 } });
  const frames: { from: string; bytes: Uint8Array }[] = [];
  net.tap((f) => frames.push({ from: f.from, bytes: f.bytes }));
  let accepted: Link | undefined;
  const a = net.listen('a', () => {});
  net.listen('b', (l) => (accepted = l));
  const dialer = await a.linkFactory.open('b');
  return { dialer, acceptor: accepted!, frames };
}

describe('link hello', () => {
  it('binds each end to the Node-ID that signed what it received: Ping to the wildcard, then PingAns', async () => {
    const { dialer, acceptor, frames } = await pair();
    const [atAcceptor, atDialer] = await Promise.all([helloAccept(deps(bob), params, acceptor), helloDial(deps(alice), params, dialer)]);
    expect(toHex(atAcceptor)).toBe(toHex(alice.nodeId));
    expect(toHex(atDialer)).toBe(toHex(bob.nodeId));
    const messages = frames
      .map((f) => ({ from: f.from, frame: decodeFramedMessage(f.bytes) }))
      .filter((f) => f.frame.kind === 'data' && f.frame.message.length > 0)
      .map((f) => ({ from: f.from, m: decodeForwardedMessage((f.frame as { message: Uint8Array }).message) }));
    expect(messages.map((x) => [x.from, x.m.messageContents.messageCode])).toEqual([
      ['a', MessageCode.ping_req],
      ['b', MessageCode.ping_ans],
    ]);
    const ping = messages[0]!.m.forwardingHeader;
    expect(ping.viaList).toEqual([]);
    expect(ping.destinationList).toEqual([{ kind: 'node', nodeId: new Uint8Array(16).fill(0xff) }]);
    expect(messages[1]!.m.forwardingHeader.destinationList).toEqual([{ kind: 'node', nodeId: alice.nodeId }]);
    expect(messages[1]!.m.forwardingHeader.transactionId).toBe(ping.transactionId);
  });

  it('refuses a first message that is not a signed Ping to the wildcard', async () => {
    const { dialer, acceptor } = await pair();
    const refused = helloAccept(deps(bob), params, acceptor);
    dialer.send(Uint8Array.of(1, 2, 3));
    await expect(refused).rejects.toBeInstanceOf(LinkHelloError);
  });

  it('refuses a Ping whose certificate does not chain to the overlay CA', async () => {
    const { dialer, acceptor } = await pair();
    const refused = helloAccept(deps(bob), params, acceptor);
    const dialing = helloDial({ ...deps(mallory), verifier: pki.verifier() }, params, dialer, { timeoutMs: 500 });
    await expect(refused).rejects.toBeInstanceOf(LinkHelloError);
    await expect(dialing).rejects.toBeInstanceOf(LinkHelloError);
  });

  it('gives up when the other end proves nothing in time, or closes', async () => {
    const { dialer, acceptor } = await pair();
    await expect(helloDial(deps(alice), params, dialer, { timeoutMs: 200 })).rejects.toBeInstanceOf(LinkHelloError);
    const waiting = helloAccept(deps(bob), params, acceptor, { timeoutMs: 5_000 });
    dialer.close();
    await expect(waiting).rejects.toBeInstanceOf(LinkHelloError);
  });
});
