/**
 * The number of missed calls not yet seen in the History view (issue 7), for the shell's History
 * link: nothing when there are none; the count in words for screen readers. Opening the History
 * view marks them seen.
 */
import { CountBadge } from '../CountBadge.js';
import type { PhoneSession } from '../phone/phone-session.js';
import { useMissedCallCount } from '../store/index.js';

export function MissedCallBadge({ session }: { session: PhoneSession }) {
  return <CountBadge count={useMissedCallCount(session)} testId="missed-badge" noun={['missed call', 'missed calls']} />;
}
