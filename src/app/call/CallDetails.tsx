/** The "Call details" panel (issue 7): RTT, packet loss, jitter, codec and bytes from getStats, refreshed every second while open. */
import { useCallback } from 'react';
import type { PhoneCall } from '../../phone/index.js';
import { callStats } from '../phone/call-media.js';
import { detailRows } from './call-format.js';
import { usePoll } from './use-phone.js';

export function CallDetails({ call, id }: { call: PhoneCall; id: string }) {
  const read = useCallback(() => callStats(call), [call]);
  const stats = usePoll(read, 1000, true);
  return (
    <div id={id} className="call-details" data-testid="call-details">
      {stats ? (
        <dl>
          {detailRows(stats).map((r) => (
            <div key={r.label} className="call-details-row">
              <dt>{r.label}</dt>
              <dd>{r.value}</dd>
            </div>
          ))}
        </dl>
      ) : (
        <p>Reading the call’s figures…</p>
      )}
    </div>
  );
}
