/** PhoneCall over a scripted RTCSession (an EventEmitter standing for JsSIP's). */
import { EventEmitter } from 'node:events';
import type { RTCSession } from 'jssip/lib/RTCSession.js';
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../reload/runtime/components.js';
import { PhoneCall } from './phone-call.js';

describe('PhoneCall', () => {
  it('rejects an INVITE with Replaces naming the call (JsSIP would leave it unanswered until the app decides)', () => {
    const session = new EventEmitter();
    const call = new PhoneCall(session as unknown as RTCSession, 'incoming', async () => {});
    let rejected = 0;
    let accepted = 0;
    session.emit('replaces', { request: {}, reject: () => rejected++, accept: () => accepted++ });
    expect([rejected, accepted]).toEqual([1, 0]);
    expect(call.state).toBe('incoming');
  });

  it("a listener that throws stops neither the other listeners nor JsSIP's event (it is logged)", () => {
    const session = new EventEmitter();
    const errors: string[] = [];
    const log = { ...silentLogger, error: (message: string) => void errors.push(message) };
    const call = new PhoneCall(session as unknown as RTCSession, 'outgoing', async () => {}, log);
    const heard: string[] = [];
    call.onChange(() => {
      throw new Error('app bug');
    });
    call.onChange((c) => heard.push(c.state));
    expect(() => session.emit('progress', {})).not.toThrow();
    session.emit('confirmed', {});
    expect(heard).toEqual(['ringing', 'connected']);
    expect(errors).toEqual(['a call listener threw', 'a call listener threw']);
  });
});
