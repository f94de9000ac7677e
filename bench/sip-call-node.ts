/**
 * Issue 6, SIP by AoR in Node (the browser bench with the Kamailio baseline is separate): call
 * setup between two Phones over a 20-peer overlay (in-memory links with 1 ms latency, real X.509
 * signatures, JsSIP over OverlaySocket + AppAttach channels, @roamhq/wrtc audio). Per call: call()
 * → ringing at the caller (180), → connected; and a MESSAGE → 200 OK. The first call (lookup +
 * AppAttach) is reported apart from the next ones (lookup, channel reused). BENCH_SIP_CALLS sets
 * how many calls (default 20). Goal (issue 6): ≤ 400 ms median from call to ringing.
 */
import { systemClock } from '../src/platform/system-clock.js';
import { webCryptoRandom } from '../src/platform/web-crypto.js';
import { createAudioOut, exitBeforeWrtcTeardown, installWrtcGlobals, type AudioOut } from '../src/phone/node/wrtc-media.js';
import { Phone } from '../src/phone/phone.js';
import type { PhoneCall } from '../src/phone/phone-call.js';
import { buildSipOverlay } from '../src/usages/sip/testing/sip-overlay-fixture.js';
import { envInteger, fmt, table, type BenchModule, type BenchResult } from './bench.js';
import { summarize } from './call-setup/measure.js';

const GOAL_RINGING_MS = 400;

const until = (check: () => boolean) =>
  new Promise<void>((resolve) => {
    const poll = () => (check() ? resolve() : setTimeout(poll, 1));
    poll();
  });

export const sipCallNodeBench: BenchModule = {
  name: 'sip-call-node',
  description: 'Node phones, 20-peer overlay: call by AoR → ringing / connected, MESSAGE round trip',
  async run(): Promise<BenchResult> {
    installWrtcGlobals();
    exitBeforeWrtcTeardown();
    const calls = envInteger('BENCH_SIP_CALLS', 20, 2);
    const f = await buildSipOverlay({ peers: 20, users: ['alice', 'bob'] });
    const outs: AudioOut[] = [];
    const phoneOf = (name: string) => {
      const p = f.user(name);
      const getMedia = async () => {
        const out = createAudioOut();
        out.startTone();
        outs.push(out);
        return out.stream;
      };
      return new Phone({ overlay: p.peer, apps: p.apps, clock: systemClock, random: webCryptoRandom, getMedia }, { user: `${name}@${f.domain}`, domain: f.domain });
    };
    const alice = phoneOf('alice');
    const bob = phoneOf('bob');
    try {
      await Promise.all([alice.start(), bob.start()]);
      bob.onIncomingCall((c) => void c.answer());
      const ringing: number[] = [];
      const connected: number[] = [];
      const message: number[] = [];
      for (let i = 0; i < calls; i++) {
        const t0 = performance.now();
        const call: PhoneCall = await alice.call('bob');
        await until(() => call.state !== 'calling');
        ringing.push(performance.now() - t0);
        await until(() => call.state === 'connected');
        connected.push(performance.now() - t0);
        call.hangup();
        await until(() => call.state === 'ended');
        for (const o of outs.splice(0)) o.stop();
        const m0 = performance.now();
        await alice.sendMessage('bob', `message ${i}`);
        message.push(performance.now() - m0);
      }
      const row = (name: string, xs: number[]) => {
        const rest = summarize(xs.slice(1));
        return [name, fmt(xs[0] ?? NaN, 1), fmt(rest.median, 1), fmt(rest.p95, 1)];
      };
      console.log(table(['ms', 'first', 'median', 'p95'], [row('call → ringing', ringing), row('call → connected', connected), row('MESSAGE → 200', message)]));
      console.log(`AppAttaches: ${f.user('alice').apps.stats().appAttachesSent + f.user('bob').apps.stats().appAttachesSent} for ${calls} calls and ${calls} messages`);
      const ok = summarize(ringing).median <= GOAL_RINGING_MS;
      console.log(`goal: median call → ringing ≤ ${GOAL_RINGING_MS} ms: ${ok ? 'met' : 'NOT met'}`);
      return { ok };
    } finally {
      await alice.stop().catch(() => {});
      await bob.stop().catch(() => {});
      for (const o of outs) o.stop();
      f.close();
    }
  },
};
