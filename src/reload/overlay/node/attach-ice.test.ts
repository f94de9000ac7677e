/**
 * Attach with ICE (RFC 6940 §6.5.1) between real peers: what the AttachReqAns and the 0xC001
 * extension carry, and the Attaches a peer must refuse or must not turn into a link.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ReloadError } from '../../runtime/reload-error.js';
import { toHex } from '../../wire/codec/hex.js';
import { DTLS_FINGERPRINT_EXTENSION, decodeDtlsFingerprint, encodeDtlsFingerprint } from '../../wire/methods/dtls-fingerprint.js';
import { DEFAULT_PEER_CONNECTION_LIMITS } from '../peer-connection-budget.js';
import { startWebRtcOverlay, type RealPeer, type WebRtcOverlay } from './testing/webrtc-overlay-fixture.js';

const text = new TextDecoder();
let o: WebRtcOverlay;
let a: RealPeer;
let b: RealPeer;

beforeAll(async () => {
  o = await startWebRtcOverlay();
  a = await o.addPeer();
  b = await o.addPeer();
}, 60_000);

afterAll(async () => {
  await o.close();
});

const toB = () => [{ kind: 'node' as const, nodeId: b.peer.nodeId }];

describe('Attach over ICE', () => {
  it('answers with ICE credentials, host candidates, role "active" and the DTLS fingerprint extension', async () => {
    const offer = await a.network.ice.offer();
    try {
      const answer = await a.peer.transport.request(
        toB(),
        { name: 'attach_req', value: { ufrag: offer.local.ufrag, password: offer.local.password, role: new TextEncoder().encode('passive'), candidates: offer.local.candidates, sendUpdate: false } },
        { extensions: [{ type: DTLS_FINGERPRINT_EXTENSION, critical: false, extensionContents: encodeDtlsFingerprint(offer.local.dtls) }] },
      );
      expect(toHex(answer.sender.nodeId)).toBe(toHex(b.peer.nodeId));
      expect(text.decode(answer.value.role)).toBe('active');
      expect(text.decode(answer.value.ufrag)).toMatch(/^[A-Za-z0-9+/]{4,}$/);
      expect(answer.value.candidates.length).toBeGreaterThan(0);
      const ext = answer.extensions.find((e) => e.type === DTLS_FINGERPRINT_EXTENSION);
      expect(ext?.critical).toBe(false);
      const dtls = decodeDtlsFingerprint(ext!.extensionContents);
      expect(text.decode(dtls.hashFunction)).toBe('sha-256');
      expect(dtls.fingerprint).toHaveLength(32);
      // Completing it into a second link to B (A and B are linked already) would race the one-link-
      // per-neighbour rule; links bound by such Attaches are asserted in webrtc-overlay.test.ts.
      offer.cancel();
    } catch (e) {
      offer.cancel();
      throw e;
    }
  }, 30_000);

  it('refuses an Attach without the DTLS fingerprint extension (Error_Invalid_Message)', async () => {
    const offer = await a.network.ice.offer();
    offer.cancel();
    const request = a.peer.transport.request(toB(), {
      name: 'attach_req',
      value: { ufrag: offer.local.ufrag, password: offer.local.password, role: new TextEncoder().encode('passive'), candidates: offer.local.candidates, sendUpdate: false },
    });
    await expect(request).rejects.toBeInstanceOf(ReloadError);
    await expect(request).rejects.toMatchObject({ codeName: 'Error_Invalid_Message' });
  }, 30_000);

  it('refuses ICE credentials that are not RFC 8839 ice-chars (no SDP is built from them)', async () => {
    const offer = await a.network.ice.offer();
    offer.cancel();
    const request = a.peer.transport.request(
      toB(),
      { name: 'attach_req', value: { ufrag: new TextEncoder().encode('x y\r\na=evil'), password: offer.local.password, role: new TextEncoder().encode('passive'), candidates: offer.local.candidates, sendUpdate: false } },
      { extensions: [{ type: DTLS_FINGERPRINT_EXTENSION, critical: false, extensionContents: encodeDtlsFingerprint(offer.local.dtls) }] },
    );
    await expect(request).rejects.toMatchObject({ codeName: 'Error_Invalid_Message' });
  }, 30_000);

  // Last: the answers it leaves pending hold B's places for A until the connect timeout.
  it('answers an Attach flood from one neighbour with a bounded number of peer connections, the rest with Error_Request_Timeout (§6.5.1.2 "overloaded")', async () => {
    const offer = await a.network.ice.offer();
    offer.cancel();
    const before = { bAnswered: b.peer.transport.stats().errorAnswersSent, aRetransmitted: a.peer.transport.stats().retransmissions };
    const results = await Promise.all(
      Array.from({ length: 24 }, () =>
        a.peer.transport
          .request(
            toB(),
            { name: 'attach_req', value: { ufrag: offer.local.ufrag, password: offer.local.password, role: new TextEncoder().encode('passive'), candidates: offer.local.candidates, sendUpdate: false } },
            { extensions: [{ type: DTLS_FINGERPRINT_EXTENSION, critical: false, extensionContents: encodeDtlsFingerprint(offer.local.dtls) }] },
          )
          .then(
            () => 'answered',
            (e: unknown) => (e instanceof ReloadError ? e.codeName : String(e)),
          ),
      ),
    );
    const refused = results.filter((r) => r !== 'answered');
    expect(results.length - refused.length).toBeLessThanOrEqual(DEFAULT_PEER_CONNECTION_LIMITS.pendingPerRequester);
    expect(refused.length).toBeGreaterThanOrEqual(24 - DEFAULT_PEER_CONNECTION_LIMITS.pendingPerRequester);
    expect(new Set(refused)).toEqual(new Set(['Error_Request_Timeout']));
    // A refusal, not a timeout: B answered each with an error (a request B dropped would time out
    // with the same code only after its fifth transmission, §6.2.1), and A sent none of them again.
    expect(b.peer.transport.stats().errorAnswersSent - before.bAnswered).toBe(refused.length);
    expect(a.peer.transport.stats().retransmissions - before.aRetransmitted).toBe(0);
  }, 30_000);
});
