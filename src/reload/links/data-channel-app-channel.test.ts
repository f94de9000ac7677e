import wrtc from '@roamhq/wrtc';
import { afterEach, describe, expect, it } from 'vitest';
import type { AppChannelData } from './app-channel.js';
import { appChannelLabel, applicationOfLabel, dataChannelAppChannel, type DataChannelLike } from './data-channel-app-channel.js';

const pcs: RTCPeerConnection[] = [];
afterEach(() => {
  for (const pc of pcs.splice(0)) pc.close();
});

/** Two real peer connections (@roamhq/wrtc) with one open labelled channel between them. */
async function pair(label: string): Promise<[DataChannelLike, DataChannelLike]> {
  const a = new wrtc.RTCPeerConnection() as unknown as RTCPeerConnection;
  const b = new wrtc.RTCPeerConnection() as unknown as RTCPeerConnection;
  pcs.push(a, b);
  a.onicecandidate = (e) => e.candidate && void b.addIceCandidate(e.candidate);
  b.onicecandidate = (e) => e.candidate && void a.addIceCandidate(e.candidate);
  const dcA = a.createDataChannel(label);
  const gotB = new Promise<RTCDataChannel>((resolve) => (b.ondatachannel = (e) => resolve(e.channel)));
  await a.setLocalDescription(await a.createOffer());
  await b.setRemoteDescription(a.localDescription!);
  await b.setLocalDescription(await b.createAnswer());
  await a.setRemoteDescription(b.localDescription!);
  const dcB = await gotB;
  const open = (dc: RTCDataChannel) => (dc.readyState === 'open' ? Promise.resolve() : new Promise<void>((r) => dc.addEventListener('open', () => r(), { once: true })));
  await Promise.all([open(dcA), open(dcB)]);
  return [dcA as unknown as DataChannelLike, dcB as unknown as DataChannelLike];
}

const until = (check: () => boolean, ms = 5000) =>
  new Promise<void>((resolve, reject) => {
    const t0 = performance.now();
    const poll = () => (check() ? resolve() : performance.now() - t0 > ms ? reject(new Error('timed out')) : setTimeout(poll, 3));
    poll();
  });

describe('an AppChannel over a real WebRTC data channel', () => {
  it('labels name the application', () => {
    expect(appChannelLabel(5060)).toBe('app-5060');
    expect(applicationOfLabel('app-5060')).toBe(5060);
    expect(applicationOfLabel('reload')).toBeUndefined();
    expect(applicationOfLabel('app-99999')).toBeUndefined();
  });

  it('carries text and bytes both ways in order, and both ends learn of a close', async () => {
    const [dcA, dcB] = await pair(appChannelLabel(5060));
    const idA = Uint8Array.of(1);
    const idB = Uint8Array.of(2);
    const a = dataChannelAppChannel(dcA, idB, 5060);
    const b = dataChannelAppChannel(dcB, idA, applicationOfLabel(dcB.label)!);
    const atA: AppChannelData[] = [];
    const atB: AppChannelData[] = [];
    a.onMessage((d) => atA.push(d));
    b.onMessage((d) => atB.push(d));
    expect(a.state).toBe('open');
    expect(a.send('INVITE sip:bob@x SIP/2.0\r\n\r\n')).toBe(true);
    expect(a.send(Uint8Array.of(0, 255, 7))).toBe(true);
    expect(a.send('second')).toBe(true);
    b.send('SIP/2.0 200 OK\r\n\r\n');
    await until(() => atB.length === 3 && atA.length === 1);
    expect(atB).toEqual(['INVITE sip:bob@x SIP/2.0\r\n\r\n', Uint8Array.of(0, 255, 7), 'second']);
    expect(atA).toEqual(['SIP/2.0 200 OK\r\n\r\n']);
    let closedAtB = false;
    b.onClose(() => (closedAtB = true));
    a.close();
    expect(a.state).toBe('closed');
    expect(a.send('late')).toBe(false);
    await until(() => closedAtB);
    expect(b.state).toBe('closed');
  }, 15_000);
});
