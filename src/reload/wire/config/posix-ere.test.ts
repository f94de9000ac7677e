import { describe, expect, it } from 'vitest';
import { compileWholeMatch, PosixEreError } from './posix-ere.js';

describe('POSIX ERE (RFC 7904 §3.4 domain patterns): whole-string matching', () => {
  const rows: [pattern: string, matches: string[], misses: string[]][] = [
    // The RFC 7904 §3.4 example: "<user>@dht.example.com, or ends with the domain my.example".
    ['dht\\.example\\.com', ['dht.example.com'], ['dhtxexample.com', 'a.dht.example.com', 'dht.example.com.evil', 'dht.example.co']],
    ['.*\\.my\\.example', ['a.my.example', 'x.y.my.example', '.my.example'], ['my.example', 'a.my.example.org', 'amy.example']],
    // An unescaped dot is any character.
    ['a.c', ['abc', 'a.c'], ['ac', 'abcd']],
    ['(dht|sip)\\.example\\.com', ['dht.example.com', 'sip.example.com'], ['dhtsip.example.com', 'example.com']],
    ['[a-z0-9-]+\\.example', ['a-1.example'], ['.example', 'a_1.example', 'a.b.example']],
    ['[[:alpha:]][[:digit:]]{2,3}', ['a12', 'b123'], ['a1', 'a1234', '1ab']],
    ['[^.]+\\.example', ['host.example'], ['a.b.example']],
    ['[]a]+', [']a]'], ['b']],
    ['[a-]x', ['ax', '-x'], ['bx']],
    ['[\\]', ['\\'], ['a']],
    ['a|b|c', ['a', 'b', 'c'], ['ab', '']],
    ['x{2}', ['xx'], ['x', 'xxx']],
    ['x{2,}', ['xx', 'xxxx'], ['x']],
    ['ab?c+', ['ac', 'abcc'], ['abbc']],
    ['^host\\.example$', ['host.example'], ['xhost.example']],
    ['a)', ['a)'], ['a']], // an unmatched ")" is ordinary (§9.4.3)
    ['\\(\\)\\*\\+\\?\\{\\|\\^\\$\\\\\\[\\.', ['()*+?{|^$\\[.'], ['']],
    ['a}b]/', ['a}b]/'], ['ab']],
    ['[[.-.]a]', ['-', 'a'], ['b']],
    ['[[=e=]]', ['e'], ['f']],
    ['[[:punct:]]', ['!', '/', '@', '[', '`', '~'], ['a', '0', ' ']],
  ];
  it.each(rows.map(([pattern, matches, misses]) => ({ pattern, matches, misses })))('$pattern', ({ pattern, matches, misses }) => {
    const re = compileWholeMatch(pattern);
    for (const s of matches) expect(re.test(s), `${pattern} should match ${s}`).toBe(true);
    for (const s of misses) expect(re.test(s), `${pattern} should not match ${s}`).toBe(false);
  });

  it('ignoreCase matches as REG_ICASE', () => {
    expect(compileWholeMatch('dht\\.example\\.com', { ignoreCase: true }).test('DHT.Example.COM')).toBe(true);
    expect(compileWholeMatch('dht\\.example\\.com').test('DHT.example.com')).toBe(false);
  });

  const invalid: [pattern: string, reason: RegExp, offset: number][] = [
    ['', /empty alternative/, 0],
    ['a||b', /empty alternative/, 2],
    ['(|a)', /empty alternative/, 1],
    ['*a', /nothing to repeat/, 0],
    ['a|+b', /nothing to repeat/, 2],
    ['^*a', /nothing to repeat/, 1],
    ['a**', /two repetitions/, 2],
    ['a{2}{3}', /two repetitions/, 4],
    ['{1}', /nothing to repeat/, 0],
    ['a{', /interval/, 1],
    ['a{x}', /interval/, 1],
    ['a{3,2}', /counts down/, 1],
    ['a{256}', /RE_DUP_MAX/, 1],
    ['(ab', /"\(" is not closed/, 0],
    ['[ab', /"\[" is not closed/, 0],
    ['a\\', /lone backslash/, 1],
    ['\\d+', /undefined in a POSIX ERE/, 0],
    ['a\\.b\\w', /undefined in a POSIX ERE/, 4],
    ['[[:word:]]', /not a POSIX character class/, 1],
    ['[[:alpha:]', /"\[" is not closed/, 0],
    ['[[:alpha]', /not closed by ":\]"/, 1],
    ['[z-a]', /out of order/, 1],
    ['[a-c-e]', /"-" in a bracket expression/, 4],
    ['[a-[:digit:]]', /class cannot end a range/, 3],
    ['[[.ch.]]', /single character/, 1],
  ];
  it.each(invalid.map(([pattern, reason, offset]) => ({ pattern, reason, offset })))('refuses "$pattern"', ({ pattern, reason, offset }) => {
    let error: unknown;
    try {
      compileWholeMatch(pattern);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(PosixEreError);
    expect((error as PosixEreError).message).toMatch(reason);
    expect((error as PosixEreError).offset).toBe(offset);
  });
});
