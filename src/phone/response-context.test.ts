/**
 * ResponseContext (RFC 3261 §16.7 over OverlaySocket's branches), driven with scripted devices on
 * fake SIP channels. overlay-socket.test.ts covers it over a real overlay.
 */
import { describe, expect, it } from 'vitest';
import type { AppChannel } from '../reload/links/app-channel.js';
import { ResponseContext } from './response-context.js';
import { parseSipMessage, type SipMessage } from './sip-message.js';

const CRLF = '\r\n';

/** A device's channel: what the context sent on it; `close()` as when its tab goes away. */
interface Device extends AppChannel {
  readonly sent: SipMessage[];
}

function device(n: number, takes = true): Device {
  const closeListeners = new Set<() => void>();
  let state: 'open' | 'closed' = 'open';
  const d: Device = {
    id: `ch${n}`,
    remoteNodeId: new Uint8Array(16).fill(n),
    application: 5060,
    get state() {
      return state;
    },
    sent: [],
    send(data) {
      if (state === 'closed' || !takes) return false;
      d.sent.push(parseSipMessage(String(data))!);
      return true;
    },
    onMessage: () => () => {},
    onClose(listener) {
      if (state === 'closed') {
        listener();
        return () => {};
      }
      closeListeners.add(listener);
      return () => closeListeners.delete(listener);
    },
    close() {
      if (state === 'closed') return;
      state = 'closed';
      for (const l of closeListeners) l();
    },
  };
  return d;
}

function request(method: string): SipMessage {
  return parseSipMessage(
    [`${method} sip:dave@d SIP/2.0`, 'Via: SIP/2.0/RELOAD alice.invalid;branch=z9hG4bKctx', 'Max-Forwards: 69', 'To: <sip:dave@d>', 'From: <sip:alice@d>;tag=atag', 'Call-ID: ctx', `CSeq: 7 ${method}`, 'Content-Length: 0', '', ''].join(CRLF),
  )!;
}

function response(req: SipMessage, status: number, tag: string, method = req.method): SipMessage {
  return parseSipMessage([`SIP/2.0 ${status} X`, 'Via: SIP/2.0/RELOAD alice.invalid;branch=z9hG4bKctx', 'From: <sip:alice@d>;tag=atag', `To: <sip:dave@d>;tag=${tag}`, 'Call-ID: ctx', `CSeq: 7 ${method}`, `Contact: <sip:dave@d;gr=${tag}>`, 'Content-Length: 0', '', ''].join(CRLF))!;
}

/** A context for `method` over `devices`, and what went up to the UA ("status method"). */
function start(method: string, devices: Device[]) {
  const req = request(method);
  const up: string[] = [];
  let cancels = 0;
  let n = 0;
  const ctx = new ResponseContext(req, devices, {
    up: (raw) => {
      const m = parseSipMessage(raw)!;
      up.push(`${m.status} ${m.method}`);
    },
    send: (ch, raw) => ch.send(raw),
    cancelled: () => cancels++,
    token: () => `t${n++}`,
    domain: 'd',
  });
  return { req, ctx, up, cancels: () => cancels };
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
    const cancel = parseSipMessage(req.raw.replace(/INVITE/g, 'CANCEL'))!;
    ctx.fromUa(cancel);
    expect(methods(a)).toEqual(['INVITE', 'CANCEL']);
    expect(methods(b)).toEqual(['INVITE']);
    ctx.response(b, response(req, 180, 'b'));
    expect(methods(b)).toEqual(['INVITE', 'CANCEL']);
    ctx.response(a, response(req, 200, 'a', 'CANCEL'));
    expect(up).toEqual(['180 INVITE', '180 INVITE', '200 CANCEL']);
    expect(cancels()).toBe(0);
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
    const req = request('INVITE');
    const up: SipMessage[] = [];
    const ctx = new ResponseContext(req, [a], { up: (raw) => up.push(parseSipMessage(raw)!), send: (ch, raw) => ch.send(raw), cancelled: () => {}, token: () => 'tok', domain: 'd' });
    ctx.response(a, response(req, 180, 'a'));
    a.close();
    a.close();
    expect(up.map((m) => m.status)).toEqual([180, 503]);
    expect(up[1]).toMatchObject({ callId: 'ctx', branch: 'z9hG4bKctx', cseq: 7, method: 'INVITE', toTag: 'tok' });
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
    ctx.fromUa(parseSipMessage(req.raw.replace(/INVITE/g, 'CANCEL'))!);
    ctx.response(a, response(req, 200, 'a', 'CANCEL'));
    ctx.response(a, response(req, 487, 'a'));
    ctx.response(a, response(req, 487, 'a'));
    ctx.fromUa(parseSipMessage(req.raw.replace(/INVITE/g, 'ACK'))!);
    expect(up).toEqual(['200 CANCEL', '487 INVITE', '487 INVITE']);
    expect(methods(a)).toEqual(['INVITE', 'CANCEL', 'ACK']);
  });

  it('answers on a channel that is no branch are not its own', () => {
    const { req, ctx } = start('INVITE', [device(1)]);
    expect(ctx.response(device(9), response(req, 200, 'x'))).toBe(false);
  });
});
