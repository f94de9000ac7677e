/**
 * The number of received messages not yet read (issue 7), for the shell's Chat link: nothing when
 * all are read; the count in words for screen readers. Opening a thread marks it read.
 */
import { CountBadge } from '../CountBadge.js';
import type { PhoneSession } from '../phone/phone-session.js';
import { useUnreadMessageCount } from '../store/index.js';

export function UnreadBadge({ session }: { session: PhoneSession }) {
  return <CountBadge count={useUnreadMessageCount(session)} testId="unread-badge" noun={['unread message', 'unread messages']} />;
}
