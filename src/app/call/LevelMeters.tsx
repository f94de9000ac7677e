/**
 * Audio level meters of a call (issue 7): the microphone (getStats media-source audioLevel) and the
 * other side (inbound-rtp audioLevel), four times a second; each is a `meter` with its value, so a
 * screen reader can tell whether sound is going out and coming in.
 */
import { useCallback } from 'react';
import type { PhoneCall } from '../../phone/index.js';
import { callStats } from '../phone/call-media.js';
import { levelPercent } from './call-format.js';
import { usePoll } from './use-phone.js';

function Meter({ label, value }: { label: string; value: number }) {
  return (
    <div className="level">
      <span className="level-label">{label}</span>
      <div className="level-bar" role="meter" aria-label={label} aria-valuemin={0} aria-valuemax={100} aria-valuenow={value} aria-valuetext={`${value} %`}>
        <div className="level-fill" style={{ transform: `scaleX(${value / 100})` }} />
      </div>
    </div>
  );
}

export function LevelMeters({ call, remoteUser, on }: { call: PhoneCall | undefined; remoteUser: string; on: boolean }) {
  const read = useCallback(async () => (call ? callStats(call) : undefined), [call]);
  const stats = usePoll(read, 250, on);
  return (
    <div className="levels">
      <Meter label="Your microphone level" value={levelPercent(stats?.audio.out?.audioLevel)} />
      <Meter label={`${remoteUser}'s level`} value={levelPercent(stats?.audio.in?.audioLevel)} />
    </div>
  );
}
