import { describe, expect, it } from 'vitest';
import { compileWholeMatch } from '../reload/wire/config/index.js';
import type { AorDomains } from '../usages/sip/index.js';
import { AddressError, aorOfUri, parseCallAddress, type AddressErrorCode } from './address.js';

const D = 'chordphone.test';

describe('parseCallAddress', () => {
  it.each([
    ['bob', 'sip:bob@chordphone.test'],
    ['  Bob ', 'sip:bob@chordphone.test'],
    ['bob@chordphone.test', 'sip:bob@chordphone.test'],
    ['bob@ChordPhone.TEST', 'sip:bob@chordphone.test'],
    ['sip:bob@chordphone.test', 'sip:bob@chordphone.test'],
    ['SIP:bob@chordphone.test', 'sip:bob@chordphone.test'],
    ['sip:bob', 'sip:bob@chordphone.test'],
    ['<sip:bob@chordphone.test>', 'sip:bob@chordphone.test'],
    ['b%6Fb', 'sip:bob@chordphone.test'],
    ['anna.lisa_2+work', 'sip:anna.lisa_2+work@chordphone.test'],
  ])('%j → %s', (input, aor) => {
    expect(parseCallAddress(input, D).aor).toBe(aor);
  });

  it.each<[string, AddressErrorCode, RegExp]>([
    ['', 'empty', /Type the name/],
    ['   ', 'empty', /for example bob/],
    ['tel:+4930123', 'unsupported-scheme', /"tel:" addresses cannot be called/],
    ['sips:bob@chordphone.test', 'unsupported-scheme', /sips:/],
    ['bob smith', 'bad-user', /space/],
    ['@chordphone.test', 'bad-user', /nothing before the @/],
    ['sip:', 'empty', /^"sip:" has no user name after the scheme; type the name, for example sip:bob@chordphone\.test or just bob\.$/],
    ['<sip: >', 'empty', /no user name after the scheme/],
    ['bob@', 'bad-domain', /nothing after the @/],
    ['bob@example.org', 'other-overlay', /^bob@example\.org cannot be called here: this overlay serves only addresses in chordphone\.test; to call someone in chordphone\.test type just the name, for example bob\.$/],
    ['sip:bob@chordphone.test;transport=ws', 'has-parameters', /for example bob@chordphone\.test/],
    ['bo*b', 'bad-user', /not allowed/],
    ['.bob', 'bad-user', /not starting or ending with a dot/],
    ['bob@exa mple', 'bad-user', /space/],
    ['bob@-bad-.org', 'bad-domain', /not a domain name/],
    ['b%zzob', 'bad-user', /%-escape/],
  ])('%j → %s', (input, code, message) => {
    let caught: unknown;
    try {
      parseCallAddress(input, D);
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(AddressError);
    expect((caught as AddressError).code).toBe(code);
    expect((caught as AddressError).message).toMatch(message);
  });
});

describe('parseCallAddress in an overlay with an RFC 7904 §3.4 domain-restriction', () => {
  const pattern = (source: string) => ({ source, matcher: compileWholeMatch(source, { ignoreCase: true }) });
  const RFC_EXAMPLE: AorDomains = { kind: 'patterns', patterns: [pattern('dht\\.example\\.com'), pattern('.*\\.my\\.example')] };

  it.each<[string, AorDomains, string]>([
    ['bob@a.my.example', RFC_EXAMPLE, 'sip:bob@a.my.example'],
    ['sip:bob@DHT.example.com', RFC_EXAMPLE, 'sip:bob@dht.example.com'],
    ['bob@example.org', { kind: 'any' }, 'sip:bob@example.org'],
    ['bob', { kind: 'any' }, 'sip:bob@chordphone.test'],
    ['bob', { kind: 'patterns', patterns: [pattern('chordphone\\.test')] }, 'sip:bob@chordphone.test'],
  ])('%j is accepted → %s', (input, domains, aor) => {
    expect(parseCallAddress(input, D, domains).aor).toBe(aor);
  });

  it.each<[string, AorDomains, RegExp]>([
    // What is wrong (not on this overlay, which domains it serves) and how to fix it (what to type).
    ['bob@evil.example', RFC_EXAMPLE, /^bob@evil\.example cannot be called here: this overlay serves only addresses in dht\.example\.com or any domain ending in \.my\.example; type the full address, for example bob@dht\.example\.com\.$/],
    ['bob@my.example', RFC_EXAMPLE, /serves only addresses in dht\.example\.com or any domain ending in \.my\.example/],
    // A bare name gets the overlay's own domain, which these patterns leave out: said without contradicting itself.
    ['bob', RFC_EXAMPLE, /^A name alone means bob@chordphone\.test, but this overlay serves only addresses in dht\.example\.com or any domain ending in \.my\.example; type the full address, for example bob@dht\.example\.com\.$/],
    ['bob', { kind: 'patterns', patterns: [pattern('[a-z]+\\.corp')] }, /^A name alone means bob@chordphone\.test, but .*; type the full address, in one of those domains\.$/],
    // The overlay's own domain first among others: the others are named too.
    ['bob@x.example', { kind: 'patterns', patterns: [pattern('chordphone\\.test'), pattern('.*\\.my\\.example')] }, /serves only addresses in chordphone\.test or any domain ending in \.my\.example; to call someone in chordphone\.test type just the name, for example bob\.$/],
    ['bob@x.example', { kind: 'patterns', patterns: [pattern('[a-z]+\\.corp')] }, /serves only addresses in a domain matching the pattern \[a-z\]\+\\\.corp; type an address in one of those domains\.$/],
    ['bob@chordphone.test', { kind: 'patterns', patterns: [] }, /^No one can be called on this overlay: .*accepts no address domain at all.*ask whoever runs the overlay/],
    ['bob@example.org', { kind: 'overlay', domain: 'chordphone.test' }, /cannot be called here: this overlay serves only addresses in chordphone\.test; to call someone in chordphone\.test type just the name, for example bob\.$/],
  ])('%j is refused as other-overlay: %s', (input, domains, message) => {
    let caught: unknown;
    try {
      parseCallAddress(input, D, domains);
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(AddressError);
    expect((caught as AddressError).code).toBe('other-overlay');
    expect((caught as AddressError).message).toMatch(message);
  });
});

describe('aorOfUri: the AoR of a received From URI, as parseCallAddress writes it', () => {
  it.each<[string, string, string]>([
    ['bob', 'a.my.example', 'sip:bob@a.my.example'],
    // The key the recorder used for a user of our own domain (parseCallAddress of the user name): threads stored before keep it.
    ['Bob', 'Chordphone.Test', parseCallAddress('bob', D).aor],
    ['carol', D, parseCallAddress('carol', D).aor],
    // Not a user name the enrollment rules allow: kept as it came, the host lower-cased.
    ['Bad User', 'A.example', 'sip:Bad User@a.example'],
  ])('%s @ %s → %s', (user, host, aor) => expect(aorOfUri(user, host)).toBe(aor));
});
