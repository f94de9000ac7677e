/**
 * The media of one call as the page sees it (issue 6, issue 7): the remote stream to play and show,
 * device switching (microphone and camera by RTCRtpSender.replaceTrack,
 * the speaker by HTMLMediaElement.setSinkId), video on and off, and getStats figures (the inbound RTP
 * audio byte counter the e2e test reads through the debug handle, the "Call details" summary, the
 * level meters). Tracks opened here are stopped when the call ends.
 */
import { inboundAudioBytes as inboundBytesOf, readCallStats, type CallStatsSummary } from '../../phone/media-stats.js';
import type { PhoneCall } from '../../phone/index.js';

/** The call's RTCPeerConnection (JsSIP's RTCSession.connection), once it has one. */
export function peerConnectionOf(call: PhoneCall): RTCPeerConnection | undefined {
  return call.connection;
}

const live = (pc: RTCPeerConnection | undefined): pc is RTCPeerConnection => pc !== undefined && pc.connectionState !== 'closed';

/** Inbound RTP audio bytes of the call so far (0 before media flows). */
export async function inboundAudioBytes(call: PhoneCall): Promise<number> {
  const pc = peerConnectionOf(call);
  return live(pc) ? inboundBytesOf(pc) : 0;
}

/** The call's getStats summed up (RTT, loss, jitter, codec, bytes, levels); undefined without a connection. */
export async function callStats(call: PhoneCall): Promise<CallStatsSummary | undefined> {
  const pc = peerConnectionOf(call);
  return live(pc) ? readCallStats(pc) : undefined;
}

const remoteStreams = new WeakMap<PhoneCall, MediaStream>();

/**
 * One stream of the call's received tracks, kept up to date as tracks arrive (a video track when the
 * other side turns its camera on); the same stream on every call of this function. Undefined before
 * there is a connection.
 */
export function remoteStreamOf(call: PhoneCall): MediaStream | undefined {
  const known = remoteStreams.get(call);
  if (known) return known;
  const pc = peerConnectionOf(call);
  if (!pc) return undefined;
  const stream = new MediaStream(pc.getReceivers().map((r) => r.track));
  pc.addEventListener('track', (e) => {
    if (!stream.getTracks().includes(e.track)) stream.addTrack(e.track);
  });
  remoteStreams.set(call, stream);
  return stream;
}

/** Tracks this module opened for a call (another device, the camera): stopped when the call ends. */
const opened = new WeakMap<PhoneCall, Set<MediaStreamTrack>>();

function own(call: PhoneCall, track: MediaStreamTrack): void {
  let set = opened.get(call);
  if (!set) {
    const mine = new Set<MediaStreamTrack>();
    set = mine;
    opened.set(call, mine);
    const off = call.onChange((c) => {
      if (c.state !== 'ended' && c.state !== 'failed') return;
      off();
      for (const t of mine) t.stop();
      mine.clear();
    });
  }
  set.add(track);
}

function release(call: PhoneCall, track: MediaStreamTrack | null): void {
  if (!track) return;
  track.stop();
  opened.get(call)?.delete(track);
}

async function openTrack(kind: 'audio' | 'video', deviceId: string | undefined): Promise<{ track: MediaStreamTrack; stream: MediaStream }> {
  if (!navigator.mediaDevices) throw new Error('This page is not a secure context, so the browser offers no devices here.');
  const constraint = deviceId ? { deviceId: { exact: deviceId } } : true;
  let stream: MediaStream;
  try {
    stream = await navigator.mediaDevices.getUserMedia(kind === 'audio' ? { audio: constraint } : { video: constraint });
  } catch (e) {
    const device = kind === 'audio' ? 'microphone' : 'camera';
    if (e instanceof Error && (e.name === 'NotAllowedError' || e.name === 'SecurityError')) {
      throw new Error(`The ${device} is blocked. Allow it for this site (the camera/microphone icon in the address bar, or the browser's site settings), then try again.`);
    }
    if (e instanceof Error && (e.name === 'NotFoundError' || e.name === 'OverconstrainedError')) throw new Error(`That ${device} is not available (unplugged?). Choose another one.`);
    if (e instanceof Error && e.name === 'NotReadableError') throw new Error(`The ${device} is in use by another program or could not be started.`);
    throw e;
  }
  const track = stream.getTracks().find((t) => t.kind === kind);
  if (!track) throw new Error(`The browser gave no ${kind === 'audio' ? 'microphone' : 'camera'} track.`);
  return { track, stream };
}

/** Send the microphone or camera `deviceId` instead of the current one (no renegotiation: replaceTrack). */
export async function switchDevice(call: PhoneCall, kind: 'audio' | 'video', deviceId: string): Promise<void> {
  const { track } = await openTrack(kind, deviceId);
  let old: MediaStreamTrack | null;
  try {
    old = await call.replaceTrack(track);
  } catch (e) {
    track.stop();
    throw e;
  }
  own(call, track);
  release(call, old);
}

/** Turn this side's camera on (the camera `deviceId`, else the default) or off: a re-INVITE (PhoneCall.setVideo). */
export async function setCallVideo(call: PhoneCall, on: boolean, deviceId?: string): Promise<void> {
  if (!on) {
    const old = peerConnectionOf(call)?.getSenders().find((s) => s.track?.kind === 'video')?.track ?? null;
    await call.setVideo(null);
    release(call, old);
    return;
  }
  const { track, stream } = await openTrack('video', deviceId);
  try {
    await call.setVideo(track, stream);
  } catch (e) {
    track.stop();
    throw e;
  }
  own(call, track);
}

/** The devices the browser offers, by kind (labels appear once a device was allowed, e.g. during a call). */
export interface DeviceLists {
  readonly microphones: readonly MediaDeviceInfo[];
  readonly cameras: readonly MediaDeviceInfo[];
  readonly speakers: readonly MediaDeviceInfo[];
}

export async function listDevices(): Promise<DeviceLists> {
  const all = navigator.mediaDevices ? await navigator.mediaDevices.enumerateDevices() : [];
  return {
    microphones: all.filter((d) => d.kind === 'audioinput'),
    cameras: all.filter((d) => d.kind === 'videoinput'),
    speakers: all.filter((d) => d.kind === 'audiooutput'),
  };
}

/** The id of the device the call sends from now (the sender track's settings). */
export function currentDeviceId(call: PhoneCall, kind: 'audio' | 'video'): string | undefined {
  const track = peerConnectionOf(call)?.getSenders().find((s) => s.track?.kind === kind)?.track;
  return track?.getSettings().deviceId;
}

/** Whether this browser can choose the speaker of a media element (HTMLMediaElement.setSinkId). */
export function canChooseSpeaker(): boolean {
  return typeof HTMLMediaElement !== 'undefined' && 'setSinkId' in HTMLMediaElement.prototype;
}

/** Play `element` on the speaker `deviceId` ('' = the system default). */
export async function setSpeaker(element: HTMLMediaElement, deviceId: string): Promise<void> {
  const el = element as HTMLMediaElement & { setSinkId?: (id: string) => Promise<void> };
  if (!el.setSinkId) throw new Error('This browser cannot choose the speaker; it plays calls on the system’s default output.');
  await el.setSinkId(deviceId);
}
