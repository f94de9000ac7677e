import { describe, expect, it } from 'vitest';
import { buildGruu, SipUsageError, type SipUsageErrorCode } from '../usages/sip/index.js';
import { bestFinal, routingKey, statusForRoutingFailure } from './routing-outcomes.js';
import { parseSipMessage } from './sip-message.js';

const response = (status: number) =>
  parseSipMessage(`SIP/2.0 ${status} X\r\nVia: SIP/2.0/RELOAD a.invalid;branch=z9hG4bK1\r\nFrom: <sip:a@d>;tag=1\r\nTo: <sip:b@d>;tag=${status}\r\nCall-ID: c\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n`)!;

describe('routing outcomes', () => {
  it.each<[SipUsageErrorCode | 'other', number]>([
    ['not-registered', 480],
    ['registration-loop', 482],
    ['invalid-aor', 404],
    ['invalid-gruu', 404],
    ['foreign-domain', 404],
    ['overlay-failure', 408],
    ['other', 480],
  ])('%s → %i', (code, status) => {
    const e = code === 'other' ? new Error('boom') : new SipUsageError(code, 'x');
    expect(statusForRoutingFailure(e)[0]).toBe(status);
  });

  it.each([
    [[486, 603, 404], 603],
    [[486, 404, 500], 404],
    [[487], 487],
    [[503, 480], 480],
    [[600, 603], 600],
    [[486, 300], 300],
    // "give preference to responses that provide information affecting resubmission of this
    // request, such as 401, 407, 415, 420, and 484 if the 4xx class is chosen"
    [[404, 486, 407], 407],
    [[400, 484], 484],
    [[403, 415, 420], 415],
    [[408, 401, 500], 401],
    // a 503 is not forwarded when another 5xx can be
    [[503, 504], 504],
    [[503, 500, 502], 500],
  ])('best of %j is %i (RFC 3261 §16.7 step 6)', (codes, best) => {
    expect(bestFinal(codes.map(response)).status).toBe(best);
  });

  it('keys requests by the GRUU\'s device or by the AoR', () => {
    const id = new Uint8Array(16).fill(7);
    const gruu = buildGruu('sip:bob@d', id);
    expect(routingKey(gruu)).toBe(routingKey(`${gruu};ob`));
    expect(routingKey(gruu)).not.toBe(routingKey(buildGruu('sip:bob@d', new Uint8Array(16).fill(8))));
    expect(routingKey('sip:Bob@D;transport=ws')).toBe(routingKey('sip:bob@d'));
  });
});
