/**
 * The baseline's test page (bundled with JsSIP as an IIFE by `bundles.ts`, served by
 * `page-server.ts`): a JsSIP UA registered to Kamailio over WebSocket, with the controls the
 * product's call screen has ("User name", "Join", "Call address", "Call", "Hang up"), so the bench
 * drives both systems the same way. JsSIP as the product uses it (src/phone/phone.ts): no
 * STUN/TURN, and the INVITE / 200 not held back by ICE gathering: `ready()` at the first candidate
 * (default, as the Phone does without ICE servers) or, with ?quietMs=N, once host candidates stop
 * coming for N ms. The microphone stream is acquired once at Join (kamailio-baseline.md's
 * fastest setup). Incoming calls are answered at once. Ringing / confirmed go to the probe.
 */
import { UA, WebSocketInterface } from 'jssip';
import type { RTCSession } from 'jssip/lib/RTCSession.js';
import type { CallSetupProbe } from './probe.js';

interface IceEvent {
  readonly candidate: RTCIceCandidate | null;
  ready(): void;
}

const params = new URLSearchParams(location.search);
const wsUrl = params.get('ws') ?? '';
const quietMs = Number(params.get('quietMs') ?? Number.NaN);
const DOMAIN = 'kamailio.test';

const probe = () => (globalThis as unknown as { __callSetup?: CallSetupProbe }).__callSetup;

function iceReadiness(): (e: IceEvent) => void {
  let done = false;
  let quiet: ReturnType<typeof setTimeout> | undefined;
  return (e) => {
    const go = () => {
      if (done) return;
      done = true;
      clearTimeout(quiet);
      e.ready();
    };
    if (!(quietMs >= 0)) return go();
    clearTimeout(quiet);
    quiet = setTimeout(go, quietMs);
  };
}

function control<K extends 'input' | 'button'>(tag: K, label: string): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  if (tag === 'button') el.textContent = label;
  else el.setAttribute('aria-label', label);
  document.body.append(el);
  return el;
}

const userName = control('input', 'User name');
const join = control('button', 'Join');
const address = control('input', 'Call address');
const call = control('button', 'Call');
const hangUp = control('button', 'Hang up');
const status = document.createElement('p');
status.setAttribute('role', 'status');
document.body.append(status);
call.disabled = true;
hangUp.disabled = true;

let ua: UA | undefined;
let stream: MediaStream | undefined;
let current: RTCSession | undefined;

function track(session: RTCSession): void {
  current = session;
  hangUp.disabled = false;
  const end = () => {
    if (current === session) current = undefined;
    hangUp.disabled = current === undefined;
  };
  session.on('ended', end);
  session.on('failed', (e: { cause: string }) => {
    status.textContent = `call failed: ${e.cause}`;
    end();
  });
}

join.addEventListener('click', () => {
  void (async () => {
    stream = await navigator.mediaDevices.getUserMedia({ audio: true, video: false });
    ua = new UA({ sockets: [new WebSocketInterface(wsUrl)], uri: `sip:${userName.value}@${DOMAIN}`, register: true, user_agent: 'Chordphone bench baseline' });
    ua.on('registered', () => {
      status.textContent = 'registered';
      status.dataset.phase = 'registered';
      call.disabled = false;
    });
    ua.on('registrationFailed', (e) => {
      status.textContent = `registration failed: ${String(e.cause)}`;
    });
    ua.on('newRTCSession', (e: { originator: string; session: RTCSession }) => {
      if (e.originator !== 'remote') return;
      track(e.session);
      e.session.on('icecandidate', iceReadiness());
      e.session.answer({ mediaStream: stream, pcConfig: {} } as never);
    });
    ua.start();
  })().catch((e: unknown) => (status.textContent = `join failed: ${String(e)}`));
});

call.addEventListener('click', () => {
  if (!ua || !stream) return;
  const session = ua.call(`sip:${address.value}@${DOMAIN}`, {
    mediaStream: stream,
    pcConfig: {},
    eventHandlers: {
      icecandidate: iceReadiness(),
      progress: () => probe()?.mark('ringing'),
      confirmed: () => probe()?.mark('confirmed'),
    },
  } as never) as RTCSession;
  track(session);
});

hangUp.addEventListener('click', () => current?.terminate());
