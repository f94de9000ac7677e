/** A contact's presence as shown in the contact list and a chat's header: a dot and the words (contact-format.ts presenceLabel). */
import type { PresenceLabel } from './contact-format.js';

export function PresenceBadge({ label }: { readonly label: PresenceLabel }) {
  return (
    <span className={`presence presence--${label.shown}`} title={label.detail} data-testid="presence">
      <span className="presence-dot" aria-hidden="true" />
      <span>{label.text}</span>
    </span>
  );
}
