/**
 * Chat (issue 7): SIP MESSAGE threads per contact (RFC 3428), kept in IndexedDB. Without an
 * address the view lists the conversations (last message, unread count) and offers "Chat address"
 * to start one with anyone; `#/chat/<address>` shows that thread: its messages in a list named
 * "Messages", a "Message" box and "Send message". A sent message shows as sending, then delivered
 * or not delivered; a failure is said in words ("bob is not online."). Received messages appear
 * live (the recorder writes them, the store's revision re-reads the thread) and are marked read
 * while the thread is open.
 */
import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import { useSessionSnapshot } from '../call/use-phone.js';
import { parseCallAddress, type AorDomains } from '../../phone/index.js';
import { Panel } from '../Panel.js';
import { presenceLabel, shortAddress } from '../contacts/contact-format.js';
import { PresenceBadge } from '../contacts/PresenceBadge.js';
import { useViewParam } from '../contacts/use-view-param.js';
import { describeError } from '../error-text.js';
import { formatWhen } from '../history/call-record.js';
import { sessionPresence, usePresence } from '../presence/index.js';
import { appStoreHub, useStoreQuery, type ChatRecord } from '../store/index.js';
import type { ViewProps } from '../views.js';
import { sendChat } from './send-chat.js';
import '../contacts/view-common.css';
import './chat.css';

export function ChatView(props: ViewProps) {
  const s = useSessionSnapshot(props.session);
  const address = useViewParam('chat', props.target);
  let aor: string | undefined;
  let problem: string | undefined;
  if (address && s.domain) {
    try {
      aor = parseCallAddress(address, s.domain, s.phone?.domains).aor;
    } catch (e) {
      problem = describeError(e);
    }
  }
  return (
    <Panel title="Chat">
      {aor ? <Thread key={aor} {...props} aor={aor} domain={s.domain} /> : <Threads {...props} domain={s.domain} domains={s.phone?.domains} problem={problem} initial={address} />}
    </Panel>
  );
}

function Threads({ session, navigate, domain, domains, problem, initial }: ViewProps & { domain: string | undefined; domains: AorDomains | undefined; problem: string | undefined; initial: string | undefined }) {
  const inputId = useId();
  const errorId = useId();
  const [address, setAddress] = useState(initial ?? '');
  const [error, setError] = useState<string | undefined>(problem);
  const q = useStoreQuery(session, async (st) => ({ threads: await st.chat.threads(), names: new Map((await st.contacts.list()).map((c) => [c.aor, c.displayName])) }));

  const open = (e: FormEvent) => {
    e.preventDefault();
    if (!domain) return setError('The phone has not joined the overlay yet; wait until it says Ready.');
    try {
      const target = parseCallAddress(address, domain, domains);
      setError(undefined);
      navigate({ view: 'chat', with: shortAddress(target.aor, domain) });
    } catch (x) {
      setError(describeError(x));
    }
  };

  const now = Date.now();
  return (
    <>
      <form className="chat-open" onSubmit={open} aria-label="Start a chat">
        <span className="field">
          <label htmlFor={inputId}>Chat address</label>
          <input id={inputId} value={address} onChange={(e) => setAddress(e.target.value)} placeholder="bob" autoComplete="off" aria-invalid={error ? true : undefined} aria-describedby={error ? errorId : undefined} />
        </span>
        <button type="submit" disabled={address.trim() === ''}>
          Open chat
        </button>
      </form>
      {error && (
        <p id={errorId} className="view-alert" role="alert" data-testid="chat-error">
          {error}
        </p>
      )}
      {q.error && (
        <p className="view-alert" role="alert">
          {q.error}
        </p>
      )}
      {!domain && <p className="view-note">Your conversations appear here once the phone has joined the overlay.</p>}
      {q.data && q.data.threads.length === 0 && <p className="view-note">No conversations yet. Type an address above, or press Chat next to a contact.</p>}
      {q.data && q.data.threads.length > 0 && (
        <ul className="thread-list" aria-label="Conversations">
          {q.data.threads.map((t) => {
            const short = shortAddress(t.aor, domain);
            const who = q.data!.names.get(t.aor) ?? short;
            return (
              <li key={t.aor} data-testid="thread" data-aor={t.aor} data-unread={t.unread}>
                <button type="button" className="thread-link" onClick={() => navigate({ view: 'chat', with: short })} aria-label={`${who}${t.unread > 0 ? `, ${t.unread} unread` : ''}: ${t.last.text}`}>
                  <span className="thread-name">{who}</span>
                  <span>
                    {t.unread > 0 && <span className="count-badge">{t.unread}</span>} <span className="view-note">{formatWhen(t.last.at, now)}</span>
                  </span>
                  <span className="thread-last">
                    {t.last.direction === 'out' ? 'You: ' : ''}
                    {t.last.text}
                  </span>
                </button>
              </li>
            );
          })}
        </ul>
      )}
    </>
  );
}

const STATUS_TEXT: Record<ChatRecord['status'], string> = { sending: 'Sending…', delivered: 'Delivered', failed: 'Not delivered', received: '' };

function Thread({ session, navigate, aor, domain }: ViewProps & { aor: string; domain: string | undefined }) {
  const s = useSessionSnapshot(session);
  const textId = useId();
  const [text, setText] = useState('');
  const [error, setError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  const input = useRef<HTMLInputElement>(null);
  const list = useRef<HTMLOListElement>(null);
  const q = useStoreQuery(
    session,
    async (st) => ({
      messages: await st.chat.thread(aor),
      unread: (await st.chat.threads()).find((t) => t.aor === aor)?.unread ?? 0,
      contact: await st.contacts.get(aor),
      store: st,
    }),
    [aor],
  );
  const presence = usePresence(session, [aor], 'chat', false).get(aor);
  const short = shortAddress(aor, domain);
  const who = q.data?.contact?.displayName ?? short;
  const p = presenceLabel(presence);
  const ready = s.phase === 'ready';

  // Read while open: the unread count goes (only when there is something to mark, so no loop).
  const unread = q.data?.unread ?? 0;
  const store = q.data?.store;
  useEffect(() => {
    if (store && unread > 0) void store.chat.markRead(aor).catch(() => {});
  }, [store, unread, aor]);

  const count = q.data?.messages.length ?? 0;
  useEffect(() => {
    if (list.current) list.current.scrollTop = list.current.scrollHeight;
  }, [count]);
  useEffect(() => input.current?.focus(), [aor]);

  const send = async (e: FormEvent) => {
    e.preventDefault();
    const body = text;
    setError(undefined);
    setBusy(true);
    setText('');
    try {
      await sendChat(session, appStoreHub(session), aor, body);
    } catch (x) {
      setError(describeError(x));
      setText((t) => (t === '' ? body : t));
      // "bob is not online.": the header's presence should say so too.
      sessionPresence(session).current()?.refresh(aor);
    } finally {
      setBusy(false);
      input.current?.focus();
    }
  };

  const lastIn = [...(q.data?.messages ?? [])].reverse().find((m) => m.direction === 'in');
  return (
    <>
      <div className="chat-header">
        <button type="button" onClick={() => navigate({ view: 'chat' })}>
          <span aria-hidden="true">← </span>All chats
        </button>
        <h3>
          {who}{' '}
          <PresenceBadge label={p} />
        </h3>
        <button type="button" aria-label={`Call ${who}`} disabled={!ready} onClick={() => void session.dial(aor).then(() => navigate({ view: 'phone' }), (x: unknown) => setError(describeError(x)))}>
          Call
        </button>
        {q.data && !q.data.contact && (
          <button type="button" aria-label={`Add ${short} to contacts`} onClick={() => navigate({ view: 'contacts', with: short })}>
            Add to contacts
          </button>
        )}
      </div>
      {q.error && (
        <p className="view-alert" role="alert">
          {q.error}
        </p>
      )}
      <ol ref={list} className="messages-list" aria-label="Messages" data-testid="messages">
        {q.data?.messages.map((m) => (
          <li key={m.id} className="bubble" data-direction={m.direction} data-status={m.status}>
            <span className="visually-hidden">{m.direction === 'in' ? `${short}: ` : 'You: '}</span>
            {m.text}
            <span className="bubble-meta">
              <time dateTime={new Date(m.at).toISOString()}>{new Date(m.at).toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' })}</time>
              {m.direction === 'out' && ` · ${STATUS_TEXT[m.status]}`}
            </span>
          </li>
        ))}
      </ol>
      {q.data && q.data.messages.length === 0 && <p className="view-note">No messages with {who} yet.</p>}
      <p className="visually-hidden" aria-live="polite">
        {lastIn ? `${who} wrote: ${lastIn.text}` : ''}
      </p>
      <form className="chat-compose" onSubmit={(e) => void send(e)}>
        <span className="field">
          <label htmlFor={textId}>Message</label>
          <input id={textId} ref={input} value={text} onChange={(e) => setText(e.target.value)} maxLength={1000} autoComplete="off" />
        </span>
        <button type="submit" disabled={!ready || busy || text.trim() === ''}>
          Send message
        </button>
      </form>
      {error && (
        <p className="view-alert" role="alert" data-testid="chat-error">
          {error}
        </p>
      )}
    </>
  );
}
