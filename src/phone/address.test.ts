import { describe, expect, it } from 'vitest';
import { AddressError, parseCallAddress, type AddressErrorCode } from './address.js';

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
    ['bob@', 'bad-domain', /nothing after the @/],
    ['bob@example.org', 'other-overlay', /not on this overlay \(chordphone\.test\).*type just the name, for example bob/],
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
