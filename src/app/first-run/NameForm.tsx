/**
 * "User name" + "Join" (names tests and screen readers rely on): choose who this tab is. The
 * enrollment server's rule is checked while typing (name-rules.ts) and said under the box; a
 * refusal after "Join" (a name taken by someone else's key) is the server's message with the fix.
 */
import { useId, useState, type FormEvent } from 'react';
import type { PhoneSession } from '../phone/phone-session.js';
import { checkUserName, USER_NAME_RULE } from './name-rules.js';

/** Without `session` (the first paint, before the session code has loaded) the form is drawn disabled. */
/** `autoFocus`: "Switch user" was pressed, so the keyboard goes on to the box. */
export function NameForm({
  session,
  domain,
  busy,
  onCancel,
  autoFocus = false,
  onJoining,
}: {
  session?: PhoneSession | undefined;
  domain: string | undefined;
  busy: boolean;
  onCancel?: (() => void) | undefined;
  autoFocus?: boolean;
  /** Told the name being joined with (the steps' heading says it before the server has confirmed it). */
  onJoining?: ((local: string) => void) | undefined;
}) {
  const nameId = useId();
  const hintId = useId();
  const [name, setName] = useState('');
  const check = checkUserName(name, domain);

  const onJoin = (e: FormEvent) => {
    e.preventDefault();
    if (check.kind !== 'ok' || !session) return;
    onJoining?.(check.local);
    // The session's snapshot says how it went (steps, error); nothing more to catch here.
    session.join(check.local).catch(() => {});
  };

  return (
    <form className="name-form" onSubmit={onJoin} noValidate>
      <div className="row">
        <label htmlFor={nameId}>User name</label>
        <input
          id={nameId}
          value={name}
          onChange={(e) => setName(e.target.value)}
          placeholder="alice"
          autoComplete="username"
          autoCapitalize="none"
          spellCheck={false}
          aria-describedby={hintId}
          aria-invalid={check.kind === 'invalid'}
          disabled={!session}
          autoFocus={autoFocus}
        />
        <button type="submit" disabled={check.kind !== 'ok' || busy || !session}>
          Join
        </button>
        {onCancel && (
          <button type="button" onClick={onCancel}>
            Cancel
          </button>
        )}
      </div>
      <p id={hintId} className={`name-hint ${check.kind === 'invalid' ? 'error' : 'muted'}`} data-testid="name-hint" data-state={check.kind} aria-live="polite">
        {check.kind === 'invalid' ? check.error : check.kind === 'ok' && check.userName ? `Your address will be ${check.userName}.` : USER_NAME_RULE}
      </p>
    </form>
  );
}
