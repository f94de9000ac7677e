/**
 * What the first paint shows while the overlay and phone code loads (main.tsx): the phone and
 * overlay panels' headings and the first join step, in the slots the real panels take (App.tsx),
 * so nothing moves when they arrive. The status line carries the same role and `data-phase` as
 * OverlayPanel's, so there is one status on the page at every moment.
 */
import { Panel } from './Panel.js';

export function PhonePlaceholder() {
  return (
    <Panel title="Phone">
      <p className="phone-status" data-testid="phone-status" data-phase="joining" aria-live="polite">
        Joining the overlay…
      </p>
    </Panel>
  );
}

/** `error`: the overlay code could not be loaded (network gone, server updated under the tab). */
export function OverlayPlaceholder({ error }: { error?: string | undefined }) {
  return (
    <Panel title="Overlay">
      <p className="status" role="status" data-phase={error ? 'failed' : 'idle'}>
        <span className={`status-badge ${error ? 'status-bad' : ''}`} aria-hidden="true">
          {error ? 'Error' : 'Joining'}
        </span>
        <span>{error ? `${error} Reload the page to try again.` : 'Starting…'}</span>
      </p>
    </Panel>
  );
}
