import { describe, expect, it } from 'vitest';
import { prepareUserName } from '../../reload/security/user-name.js';
import { checkUserName, joinErrorText } from './name-rules.js';

describe('first-run user name check', () => {
  it('accepts what the enrollment server issues, and shows the full name once the domain is known', () => {
    expect(checkUserName('Alice', 'chordphone.local')).toEqual({ kind: 'ok', local: 'alice', userName: 'alice@chordphone.local' });
    expect(checkUserName('bob.smith+work', undefined)).toEqual({ kind: 'ok', local: 'bob.smith+work', userName: undefined });
    expect(checkUserName('carol@chordphone.local', 'chordphone.local')).toMatchObject({ kind: 'ok', userName: 'carol@chordphone.local' });
    expect(checkUserName('   ', 'chordphone.local')).toEqual({ kind: 'empty' });
  });

  it.each(['al ice', 'élodie', '.alice', 'alice.', 'a..b', 'x'.repeat(65), 'a@b@c'])('refuses %j exactly when the server would', (typed) => {
    const check = checkUserName(typed, 'chordphone.local');
    expect(check.kind).toBe('invalid');
    // The same rule as the enrollment server, not a second one.
    expect('error' in prepareUserName(typed, 'chordphone.local')).toBe(true);
    if (check.kind === 'invalid') expect(check.error).toMatch(/^[A-Z"]/);
  });

  it('refuses another overlay’s domain, saying what to type', () => {
    expect(checkUserName('dave@elsewhere.example', 'chordphone.local')).toEqual({ kind: 'invalid', error: 'User names in this overlay end in @chordphone.local: type just dave.' });
  });

  it('says a taken name in plain words with the fix', () => {
    expect(joinErrorText('the user name bob@chordphone.local is already taken by someone else: choose another one')).toBe(
      'The user name bob@chordphone.local is already taken by someone else. Choose another user name and press Join again.',
    );
    expect(joinErrorText('the overlay closed before it joined')).toBe('The overlay closed before it joined.');
  });
});
