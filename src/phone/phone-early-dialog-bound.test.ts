/**
 * A callee that sends 180s with ever new To tags: each would make an early dialog in JsSIP
 * (RTCSession._createDialog: _earlyDialogs and UA._dialogs), kept until the INVITE's final; the
 * socket passes up the provisionals of at most MAX_EARLY_PER_PEER tags per branch (ResponseContext).
 */
import { describe, expect, it } from 'vitest';
import { alicePhone, jsSipGlobals } from './testing/jssip-phone.js';
import { flush } from './testing/socket-world.js';
import { sipResponse } from './testing/sip-messages.js';

describe('Phone: a callee that sends 180s with ever new To tags', () => {
  jsSipGlobals();

  it('the caller\'s early dialogs stay bounded (here: at most 16, DialogPeers\' own bound) however many 180s with new tags come', async () => {
    const w = await alicePhone();
    await w.phone.call('dave');
    await flush();
    const invite = w.dave.sent.find((m) => m.kind === 'request' && m.method === 'INVITE')!;
    for (let i = 0; i < 2000; i++) w.dave.deliver(sipResponse(invite, 180, `flood${i}`, w.daveGruu, 'Ringing'));
    await flush();
    const ua = (w.phone as unknown as { ua: { _dialogs: Record<string, unknown> } }).ua;
    expect(Object.keys(ua._dialogs).length).toBeLessThanOrEqual(16);
    await w.phone.stop();
  });
});
