/**
 * The WebRTC data-channel link between two Node peers over real data channels (node-datachannel,
 * ICE on 127.0.0.1, DTLS, SCTP), set up the way Attach does it: only IceParameters cross, encoded
 * and decoded as the AttachReqAns and the 0xC001 extension carry them. Real time.
 */
import { describe, expect, it } from 'vitest';
import { systemClock } from '../../../platform/system-clock.js';
import { decodeAttachReqAns, encodeAttachReqAns } from '../../wire/methods/attach.js';
import { decodeDtlsFingerprint, encodeDtlsFingerprint } from '../../wire/methods/dtls-fingerprint.js';
import { linkComplianceTests } from '../link.compliance.js';
import { LinkOpenError } from '../link.js';
import type { IceParameters } from './ice-parameters.js';
import { nodeRtcConfiguration, nodeWrtc } from './node/index.js';
import { answerWebRtc, offerWebRtc, DataChannelLink, type WebRtcInit } from './webrtc-connection.js';

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const utf8 = new TextEncoder();
const text = new TextDecoder();

/** IceParameters through the wire, as an Attach carries them. */
function overTheWire(p: IceParameters): IceParameters {
  const body = decodeAttachReqAns(
    encodeAttachReqAns({ ufrag: utf8.encode(p.ufrag), password: utf8.encode(p.password), role: utf8.encode('passive'), candidates: p.candidates, sendUpdate: false }),
  );
  return { ufrag: text.decode(body.ufrag), password: text.decode(body.password), candidates: body.candidates, dtls: decodeDtlsFingerprint(encodeDtlsFingerprint(p.dtls)) };
}

const FAILURE_TIMEOUT = 2_000;
const init = (extra: Partial<WebRtcInit> = {}): WebRtcInit => ({ wrtc: nodeWrtc, rtcConfiguration: nodeRtcConfiguration([], '127.0.0.1'), link: { failureTimeoutMs: FAILURE_TIMEOUT }, ...extra });
const deps = { clock: systemClock };

async function connectPair(i: WebRtcInit = init()) {
  const offer = await offerWebRtc(deps, i);
  const answer = await answerWebRtc(deps, i, overTheWire(offer.local));
  const a = await offer.complete(overTheWire(answer.local));
  const b = await answer.connection;
  return { offer, answer, a, b };
}

linkComplianceTests('WebRTC data channel (node-datachannel on loopback)', async () => {
  const { a, b } = await connectPair();
  return {
    a: a.link,
    b: b.link,
    advance: sleep,
    failureTimeoutMs: FAILURE_TIMEOUT,
    // B stops reading its channel: nothing it receives is acked.
    silenceB: () => {
      (b.link.connection as unknown as { peer: { removeAllListeners(e: string): void } }).peer.removeAllListeners('data');
    },
    teardown: () => {
      a.close();
      b.close();
    },
  };
});

describe('WebRTC data-channel link', () => {
  it('gathers loopback host candidates, a SHA-256 fingerprint and DTLS roles actpass/active', async () => {
    const { offer, answer, a, b } = await connectPair();
    try {
      for (const p of [offer.local, answer.local]) {
        expect(p.candidates.length).toBeGreaterThan(0);
        for (const c of p.candidates) expect(c.addrPort).toMatchObject({ kind: 'ipv4' });
        expect(text.decode(p.dtls.hashFunction)).toBe('sha-256');
        expect(p.dtls.fingerprint).toHaveLength(32);
      }
      expect(offer.local.dtls.setup).toBe(1); // actpass
      expect(answer.local.dtls.setup).toBe(2); // active
      expect(a.link).toBeInstanceOf(DataChannelLink);
      expect(a.peerConnection.connectionState).toBe('connected');
      expect(a.link.remoteAddress).toMatch(/^webrtc:127\.0\.0\.1:\d+$/);
    } finally {
      a.close();
      b.close();
    }
  });

  it('carries further named channels on the same peer connection (e.g. "sip"), both ways', async () => {
    const { a, b } = await connectPair();
    try {
      const atB = new Promise<RTCDataChannel>((r) => b.onChannel(r));
      const sipA = await a.openChannel('sip');
      const sipB = await atB;
      expect(sipB.label).toBe('sip');
      const got = new Promise<string>((r) => (sipB.onmessage = (e: MessageEvent) => r(String(e.data))));
      sipA.send('INVITE sip:bob@example.org SIP/2.0');
      expect(await got).toBe('INVITE sip:bob@example.org SIP/2.0');
      // The other way, while the overlay link keeps working.
      const atA = new Promise<RTCDataChannel>((r) => a.onChannel(r));
      const second = await b.openChannel('sip-2');
      expect((await atA).label).toBe('sip-2');
      second.close();
      const msgs: Uint8Array[] = [];
      b.link.onMessage((m) => msgs.push(m));
      a.link.send(Uint8Array.of(7));
      await sleep(200);
      expect(msgs).toEqual([Uint8Array.of(7)]);
      await expect(a.openChannel('reload')).rejects.toBeInstanceOf(RangeError);
    } finally {
      a.close();
      b.close();
    }
  });

  it('does not connect when the answer carries another certificate fingerprint (DTLS binds the channel to the Attach)', async () => {
    const offer = await offerWebRtc(deps, init({ connectTimeoutMs: 3_000 }));
    const answer = await answerWebRtc(deps, init({ connectTimeoutMs: 3_000 }), overTheWire(offer.local));
    const forged = overTheWire(answer.local);
    const wrongFingerprint = { ...forged, dtls: { ...forged.dtls, fingerprint: forged.dtls.fingerprint.map((x) => x ^ 0xff) } };
    await expect(offer.complete(wrongFingerprint)).rejects.toBeInstanceOf(LinkOpenError);
    answer.cancel();
  });

  it('uses no ICE server unless given one (simple-peer would add public STUN servers)', async () => {
    const seen: RTCConfiguration[] = [];
    const Base = nodeWrtc.RTCPeerConnection;
    class Spy extends Base {
      constructor(config?: RTCConfiguration) {
        super(config);
        if (config) seen.push(config);
      }
    }
    const offer = await offerWebRtc(deps, { wrtc: { ...nodeWrtc, RTCPeerConnection: Spy }, rtcConfiguration: { bindAddress: '127.0.0.1' } as RTCConfiguration });
    offer.cancel();
    expect(seen).toHaveLength(1);
    expect(seen[0]!.iceServers).toEqual([]);
  });

  it('closing the link closes the other end as remote', async () => {
    const { a, b } = await connectPair();
    const states: string[] = [];
    b.link.onStateChange((s, r) => states.push(`${s}:${r ?? ''}`));
    a.link.close();
    for (let i = 0; i < 100 && b.link.state !== 'closed'; i++) await sleep(20);
    expect(states).toEqual(['closed:remote']);
  });
});
