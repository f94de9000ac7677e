/**
 * ResponseContext (RFC 3261 §16.7 over OverlaySocket's branches), driven with scripted devices on
 * fake SIP channels. overlay-socket.test.ts covers it over a real overlay.
 */
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../reload/testing/manual-clock.js';
import { MAX_EARLY_PER_PEER } from './dialog-peers.js';
import { DEFAULT_TIMER_C_MS, ResponseContext } from './response-context.js';
import { buildCancel, buildNon2xxAck, withHeaders, type SipMessage } from './sip-message.js';
import { fakeSipChannel as device, type FakeSipChannel as Device } from './testing/fake-sip-channel.js';
import { parsed, sipRequest, sipResponse } from './testing/sip-messages.js';

/** Alice's request `method` to dave (one Call-ID and branch for the whole file). */
function request(method: string): SipMessage {
  return parsed(sipRequest(method, 'sip:dave@d', { via: 'alice.invalid', from: 'sip:alice@d', fromTag: 'atag', to: 'sip:dave@d', callId: 'ctx', cseq: 7, branch: 'z9hG4bKctx' }));
}

/** Device `tag`'s response to `req` (to its CANCEL when `method` is CANCEL), Contact its GRUU. */
function response(req: SipMessage, status: number, tag: string, method = req.method): SipMessage {
  const to = method === req.method ? req : parsed(buildCancel(req));
  return parsed(sipResponse(to, status, tag, `sip:dave@d;gr=${tag}`));
}

/** A context for `method` over `devices` on a virtual clock, and what went up to the UA ("status method", and the messages). */
function start(method: string, devices: Device[]) {
  const req = request(method);
  const up: string[] = [];
  const upMessages: SipMessage[] = [];
  const clock = new ManualClock();
  let cancels = 0;
  let n = 0;
  const ctx = new ResponseContext(req, devices, {
    up: (m) => {
      upMessages.push(m);
      up.push(`${m.status} ${m.method}`);
    },
    send: (ch, raw) => ch.send(raw),
    cancelled: () => cancels++,
    token: () => `t${n++}`,
    domain: 'd',
    clock,
  });
  return { req, ctx, up, upMessages, clock, cancels: () => cancels };
}

const methods = (d: Device) => d.sent.map((m) => m.method);

describe('ResponseContext', () => {
  it('forked INVITE: a 6xx from one device CANCELs the branches still ringing, and goes up once they are final (RFC 3261 §16.7 step 5)', () => {
    const [a, b] = [device(1), device(2)];
    const { req, ctx, up, cancels } = start('INVITE', [a, b]);
    ctx.response(a, response(req, 180, 'a'));
    ctx.response(b, response(req, 180, 'b'));
    ctx.response(a, response(req, 603, 'a'));
    expect(methods(a)).toEqual(['INVITE', 'ACK']);
    expect(methods(b)).toEqual(['INVITE', 'CANCEL']);
    expect(b.sent[1]).toMatchObject({ branch: 'z9hG4bKctx', cseq: 7 });
    expect(cancels()).toBe(1);
    expect(up).toEqual(['180 INVITE', '180 INVITE']); // the 6xx waits for the other branch
    ctx.response(b, response(req, 200, 'b', 'CANCEL'));
    ctx.response(b, response(req, 487, 'b'));
    expect(methods(b)).toEqual(['INVITE', 'CANCEL', 'ACK']);
    expect(up).toEqual(['180 INVITE', '180 INVITE', '603 INVITE']);
    expect(ctx.ringing).toBe(false);
  });

  it('a branch with no provisional yet gets its CANCEL only at its first provisional (RFC 3261 §9.1)', () => {
    const [a, b, c] = [device(1), device(2), device(3)];
    const { req, ctx, up } = start('INVITE', [a, b, c]);
    ctx.response(a, response(req, 180, 'a'));
    ctx.response(a, response(req, 200, 'a'));
    expect(methods(b)).toEqual(['INVITE']);
    ctx.response(b, response(req, 100, 'b'));
    expect(methods(b)).toEqual(['INVITE', 'CANCEL']);
    // c answers before any provisional: no CANCEL at all ("an effective no-op").
    ctx.response(c, response(req, 486, 'c'));
    ctx.response(c, response(req, 180, 'c'));
    expect(methods(c)).toEqual(['INVITE', 'ACK']);
    expect(up).toEqual(['180 INVITE', '200 INVITE']);
  });

  it('after a 6xx, a 2xx from another branch still goes up (§16.7 step 5), the 6xx never', () => {
    const [a, b] = [device(1), device(2)];
    const { req, ctx, up } = start('INVITE', [a, b]);
    ctx.response(a, response(req, 603, 'a'));
    ctx.response(b, response(req, 200, 'b'));
    expect(up).toEqual(['200 INVITE']);
    expect(methods(b)).toEqual(['INVITE']); // no CANCEL: b had no provisional, then its final
  });

  it('the UA\'s CANCEL of a forked INVITE goes to each ringing branch after its first provisional; its answers go up', () => {
    const [a, b] = [device(1), device(2)];
    const { req, ctx, up, cancels } = start('INVITE', [a, b]);
    ctx.response(a, response(req, 180, 'a'));
    const cancel = request('CANCEL');
    ctx.fromUa(cancel);
    expect(methods(a)).toEqual(['INVITE', 'CANCEL']);
    expect(methods(b)).toEqual(['INVITE']);
    ctx.response(b, response(req, 180, 'b'));
    expect(methods(b)).toEqual(['INVITE', 'CANCEL']);
    ctx.response(a, response(req, 200, 'a', 'CANCEL'));
    expect(up).toEqual(['180 INVITE', '180 INVITE', '200 CANCEL']);
    expect(cancels()).toBe(0);
  });

  it('a 2xx that crosses the UA\'s CANCEL is ACKed and ended with BYE here, and does not go up (RFC 3261 §13.2.2.4, §15)', () => {
    const [a, b] = [device(1), device(2)];
    const { req, ctx, up } = start('INVITE', [a, b]);
    ctx.response(a, response(req, 180, 'a'));
    ctx.response(b, response(req, 180, 'b'));
    ctx.fromUa(parsed(buildCancel(req)));
    ctx.response(a, response(req, 200, 'a'));
    expect(methods(a)).toEqual(['INVITE', 'CANCEL', 'ACK', 'BYE']);
    expect(a.sent[3]).toMatchObject({ callId: 'ctx', toTag: 'a' });
    ctx.response(b, response(req, 487, 'b'));
    expect(up).toEqual(['180 INVITE', '180 INVITE', '487 INVITE']);
    expect(ctx.ringing).toBe(false);
  });

  it('a branch\'s provisionals go up with at most MAX_EARLY_PER_PEER To tags (each an early dialog in the UA); a tag seen still passes', () => {
    const a = device(1);
    const { req, ctx, up, upMessages } = start('INVITE', [a]);
    for (let i = 0; i < MAX_EARLY_PER_PEER + 4; i++) ctx.response(a, response(req, 180, `t${i}`));
    expect(new Set(upMessages.map((m) => m.toTag)).size).toBe(MAX_EARLY_PER_PEER);
    ctx.response(a, response(req, 183, 't0'));
    ctx.response(a, response(req, 200, 't99'));
    expect(up.slice(-2)).toEqual(['183 INVITE', '200 INVITE']);
  });

  it('a 2xx that crosses the UA\'s CANCEL is the branch\'s 487 for the UA, last branch or only one (RFC 3261 §9.2), and its ACK stays here (§17.1.1.3)', () => {
    // Forked, the crossing 2xx the last final: the context still answers the UA.
    const [a, b] = [device(1), device(2)];
    const forked = start('INVITE', [a, b]);
    forked.ctx.response(a, response(forked.req, 180, 'a'));
    forked.ctx.response(b, response(forked.req, 180, 'b'));
    forked.ctx.fromUa(parsed(buildCancel(forked.req)));
    forked.ctx.response(b, response(forked.req, 487, 'b'));
    forked.ctx.response(a, response(forked.req, 200, 'a'));
    expect(forked.up).toEqual(['180 INVITE', '180 INVITE', '487 INVITE']);
    // One branch: the 487 is made here; the UA's ACK of it goes to no device.
    const c = device(3);
    const single = start('INVITE', [c]);
    single.ctx.response(c, response(single.req, 180, 'c'));
    single.ctx.fromUa(parsed(buildCancel(single.req)));
    single.ctx.response(c, response(single.req, 200, 'c'));
    expect(single.up).toEqual(['180 INVITE', '487 INVITE']);
    single.ctx.fromUa(parsed(buildNon2xxAck(single.req, single.upMessages[1]!)));
    expect(methods(c)).toEqual(['INVITE', 'CANCEL', 'ACK', 'BYE']);
    expect(single.ctx.ringing).toBe(false);
  });

  it('forked INVITE: a branch whose channel closes counts as a 503 (RFC 3261 §16.9): the other device\'s 486 goes up', () => {
    const [a, b] = [device(1), device(2)];
    const { req, ctx, up } = start('INVITE', [a, b]);
    ctx.response(a, response(req, 180, 'a'));
    b.close();
    expect(up).toEqual(['180 INVITE']);
    ctx.response(a, response(req, 486, 'a'));
    expect(up).toEqual(['180 INVITE', '486 INVITE']);
  });

  it('one device whose channel closes after its 180: a 503 with a Warning goes up (RFC 3261 §8.1.3.1)', () => {
    const a = device(1);
    const { req, ctx, upMessages: up } = start('INVITE', [a]);
    ctx.response(a, response(req, 180, 'a'));
    a.close();
    a.close();
    expect(up.map((m) => m.status)).toEqual([180, 503]);
    expect(up[1]).toMatchObject({ callId: 'ctx', branch: 'z9hG4bKctx', cseq: 7, method: 'INVITE' });
    expect(up[1]!.headers.find(([k]) => k === 'warning')![1]).toMatch(/channel closed/);
    expect(ctx.ringing).toBe(false);
  });

  it('a device whose channel does not take the request counts as a 503 at once', () => {
    const [a, b] = [device(1, false), device(2)];
    const { req, ctx, up } = start('INVITE', [a, b]);
    ctx.response(b, response(req, 480, 'b'));
    expect(up).toEqual(['480 INVITE']);
  });

  it('a channel closing after its branch\'s final changes nothing', () => {
    const [a, b] = [device(1), device(2)];
    const { req, ctx, up } = start('INVITE', [a, b]);
    ctx.response(a, response(req, 486, 'a'));
    a.close();
    expect(up).toEqual([]);
    ctx.response(b, response(req, 603, 'b'));
    expect(up).toEqual(['603 INVITE']);
  });

  it('a disposed context no longer watches its channels', () => {
    const a = device(1);
    const { req, ctx, up } = start('INVITE', [a]);
    ctx.response(a, response(req, 180, 'a'));
    ctx.dispose();
    a.close();
    expect(up).toEqual(['180 INVITE']);
  });

  it('forked MESSAGE: a non-2xx final is held, the other device\'s 2xx goes up at once and alone; no ACK or CANCEL (RFC 3261 §16.7 step 5)', () => {
    const [a, b, c] = [device(1), device(2), device(3)];
    const { req, ctx, up, cancels } = start('MESSAGE', [a, b, c]);
    ctx.response(a, response(req, 480, 'a'));
    expect(up).toEqual([]);
    ctx.response(b, response(req, 200, 'b'));
    expect(up).toEqual(['200 MESSAGE']);
    ctx.response(c, response(req, 202, 'c'));
    c.close();
    expect(up).toEqual(['200 MESSAGE']);
    for (const d of [a, b, c]) expect(methods(d)).toEqual(['MESSAGE']);
    expect(cancels()).toBe(0);
  });

  it('forked MESSAGE with no 2xx: the best final goes up once every device is final (§16.7 step 6)', () => {
    const [a, b, c] = [device(1), device(2), device(3)];
    const { req, ctx, up } = start('MESSAGE', [a, b, c]);
    ctx.response(a, response(req, 486, 'a'));
    ctx.response(b, response(req, 480, 'b'));
    expect(up).toEqual([]);
    c.close();
    expect(up).toEqual(['480 MESSAGE']);
    expect(ctx.ringing).toBe(false);
  });

  it('one device: every response passes up unchanged, and the UA\'s ACK and CANCEL go through', () => {
    const a = device(1);
    const { req, ctx, up } = start('INVITE', [a]);
    ctx.response(a, response(req, 180, 'a'));
    ctx.fromUa(request('CANCEL'));
    ctx.response(a, response(req, 200, 'a', 'CANCEL'));
    ctx.response(a, response(req, 487, 'a'));
    ctx.response(a, response(req, 487, 'a'));
    ctx.fromUa(request('ACK'));
    expect(up).toEqual(['180 INVITE', '200 CANCEL', '487 INVITE', '487 INVITE']);
    expect(methods(a)).toEqual(['INVITE', 'CANCEL', 'ACK']);
  });

  it('answers on a channel that is no branch are not its own', () => {
    const { req, ctx } = start('INVITE', [device(1)]);
    expect(ctx.response(device(9), response(req, 200, 'x'))).toBe(false);
  });

  it('forked: when only 503s came (here two closed channels), a 500 goes up with their Warnings, not a 503 (RFC 3261 §16.7 step 6)', () => {
    const [a, b] = [device(1), device(2)];
    const { ctx, up, upMessages } = start('INVITE', [a, b]);
    a.close();
    b.close();
    expect(up).toEqual(['500 INVITE']);
    expect(upMessages[0]!.headers.filter(([k]) => k === 'warning').map(([, v]) => v)).toEqual([expect.stringMatching(/channel closed/), expect.stringMatching(/channel closed/)]);
    expect(ctx.ringing).toBe(false);
  });

  it('forked: a 401 chosen carries the challenges of every 401 and 407 (RFC 3261 §16.7 step 7)', () => {
    const [a, b, c] = [device(1), device(2), device(3)];
    const { req, ctx, upMessages } = start('MESSAGE', [a, b, c]);
    ctx.response(a, withHeaders(response(req, 407, 'a'), [['Proxy-Authenticate', 'Digest realm="a"']]));
    ctx.response(b, withHeaders(response(req, 401, 'b'), [['WWW-Authenticate', 'Digest realm="b"']]));
    ctx.response(c, response(req, 480, 'c'));
    expect(upMessages.map((m) => m.status)).toEqual([401]);
    expect(upMessages[0]!.headers.filter(([k]) => k.endsWith('authenticate'))).toEqual([
      ['www-authenticate', 'Digest realm="b"'],
      ['proxy-authenticate', 'Digest realm="a"'],
    ]);
  });

  it('forked: a 503 and a 504 from the devices: the 504 goes up (RFC 3261 §16.7 step 6)', () => {
    const [a, b] = [device(1), device(2)];
    const { req, ctx, up } = start('INVITE', [a, b]);
    ctx.response(a, response(req, 503, 'a'));
    ctx.response(b, response(req, 504, 'b'));
    expect(up).toEqual(['504 INVITE']);
  });

  it('one device: its own 503 passes up unchanged (no proxy there)', () => {
    const a = device(1);
    const { req, ctx, up } = start('INVITE', [a]);
    ctx.response(a, response(req, 503, 'a'));
    expect(up).toEqual(['503 INVITE']);
  });

  describe('Timer C (RFC 3261 §16.6 step 11, §16.8)', () => {
    it('is more than 3 minutes', () => {
      expect(DEFAULT_TIMER_C_MS).toBeGreaterThan(180_000);
    });

    it('forked INVITE: a device that rings and never answers is CANCELed at Timer C; the other\'s 486 then goes up with its 487', () => {
      const [a, b] = [device(1), device(2)];
      const { req, ctx, up, clock } = start('INVITE', [a, b]);
      ctx.response(a, response(req, 180, 'a'));
      ctx.response(b, response(req, 180, 'b'));
      ctx.response(b, response(req, 486, 'b'));
      clock.advance(DEFAULT_TIMER_C_MS - 1);
      expect(methods(a)).toEqual(['INVITE']);
      clock.advance(1);
      expect(methods(a)).toEqual(['INVITE', 'CANCEL']);
      expect(a.sent[1]).toMatchObject({ branch: 'z9hG4bKctx', cseq: 7 });
      ctx.response(a, response(req, 200, 'a', 'CANCEL'));
      ctx.response(a, response(req, 487, 'a'));
      expect(up).toEqual(['180 INVITE', '180 INVITE', '486 INVITE']);
      expect(ctx.ringing).toBe(false);
    });

    it('a provisional other than 100 restarts it, a 100 does not (§16.7 step 2)', () => {
      const [a, b] = [device(1), device(2)];
      const { req, ctx, clock } = start('INVITE', [a, b]);
      ctx.response(a, response(req, 180, 'a'));
      ctx.response(b, response(req, 180, 'b'));
      clock.advance(DEFAULT_TIMER_C_MS - 1000);
      ctx.response(a, response(req, 100, 'a'));
      ctx.response(b, response(req, 183, 'b'));
      clock.advance(1000);
      expect(methods(a)).toEqual(['INVITE', 'CANCEL']); // the 100 did not restart a's
      expect(methods(b)).toEqual(['INVITE']);
      clock.advance(DEFAULT_TIMER_C_MS - 1000 - 1);
      expect(methods(b)).toEqual(['INVITE']);
      clock.advance(1);
      expect(methods(b)).toEqual(['INVITE', 'CANCEL']);
    });

    it('a device that sent nothing at all counts as a 408 at Timer C ("as if the transaction received a 408")', () => {
      const [a, b] = [device(1), device(2)];
      const { ctx, up, clock } = start('INVITE', [a, b]);
      clock.advance(DEFAULT_TIMER_C_MS);
      expect(methods(a)).toEqual(['INVITE']); // no CANCEL without a provisional (§9.1)
      expect(up).toEqual(['408 INVITE']);
      expect(ctx.ringing).toBe(false);
    });

    it('a 408 made here ranks after a device\'s own answer: the phone\'s 486 goes up, not the silent laptop\'s 408', () => {
      const [phone, laptop] = [device(1), device(2)];
      const { req, ctx, up, clock } = start('INVITE', [phone, laptop]);
      ctx.response(phone, response(req, 486, 'p'));
      clock.advance(DEFAULT_TIMER_C_MS);
      expect(up).toEqual(['486 INVITE']);
    });

    it('one device the UA CANCELed that never sends its final is given up after 64*T1 with a 408 (§9.1)', () => {
      const a = device(1);
      const { req, ctx, up, clock } = start('INVITE', [a]);
      ctx.response(a, response(req, 180, 'a'));
      ctx.fromUa(parsed(buildCancel(req)));
      expect(methods(a)).toEqual(['INVITE', 'CANCEL']);
      clock.advance(32_000);
      expect(up).toEqual(['180 INVITE', '408 INVITE']);
      expect(ctx.ringing).toBe(false);
    });

    it('a CANCELed device that never sends its final counts as a 408 after 64*T1 (§9.1 "consider the original transaction cancelled")', () => {
      const [a, b] = [device(1), device(2)];
      const { req, ctx, up, clock } = start('INVITE', [a, b]);
      ctx.response(a, response(req, 180, 'a'));
      ctx.response(b, response(req, 180, 'b'));
      ctx.response(b, response(req, 603, 'b'));
      expect(methods(a)).toEqual(['INVITE', 'CANCEL']);
      clock.advance(32_000);
      expect(up).toEqual(['180 INVITE', '180 INVITE', '603 INVITE']);
      expect(ctx.ringing).toBe(false);
    });

    it('one device with the UA still waiting: Timer C is reset, the UA decides how long it rings', () => {
      const a = device(1);
      const { req, ctx, up, clock } = start('INVITE', [a]);
      ctx.response(a, response(req, 180, 'a'));
      clock.advance(3 * DEFAULT_TIMER_C_MS);
      expect(methods(a)).toEqual(['INVITE']);
      expect(up).toEqual(['180 INVITE']);
      expect(ctx.ringing).toBe(true);
    });
  });

  describe('after the UA\'s INVITE transaction timed out with nothing received (Timer B)', () => {
    it('a device that rings later is CANCELed at its first provisional, and nothing goes up', () => {
      const [a, b] = [device(1), device(2)];
      const { req, ctx, up } = start('INVITE', [a, b]);
      ctx.uaTimedOut();
      ctx.response(a, response(req, 180, 'a'));
      expect(methods(a)).toEqual(['INVITE', 'CANCEL']);
      ctx.response(a, response(req, 200, 'a', 'CANCEL'));
      ctx.response(a, response(req, 487, 'a'));
      expect(methods(a)).toEqual(['INVITE', 'CANCEL', 'ACK']);
      expect(up).toEqual([]);
    });

    it('a device\'s late 2xx is ACKed and ended with BYE (§13.2.2.4), one device or several', () => {
      for (const n of [1, 2]) {
        const devices = [device(1), device(2)].slice(0, n);
        const { req, ctx, up } = start('INVITE', devices);
        ctx.uaTimedOut();
        ctx.response(devices[0]!, response(req, 200, 'a'));
        expect(methods(devices[0]!)).toEqual(['INVITE', 'ACK', 'BYE']);
        expect(devices[0]!.sent[2]).toMatchObject({ toTag: 'a', cseq: 8 });
        expect(up).toEqual([]);
      }
    });

    it('one device that never answers is given up at Timer C, as a proxy would', () => {
      const a = device(1);
      const { ctx, up, clock } = start('INVITE', [a]);
      ctx.uaTimedOut();
      clock.advance(DEFAULT_TIMER_C_MS);
      expect(ctx.ringing).toBe(false);
      expect(up).toEqual([]);
    });

    it('changes nothing once a response went up (the UA\'s transaction has no Timer B then)', () => {
      const a = device(1);
      const { req, ctx, up } = start('INVITE', [a]);
      ctx.response(a, response(req, 100, 'a'));
      ctx.uaTimedOut();
      ctx.response(a, response(req, 180, 'a'));
      expect(methods(a)).toEqual(['INVITE']);
      expect(up).toEqual(['100 INVITE', '180 INVITE']);
    });
  });
});
