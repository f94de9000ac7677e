import { describe, expect, it } from 'vitest';
import { compileWholeMatch, MAX_PROGRAM_SIZE } from './posix-ere-matcher.js';
import { MAX_GROUP_DEPTH, PosixEreError } from './posix-ere.js';

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
    // A "-" written as the collating symbol [.-.] stands anywhere in the list (§9.3.5), and starts a range.
    ['[a[.-.]b]', ['a', '-', 'b'], ['c']],
    ['[[.-.]-0]', ['-', '.', '0'], ['1', ',']],
    ['[^-a]', ['b'], ['-', 'a']],
    ['[a-c[.-.]-]', ['b', '-'], ['d']],
    // Per code point, never per UTF-16 unit: one character outside brackets, in a range, and for ".".
    ['\u{1F600}+', ['\u{1F600}\u{1F600}'], ['\u{1F600}\uD83D', '']],
    ['a.b', ['a\u{1F600}b'], ['a\uD83D\uDE00\uD83Db']],
    ['[\u{1F600}-\u{1F64F}]', ['\u{1F601}'], ['\u{1F650}', '\uD83D']],
    // Anchors inside: "^" only at the start, "$" only at the end (§9.4.9).
    ['(^a|b)c', ['ac', 'bc'], ['c']],
    ['a$|b', ['a', 'b'], ['ab']],
    ['a^b', [], ['ab', 'a^b']],
    // Nested and empty-matching repetitions.
    ['(a*)*b', ['b', 'aab'], ['aa']],
    ['(a|b?){2,3}', ['', 'ab', 'bab'], ['abba']],
    ['(ab){0,2}c', ['c', 'abc', 'ababc'], ['abababc']],
    ['[[:punct:]]', ['!', '/', '@', '[', '`', '~'], ['a', '0', ' ']],
    // Intervals of one character (one counting instruction), overlapping and nested in expanded ones.
    ['a{0,2}b', ['b', 'ab', 'aab'], ['aaab', 'a']],
    ['a{2,4}a{2}', ['aaaa', 'aaaaa', 'aaaaaa'], ['aaa', 'aaaaaaa']],
    ['[ab]{3,}c', ['abac', 'bbbbbbc'], ['abc', 'ab']],
    ['(a{1,2}b){2}', ['abab', 'aabab', 'aabaab'], ['ab', 'aaabab', 'abb']],
    ['x{0}y', ['y'], ['xy']],
    // Parts pruned before layout (they match the empty string and nothing else): what is left matches as before.
    ['a{0}|b', ['', 'b'], ['a']],
    ['(x{0})*', [''], ['x']],
    ['(a|x{0})c', ['c', 'ac'], ['aac', 'xc']],
    ['(a|x{0})*c', ['c', 'aac'], ['xc', 'ca']],
    ['(^a){0}b', ['b'], ['ab']],
    // An anchor beside a pruned part stays: "$" before "b" is not at the end.
    ['(a{0}$)b', [], ['b', '']],
    ['(x{0}$|y)z', ['yz'], ['z', 'xz']],
    // A host name as an operator writes it: labels of 1 to 63 characters, at most 127 of them.
    ['[a-z0-9-]{1,63}(\\.[a-z0-9-]{1,63}){0,126}', ['dht.example.com', 'a', `${'x'.repeat(63)}.y`], [`${'x'.repeat(64)}.y`, '.a', 'a..b', 'a.']],
  ];
  const u = (s: string) => s.replace(/\\u\{([0-9A-F]+)\}|\\u([0-9A-F]{4})/g, (_m, cp: string | undefined, unit: string | undefined) => (cp ? String.fromCodePoint(parseInt(cp, 16)) : String.fromCharCode(parseInt(unit ?? '0', 16))));
  it.each(rows.map(([pattern, matches, misses]) => ({ pattern: u(pattern), matches: matches.map(u), misses: misses.map(u) })))('$pattern', ({ pattern, matches, misses }) => {
    const re = compileWholeMatch(pattern);
    for (const s of matches) expect(re.test(s), `${pattern} should match ${s}`).toBe(true);
    for (const s of misses) expect(re.test(s), `${pattern} should not match ${s}`).toBe(false);
  });

  it('ignoreCase matches as REG_ICASE', () => {
    expect(compileWholeMatch('dht\\.example\\.com', { ignoreCase: true }).test('DHT.Example.COM')).toBe(true);
    expect(compileWholeMatch('dht\\.example\\.com').test('DHT.example.com')).toBe(false);
    expect(compileWholeMatch('[a-z]+[[:upper:]]', { ignoreCase: true }).test('ABc')).toBe(true);
    expect(compileWholeMatch('[^a-z]', { ignoreCase: true }).test('A')).toBe(false);
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
    ['[a-', /"\[" is not closed/, 0],
    ['[a', /"\[" is not closed/, 0],
    ['[[=a=]-z]', /equivalence class cannot start a range/, 1],
    ['[a-[=z=]]', /equivalence class cannot end a range/, 3],
    ['((ab){0,255}){0,255}b', /too large .*largest repetition is at offset 13; .*for example \[a-z0-9-\]\{1,63\}/, 13],
    // The advice's own example of a pattern too large is one.
    ['(([a-z0-9-]{1,63}\\.){0,126}[a-z]{2,63}\\.){0,126}', /too large/, 41],
    ['([a-z0-9-]{1,63}\\.){0,126}'.repeat(11), /too large .*largest repetition is at offset 19/, 19],
    // Two repetitions together too large: the larger is blamed, not the smaller that crossed the limit.
    ['(abcdefghijklm){0,255}(ab){0,200}', /largest repetition is at offset 15/, 15],
    [`${'a'.repeat(MAX_PROGRAM_SIZE)}`, /is too large/, 0],
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

describe('POSIX ERE matching takes linear time (RFC 7904 §3.4 patterns run on every Store and keystroke)', () => {
  // Patterns that take exponential time in a backtracking engine (JavaScript's RegExp: the first
  // ~4x slower per 2 more characters, 1 s at 30) on names that almost match.
  const slow: [pattern: string, name: string][] = [
    ['([a-z0-9-]+\\.?)+\\.example', `${'a'.repeat(254)}.examplx`],
    ['([a-z0-9-]+\\.?)+\\.example', `${'a.'.repeat(126)}x`],
    ['(a{0,15}){0,15}b', 'a'.repeat(255)],
    ['(a{0,255}){0,255}b', 'a'.repeat(255)],
    ['[a-z0-9-]{1,63}(\\.[a-z0-9-]{1,63}){0,126}', `${'a.'.repeat(127)}a`],
    ['(a{1,255}|a{2,255}|a{3,255})*b', 'a'.repeat(255)],
    ['(a|a)*b', 'a'.repeat(255)],
    ['(a*)*(b*)*(a*)*c', 'ab'.repeat(127)],
    ['(.*.*.*)*x', 'y'.repeat(255)],
  ];
  it.each(slow.map(([pattern, name]) => ({ pattern, name })))('$pattern: at most 3 × program × (length + 1) steps', ({ pattern, name }) => {
    const matcher = compileWholeMatch(pattern, { ignoreCase: true });
    const { matched, steps } = matcher.run(name);
    expect(matched).toBe(false);
    expect(steps).toBeLessThanOrEqual(3 * matcher.size * ([...name].length + 1));
    expect(matcher.size).toBeLessThanOrEqual(MAX_PROGRAM_SIZE);
  });

  it('the steps grow linearly with the name, not exponentially', () => {
    const matcher = compileWholeMatch('([a-z0-9-]+\\.?)+\\.example');
    const steps = (n: number) => matcher.run(`${'a'.repeat(n)}.examplx`).steps;
    expect(steps(60) - steps(30)).toBe(steps(90) - steps(60));
  });
});

describe('compiling takes work bounded by the program it builds (a configuration is parsed before its signature is checked)', () => {
  // Bodies that compile to nothing (x{0}) used to be laid out min times each: the first took
  // 255³ steps, the second 255⁴ (about 45 s) for 32 characters.
  it.each(['(((x{0}){255}){255}){255}', '((((x{0}){255}){255}){255}){255}', '(((x{0,0}){0,255}){255}){255}y', '((((a{1}){1}){1}){1}){255}', '(x{0}x{0}x{0}x{0}a){255}', '(a|(x{0}){255})*'])('%s', (pattern) => {
    const matcher = compileWholeMatch(pattern);
    expect(matcher.compileSteps).toBeLessThanOrEqual(3 * matcher.size);
  });

  it(`groups nested ${MAX_GROUP_DEPTH} deep compile; deeper is a PosixEreError, not a stack overflow`, () => {
    const nested = (n: number) => '('.repeat(n) + 'a' + ')'.repeat(n);
    expect(compileWholeMatch(nested(MAX_GROUP_DEPTH)).run("a").matched).toBe(true);
    for (const n of [MAX_GROUP_DEPTH + 1, 20_000]) {
      const e = (() => { try { compileWholeMatch(nested(n)); } catch (err) { return err; } })();
      expect(e).toBeInstanceOf(PosixEreError);
      expect((e as PosixEreError).offset).toBe(MAX_GROUP_DEPTH);
      expect((e as Error).message).toMatch(/nest more than 100 deep/);
    }
  });

  it.each(['([a-z0-9-]{1,63}\\.){0,126}', '(a|b?){2,3}', '(ab){0,2}c', '(a{1,2}b){2}', 'x{0}y', '(.*.*.*)*x'])('%s (as the step bound says)', (pattern) => {
    const matcher = compileWholeMatch(pattern);
    expect(matcher.compileSteps).toBeLessThanOrEqual(3 * matcher.size);
  });
});

describe('counted intervals agree with an expanded reading (JavaScript RegExp, on patterns where it matches as POSIX does)', () => {
  const patterns = ['a{2,3}', 'a{0,2}b{1,2}', '(a{1,2}b){1,3}', '[ab]{2,}a', 'a{1,3}a{2}', '(a|b{2,3})*', '(a{2}|b)*a{0,1}', 'b{3}(ab{1,2})?'];
  const strings = (max: number): string[] => {
    const out = [''];
    for (let i = 0; out[i] !== undefined && out[i]!.length < max; i++) out.push(`${out[i]}a`, `${out[i]}b`);
    return out;
  };
  it.each(patterns)('%s on every string of a and b up to 7 characters', (pattern) => {
    const ours = compileWholeMatch(pattern);
    const theirs = new RegExp(`^(?:${pattern})$`);
    for (const s of strings(7)) expect(ours.test(s), `${pattern} on "${s}"`).toBe(theirs.test(s));
  });
});
