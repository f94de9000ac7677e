/**
 * An incoming call (issue 7): who is calling (name and AoR), "Answer", "Answer with video" and
 * "Decline". During another call, answering puts that one on hold first (and says so).
 */
import { useId, useState } from 'react';
import type { CallSnapshot, PhoneCall } from '../../phone/index.js';
import { ErrorNote } from '../ErrorNote.js';
import { describeError } from '../error-text.js';
import { callLine } from './call-format.js';
import { CallCard } from './CallCard.js';

export interface IncomingCallProps {
  readonly snap: CallSnapshot;
  readonly call: PhoneCall | undefined;
  /** The other calls in progress (answering holds them). */
  readonly others: readonly CallSnapshot[];
  readonly holdOthers: () => void;
}

export function IncomingCall({ snap, call, others, holdOthers }: IncomingCallProps) {
  const noteId = useId();
  const [error, setError] = useState<string | undefined>();
  const [answering, setAnswering] = useState(false);
  const answer = (video: boolean) => {
    if (!call) return;
    setError(undefined);
    setAnswering(true);
    holdOthers();
    call
      .answer({ video })
      .catch((e: unknown) => setError(describeError(e)))
      .finally(() => setAnswering(false));
  };
  const busyWith = others.filter((o) => o.state === 'connected').map((o) => o.remoteUser);
  return (
    <CallCard snap={snap}>
      <p className="call-line" role="alert">
        {callLine(snap)}
      </p>
      {busyWith.length > 0 && (
        <p id={noteId} className="call-note">
          Answering puts your call with {busyWith.join(' and ')} on hold.
        </p>
      )}
      <div className="call-controls" role="group" aria-label={`Incoming call from ${snap.remoteUser}`}>
        <button type="button" className="answer-button" disabled={answering} aria-describedby={busyWith.length > 0 ? noteId : undefined} onClick={() => answer(false)}>
          Answer
        </button>
        <button type="button" className="answer-button" disabled={answering} onClick={() => answer(true)}>
          Answer with video
        </button>
        <button type="button" className="hangup-button" onClick={() => call?.decline()}>
          Decline
        </button>
      </div>
      <ErrorNote error={error} testId="call-error" />
    </CallCard>
  );
}
