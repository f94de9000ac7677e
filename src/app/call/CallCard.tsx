/**
 * The card of one call (issue 7), incoming or in progress: who (name, then AoR) as the card's
 * title, `aside` beside it (the timer), then the rest of the card. The card carries the call's id,
 * state and direction for tests and styles (`call-card--incoming`, `call-card--connected`).
 */
import { useId, type ReactNode } from 'react';
import type { CallSnapshot } from '../../phone/index.js';

export interface CallCardProps {
  readonly snap: CallSnapshot;
  readonly aside?: ReactNode;
  readonly children?: ReactNode;
}

export function CallCard({ snap, aside, children }: CallCardProps) {
  const titleId = useId();
  return (
    <article className={`call-card call-card--${snap.state}`} data-testid="call" data-call-id={snap.id} data-state={snap.state} data-direction={snap.direction} aria-labelledby={titleId}>
      <header className="call-head">
        <div>
          <h2 id={titleId} className="call-who">
            {snap.remoteUser}
          </h2>
          <p className="call-aor">{snap.remoteAor}</p>
        </div>
        {aside}
      </header>
      {children}
    </article>
  );
}
