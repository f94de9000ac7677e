/**
 * Records what the tab's phone does into the user's app store (issue 7), so nothing is lost when
 * the page reloads: each call (incoming ones the Phone announces, and the ones the session dials)
 * becomes a history row when it ends (direction, outcome, start, talk time), and each SIP MESSAGE
 * received or sent (RFC 3428) is appended to the thread of the other party, keyed by its whole AoR
 * (ChatMessage.aor: a message with bob@a.my.example is not bob@<our domain>'s).
 *
 * It watches the Phone's snapshot (every call's state change and every message passes through it
 * synchronously), diffing calls by id and messages by position. Each Phone is watched for its
 * whole life, and its rows go to the store of the user it belongs to, so a call that ends after
 * "Join" switched user still lands in the right history. A message the chat view sends is
 * recorded there (with its delivery status) and only claimed here (AppStoreHub.claimSent).
 *
 * ```ts
 * const stop = startRecorder(session);   // session-boot, once
 * ```
 */
import type { CallSnapshot, ChatMessage, Phone } from '../../phone/index.js';
import { webCryptoHasher } from '../../platform/web-crypto.js';
import { toHex } from '../../reload/wire/codec/hex.js';
import type { PhoneSession } from '../phone/phone-session.js';
import { sessionPresence } from '../presence/index.js';
import { appStoreHub, MAX_AOR, MAX_RECORD_ID, type AppStore, type AppStoreHub } from '../store/index.js';
import { callRecordOf } from './call-record.js';

export interface RecorderDeps {
  /** Default: the session's shared hub (appStoreHub). */
  readonly hub?: AppStoreHub;
  /** Wall-clock ms; default Date.now. */
  readonly now?: () => number;
  /** A row that could not be written; default console.warn. */
  readonly onError?: (e: unknown) => void;
  /** Told of each call that ended (default: its contact's presence is looked up again, sessionPresence). */
  readonly onCallEnded?: (aor: string) => void;
}

/** Start recording; returns the stop function. */
export function startRecorder(session: PhoneSession, deps: RecorderDeps = {}): () => void {
  const hub = deps.hub ?? appStoreHub(session);
  const now = deps.now ?? Date.now;
  const onError = deps.onError ?? ((e: unknown) => console.warn('chordphone: could not record', e));
  const watched = new Map<Phone, () => void>();
  // A call that just ended (or failed: not online, busy) says something about the other side's presence.
  const onCallEnded = deps.onCallEnded ?? ((aor: string) => sessionPresence(session).current()?.refresh(aor));

  const follow = () => {
    const s = session.getSnapshot();
    if (!s.phone || watched.has(s.phone) || !s.userName || !s.domain) return;
    const domain = s.domain;
    watched.set(s.phone, watchPhone(s.phone, hub, () => hub.storeFor(domain, s.userName!), now, onError, onCallEnded));
  };
  const unsubscribe = session.subscribe(follow);
  follow();
  return () => {
    unsubscribe();
    for (const stop of watched.values()) stop();
    watched.clear();
  };
}

interface Tracked {
  readonly start: number;
  connectedAt: number | undefined;
  recorded: boolean;
}

function watchPhone(
  phone: Phone,
  hub: AppStoreHub,
  storeOf: () => Promise<AppStore>,
  now: () => number,
  onError: (e: unknown) => void,
  onCallEnded: (aor: string) => void,
): () => void {
  const calls = new Map<string, Tracked>();
  let messagesSeen = 0;
  // Writes in order (a thread's messages keep their order), each after the store has opened.
  let queue: Promise<unknown> = Promise.resolve();
  const write = (f: (store: AppStore) => Promise<unknown>) => {
    queue = queue.then(storeOf).then(f).catch(onError);
  };

  const onCall = (c: CallSnapshot) => {
    let t = calls.get(c.id);
    if (!t) {
      t = { start: now(), connectedAt: undefined, recorded: false };
      calls.set(c.id, t);
    }
    if (c.state === 'connected' && t.connectedAt === undefined) t.connectedAt = now();
    if ((c.state === 'ended' || c.state === 'failed') && !t.recorded) {
      t.recorded = true;
      const row = callRecordOf(c, { start: t.start, connectedAt: t.connectedAt, endedAt: now() });
      write(async (s) => s.history.add({ ...row, aor: await storedAor(row.aor), callId: await storedId(c.id) }));
      onCallEnded(c.remoteAor);
    }
  };

  const onMessage = (m: ChatMessage) => {
    if (m.direction === 'outgoing') {
      if (hub.takeSent(m.aor, m.text)) return;
      write(async (s) => s.chat.append({ aor: await storedAor(m.aor), direction: 'out', text: keptText(m.text, s.limits.messageChars), at: m.at, status: 'delivered' }));
    } else {
      const callId = m.callId;
      write(async (s) => s.chat.append({ aor: await storedAor(m.aor), direction: 'in', text: keptText(m.text, s.limits.messageChars), at: m.at, status: 'received', ...(callId ? { messageId: await storedId(callId) } : {}) }));
    }
  };

  const onChange = () => {
    const snap = phone.snapshot();
    for (const c of snap.calls) onCall(c);
    for (const m of snap.messages.slice(messagesSeen)) onMessage(m);
    messagesSeen = snap.messages.length;
  };
  const unsubscribe = phone.subscribe(onChange);
  onChange();
  return unsubscribe;
}

/**
 * The AoR as the store keeps it (the history row's, the thread's key). The Phone builds it from the
 * caller's From user as JsSIP decoded it (`%20` → a space), which the store refuses; RFC 3261
 * §19.1.2: "Excluded US-ASCII characters (RFC 2396 [5]), such as space and control characters and
 * characters used as URI delimiters, also MUST be escaped", so they are escaped again. One longer
 * than the store keeps: its beginning and `#` and its SHA-256 in hex, the same in every tab.
 */
async function storedAor(aor: string): Promise<string> {
  const escaped = aor.replace(/[\s\p{Cc}]/gu, (c) => Array.from(utf8.encode(c), (b) => `%${b.toString(16).toUpperCase().padStart(2, '0')}`).join(''));
  if (escaped.length <= MAX_AOR) return escaped;
  const digest = await sha256Hex(aor);
  return `${escaped.slice(0, MAX_AOR - digest.length - 1)}#${digest}`;
}

/**
 * The key a call or message is kept under in the store (one call forked to two tabs is one row):
 * its Call-ID, or, when the caller chose a longer one than the store keeps (RFC 3261 §8.1.1.4 sets
 * no bound), `sha256:` and its digest in hex, the same in every tab, so it is neither dropped nor
 * kept twice.
 */
async function storedId(id: string): Promise<string> {
  if (id.length <= MAX_RECORD_ID) return id;
  return `sha256:${await sha256Hex(id)}`;
}

const utf8 = new TextEncoder();

/** SHA-256 of `text` (UTF-8), in hex: the same in every tab. */
async function sha256Hex(text: string): Promise<string> {
  return toHex(await webCryptoHasher.sha256(utf8.encode(text)));
}

/**
 * A message's text as a thread keeps it: whole when it fits in `max` characters; else (another
 * user sent more than a thread keeps: the phone takes any body the overlay carries) its beginning and a
 * note saying it was cut, so it is neither dropped nor left unexplained. Never cuts a surrogate pair.
 */
function keptText(text: string, max: number): string {
  if (text.length <= max) return text;
  const note = `… [cut: the message had ${text.length.toLocaleString('en-US')} characters]`;
  let end = Math.max(0, max - note.length);
  if (end > 0 && /[\uD800-\uDBFF]/.test(text[end - 1]!)) end--;
  return `${text.slice(0, end)}${note}`;
}
