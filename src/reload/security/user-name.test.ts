import { describe, expect, it } from 'vitest';
import { isPlausibleUserName, prepareUserName } from './user-name.js';

describe('prepareUserName (our §11.3 string preparation)', () => {
  it.each([
    ['alice', 'alice@chordphone.test'],
    ['  Alice ', 'alice@chordphone.test'],
    ['Bob.Smith@Chordphone.Test', 'bob.smith@chordphone.test'],
    ['a_b+c-d', 'a_b+c-d@chordphone.test'],
    ['x@other.example', 'x@other.example'],
  ])('%j → %s', (input, expected) => {
    expect(prepareUserName(input, 'chordphone.test')).toEqual({ userName: expected });
  });

  it.each([
    ['', /empty/],
    ['al ice', /ASCII/],
    ['al\u0000ice', /ASCII/],
    ['élodie', /ASCII/],
    ['.alice', /not allowed/],
    ['alice.', /not allowed/],
    ['al..ice', /not allowed/],
    ['a@b@c', /one @/],
    ['alice@-bad-.test', /not a domain/],
    ['x'.repeat(65), /not allowed/],
  ])('refuses %j', (input, reason) => {
    const r = prepareUserName(input, 'chordphone.test');
    expect('error' in r && r.error).toMatch(reason);
  });
});

describe('isPlausibleUserName (received certificates)', () => {
  it('accepts any printable rfc822Name with one @', () => {
    expect(isPlausibleUserName('Alice@Example.ORG')).toBe(true);
    expect(isPlausibleUserName('a@b')).toBe(true);
  });
  it('refuses names without a local part or domain, with spaces or NULs', () => {
    for (const n of ['@b', 'a@', 'ab', 'a b@c', 'a\u0000@b', 'a@b@c']) expect(isPlausibleUserName(n), n).toBe(false);
  });
});
