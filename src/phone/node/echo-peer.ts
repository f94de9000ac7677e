/**
 * Node only: the echo peer (issue 6): a Phone registered as `sip:NAME@<overlay>` that answers every
 * call and sends back what it hears, so a person can test their audio alone. Until the caller's
 * audio arrives (and whenever it stops for a while) it plays a tone, so something is heard even
 * from a silent microphone. `chordphone peer --echo NAME` composes it with a Node overlay peer.
 *
 * ```ts
 * const echo = await startEchoPeer({ overlay: peer, apps, clock, random }, { name: 'echo', domain });
 * echo.answered;    // calls answered so far
 * await echo.stop();
 * ```
 */
import type { Phone, PhoneDeps } from '../phone.js';
import { Phone as PhoneClass } from '../phone.js';
import type { PhoneCall } from '../phone-call.js';
import { createAudioOut, installWrtcGlobals, listenTo, type AudioOut } from './wrtc-media.js';

export interface EchoPeerInit {
  /** User name part: registers `sip:name@domain` (its certificate must carry `name@domain`). */
  readonly name: string;
  readonly domain: string;
  /** Tone (Hz) played while nothing is heard; default 440. */
  readonly toneHz?: number;
  readonly rtcConfiguration?: RTCConfiguration;
}

export interface EchoPeer {
  readonly phone: Phone;
  /** Calls answered so far. */
  readonly answered: number;
  /** Frames echoed back so far. */
  readonly echoedFrames: number;
  stop(): Promise<void>;
}

export async function startEchoPeer(deps: Omit<PhoneDeps, 'getMedia'>, init: EchoPeerInit): Promise<EchoPeer> {
  installWrtcGlobals();
  const outs = new Set<AudioOut>();
  const phone = new PhoneClass(
    deps,
    { user: `${init.name}@${init.domain}`, domain: init.domain, ...(init.rtcConfiguration ? { rtcConfiguration: init.rtcConfiguration } : {}) },
  );
  let answered = 0;
  let echoedFrames = 0;
  const echo = (call: PhoneCall, out: AudioOut) => {
    const pc = call.session.connection as unknown as RTCPeerConnection | undefined;
    let stopListening: (() => void) | undefined;
    const attach = (track: MediaStreamTrack) => {
      if (track.kind !== 'audio' || stopListening) return;
      stopListening = listenTo(track, (frame) => {
        // What it hears, sent back: the tone stops once the caller's audio comes in.
        out.stopTone();
        out.write(frame);
        echoedFrames++;
      });
    };
    pc?.getReceivers().forEach((r) => attach(r.track));
    pc?.addEventListener('track', (e) => attach((e as RTCTrackEvent).track));
    call.onChange(() => {
      if (call.state === 'ended' || call.state === 'failed') {
        stopListening?.();
        out.stop();
        outs.delete(out);
      }
    });
  };
  phone.onIncomingCall((call) => {
    const out = createAudioOut();
    out.startTone(init.toneHz ?? 440);
    outs.add(out);
    call.answer({ mediaStream: out.stream }).then(
      () => {
        answered++;
        echo(call, out);
      },
      () => {
        out.stop();
        outs.delete(out);
        call.decline();
      },
    );
  });
  await phone.start();
  return {
    phone,
    get answered() {
      return answered;
    },
    get echoedFrames() {
      return echoedFrames;
    },
    async stop() {
      await phone.stop();
      for (const o of outs) o.stop();
      outs.clear();
    },
  };
}
