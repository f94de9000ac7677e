/**
 * One call being placed or in progress (issue 7): who, what it is doing, the timer (mm:ss from
 * connected), video, level meters, and the controls: "Mute" (aria-pressed), "Hold"/"Resume",
 * "Keypad" (DTMF), "Video" (camera on/off, a re-INVITE), "Devices", "Call details" and "Hang up".
 * Panels open below the controls; each toggle says whether its panel is open (aria-expanded).
 */
import { useId, useRef, useState } from 'react';
import type { CallSnapshot, PhoneCall } from '../../phone/index.js';
import { ErrorNote } from '../ErrorNote.js';
import { describeError } from '../error-text.js';
import { setCallVideo } from '../phone/call-media.js';
import { callLine, callTimer } from './call-format.js';
import { CallCard } from './CallCard.js';
import { CallDetails } from './CallDetails.js';
import { CallVideo, RemoteAudio } from './CallMedia.js';
import { DevicePanel } from './DevicePanel.js';
import { Keypad } from './Keypad.js';
import { LevelMeters } from './LevelMeters.js';
import { useNow } from './use-phone.js';

export interface ActiveCallProps {
  readonly snap: CallSnapshot;
  readonly call: PhoneCall | undefined;
  /** Put every other call on hold (before resuming this one). */
  readonly holdOthers: () => void;
}

export function ActiveCall({ snap, call, holdOthers }: ActiveCallProps) {
  const keypadId = useId();
  const devicesId = useId();
  const detailsId = useId();
  const audioRef = useRef<HTMLAudioElement>(null);
  const [keypad, setKeypad] = useState(false);
  const [devices, setDevices] = useState(false);
  const [details, setDetails] = useState(false);
  const [videoBusy, setVideoBusy] = useState(false);
  const [error, setError] = useState<string | undefined>();
  const connected = snap.state === 'connected';
  const now = useNow(1000, connected);
  const heldHere = snap.onHold.local;

  const toggleHold = () => {
    if (!call) return;
    setError(undefined);
    if (heldHere) holdOthers();
    if (!call.hold(!heldHere)) setError('The call is still changing; try again in a moment.');
  };
  const toggleVideo = () => {
    if (!call) return;
    setError(undefined);
    setVideoBusy(true);
    setCallVideo(call, !snap.video)
      .catch((e: unknown) => setError(`Video could not be turned ${snap.video ? 'off' : 'on'}. ${describeError(e)}`))
      .finally(() => setVideoBusy(false));
  };

  return (
    <CallCard
      snap={snap}
      aside={
        connected && (
          <p className="call-timer" data-testid="call-timer" role="timer" aria-label="Call duration">
            {callTimer(snap, now)}
          </p>
        )
      }
    >
      <p className="call-line" aria-live="polite">
        {callLine(snap)}
        {snap.onHold.remote ? ` ${snap.remoteUser} put the call on hold.` : ''}
      </p>
      {connected && call && <CallVideo call={call} remoteUser={snap.remoteUser} sendingVideo={snap.video} />}
      {connected && <LevelMeters call={call} remoteUser={snap.remoteUser} on={!snap.held && call !== undefined} />}
      {snap.dtmfReceived && (
        <p className="call-dtmf" data-testid="dtmf-received">
          Keys received: {snap.dtmfReceived}
        </p>
      )}
      <div className="call-controls" role="group" aria-label={`Controls of the call with ${snap.remoteUser}`}>
        {connected && (
          <>
            <button type="button" aria-pressed={snap.muted} onClick={() => call?.mute(!snap.muted)}>
              Mute
            </button>
            <button type="button" onClick={toggleHold}>
              {heldHere ? 'Resume' : 'Hold'}
            </button>
            <button type="button" aria-expanded={keypad} aria-controls={keypadId} onClick={() => setKeypad(!keypad)}>
              Keypad
            </button>
            <button type="button" aria-pressed={snap.video} disabled={videoBusy || snap.held} onClick={toggleVideo}>
              Video
            </button>
            <button type="button" aria-expanded={devices} aria-controls={devicesId} onClick={() => setDevices(!devices)}>
              Devices
            </button>
            <button type="button" aria-expanded={details} aria-controls={detailsId} onClick={() => setDetails(!details)}>
              Call details
            </button>
          </>
        )}
        <button type="button" className="hangup-button" onClick={() => call?.hangup()}>
          Hang up
        </button>
      </div>
      {connected && keypad && (
        <div id={keypadId}>
          <Keypad call={call} label={`Keypad of the call with ${snap.remoteUser}`} />
        </div>
      )}
      {connected && devices && call && <DevicePanel id={devicesId} call={call} audioRef={audioRef} sendingVideo={snap.video} />}
      {connected && details && call && <CallDetails id={detailsId} call={call} />}
      <ErrorNote error={error} testId="call-error" />
      {connected && call && <RemoteAudio call={call} audioRef={audioRef} />}
    </CallCard>
  );
}
