import { describe, expect, it } from 'vitest';
import { FakePhone, FakeSession } from '../history/fake-session.js';
import { createSessionPresence } from './session-presence.js';

const flush = () => new Promise<void>((r) => setTimeout(r, 0));

describe('createSessionPresence', () => {
  it('has no scheduler before the session has a user, one per user after, and closes the old one on a switch', async () => {
    const session = new FakeSession();
    const looked: { aor: string; signal: AbortSignal }[] = [];
    const presence = createSessionPresence(session, {
      lookup: (aor, { signal }) => {
        looked.push({ aor, signal });
        return new Promise<boolean>(() => {});
      },
      init: { minIntervalMs: 0 },
    });
    let changes = 0;
    presence.subscribe(() => changes++);
    expect(presence.current()).toBeUndefined();

    session.ready('alice', 'x', new FakePhone('sip:alice@x'));
    const alice = presence.current();
    expect(alice).toBeDefined();
    presence.want('contacts', ['sip:bob@x']);
    expect(looked.map((l) => l.aor)).toEqual(['sip:bob@x']);

    // Same user, new phone (a ConfigUpdate restart): same scheduler.
    session.set({ phone: new FakePhone('sip:alice@x') as never });
    expect(presence.current()).toBe(alice);

    session.ready('carol', 'x', new FakePhone('sip:carol@x'));
    expect(presence.current()).not.toBe(alice);
    expect(looked[0]!.signal.aborted).toBe(true);
    expect(changes).toBe(2);
    presence.want('contacts', ['sip:dave@x']);
    await flush();
    expect(looked.map((l) => l.aor)).toEqual(['sip:bob@x', 'sip:dave@x']);
    presence.close();
    expect(looked[1]!.signal.aborted).toBe(true);
  });

  it('watches the union of its sources: an open chat thread does not drop the contacts', () => {
    const session = new FakeSession();
    const presence = createSessionPresence(session, { lookup: () => new Promise<boolean>(() => {}), init: { minIntervalMs: 0 } });
    session.ready('alice', 'x', new FakePhone('sip:alice@x'));
    presence.want('contacts', ['sip:bob@x', 'sip:carol@x']);
    presence.want('chat', ['sip:carol@x', 'sip:erin@x']);
    expect([...presence.current()!.getSnapshot().keys()].sort()).toEqual(['sip:bob@x', 'sip:carol@x', 'sip:erin@x']);
    presence.want('chat', undefined);
    expect([...presence.current()!.getSnapshot().keys()].sort()).toEqual(['sip:bob@x', 'sip:carol@x']);
    presence.close();
  });

  it('by default looks up on the overlay peer in use now, and cannot tell before it has joined', async () => {
    const session = new FakeSession({ peer: undefined });
    const presence = createSessionPresence(session, { init: { minIntervalMs: 0, timeoutMs: 60_000 } });
    session.ready('alice', 'x', new FakePhone('sip:alice@x'));
    presence.want('contacts', ['sip:bob@x']);
    await flush();
    await flush();
    expect(presence.current()!.get('sip:bob@x')).toMatchObject({ state: 'unknown', failed: true, checking: false });
    presence.close();
  });
});
