/**
 * LocalMedia with real @roamhq/wrtc media streams: the device is opened once and kept while calls
 * come and go, each call gets its own tracks, and the device is closed `keepMs` after the last call.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../sim/virtual-clock.js';
import { LocalMedia, type MediaConstraintsLite } from '../local-media.js';
import { createAudioOut, installWrtcGlobals, type AudioOut } from './wrtc-media.js';

installWrtcGlobals();
const outs: AudioOut[] = [];
afterAll(() => {
  for (const o of outs) o.stop();
});

function device() {
  const opened: MediaStream[] = [];
  const asked: MediaConstraintsLite[] = [];
  const getMedia = async (c: MediaConstraintsLite) => {
    asked.push(c);
    const out = createAudioOut();
    outs.push(out);
    opened.push(out.stream);
    return out.stream;
  };
  return { opened, asked, getMedia };
}

const ended = (s: MediaStream) => s.getTracks().every((t) => t.readyState === 'ended');

describe('LocalMedia', () => {
  it('opens the device once for consecutive calls, gives each call its own tracks, closes keepMs after the last', async () => {
    const clock = new VirtualClock();
    const d = device();
    const media = new LocalMedia(d.getMedia, clock, { keepMs: 30_000 });
    expect(media.acquireNow({ audio: true, video: false })).toBeUndefined(); // nothing open yet
    const first = await media.acquire({ audio: true, video: false });
    first.stream.getAudioTracks()[0]!.enabled = false; // the first call muted
    first.release();
    await clock.advance(29_000);
    expect(media.acquireNow({ audio: true, video: true })).toBeUndefined(); // another kind
    const second = media.acquireNow({ audio: true, video: false })!; // no wait once open
    expect(d.opened).toHaveLength(1);
    expect(ended(first.stream)).toBe(true);
    expect(second.stream).not.toBe(first.stream);
    expect(second.stream.getAudioTracks()[0]!.enabled).toBe(true); // not muted by the first call
    expect(ended(d.opened[0]!)).toBe(false);
    second.release();
    second.release(); // idempotent
    expect(media.holding).toBe(true);
    await clock.advance(30_000);
    expect(media.holding).toBe(false);
    expect(ended(d.opened[0]!)).toBe(true);
    const third = await media.acquire({ audio: true, video: false });
    expect(d.opened).toHaveLength(2);
    media.close();
    expect(ended(d.opened[1]!)).toBe(true);
    expect(ended(third.stream)).toBe(false); // the call still going keeps its tracks
    third.release();
    const opening = media.acquire({ audio: true, video: false });
    media.close(); // while the device opens
    await expect(opening).rejects.toThrow(/closed/);
    expect(ended(d.opened[2]!)).toBe(true);
  });

  it('keeps the device while any call holds it, and opens it again once its tracks ended', async () => {
    const clock = new VirtualClock();
    const d = device();
    const media = new LocalMedia(d.getMedia, clock, { keepMs: 1_000 });
    const [a, b] = await Promise.all([media.acquire({ audio: true, video: false }), media.acquire({ audio: true, video: false })]);
    expect(d.opened).toHaveLength(1);
    a.release();
    await clock.advance(5_000);
    expect(ended(d.opened[0]!)).toBe(false); // b still in a call
    b.release();
    for (const t of d.opened[0]!.getTracks()) t.stop(); // the device went away
    await media.acquire({ audio: true, video: false });
    expect(d.opened).toHaveLength(2);
    media.close();
  });

  it('with keepMs 0 every call opens its own stream and its release stops it; a refusal passes through', async () => {
    const clock = new VirtualClock();
    const d = device();
    const media = new LocalMedia(d.getMedia, clock, { keepMs: 0 });
    const a = await media.acquire({ audio: true, video: false });
    expect(a.stream).toBe(d.opened[0]);
    a.release();
    expect(ended(d.opened[0]!)).toBe(true);
    const denied = new LocalMedia(() => Promise.reject(Object.assign(new Error('denied'), { name: 'NotAllowedError' })), clock);
    await expect(denied.acquire({ audio: true, video: false })).rejects.toMatchObject({ name: 'NotAllowedError' });
    expect(denied.holding).toBe(false);
  });
});
