/**
 * The DTMF keypad of a call (issue 7): twelve buttons (Tab and Enter/Space work as for any button),
 * and while focus is inside the keypad, typing 0-9, * or # presses the key. Each key is sent with
 * PhoneCall.sendDtmf (SIP INFO) and beeps locally; what was sent shows under the keys.
 */
import { useState, type KeyboardEvent } from 'react';
import type { PhoneCall } from '../../phone/index.js';
import { ErrorNote } from '../ErrorNote.js';
import { describeError } from '../error-text.js';
import { KEYPAD, toneOfKey } from './dtmf.js';
import { playDtmfFeedback } from './web-audio.js';

export function Keypad({ call, label }: { call: PhoneCall | undefined; label: string }) {
  const [sent, setSent] = useState('');
  const [error, setError] = useState<string | undefined>();
  const press = (tone: string) => {
    if (!call) return;
    try {
      call.sendDtmf(tone);
      playDtmfFeedback(tone);
      setSent((s) => (s + tone).slice(-24));
      setError(undefined);
    } catch (e) {
      setError(`The key could not be sent: ${describeError(e)}`);
    }
  };
  const onKey = (e: KeyboardEvent) => {
    const tone = toneOfKey(e.key);
    if (!tone) return;
    e.preventDefault();
    press(tone);
  };
  return (
    <div className="keypad" role="group" aria-label={label} onKeyDown={onKey}>
      <div className="keypad-keys">
        {KEYPAD.flat().map((k) => (
          <button key={k} type="button" className="keypad-key" onClick={() => press(k)}>
            {k}
          </button>
        ))}
      </div>
      <p className="keypad-sent" data-testid="dtmf-sent" aria-live="polite">
        {sent ? `Sent: ${sent}` : 'Press a key, or type 0-9, * or #.'}
      </p>
      <ErrorNote error={error} />
    </div>
  );
}
