/**
 * The WebRTC data-channel link between two Node peers over real data channels (node-datachannel,
 * ICE on 127.0.0.1, DTLS, SCTP), set up the way Attach does it: only IceParameters cross, encoded
 * and decoded as the AttachReqAns and the 0xC001 extension carry them. Real time.
 */
import { describe, expect, it } from 'vitest';
import { systemClock } from '../../../platform/system-clock.js';
import { AbortError } from '../../runtime/components.js';
import { decodeAttachReqAns, encodeAttachReqAns } from '../../wire/methods/attach.js';
import { decodeDtlsFingerprint, encodeDtlsFingerprint } from '../../wire/methods/dtls-fingerprint.js';
import { linkComplianceTests } from '../link.compliance.js';
import { LinkOpenError } from '../link.js';
import { IceParametersError, type IceParameters } from './ice-parameters.js';
import { nodeRtcConfiguration, nodeWrtc } from './node/index.js';
import { DATA_FRAME_OVERHEAD } from '../framed-link.js';
import { encodeWithForwardingHeader } from '../../wire/forwarded-message.js';
import { RELOAD_VERSION, UNFRAGMENTED } from '../../wire/forwarding-header.js';
import { MIN_FRAGMENT_BODY, fragmentMessage, maxFragmentSizeForPmtu } from '../../wire/fragmentation.js';
import { DEFAULT_MAX_MESSAGE_SIZE } from '../../wire/forwarded-message.js';
import { answerWebRtc, dataChannelMessageSize, offerWebRtc, DataChannelLink, DATA_CHANNEL_MESSAGE_SIZE, MIN_DATA_CHANNEL_MESSAGE_SIZE, type WebRtcInit } from './webrtc-connection.js';
import { stackCloses } from './testing/stack-closes.js';

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

/** `init()` on an RTCPeerConnection that counts how many were made. */
function counting() {
  const made = { count: 0 };
  class Counting extends nodeWrtc.RTCPeerConnection {
    constructor(config?: RTCConfiguration) {
      super(config);
      made.count++;
    }
  }
  return { made, init: init({ wrtc: { ...nodeWrtc, RTCPeerConnection: Counting } }) };
}

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

  it('a WebRTC stack that refuses a peer connection (a browser tab past its limit): LinkOpenError, nothing thrown out of the event loop', async () => {
    const uncaught: unknown[] = [];
    const onUncaught = (e: unknown) => uncaught.push(e);
    process.on('uncaughtException', onUncaught);
    const atLimit = true;
    class Refusing extends nodeWrtc.RTCPeerConnection {
      constructor(config?: RTCConfiguration) {
        if (atLimit) throw new DOMException('Cannot create so many PeerConnections', 'UnknownError');
        super(config);
      }
    }
    const refusing = init({ wrtc: { ...nodeWrtc, RTCPeerConnection: Refusing } });
    try {
      await expect(offerWebRtc(deps, refusing)).rejects.toBeInstanceOf(LinkOpenError);
      const offer = await offerWebRtc(deps, init());
      offer.cancel();
      await expect(answerWebRtc(deps, refusing, overTheWire(offer.local))).rejects.toBeInstanceOf(LinkOpenError);
      // simple-peer emits its 'error' after a tick.
      await sleep(50);
      expect(uncaught).toEqual([]);
    } finally {
      process.off('uncaughtException', onUncaught);
    }
  });

  it('sends no message larger than the max-message-size the other end states (RFC 8841 §6), and says so', async () => {
    const offer = await offerWebRtc(deps, init());
    const answer = await answerWebRtc(deps, init(), overTheWire(offer.local));
    const stated = overTheWire(answer.local);
    const a = await offer.complete({ ...stated, dtls: { ...stated.dtls, maxMessageSize: 16_384 } });
    const b = await answer.connection;
    try {
      expect(a.link.maxMessageSize).toBe(16_384 - 8); // the FramedMessage data frame's 8 bytes
      expect(a.link.send(new Uint8Array(30_000))).toBe(false);
      const got: number[] = [];
      b.link.onMessage((m) => got.push(m.length));
      expect(a.link.send(new Uint8Array(a.link.maxMessageSize).fill(7))).toBe(true);
      for (let i = 0; i < 100 && got.length === 0; i++) await sleep(10);
      expect(got).toEqual([16_384 - 8]);
    } finally {
      a.close();
      b.close();
    }
  });

  it('refuses a stated max-message-size that cannot carry a framed message, before making a peer connection', async () => {
    const offer = await offerWebRtc(deps, init());
    const tiny = (p: IceParameters): IceParameters => ({ ...p, dtls: { ...p.dtls, maxMessageSize: 8 } });
    const { made, init: i } = counting();
    await expect(answerWebRtc(deps, i, tiny(overTheWire(offer.local)))).rejects.toBeInstanceOf(IceParametersError);
    expect(made.count).toBe(0);
    const answer = await answerWebRtc(deps, init(), overTheWire(offer.local));
    await expect(offer.complete(tiny(overTheWire(answer.local)))).rejects.toBeInstanceOf(IceParametersError);
    answer.cancel();
  });

  const stating = (maxMessageSize: number): IceParameters => ({ ufrag: 'abcd', password: 'x'.repeat(22), candidates: [], dtls: { hashFunction: utf8.encode('sha-256'), fingerprint: new Uint8Array(32), setup: 1, maxMessageSize } });

  it.each([9, 100, 300, MIN_DATA_CHANNEL_MESSAGE_SIZE - 1])('refuses a stated max-message-size of %i bytes, too small for one RELOAD fragment (RFC 6940 §6.7)', (stated) => {
    expect(() => dataChannelMessageSize(stating(stated))).toThrow(IceParametersError);
  });

  it('at the smallest max-message-size accepted, a message of the overlay\'s max-message-size goes out in fragments that fit and that the Reassembler\'s default fragment count takes', () => {
    expect(dataChannelMessageSize(stating(MIN_DATA_CHANNEL_MESSAGE_SIZE))).toBe(MIN_DATA_CHANNEL_MESSAGE_SIZE);
    const linkMtu = MIN_DATA_CHANNEL_MESSAGE_SIZE - DATA_FRAME_OVERHEAD; // FramedLink.maxMessageSize
    const header = { overlay: 1, configurationSequence: 1, version: RELOAD_VERSION, ttl: 100, fragment: UNFRAGMENTED, length: 0, transactionId: 1n, maxResponseLength: 0, viaList: [], destinationList: [{ kind: 'node' as const, nodeId: new Uint8Array(16).fill(7) }], options: [] };
    // Every size from just over the link's MTU to max-message-size (the worst is just over it).
    for (let size = linkMtu + 1; size <= DEFAULT_MAX_MESSAGE_SIZE; size += 7) {
      const whole = encodeWithForwardingHeader(header, new Uint8Array(size - 56));
      expect(whole.length).toBe(size);
      // As forwarding's sendOver fragments (§6.7: PMTU minus 32).
      const pieces = fragmentMessage(whole, maxFragmentSizeForPmtu(linkMtu));
      expect(pieces.length, `${size} bytes`).toBeGreaterThan(1);
      expect(pieces.every((p) => p.length <= linkMtu)).toBe(true);
      expect(pieces.length).toBeLessThanOrEqual(Math.ceil(DEFAULT_MAX_MESSAGE_SIZE / MIN_FRAGMENT_BODY));
    }
  });

  it.each([
    ['not stated: RFC 8841 §6\'s 64 KiB', undefined, DATA_CHANNEL_MESSAGE_SIZE],
    ['0 (any size): ours', 0, DATA_CHANNEL_MESSAGE_SIZE],
    ['larger than ours (256 KiB, browsers): ours', 262_144, DATA_CHANNEL_MESSAGE_SIZE],
    ['smaller than ours: the stated one', 16_384, 16_384],
  ])('the channel message size when the other end states %s', (_name, stated, expected) => {
    const p: IceParameters = { ufrag: 'abcd', password: 'x'.repeat(22), candidates: [], dtls: { hashFunction: utf8.encode('sha-256'), fingerprint: new Uint8Array(32), setup: 1, ...(stated === undefined ? {} : { maxMessageSize: stated }) } };
    expect(dataChannelMessageSize(p)).toBe(expected);
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

describe('WebRtcOffer/WebRtcAnswer.onClose: the one end of a peer connection', () => {
  it('tells each listener once, however often it is ended, and one added after the end at once', async () => {
    const offer = await offerWebRtc(deps, init());
    const told: string[] = [];
    offer.onClose(() => told.push('before'));
    offer.cancel();
    offer.cancel();
    expect(told).toEqual(['before']);
    offer.onClose(() => told.push('after'));
    expect(told).toEqual(['before', 'after']);
  });

  it('tells its listeners when the WebRTC stack closes the peer connection under a connected link', async () => {
    const { offer, answer, a, b } = await connectPair();
    const told: string[] = [];
    offer.onClose(() => told.push('offer'));
    answer.onClose(() => told.push('answer'));
    stackCloses(a.peerConnection);
    await sleep(0); // simple-peer closes on a microtask
    expect(told[0]).toBe('offer');
    // The other end's, by the channel's close or its own: once either way.
    b.close();
    expect([...told].sort()).toEqual(['answer', 'offer']);
  });
});

describe('WebRTC: a caller that aborted before the call', () => {
  it('offerWebRtc rejects with an AbortError and makes no peer connection', async () => {
    const { made, init: i } = counting();
    await expect(offerWebRtc(deps, i, { signal: AbortSignal.abort() })).rejects.toBeInstanceOf(AbortError);
    expect(made.count).toBe(0);
  });

  it('answerWebRtc rejects with an AbortError and makes no peer connection', async () => {
    const offer = await offerWebRtc(deps, init());
    const { made, init: i } = counting();
    await expect(answerWebRtc(deps, i, overTheWire(offer.local), { signal: AbortSignal.abort() })).rejects.toBeInstanceOf(AbortError);
    expect(made.count).toBe(0);
    offer.cancel();
  });

  it('offer.complete rejects with an AbortError at once, makes no link and ends the peer connection', async () => {
    const offer = await offerWebRtc(deps, init());
    const answer = await answerWebRtc(deps, init(), overTheWire(offer.local));
    let ended = false;
    offer.onClose(() => (ended = true));
    await expect(offer.complete(overTheWire(answer.local), { signal: AbortSignal.abort() })).rejects.toBeInstanceOf(AbortError);
    expect(ended).toBe(true);
    answer.cancel();
  });
});
