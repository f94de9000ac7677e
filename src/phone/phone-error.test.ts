import { describe, expect, it } from 'vitest';
import { compileWholeMatch } from '../reload/wire/config/index.js';
import { SipUsageError, type AorDomains } from '../usages/sip/index.js';
import { registrationFailure } from './phone-error.js';

describe('registrationFailure: what a person reads (style §9, by SipUsageError code)', () => {
  const mine: AorDomains = { kind: 'patterns', patterns: [{ source: 'dht\\.example\\.com', matcher: compileWholeMatch('dht\\.example\\.com') }] };
  const refusal = new SipUsageError('foreign-domain', 'alice@x.example is not in a domain this overlay accepts: only dht.example.com (RFC 7904 §3.4)');

  it('a user outside the overlay\'s AoR domains is told which domains it serves, without the RFC diagnostic', () => {
    const e = registrationFailure('alice@x.example', refusal, mine);
    expect(e.message).toBe('alice@x.example cannot be used on this overlay: it serves only addresses in dht.example.com. Join with a user name in one of those domains.');
  });

  it('an overlay accepting no domain at all says so', () => {
    expect(registrationFailure('alice@x.example', refusal, { kind: 'patterns', patterns: [] }).message).toMatch(/^No one can join .*accepts no address domain at all/);
  });

  it('other failures keep their cause', () => {
    expect(registrationFailure('alice@x.example', new Error('timed out'), mine).message).toBe('Could not register alice@x.example in the overlay: timed out');
  });
});
