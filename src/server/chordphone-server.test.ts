import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { systemWallClock } from '../platform/system-clock.js';
import { verifyConfigurationDocument } from '../reload/security/configuration-signer.js';
import { enroll, EnrollmentError } from '../reload/security/enrollment-client.js';
import { generateSigningKeys } from '../reload/security/key-store.js';
import { trustPolicyFromConfiguration } from '../reload/security/trust-policy.js';
import { X509Certificate } from '../reload/security/x509.js';
import { OVERLAY_CONFIGURATION_MEDIA_TYPE } from '../reload/wire/config/overlay-configuration.js';
import { aorDomainsOf } from '../usages/sip/index.js';
import { toHex } from '../reload/wire/codec/hex.js';
import { CHORDPHONE_KINDS } from '../app/overlay/chordphone-kinds.js';
import { iceServersOf } from '../app/overlay/ice-servers.js';
import { startChordphoneServer, type ChordphoneServerInit } from './chordphone-server.js';
import { DataDirectoryError } from './data-directory.js';
import { CONFIG_FILE, CorruptConfigurationError } from './overlay-document.js';
import { PortInUseError } from './static-server.js';
import { memoryNodeNetwork } from './testing/memory-node-network.js';
import { holdAsAnotherProcess, recordsFileBusy } from '../reload/storage/node/testing/records-file.js';
import { StorageInUseError } from '../reload/storage/node/index.js';
import { readFile } from 'node:fs/promises';
import { Reader } from '../reload/wire/codec/reader.js';
import { readForwardingHeader } from '../reload/wire/forwarding-header.js';
import { decodeFramedMessage } from '../reload/wire/framing.js';
import { decodeUdpCapture } from '../reload/wire/pcap/index.js';

const LAN = { ips: ['192.0.2.10'], hostname: 'testbox' };

let dir: string;
let dist: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'chordphone-server-'));
  dist = join(dir, 'dist');
  await mkdir(dist);
  await writeFile(join(dist, 'index.html'), '<!doctype html><title>Chordphone</title>');
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const init = (data: string, extra: Partial<ChordphoneServerInit> = {}): ChordphoneServerInit => ({
  distDir: dist,
  dataDir: join(dir, data),
  port: 0,
  httpsPort: 0,
  lan: LAN,
  network: memoryNodeNetwork(),
  ...extra,
});

function httpsGet(url: string): Promise<{ status: number; body: string; cert: X509Certificate }> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(url, { rejectUnauthorized: false }, (res) => {
      const chunks: Buffer[] = [];
      const peer = (res.socket as import('node:tls').TLSSocket).getPeerCertificate();
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), cert: new X509Certificate(new Uint8Array(peer.raw)) }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('startChordphoneServer', () => {
  it('publishes a signed configuration naming its CA, enrollment, bootstrap URLs and ICE servers, and enrolls over it', async () => {
    const server = await startChordphoneServer(init('a', { overlay: 'workshop.example', iceServers: [{ urls: 'stun:192.0.2.1:3478' }] }));
    try {
      expect(server.localUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
      const httpsPort = new URL(server.lanUrls[0]!).port;
      expect(server.lanUrls).toEqual([`https://192.0.2.10:${httpsPort}/`]);
      const res = await fetch(new URL('/.well-known/reload-config', server.localUrl));
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe(OVERLAY_CONFIGURATION_MEDIA_TYPE);
      const xml = await res.text();
      const doc = await verifyConfigurationDocument({ crypto: globalThis.crypto, wallClock: systemWallClock }, xml);
      const c = doc.overlay.configurations[0]!;
      expect(c.instanceName).toBe('workshop.example');
      expect(c.bootstrapWebSockets).toEqual([`ws://${new URL(server.localUrl).host}/reload`, `wss://192.0.2.10:${httpsPort}/reload`]);
      expect(c.enrollmentServers).toEqual([`https://192.0.2.10:${httpsPort}/.well-known/reload-enrollment`]);
      expect(toHex(doc.signers[0]!.nodeId)).toBe(toHex(server.peers[0]!.peer.nodeId));
      expect(c.requiredKinds.map((k) => k.kind.id ?? k.kind.name)).toEqual(['SIP-REGISTRATION', CHORDPHONE_KINDS.note, 'CERTIFICATE_BY_NODE', 'CERTIFICATE_BY_USER']);
      // RFC 7904 §3.4: registrations only under the overlay's own domain, the one enrollment issues names in.
      expect(c.requiredKinds[0]?.kind.domainRestriction).toEqual({ enable: false, patterns: [] });
      expect(aorDomainsOf(c)).toEqual({ kind: 'overlay', domain: 'workshop.example' });
      expect(iceServersOf(c)).toEqual([{ urls: 'stun:192.0.2.1:3478' }]);
      expect(server.peers[0]!.peer.status().joined).toBe(true);

      // Open enrollment on the page's own origin (loopback HTTP).
      const keys = await generateSigningKeys({ crypto: globalThis.crypto }, 'ecdsa-p256');
      const got = await enroll(
        { crypto: globalThis.crypto, wallClock: systemWallClock, fetch: (u, i) => fetch(u, i) },
        { url: new URL('/.well-known/reload-enrollment', server.localUrl).href, policy: trustPolicyFromConfiguration(c), keys, openUsername: 'ada' },
      );
      expect(got.userName).toBe('ada@workshop.example');
      // The server's own peer names are taken.
      const taken = await enroll(
        { crypto: globalThis.crypto, wallClock: systemWallClock, fetch: (u, i) => fetch(u, i) },
        { url: new URL('/.well-known/reload-enrollment', server.localUrl).href, policy: trustPolicyFromConfiguration(c), keys: await generateSigningKeys({ crypto: globalThis.crypto }, 'ecdsa-p256'), openUsername: 'server' },
      ).catch((e: unknown) => e);
      expect((taken as Error).message).toMatch(/already taken/);
      // Also the names of extra peers this start does not run (RFC 6940 §13.3: user names "MUST be unique"):
      // a later start with --peers must not find them given away.
      const reserved = await enroll(
        { crypto: globalThis.crypto, wallClock: systemWallClock, fetch: (u, i) => fetch(u, i) },
        { url: new URL('/.well-known/reload-enrollment', server.localUrl).href, policy: trustPolicyFromConfiguration(c), keys, openUsername: 'peer-1' },
      ).catch((e: unknown) => e);
      expect(reserved).toBeInstanceOf(EnrollmentError);
      expect(reserved).toMatchObject({ token: 'username_not_available', message: expect.stringMatching(/already taken/) });

      // HTTPS on every address, with a certificate made for the LAN address and the host name.
      const secure = await httpsGet(`https://127.0.0.1:${httpsPort}/.well-known/reload-config`);
      expect(secure.status).toBe(200);
      expect(secure.body).toBe(xml);
      const sans = secure.cert.getExtension('2.5.29.17');
      expect(sans).toBeTruthy();
      const text = secure.cert.toString('text');
      for (const name of ['192.0.2.10', '127.0.0.1', 'localhost', 'testbox', 'testbox.local']) expect(text).toContain(name);
    } finally {
      await server.close();
    }
  });

  it('answers HTTPS on every LAN URL it prints, an IPv6 one too', async () => {
    const server = await startChordphoneServer(init('v6', { lan: { ips: ['127.0.0.1', '::1'], hostname: 'testbox' } }));
    try {
      const port = new URL(server.lanUrls[0]!).port;
      expect(server.lanUrls).toEqual([`https://127.0.0.1:${port}/`, `https://[::1]:${port}/`]);
      // Before: HTTPS listened on 0.0.0.0 only, and the IPv6 URL was refused (ECONNREFUSED ::1).
      for (const url of server.lanUrls) expect((await httpsGet(url)).status).toBe(200);
    } finally {
      await server.close();
    }
  });

  it('keeps its CA, Node-ID and configuration sequence across restarts, and bumps the sequence when the configuration changes', async () => {
    const first = await startChordphoneServer(init('b', { httpsPort: undefined }));
    const nodeId = toHex(first.peers[0]!.peer.nodeId);
    const seq = first.document.configuration.sequence;
    const root = toHex(first.document.configuration.rootCerts[0]!);
    const port = Number(new URL(first.localUrl).port);
    await first.close();
    const second = await startChordphoneServer(init('b', { httpsPort: undefined, port }));
    expect(toHex(second.peers[0]!.peer.nodeId)).toBe(nodeId);
    expect(toHex(second.document.configuration.rootCerts[0]!)).toBe(root);
    expect(second.document.configuration.sequence).toBe(seq);
    await second.close();
    const third = await startChordphoneServer(init('b', { httpsPort: undefined, iceServers: [{ urls: 'stun:192.0.2.2' }] }));
    expect(third.document.configuration.sequence).toBe((seq ?? 0) + 1);
    expect(toHex(third.peers[0]!.peer.nodeId)).toBe(nodeId);
    await third.close();
  });

  // A server stopped in the process (a test, or `serve` stopping before a new start) lets its peers'
  // records files go: another process (`chordphone serve` again over the data directory) can open them.
  it('close lets each peer’s records file go, for another process to open', async () => {
    const server = await startChordphoneServer(init('closed', { httpsPort: undefined, extraPeers: 1 }));
    await server.close();
    for (const name of ['server', 'peer-1']) expect(recordsFileBusy(join(dir, 'closed', `${name}.records.sqlite`)), name).toBeUndefined();
  });

  // A peer that cannot be composed (here its network refuses an inbound listener) fails the start;
  // what was opened for it is closed, not left to hold its records file or its network.
  it('a peer that cannot be composed fails the start, and its network and records file are let go', async () => {
    const memory = memoryNodeNetwork();
    const closed: string[] = [];
    const network: ChordphoneServerInit['network'] = async (peerInit) => {
      const made = await memory(peerInit);
      const accepting = peerInit.accept !== undefined;
      return {
        ...made,
        ...(accepting ? {} : { onInbound: () => { throw new Error('this network takes no inbound links'); } }),
        close: () => (closed.push(accepting ? 'server' : 'peer-1'), made.close()),
      };
    };
    await expect(startChordphoneServer(init('uncomposed', { httpsPort: undefined, extraPeers: 1, network }))).rejects.toThrow('this network takes no inbound links');
    expect(closed).toContain('peer-1');
    for (const name of ['server', 'peer-1']) expect(recordsFileBusy(join(dir, 'uncomposed', `${name}.records.sqlite`)), name).toBeUndefined();
  });

  // A peer whose records file another process holds (a second server over this data directory)
  // fails the start with StorageInUseError; the network already made for it (a UDP socket bound,
  // or a listener on the shared WebSocket path) must be closed too, or the port stays taken.
  it.each(['server', 'peer-1'])('a records file of %s another process holds fails the start, and the network made for that peer is closed', async (held) => {
    const memory = memoryNodeNetwork();
    const made: string[] = [];
    const closed: string[] = [];
    const network: ChordphoneServerInit['network'] = async (peerInit) => {
      const name = peerInit.accept !== undefined ? 'server' : 'peer-1';
      const net = await memory(peerInit);
      made.push(name);
      return { ...net, close: () => (closed.push(name), net.close()) };
    };
    const data = `held-${held}`;
    await mkdir(join(dir, data), { recursive: true });
    const theirs = holdAsAnotherProcess(join(dir, data, `${held}.records.sqlite`));
    try {
      await expect(startChordphoneServer(init(data, { httpsPort: undefined, extraPeers: 1, network }))).rejects.toThrow(StorageInUseError);
    } finally {
      theirs.close();
    }
    expect(closed.sort()).toEqual(made.sort());
  });

  it('refuses a corrupt stored configuration with one line naming the file', async () => {
    const data = join(dir, 'c');
    await mkdir(data, { recursive: true });
    await writeFile(join(data, CONFIG_FILE), '<overlay><configuration instance-name="x"');
    const attempt = startChordphoneServer(init('c', { httpsPort: undefined }));
    await expect(attempt).rejects.toBeInstanceOf(CorruptConfigurationError);
    await expect(attempt).rejects.toThrow(new RegExp(`^${join(data, CONFIG_FILE).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} is not a valid overlay configuration \\(.*\\); repair it or delete it to publish a new one$`));
  });

  it('refuses a data directory that is a file', async () => {
    await writeFile(join(dir, 'afile'), 'x');
    await expect(startChordphoneServer(init('afile', { httpsPort: undefined }))).rejects.toBeInstanceOf(DataDirectoryError);
  });

  it('says so in one line when the port is taken', async () => {
    const server = await startChordphoneServer(init('d', { httpsPort: undefined }));
    const port = Number(new URL(server.localUrl).port);
    try {
      await expect(startChordphoneServer(init('e', { httpsPort: undefined, port }))).rejects.toBeInstanceOf(PortInUseError);
    } finally {
      await server.close();
    }
  });
});

describe('startChordphoneServer with --peers', () => {
  it('runs extra peers that join through the first one, each with its own identity and records, and captures their traffic', async () => {
    const pcapFile = join(dir, 'peers.pcap');
    const server = await startChordphoneServer(init('p', { httpsPort: undefined, extraPeers: 4, network: memoryNodeNetwork(), pcapFile }));
    try {
      expect(server.peers.map((p) => p.name)).toEqual(['server', 'peer-1', 'peer-2', 'peer-3', 'peer-4']);
      expect(new Set(server.peers.map((p) => toHex(p.peer.nodeId))).size).toBe(5);
      await expect.poll(() => server.peers.every((p) => p.peer.status().joined), { timeout: 10_000 }).toBe(true);
      const [, one, , , four] = server.peers;
      await one!.peer.store(one!.credentials.userName, CHORDPHONE_KINDS.note, [{ value: new TextEncoder().encode('hi') }]);
      const fetched = await four!.peer.fetch(one!.credentials.userName, [{ kind: CHORDPHONE_KINDS.note }]);
      const value = fetched.answer.kindResponses[0]?.values[0]?.value;
      expect(value?.model === 'single' && new TextDecoder().decode(value.singleValueEntry.value)).toBe('hi');
      expect(server.capture!.packets()).toBeGreaterThan(10);
    } finally {
      await server.close();
    }
    const datagrams = decodeUdpCapture(new Uint8Array(await readFile(pcapFile)));
    expect(datagrams.length).toBeGreaterThan(10);
    const codes = new Set(datagrams.map((d) => decodeForwardedCode(d.payload)));
    for (const code of [0x0f, 0x13, 0x03, 0x07, 0x09]) expect(codes.has(code)).toBe(true);
  });
});

/** The message code of the RELOAD message in one captured FramedMessage. */
function decodeForwardedCode(payload: Uint8Array): number {
  const framed = decodeFramedMessage(payload);
  if (framed.kind !== 'data') return -1;
  // RFC 6940 §6.3.3: MessageContents begins with the uint16 message_code after the forwarding header.
  const r = new Reader(framed.message);
  readForwardingHeader(r);
  return r.u16('message_code');
}
