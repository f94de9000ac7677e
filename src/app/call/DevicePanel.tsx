/**
 * Speaker, microphone and camera choice during a call (issue 7). The microphone and camera switch
 * by replaceTrack on the call's sender (no renegotiation); the speaker by setSinkId on the call's
 * audio element, where the browser supports it; otherwise the panel says it is not supported here.
 */
import { useEffect, useId, useState, type RefObject } from 'react';
import type { PhoneCall } from '../../phone/index.js';
import { describeError } from '../error-text.js';
import { canChooseSpeaker, currentDeviceId, listDevices, setSpeaker, switchDevice, type DeviceLists } from '../phone/call-media.js';

const EMPTY: DeviceLists = { microphones: [], cameras: [], speakers: [] };

const nameOf = (d: MediaDeviceInfo, i: number, what: string) => d.label || `${what} ${i + 1}`;

export function DevicePanel({ call, audioRef, sendingVideo, id }: { call: PhoneCall; audioRef: RefObject<HTMLAudioElement | null>; sendingVideo: boolean; id: string }) {
  const micId = useId();
  const camId = useId();
  const spkId = useId();
  const [devices, setDevices] = useState<DeviceLists>(EMPTY);
  const [mic, setMic] = useState(() => currentDeviceId(call, 'audio') ?? '');
  const [cam, setCam] = useState(() => currentDeviceId(call, 'video') ?? '');
  const [speaker, setSpeakerId] = useState(() => (audioRef.current as (HTMLAudioElement & { sinkId?: string }) | null)?.sinkId ?? '');
  const [status, setStatus] = useState<string | undefined>();

  useEffect(() => {
    let alive = true;
    const load = () => void listDevices().then((d) => alive && setDevices(d), () => {});
    load();
    navigator.mediaDevices?.addEventListener('devicechange', load);
    return () => {
      alive = false;
      navigator.mediaDevices?.removeEventListener('devicechange', load);
    };
  }, []);

  const run = async (what: string, fn: () => Promise<void>) => {
    setStatus(undefined);
    try {
      await fn();
      setStatus(what);
    } catch (e) {
      setStatus(`Could not switch: ${describeError(e)}`);
    }
  };

  return (
    <div id={id} className="device-panel" role="group" aria-label="Devices">
      <div className="device-row">
        <label htmlFor={micId}>Microphone</label>
        <select
          id={micId}
          value={mic}
          onChange={(e) => {
            const v = e.target.value;
            setMic(v);
            void run('Microphone switched.', () => switchDevice(call, 'audio', v));
          }}
        >
          {!devices.microphones.some((d) => d.deviceId === mic) && <option value={mic}>Current microphone</option>}
          {devices.microphones.map((d, i) => (
            <option key={d.deviceId || i} value={d.deviceId}>
              {nameOf(d, i, 'Microphone')}
            </option>
          ))}
        </select>
      </div>
      <div className="device-row">
        <label htmlFor={camId}>Camera</label>
        <select
          id={camId}
          value={cam}
          disabled={!sendingVideo}
          aria-describedby={sendingVideo ? undefined : `${camId}-note`}
          onChange={(e) => {
            const v = e.target.value;
            setCam(v);
            void run('Camera switched.', () => switchDevice(call, 'video', v));
          }}
        >
          {!devices.cameras.some((d) => d.deviceId === cam) && <option value={cam}>{sendingVideo ? 'Current camera' : 'Camera off'}</option>}
          {devices.cameras.map((d, i) => (
            <option key={d.deviceId || i} value={d.deviceId}>
              {nameOf(d, i, 'Camera')}
            </option>
          ))}
        </select>
        {!sendingVideo && (
          <span id={`${camId}-note`} className="device-note">
            Turn video on to choose a camera.
          </span>
        )}
      </div>
      <div className="device-row">
        {canChooseSpeaker() ? <label htmlFor={spkId}>Speaker</label> : <span>Speaker</span>}
        {canChooseSpeaker() ? (
          <select
            id={spkId}
            value={speaker}
            onChange={(e) => {
              const v = e.target.value;
              setSpeakerId(v);
              const el = audioRef.current;
              void run('Speaker switched.', async () => {
                if (!el) throw new Error('the call has no audio yet');
                await setSpeaker(el, v);
              });
            }}
          >
            <option value="">System default</option>
            {devices.speakers
              .filter((d) => d.deviceId !== 'default' && d.deviceId !== '')
              .map((d, i) => (
                <option key={d.deviceId} value={d.deviceId}>
                  {nameOf(d, i, 'Speaker')}
                </option>
              ))}
          </select>
        ) : (
          <span id={spkId} className="device-note">
            This browser cannot choose the speaker; calls play on the system’s default output.
          </span>
        )}
      </div>
      {status && (
        <p className="device-status" role="status">
          {status}
        </p>
      )}
    </div>
  );
}
