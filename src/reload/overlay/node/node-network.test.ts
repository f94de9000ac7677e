/**
 * The real network's bootstrap links: a WebSocket dialed by URL and accepted on a path of a Node
 * HTTP server, each end bound to the other's Node-ID by the signed hello before the peer sees
 * the link (real certificates, real sockets on loopback).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../../platform/system-clock.js';
import { webCryptoRandom } from '../../../platform/web-crypto.js';
import { overlayParameters } from '../../forwarding/index.js';
import type { Link } from '../../links/link.js';
import { LinkOpenError } from '../../links/link.js';
import type { WebSocketBootstrap } from '../../links/websocket/node/index.js';
import { TestPki } from '../../testing/test-pki.js';
import type { X509Signer } from '../../security/x509-signer.js';
import { toHex } from '../../wire/codec/hex.js';
import { createNodeWebRtcNetwork, serveWebSocketBootstrap } from './node-network.js';

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
let pki: TestPki;
let seedSigner: X509Signer;
let joinerSigner: X509Signer;

beforeAll(async () => {
  pki = await TestPki.create({ keyType: 'ecdsa-p256' });
  seedSigner = await (await pki.peer(`seed@${pki.overlay}`, { keyType: 'ecdsa-p256' })).signer();
  joinerSigner = await (await pki.peer(`joiner@${pki.overlay}`, { keyType: 'ecdsa-p256' })).signer();
}, 30_000);

describe('the real network: WebSocket bootstrap links', () => {
  let server: Server | undefined;
  let endpoint: WebSocketBootstrap | undefined;
  afterEach(async () => {
    endpoint?.close();
    server?.closeAllConnections();
    await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
    server = undefined;
  });

  async function seed(overlay = 0x0a0b0c0d) {
    server = createServer((_q, r) => r.writeHead(404).end());
    await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
    const url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}/reload`;
    const network = createNodeWebRtcNetwork({ clock: systemClock, random: webCryptoRandom, signer: seedSigner, verifier: pki.verifier() }, { overlayParameters: overlayParameters({ overlay }), address: url });
    const inbound: Link[] = [];
    network.onInbound((l) => inbound.push(l));
    endpoint = serveWebSocketBootstrap(server, network, { path: '/reload', clock: systemClock });
    return { url, network, inbound };
  }

  const joiner = (overlay = 0x0a0b0c0d) =>
    createNodeWebRtcNetwork(
      { clock: systemClock, random: webCryptoRandom, signer: joinerSigner, verifier: pki.verifier() },
      // The overlay parameters may still be computing (a promise), as the composition roots have them.
      { overlayParameters: Promise.resolve(overlayParameters({ overlay })), helloTimeoutMs: 1_000 },
    );

  it('binds both ends: the dialer to the seed, the seed to the dialer, before the seed peer sees the link', async () => {
    const s = await seed();
    const j = joiner();
    const link = await j.linkFactory.open(s.url);
    expect(toHex(j.authenticate(link)!)).toBe(toHex(seedSigner.nodeId));
    for (let i = 0; i < 100 && s.inbound.length === 0; i++) await sleep(10);
    expect(s.inbound).toHaveLength(1);
    expect(toHex(s.network.authenticate(s.inbound[0]!)!)).toBe(toHex(joinerSigner.nodeId));
    // The link then carries RELOAD messages both ways.
    const got: Uint8Array[] = [];
    s.inbound[0]!.onMessage((m) => got.push(m));
    link.send(Uint8Array.of(9, 9));
    for (let i = 0; i < 100 && got.length === 0; i++) await sleep(10);
    expect(got).toEqual([Uint8Array.of(9, 9)]);
    j.close();
    expect(link.state).toBe('closed');
  });

  it('refuses what is not a ws:// or wss:// URL, a URL nobody serves, and a peer of another overlay', async () => {
    const s = await seed(0x11111111);
    const j = joiner(0x22222222);
    await expect(j.linkFactory.open('10.0.0.1:6084')).rejects.toBeInstanceOf(LinkOpenError);
    await expect(j.linkFactory.open('ws://127.0.0.1:1/reload')).rejects.toBeInstanceOf(LinkOpenError);
    // Another overlay hash: the seed drops the Ping (§6.3.2 overlay), so nothing is proved and both ends close.
    await expect(j.linkFactory.open(s.url)).rejects.toBeInstanceOf(LinkOpenError);
    expect(s.inbound).toEqual([]);
    expect(j.links.size).toBe(0);
  });
});
