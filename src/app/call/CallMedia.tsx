/**
 * What a call plays and shows: the other side's audio (an <audio> element whose output device the
 * speaker choice sets), its video when it sends some, and this side's camera preview.
 */
import { useEffect, useMemo, useRef, useState, type RefObject } from 'react';
import type { PhoneCall } from '../../phone/index.js';
import { peerConnectionOf, remoteStreamOf } from '../phone/call-media.js';

/** Whether `stream` has a video track that is live and not muted (frames are coming); follows changes. */
function useHasVideo(stream: MediaStream | undefined): boolean {
  const [has, setHas] = useState(false);
  useEffect(() => {
    if (!stream) return;
    const watched = new Set<MediaStreamTrack>();
    const check = () => setHas(stream.getVideoTracks().some((t) => t.readyState === 'live' && !t.muted));
    const watch = () => {
      for (const t of stream.getVideoTracks()) {
        if (watched.has(t)) continue;
        watched.add(t);
        t.addEventListener('mute', check);
        t.addEventListener('unmute', check);
        t.addEventListener('ended', check);
      }
      check();
    };
    const onAdd = () => watch();
    stream.addEventListener('addtrack', onAdd);
    // Tracks are added to our own stream by call-media's 'track' listener: addtrack does not fire then.
    const poll = setInterval(watch, 500);
    watch();
    return () => {
      clearInterval(poll);
      stream.removeEventListener('addtrack', onAdd);
      for (const t of watched) {
        t.removeEventListener('mute', check);
        t.removeEventListener('unmute', check);
        t.removeEventListener('ended', check);
      }
    };
  }, [stream]);
  return has;
}

function useStreamOn(ref: RefObject<HTMLMediaElement | null>, stream: MediaStream | undefined): void {
  useEffect(() => {
    const el = ref.current;
    if (el && stream && el.srcObject !== stream) el.srcObject = stream;
  });
}

export function RemoteAudio({ call, audioRef }: { call: PhoneCall; audioRef: RefObject<HTMLAudioElement | null> }) {
  const stream = remoteStreamOf(call);
  useStreamOn(audioRef, stream);
  return <audio ref={audioRef} autoPlay data-testid="remote-audio" />;
}

export function CallVideo({ call, remoteUser, sendingVideo }: { call: PhoneCall; remoteUser: string; sendingVideo: boolean }) {
  const remote = remoteStreamOf(call);
  const hasRemote = useHasVideo(remote);
  const remoteRef = useRef<HTMLVideoElement>(null);
  const localRef = useRef<HTMLVideoElement>(null);
  // The camera track sent now (a new one after a camera switch: the call then announces a change).
  const camera = sendingVideo ? peerConnectionOf(call)?.getSenders().find((s) => s.track?.kind === 'video')?.track : undefined;
  const local = useMemo(() => (camera ? new MediaStream([camera]) : undefined), [camera]);
  useStreamOn(remoteRef, remote);
  useStreamOn(localRef, local);
  if (!hasRemote && !sendingVideo) return null;
  return (
    <div className="call-video">
      {hasRemote && <video ref={remoteRef} className="call-video-remote" data-testid="remote-video" autoPlay playsInline muted aria-label={`Video of ${remoteUser}`} />}
      {sendingVideo && <video ref={localRef} className="call-video-local" data-testid="local-video" autoPlay playsInline muted aria-label="Your camera" />}
    </div>
  );
}
