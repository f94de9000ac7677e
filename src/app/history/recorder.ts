/** Records calls and messages of the session into the app store (issue 7). Placeholder until its helper lands. */
import type { PhoneSession } from '../phone/phone-session.js';

/** Start recording; returns the stop function. */
export function startRecorder(_session: PhoneSession): () => void {
  return () => {};
}
