import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { createServer } from 'node:https';
import { connect, type PeerCertificate } from 'node:tls';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadOrCreateTlsCredentials, tlsNames } from './tls-certificate.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'chordphone-tls-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** What a TLS client sees of a server using `key`/`cert`. */
async function peerCertificate(key: string, cert: string): Promise<PeerCertificate> {
  const server = createServer({ key, cert });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  try {
    return await new Promise((resolve, reject) => {
      const socket = connect({ host: '127.0.0.1', port, rejectUnauthorized: false, servername: 'localhost' }, () => {
        resolve(socket.getPeerCertificate());
        socket.end();
      });
      socket.on('error', reject);
    });
  } finally {
    server.close();
  }
}

describe('the server’s own HTTPS certificate', () => {
  it('names localhost, loopback, the LAN addresses and the host name', () => {
    expect(tlsNames(['192.168.1.20', 'fd00::7'], 'studio')).toEqual(['localhost', '127.0.0.1', '::1', '192.168.1.20', 'fd00::7', 'studio', 'studio.local']);
    expect(tlsNames([], 'box.example.org')).toEqual(['localhost', '127.0.0.1', '::1', 'box.example.org']);
    expect(tlsNames([], 'bad name!')).toEqual(['localhost', '127.0.0.1', '::1']);
  });

  it('is made once with those SANs, a private key file of mode 0600, kept while it covers the names, and made again when they change', async () => {
    const names = tlsNames(['192.0.2.33'], 'studio');
    const made = await loadOrCreateTlsCredentials(dir, names);
    const seen = await peerCertificate(made.key, made.cert);
    for (const n of ['DNS:localhost', 'IP Address:127.0.0.1', 'IP Address:192.0.2.33', 'DNS:studio', 'DNS:studio.local']) expect(seen.subjectaltname).toContain(n);
    expect(seen.fingerprint256).toBe(made.fingerprint);
    expect((await stat(join(dir, 'server.key.pem'))).mode & 0o777).toBe(0o600);

    const again = await loadOrCreateTlsCredentials(dir, names);
    expect(again.cert).toBe(made.cert);
    const moved = await loadOrCreateTlsCredentials(dir, tlsNames(['192.0.2.34'], 'studio'));
    expect(moved.cert).not.toBe(made.cert);
    expect((await peerCertificate(moved.key, moved.cert)).subjectaltname).toContain('IP Address:192.0.2.34');
  });
});
