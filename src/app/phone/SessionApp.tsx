/**
 * The shell's parts bound to the phone session (session-boot.tsx hands them to main.tsx): the
 * header status (the user's address and state), the call layer, and the open view. The overlay
 * view shows the overlay in use now (a new one after "Join" with another user name). The shell
 * itself never remounts, so nothing typed elsewhere on the page is lost.
 */
import { useSessionSnapshot } from '../call/use-phone.js';
import { CallLayer } from '../call/CallLayer.js';
import { ChatView } from '../chat/ChatView.js';
import { ContactsView } from '../contacts/ContactsView.js';
import { PhoneView } from '../first-run/PhoneView.js';
import { HistoryView } from '../history/HistoryView.js';
import { OverlayPanel } from '../OverlayPanel.js';
import { useOverlaySnapshot } from '../overlay/use-overlay.js';
import { SettingsView } from '../settings/SettingsView.js';
import type { Navigate, ViewTarget } from '../views.js';
import type { PhoneSession, PhoneSessionSnapshot } from './phone-session.js';

export function SessionOverlayPanel({ session }: { session: PhoneSession }) {
  const s = useSessionSnapshot(session);
  return <OverlayPanel overlay={s.overlay} />;
}

const STATE_TEXT: Record<PhoneSessionSnapshot['phase'], string> = {
  joining: 'Joining…',
  registering: 'Registering…',
  ready: 'Online',
  failed: 'Offline',
  closed: 'Closed',
};

/**
 * The header's line about the user: their address once known and the session's state. The one
 * `phone-status` element of the page (tests read `data-phase`); `phone-aor` is the full user name.
 */
export function SessionStatus({ session, returningUser }: { session: PhoneSession; returningUser?: string | undefined }) {
  const s = useSessionSnapshot(session);
  const phase = s.phase;
  // Registered, but every link of the peer is gone (a Wi-Fi drop, a laptop's sleep): no call can go
  // or come until the overlay finds the ring again (RFC 6940 §10.7.4.4), so it does not say Online.
  const { links } = useOverlaySnapshot(s.overlay);
  const cut = phase === 'ready' && links.length === 0;
  const text = cut ? 'Reconnecting…' : STATE_TEXT[phase];
  // A returning user's name is shown from the first paint on (BootPlaceholders.tsx), before the AoR is known.
  const pending = !s.userName && !s.guest && phase === 'joining' ? returningUser : undefined;
  return (
    <p className="phone-status" data-testid="phone-status" data-phase={phase} data-connected={phase === 'ready' ? String(!cut) : undefined} aria-live="polite" title={s.userName ? `${s.userName}: ${text}` : text}>
      <span className={`state-dot state-dot--${cut ? 'registering' : phase}`} aria-hidden="true" />
      <span className="phone-status-text">
        {s.userName ? (
          <>
            <strong data-testid="phone-aor">{s.userName}</strong>{' '}
          </>
        ) : pending ? (
          <strong>{pending}</strong>
        ) : null}{' '}
        <span className="phone-state">{text}</span>
      </span>
    </p>
  );
}

export function SessionCallLayer({ session, navigate }: { session: PhoneSession; navigate: Navigate }) {
  return <CallLayer session={session} navigate={navigate} />;
}

/** The open view; `callTarget` is `/?call=bob`'s address (the Phone view offers "Call bob"). */
export function SessionView({
  session,
  target,
  navigate,
  callTarget,
  returningUser,
}: {
  session: PhoneSession;
  target: ViewTarget;
  navigate: Navigate;
  callTarget?: string | undefined;
  returningUser?: string | undefined;
}) {
  const props = { session, navigate, target };
  switch (target.view) {
    case 'phone':
      return <PhoneView {...props} callTarget={callTarget} returningUser={returningUser} />;
    case 'contacts':
      return <ContactsView {...props} />;
    case 'history':
      return <HistoryView {...props} />;
    case 'chat':
      return <ChatView {...props} />;
    case 'overlay':
      return <SessionOverlayPanel session={session} />;
    case 'settings':
      return <SettingsView {...props} />;
  }
}
