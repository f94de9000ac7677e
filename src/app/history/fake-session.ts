/**
 * A PhoneSession and Phone stand-in for the recorder's and the views' unit tests: the session's
 * snapshot and the Phone's snapshot (calls, messages) are set by the test, and each change is
 * announced to subscribers exactly as the real ones do (synchronously, a new snapshot object).
 */
import type { CallSnapshot, ChatMessage, Phone, PhoneCall, PhoneSnapshot } from '../../phone/index.js';
import { PhoneError, type AorDomains, type PhoneErrorCode } from '../../phone/index.js';
import type { Overlay } from '../overlay/overlay.js';
import type { PhoneSession, PhoneSessionSnapshot } from '../phone/phone-session.js';

export class FakePhone {
  private snap: PhoneSnapshot;
  private readonly listeners = new Set<() => void>();
  readonly sent: { address: string; text: string }[] = [];
  /** What sendMessage does next: resolve, or reject with this error. */
  failNextSend: Error | undefined;
  /** Phone.domains: the AoR domains the overlay serves (undefined: the overlay's own). */
  domains: AorDomains | undefined;

  constructor(aor: string) {
    this.snap = { state: 'ready', aor, calls: [], messages: [], error: undefined };
  }

  snapshot(): PhoneSnapshot {
    return this.snap;
  }

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Add or update a call (by id). */
  setCall(call: CallSnapshot): void {
    const calls = this.snap.calls.some((c) => c.id === call.id) ? this.snap.calls.map((c) => (c.id === call.id ? call : c)) : [...this.snap.calls, call];
    this.update({ calls });
  }

  receive(message: ChatMessage): void {
    this.update({ messages: [...this.snap.messages, message] });
  }

  /** Like Phone.sendMessage: the outgoing message enters the snapshot on success, before it resolves. */
  async sendMessage(address: string, text: string): Promise<void> {
    this.sent.push({ address, text });
    await Promise.resolve();
    const failure = this.failNextSend;
    this.failNextSend = undefined;
    if (failure) throw failure;
    // The Phone is given an AoR by the chat view (sendChat) and records that AoR.
    this.update({ messages: [...this.snap.messages, { direction: 'outgoing', aor: address, text, at: Date.now() }] });
  }

  private update(patch: Partial<PhoneSnapshot>): void {
    this.snap = { ...this.snap, ...patch };
    for (const l of [...this.listeners]) l();
  }
}

/** A call snapshot with the fields the recorder and views read (the rest of CallSnapshot at rest values). */
export function fakeCall(id: string, patch: Partial<CallSnapshot> & { errorCode?: PhoneErrorCode } = {}): CallSnapshot {
  const { errorCode, ...rest } = patch;
  const call: Partial<CallSnapshot> = {
    id,
    direction: 'incoming',
    remoteUser: 'bob',
    remoteAor: 'sip:bob@test.example',
    state: 'incoming',
    muted: false,
    held: false,
    error: errorCode ? new PhoneError(errorCode, errorCode) : undefined,
    connectedAt: undefined,
    video: false,
    dtmfReceived: '',
    onHold: { local: false, remote: false },
    ...rest,
  };
  return call as CallSnapshot;
}

export class FakeSession implements PhoneSession {
  private snap: PhoneSessionSnapshot;
  private readonly listeners = new Set<() => void>();
  readonly dialed: string[] = [];

  constructor(overlay: Partial<Overlay> = {}) {
    this.snap = { phase: 'joining', overlay: overlay as Overlay, phone: undefined, userName: undefined, domain: undefined, error: undefined };
  }

  /** Ready as `user` on `domain` with `phone`. */
  ready(user: string, domain: string, phone: FakePhone): void {
    this.set({ phase: 'ready', userName: `${user}@${domain}`, domain, phone: phone as unknown as Phone });
  }

  set(patch: Partial<PhoneSessionSnapshot>): void {
    this.snap = { ...this.snap, ...patch };
    for (const l of [...this.listeners]) l();
  }

  getSnapshot = (): PhoneSessionSnapshot => this.snap;
  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };
  join = (): Promise<void> => Promise.resolve();
  /** Times rejoinAsGuest was called ("Try again", PhoneView.test.tsx). */
  guestRejoins = 0;
  rejoinAsGuest = (): Promise<void> => (this.guestRejoins++, Promise.resolve());
  dial = (address: string): Promise<PhoneCall> => {
    this.dialed.push(address);
    return Promise.resolve({ id: `dial-${this.dialed.length}` } as PhoneCall);
  };
  prepare = (): void => {};
  call = (): PhoneCall | undefined => undefined;
  close = (): void => {};
}
