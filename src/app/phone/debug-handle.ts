/**
 * `window.chordphone`: the API objects for tests and the curious, installed by the browser's
 * phone session (browser-session.ts) and kept current:
 *
 * - `chordphone.overlay`: the Overlay in use (a new one after "Join" with another user name);
 * - `chordphone.phone`: the Phone (src/phone/phone.ts), once registered; undefined before;
 * - `chordphone.calls()`: every call of this tab: `{ id, direction, state, remoteUser }`;
 * - `chordphone.inboundAudioBytes(id)`: that call's inbound RTP audio bytes so far (getStats).
 */
import type { CallSnapshot } from '../../phone/index.js';
import { inboundAudioBytes } from './call-media.js';
import type { PhoneSession, PhoneSessionSnapshot } from './phone-session.js';

export interface ChordphoneDebugHandle {
  overlay: PhoneSessionSnapshot['overlay'];
  phone: PhoneSessionSnapshot['phone'];
  calls(): CallSnapshot[];
  inboundAudioBytes(callId: string): Promise<number>;
}

export function installDebugHandle(session: PhoneSession): void {
  const g = globalThis as { chordphone?: Partial<ChordphoneDebugHandle> };
  const handle = (g.chordphone ??= {});
  const update = () => {
    const s = session.getSnapshot();
    handle.overlay = s.overlay;
    handle.phone = s.phone;
  };
  handle.calls = () => [...(session.getSnapshot().phone?.snapshot().calls ?? [])];
  handle.inboundAudioBytes = async (callId) => {
    const call = session.call(callId);
    return call ? inboundAudioBytes(call) : 0;
  };
  update();
  session.subscribe(update);
}
