/**
 * Node only: WebRTC media for JsSIP from @roamhq/wrtc (webrtc-and-jssip-facts.md: JsSIP calls in
 * Node need `globalThis.window`, a real RTCPeerConnection with audio, and a MediaStream passed to
 * call()/answer()). Audio is 48 kHz mono 16-bit in 10 ms frames (wrtc's RTCAudioSource format).
 */
import wrtc from '@roamhq/wrtc';

const SAMPLE_RATE = 48_000;
const FRAME_SAMPLES = SAMPLE_RATE / 100;

/** Make JsSIP find WebRTC in Node: window, RTCPeerConnection & co. as globals (idempotent). */
export function installWrtcGlobals(): void {
  const g = globalThis as Record<string, unknown>;
  g.window ??= globalThis;
  g.RTCPeerConnection ??= wrtc.RTCPeerConnection;
  g.RTCSessionDescription ??= wrtc.RTCSessionDescription;
  g.RTCIceCandidate ??= wrtc.RTCIceCandidate;
  g.MediaStream ??= wrtc.MediaStream;
}

/**
 * @roamhq/wrtc 0.10 crashes (SIGSEGV) in Node's teardown when the process ends on its own after an
 * RTCAudioSource was used; exiting from `beforeExit` (exit code kept) skips that teardown. Call
 * once in a process that runs wrtc media and ends by running out of work (benches, CLI peers).
 */
export function exitBeforeWrtcTeardown(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('beforeExit', () => process.exit());
}
let exitHookInstalled = false;

/** One 10 ms frame of audio as wrtc wants it. */
export interface AudioFrame {
  readonly samples: Int16Array;
  readonly sampleRate: number;
  readonly bitsPerSample?: number;
  readonly channelCount?: number;
  readonly numberOfFrames?: number;
}

/** An outgoing audio track fed frame by frame. */
export interface AudioOut {
  readonly stream: MediaStream;
  /** Send one frame now. */
  write(frame: AudioFrame): void;
  /** Send a sine tone every 10 ms until stop() (or until `write` takes over with `stopTone`). */
  startTone(hz?: number): void;
  stopTone(): void;
  stop(): void;
}

export function createAudioOut(): AudioOut {
  const source = new wrtc.nonstandard.RTCAudioSource();
  const track = source.createTrack();
  const stream = new wrtc.MediaStream([track]) as unknown as MediaStream;
  let timer: ReturnType<typeof setInterval> | undefined;
  let phase = 0;
  const write = (frame: AudioFrame) => source.onData({ bitsPerSample: 16, channelCount: 1, numberOfFrames: frame.samples.length, ...frame });
  return {
    stream,
    write,
    startTone(hz = 440) {
      if (timer) return;
      timer = setInterval(() => {
        const samples = new Int16Array(FRAME_SAMPLES);
        for (let i = 0; i < FRAME_SAMPLES; i++) samples[i] = Math.round(8000 * Math.sin((2 * Math.PI * hz * phase++) / SAMPLE_RATE));
        write({ samples, sampleRate: SAMPLE_RATE });
      }, 10);
    },
    stopTone() {
      if (timer) clearInterval(timer);
      timer = undefined;
    },
    stop() {
      this.stopTone();
      track.stop();
    },
  };
}

/** Listen to a received audio track, frame by frame; returns stop. */
export function listenTo(track: MediaStreamTrack, onFrame: (frame: AudioFrame) => void): () => void {
  const sink = new wrtc.nonstandard.RTCAudioSink(track as never);
  sink.ondata = (data: AudioFrame) => onFrame(data);
  return () => sink.stop();
}

export { inboundAudioBytes } from '../media-stats.js';
