/**
 * A count on a link of the shell's navigation (issue 7: unread messages on Chat, missed calls on
 * History): nothing at zero; the count said in words for screen readers.
 */
import './contacts/view-common.css';

export interface CountBadgeProps {
  readonly count: number;
  readonly testId: string;
  /** What one of them is called, singular and plural: ['missed call', 'missed calls']. */
  readonly noun: readonly [one: string, many: string];
}

export function CountBadge({ count, testId, noun }: CountBadgeProps) {
  if (count === 0) return null;
  return (
    <span className="count-badge" data-testid={testId} aria-label={`${count} ${count === 1 ? noun[0] : noun[1]}`}>
      {count}
    </span>
  );
}
