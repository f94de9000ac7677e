import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { PhoneError } from '../../phone/index.js';
import { sendChat } from '../chat/send-chat.js';
import { createAppStoreHub, DEFAULT_APP_STORE_LIMITS } from '../store/index.js';
import { callRecordOf, formatDuration } from './call-record.js';
import { FakePhone, FakeSession, fakeCall } from './fake-session.js';
import { startRecorder } from './recorder.js';

const DOMAIN = 'test.example';
const BOB = `sip:bob@${DOMAIN}`;
let n = 0;

/** A session ready as a fresh user, its hub, a manual wall clock and a running recorder. */
function setup() {
  const session = new FakeSession();
  const hub = createAppStoreHub(session);
  const phone = new FakePhone(`sip:alice@${DOMAIN}`);
  let t = 1_000_000;
  const clock = { now: () => t, advance: (ms: number) => (t += ms) };
  const errors: unknown[] = [];
  const user = `alice-${n++}`;
  const ended: string[] = [];
  const stop = startRecorder(session, { hub, now: clock.now, onError: (e) => errors.push(e), onCallEnded: (aor) => ended.push(aor) });
  session.ready(user, DOMAIN, phone);
  const store = () => hub.storeFor(DOMAIN, `${user}@${DOMAIN}`);
  /** Waits for the recorder's writes to land. */
  const settle = async () => {
    for (let i = 0; i < 20; i++) await new Promise((r) => setTimeout(r, 0));
  };
  return { session, hub, phone, clock, errors, stop, store, settle, user, ended };
}

describe('startRecorder: calls into the history', () => {
  it('an incoming call nobody answered is a missed call, at the time it rang, with no talk time', async () => {
    const { phone, clock, store, settle, errors, ended } = setup();
    const ringAt = clock.now();
    phone.setCall(fakeCall('c1'));
    clock.advance(20_000);
    phone.setCall(fakeCall('c1', { state: 'failed', errorCode: 'cancelled' }));
    await settle();
    expect(errors).toEqual([]);
    const rows = await (await store()).history.list();
    expect(rows).toMatchObject([{ direction: 'in', aor: BOB, outcome: 'missed', start: ringAt, durationMs: 0, callId: 'c1' }]);
    expect(await (await store()).history.unseenMissed()).toBe(1);
    expect(ended).toEqual([BOB]);
  });

  it('an answered call counts only its connected part', async () => {
    const { phone, clock, store, settle } = setup();
    const dialAt = clock.now();
    phone.setCall(fakeCall('c2', { direction: 'outgoing', state: 'calling' }));
    clock.advance(500);
    phone.setCall(fakeCall('c2', { direction: 'outgoing', state: 'ringing' }));
    clock.advance(4_000);
    phone.setCall(fakeCall('c2', { direction: 'outgoing', state: 'connected' }));
    clock.advance(65_000);
    phone.setCall(fakeCall('c2', { direction: 'outgoing', state: 'connected', muted: true }));
    clock.advance(1_000);
    phone.setCall(fakeCall('c2', { direction: 'outgoing', state: 'ended' }));
    phone.setCall(fakeCall('c2', { direction: 'outgoing', state: 'ended' }));
    await settle();
    expect(await (await store()).history.list()).toMatchObject([{ direction: 'out', outcome: 'answered', start: dialAt, durationMs: 66_000 }]);
  });

  it('records every call of a phone that was replaced (user switch) in its own user\'s store', async () => {
    const { session, phone, store, settle, hub } = setup();
    phone.setCall(fakeCall('c3', { direction: 'outgoing', state: 'calling' }));
    const other = new FakePhone(`sip:carol@${DOMAIN}`);
    session.ready(`carol-${n++}`, DOMAIN, other);
    phone.setCall(fakeCall('c3', { direction: 'outgoing', state: 'failed', errorCode: 'busy' }));
    other.setCall(fakeCall('c4', { state: 'failed', errorCode: 'declined' }));
    await settle();
    expect((await (await store()).history.list()).map((r) => [r.callId, r.outcome])).toEqual([['c3', 'busy']]);
    const carol = await hub.storeFor(DOMAIN, session.getSnapshot().userName!);
    expect((await carol.history.list()).map((r) => [r.callId, r.outcome])).toEqual([['c4', 'rejected']]);
  });

  it('a call whose Call-ID (chosen by the caller, RFC 3261 §8.1.1.4) is longer than the store keeps is still recorded, once', async () => {
    const { session, hub, phone, store, settle, errors } = setup();
    const otherTab = new FakePhone(`sip:alice@${DOMAIN}`);
    const stop = startRecorder(session, { hub });
    session.set({ phone: otherTab as never });
    const longId = `${'x'.repeat(600)}@caller.example`;
    phone.setCall(fakeCall(longId, { state: 'failed', errorCode: 'cancelled' }));
    otherTab.setCall(fakeCall(longId, { state: 'failed', errorCode: 'cancelled' }));
    phone.setCall(fakeCall(`${'x'.repeat(600)}@other.example`, { state: 'failed', errorCode: 'cancelled' }));
    await settle();
    expect(errors).toEqual([]);
    expect((await (await store()).history.list()).map((r) => r.outcome)).toEqual(['missed', 'missed']);
    stop();
  });

  it('a call and a message from a caller whose From user (decoded, RFC 3261 §19.1.2) has a space, or is very long, are still recorded', async () => {
    const { phone, store, settle, errors } = setup();
    // PhoneCall.remoteAor and aorOfUri put JsSIP's decoded user (%20 → ' ') in the AoR as it came.
    const spaced = `sip:bad user@${DOMAIN}`;
    const long = `sip:${'l'.repeat(600)}@${DOMAIN}`;
    phone.setCall(fakeCall('s1', { remoteAor: spaced, state: 'failed', errorCode: 'cancelled' }));
    phone.setCall(fakeCall('s2', { remoteAor: long, state: 'failed', errorCode: 'cancelled' }));
    phone.receive({ direction: 'incoming', aor: spaced, text: 'hi', at: 1 });
    phone.receive({ direction: 'incoming', aor: long, text: 'hello', at: 2 });
    await settle();
    expect(errors).toEqual([]);
    const s = await store();
    const rows = await s.history.list();
    expect(rows.map((r) => r.outcome)).toEqual(['missed', 'missed']);
    expect(rows.map((r) => r.aor)).toContain(`sip:bad%20user@${DOMAIN}`);
    expect((await s.chat.thread(`sip:bad%20user@${DOMAIN}`)).map((m) => m.text)).toEqual(['hi']);
    expect((await s.chat.threads()).map((t) => t.last.text).sort()).toEqual(['hello', 'hi']);
  });

  it('stops recording when stopped', async () => {
    const { phone, store, settle, stop } = setup();
    stop();
    phone.setCall(fakeCall('c5', { state: 'failed', errorCode: 'cancelled' }));
    await settle();
    expect(await (await store()).history.list()).toEqual([]);
  });
});

describe('startRecorder: messages into chat threads', () => {
  it('appends received messages to the sender\'s thread, in order, and they count as unread', async () => {
    const { phone, store, settle } = setup();
    phone.receive({ direction: 'incoming', aor: BOB, text: 'one', at: 1 });
    phone.receive({ direction: 'incoming', aor: `sip:carol@${DOMAIN}`, text: 'hi', at: 2 });
    phone.receive({ direction: 'incoming', aor: BOB, text: 'two', at: 3 });
    await settle();
    const s = await store();
    expect((await s.chat.thread(BOB)).map((m) => [m.direction, m.text, m.status])).toEqual([
      ['in', 'one', 'received'],
      ['in', 'two', 'received'],
    ]);
    expect((await s.chat.threads()).map((t) => [t.aor, t.unread])).toEqual([
      [BOB, 2],
      [`sip:carol@${DOMAIN}`, 1],
    ]);
  });

  it('a message two tabs of the user both receive (forked) is kept once', async () => {
    const { session, hub, phone, store, settle } = setup();
    const otherTab = new FakePhone(`sip:alice@${DOMAIN}`);
    const stop = startRecorder(session, { hub });
    session.set({ phone: otherTab as never });
    phone.receive({ direction: 'incoming', aor: BOB, text: 'to both', at: 1, callId: 'msg-1' });
    otherTab.receive({ direction: 'incoming', aor: BOB, text: 'to both', at: 1, callId: 'msg-1' });
    await settle();
    expect((await (await store()).chat.thread(BOB)).map((m) => m.text)).toEqual(['to both']);
    stop();
  });

  it('a message sent through the chat view is kept once, delivered; a failed one is kept as failed', async () => {
    const { session, hub, phone, store, settle } = setup();
    await sendChat(session, hub, 'bob', 'hello bob', Date.now);
    phone.failNextSend = new PhoneError('not-online', 'bob is not online.');
    await expect(sendChat(session, hub, 'bob', 'are you there', Date.now)).rejects.toThrow('bob is not online.');
    await settle();
    expect((await (await store()).chat.thread(BOB)).map((m) => [m.direction, m.text, m.status])).toEqual([
      ['out', 'hello bob', 'delivered'],
      ['out', 'are you there', 'failed'],
    ]);
  });

  it('messages with another domain (RFC 7904 §3.4) go to that AoR\'s thread, and a sent one is kept once', async () => {
    const { session, hub, phone, store, settle } = setup();
    phone.domains = { kind: 'any' };
    const other = 'sip:bob@a.my.example';
    await sendChat(session, hub, 'bob@a.my.example', 'hello other bob', Date.now);
    phone.receive({ direction: 'incoming', aor: other, text: 'hi from a.my.example', at: 2 });
    await settle();
    const s = await store();
    expect((await s.chat.thread(other)).map((m) => [m.direction, m.text, m.status])).toEqual([
      ['out', 'hello other bob', 'delivered'],
      ['in', 'hi from a.my.example', 'received'],
    ]);
    expect(await s.chat.thread(BOB)).toEqual([]);
  });

  it('a received message longer than a thread keeps is kept cut, saying so, not dropped', async () => {
    const { phone, store, settle, errors } = setup();
    const long = 'a'.repeat(DEFAULT_APP_STORE_LIMITS.messageChars + 500);
    phone.receive({ direction: 'incoming', aor: BOB, text: long, at: 1, callId: `${'m'.repeat(600)}@bob` });
    await settle();
    expect(errors).toEqual([]);
    const [kept] = await (await store()).chat.thread(BOB);
    expect(kept?.text.length).toBeLessThanOrEqual(DEFAULT_APP_STORE_LIMITS.messageChars);
    expect(kept?.text.startsWith('a'.repeat(9_000))).toBe(true);
    expect(kept?.text).toMatch(/10,500 characters/);
  });

  it('a message sent some other way (straight through the Phone) is still kept', async () => {
    const { phone, store, settle } = setup();
    await phone.sendMessage(BOB, 'direct');
    await settle();
    expect((await (await store()).chat.thread(BOB)).map((m) => [m.direction, m.text, m.status])).toEqual([['out', 'direct', 'delivered']]);
  });
});

describe('callRecordOf', () => {
  const times = { start: 100, connectedAt: undefined, endedAt: 900 };
  it.each([
    ['incoming, caller gave up', fakeCall('x', { state: 'failed', errorCode: 'cancelled' }), 'in', 'missed'],
    ['incoming, timed out', fakeCall('x', { state: 'failed', errorCode: 'no-answer' }), 'in', 'missed'],
    ['incoming, we declined', fakeCall('x', { state: 'failed', errorCode: 'declined' }), 'in', 'rejected'],
    ['incoming, no microphone', fakeCall('x', { state: 'failed', errorCode: 'microphone-denied' }), 'in', 'failed'],
    ['outgoing, busy', fakeCall('x', { direction: 'outgoing', state: 'failed', errorCode: 'busy' }), 'out', 'busy'],
    ['outgoing, declined', fakeCall('x', { direction: 'outgoing', state: 'failed', errorCode: 'declined' }), 'out', 'rejected'],
    ['outgoing, not online', fakeCall('x', { direction: 'outgoing', state: 'failed', errorCode: 'not-online' }), 'out', 'unavailable'],
    ['outgoing, no such user', fakeCall('x', { direction: 'outgoing', state: 'failed', errorCode: 'not-found' }), 'out', 'unavailable'],
    ['outgoing, no answer', fakeCall('x', { direction: 'outgoing', state: 'failed', errorCode: 'no-answer' }), 'out', 'no-answer'],
    ['outgoing, we hung up first', fakeCall('x', { direction: 'outgoing', state: 'failed', errorCode: 'cancelled' }), 'out', 'cancelled'],
    ['outgoing, something else', fakeCall('x', { direction: 'outgoing', state: 'failed', errorCode: 'failed' }), 'out', 'failed'],
  ] as const)('%s', (_name, call, direction, outcome) => {
    expect(callRecordOf(call, times)).toEqual({ direction, aor: BOB, start: 100, durationMs: 0, outcome, callId: 'x' });
  });

  it('a call that connected is answered, however it ended', () => {
    expect(callRecordOf(fakeCall('x', { state: 'failed', errorCode: 'unreachable' }), { start: 1, connectedAt: 300, endedAt: 5300 })).toMatchObject({ outcome: 'answered', durationMs: 5000 });
  });

  it.each([
    [0, '0:00'],
    [7_400, '0:07'],
    [723_000, '12:03'],
    [3_723_000, '1:02:03'],
  ])('formatDuration(%i) = %s', (ms, text) => expect(formatDuration(ms)).toBe(text));
});
