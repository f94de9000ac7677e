/**
 * Page side of the call-setup bench, the same in both systems under test: installed before any
 * page script (a Playwright init script, bundled as an IIFE by `bundles.ts`), it times one call
 * with the page's own clock (performance.now()):
 * - t0: the click on the button named "Call" (a capture listener, before the app's handler);
 * - ringing / confirmed: `mark()` from the page (the Kamailio page's JsSIP events), or the
 *   product's Phone (`window.chordphone.phone`, ARCHITECTURE.md): the outgoing call's state
 *   becoming 'ringing' / 'connected';
 * - rtp: the first getStats() (polled every 10 ms) in which a media peer connection made after t0
 *   has an inbound-rtp audio stream with bytesReceived > 0. Peer connections are seen by wrapping
 *   RTCPeerConnection, so no app API is needed for this one.
 */

export type Mark = 'ringing' | 'confirmed' | 'rtp';

export interface CallTiming {
  /** ms from the click on Call. */
  readonly ringing: number;
  readonly confirmed: number;
  readonly rtp: number;
}

/** `window.__callSetup`, what the Node side calls through page.evaluate. */
export interface CallSetupProbe {
  mark(name: Exclude<Mark, 'rtp'>): void;
  /** Resolves with the three intervals of the call started by the last click on Call. */
  result(timeoutMs: number): Promise<CallTiming>;
  /**
   * Media peer connections (with a transceiver) not closed yet: 0 once every call of this page has
   * ended. The overlay's own data-channel connections stay open and do not count.
   */
  openMediaConnections(): number;
  /** The product only: answer every incoming call through its Phone API. */
  autoAnswer(): void;
  /** Whether the product's Phone exists on this page, and its state. */
  phoneState(): string | undefined;
}

/** The slice of the product's Phone (src/phone/phone.ts) the probe uses. */
interface PhoneLike {
  readonly state: string;
  subscribe(listener: () => void): () => void;
  snapshot(): { readonly calls: readonly { readonly id: string; readonly direction: string; readonly state: string }[] };
  onIncomingCall(listener: (call: { answer(): Promise<void> | void }) => void): () => void;
}

const POLL_MS = 10;

function install(): void {
  const w = globalThis as unknown as { __callSetup?: CallSetupProbe; chordphone?: { phone?: PhoneLike }; RTCPeerConnection: typeof RTCPeerConnection };
  if (w.__callSetup) return;
  const Native = w.RTCPeerConnection;
  const connections: { pc: RTCPeerConnection; createdAt: number }[] = [];
  // A subclass keeps `instanceof` and every static the app may use.
  w.RTCPeerConnection = class extends Native {
    constructor(config?: RTCConfiguration) {
      super(config);
      connections.push({ pc: this, createdAt: performance.now() });
    }
  };

  let t0: number | undefined;
  let marks: Partial<Record<Mark, number>> = {};
  let outgoingBefore = new Set<string>();
  let poll: ReturnType<typeof setTimeout> | undefined;
  const waiters = new Set<() => void>();
  const set = (name: Mark, at = performance.now()) => {
    if (t0 === undefined || marks[name] !== undefined) return;
    marks = { ...marks, [name]: at - t0 };
    for (const w of [...waiters]) w();
  };

  const pollRtp = async () => {
    poll = undefined;
    const start = t0;
    if (start === undefined || marks.rtp !== undefined) return;
    for (const { pc, createdAt } of connections) {
      if (createdAt < start || pc.signalingState === 'closed' || pc.getTransceivers().length === 0) continue;
      const stats = await pc.getStats();
      let got = false;
      stats.forEach((s: { type: string; kind?: string; bytesReceived?: number }) => {
        if (s.type === 'inbound-rtp' && s.kind === 'audio' && (s.bytesReceived ?? 0) > 0) got = true;
      });
      if (got && t0 === start) set('rtp');
    }
    if (t0 === start && marks.rtp === undefined && performance.now() - start < 30_000) poll = setTimeout(() => void pollRtp(), POLL_MS);
  };

  const phone = (): PhoneLike | undefined => w.chordphone?.phone;
  let watched: PhoneLike | undefined;
  const watchPhone = () => {
    const p = phone();
    if (!p || watched === p) return;
    watched = p;
    p.subscribe(() => {
      if (t0 === undefined) return;
      for (const c of p.snapshot().calls) {
        if (c.direction !== 'outgoing' || outgoingBefore.has(c.id)) continue;
        if (c.state === 'ringing' || c.state === 'connected') set('ringing');
        if (c.state === 'connected') set('confirmed');
      }
    });
  };

  document.addEventListener(
    'click',
    (e) => {
      const button = e.target instanceof Element ? e.target.closest('button') : null;
      const name = button?.getAttribute('aria-label') ?? button?.textContent?.trim();
      if (name !== 'Call') return;
      t0 = performance.now();
      marks = {};
      watchPhone();
      outgoingBefore = new Set(phone()?.snapshot().calls.map((c) => c.id) ?? []);
      if (poll !== undefined) clearTimeout(poll);
      poll = setTimeout(() => void pollRtp(), POLL_MS);
    },
    { capture: true },
  );

  w.__callSetup = {
    mark: (name) => set(name),
    result: (timeoutMs) =>
      new Promise<CallTiming>((resolve, reject) => {
        const check = () => {
          const { ringing, confirmed, rtp } = marks;
          if (ringing === undefined || confirmed === undefined || rtp === undefined) return;
          waiters.delete(check);
          clearTimeout(timer);
          resolve({ ringing, confirmed, rtp });
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          const missing = (['ringing', 'confirmed', 'rtp'] as const).filter((m) => marks[m] === undefined);
          reject(new Error(t0 === undefined ? 'no click on Call was seen' : `no ${missing.join(', ')} within ${timeoutMs} ms of the click on Call`));
        }, timeoutMs);
        waiters.add(check);
        check();
      }),
    openMediaConnections: () => connections.filter(({ pc }) => pc.signalingState !== 'closed' && pc.getTransceivers().length > 0).length,
    autoAnswer: () => {
      const p = phone();
      if (!p) throw new Error('window.chordphone.phone is missing');
      p.onIncomingCall((call) => void call.answer());
    },
    phoneState: () => phone()?.state,
  };
}

install();
