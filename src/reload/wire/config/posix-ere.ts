/**
 * POSIX Extended Regular Expressions (IEEE Std 1003.1-2017, XBD §9.4 "Extended Regular
 * Expressions"), the syntax of RFC 7904 §3.4's domain `<pattern>`s: "interpreted as a regular
 * expression according to POSIX Extended Regular Expression". Translated to an equivalent
 * JavaScript RegExp source; a construct §9.4 leaves undefined, or one this translation cannot
 * express exactly, is a PosixEreError at its offset, so a pattern never silently means something
 * other than what POSIX says.
 *
 * - Ordinary characters match themselves; `\` makes one of the specials `.[\()*+?{|^$` ordinary
 *   (§9.4.2). `\` before any other character is undefined (`\d` is not a digit in POSIX).
 * - `.` any character; `^` and `$` anchors anywhere (§9.4.9); `(…)` groups; `|` alternation.
 * - `*`, `+`, `?`, `{m}`, `{m,}`, `{m,n}` with m ≤ n ≤ 255 (RE_DUP_MAX's least value); one
 *   repetition per atom ("multiple adjacent duplication symbols" are undefined, §9.4.6), none at
 *   the start of a branch or after an anchor.
 * - A `)` with no `(` before it is ordinary (§9.4.3 "special when matched with a preceding
 *   left-parenthesis").
 * - Bracket expressions (§9.3.5): `]` first is literal, `\` is literal, `-` literal first or
 *   last, ranges in code-point order (the POSIX locale), classes `[:alpha:]` …, equivalence
 *   classes `[=c=]` and collating symbols `[.c.]` of one character.
 *
 * Matching: `matchesWhole` asks whether the pattern matches the entire string. For that question
 * POSIX's leftmost-longest rule and JavaScript's backtracking give the same answer (a backtracking
 * matcher tries every way to reach the end anchor), so only the syntax needs translating.
 */

/** A pattern that is not a POSIX ERE, or uses a construct POSIX leaves undefined. */
export class PosixEreError extends Error {
  override readonly name = 'PosixEreError';

  constructor(
    /** Offset in the pattern of the offending character. */
    readonly offset: number,
    message: string,
  ) {
    super(message);
  }
}

/** RE_DUP_MAX: the least value POSIX allows an implementation (XBD <limits.h>). */
const RE_DUP_MAX = 255;

/** The ERE specials outside a bracket expression (§9.4.3). */
const SPECIALS = '.[\\()*+?{|^$';

/** Characters of JavaScript regular expression syntax, escaped when they stand for themselves. */
const JS_SYNTAX = /[\\^$.*+?()[\]{}|/-]/;

/** §9.3.5 character classes in the POSIX locale, as JavaScript class contents. */
const CLASSES: Readonly<Record<string, string>> = {
  alnum: 'a-zA-Z0-9',
  alpha: 'a-zA-Z',
  blank: ' \\t',
  cntrl: '\\x00-\\x1f\\x7f',
  digit: '0-9',
  graph: '!-~',
  lower: 'a-z',
  print: ' -~',
  punct: '!-\\/:-@\\[-`{-~',
  space: ' \\t\\n\\r\\f\\v',
  upper: 'A-Z',
  xdigit: '0-9A-Fa-f',
};

function literal(c: string): string {
  return JS_SYNTAX.test(c) ? `\\${c}` : c;
}

function classLiteral(c: string): string {
  return /[\\\]\[^-]/.test(c) ? `\\${c}` : c;
}

class EreTranslator {
  private i = 0;

  constructor(private readonly p: string) {}

  /** The whole pattern (at depth 0 a `)` is ordinary, so `branch` consumes everything). */
  translate(): string {
    return this.alternation(0);
  }

  private error(message: string, at = this.i): never {
    throw new PosixEreError(at, `${message} (at offset ${at} of "${this.p}")`);
  }

  private alternation(depth: number): string {
    const branches = [this.branch(depth)];
    while (this.p[this.i] === '|') {
      this.i++;
      branches.push(this.branch(depth));
    }
    return branches.join('|');
  }

  private branch(depth: number): string {
    const start = this.i;
    let out = '';
    for (;;) {
      const c = this.p[this.i];
      if (c === undefined || c === '|' || (c === ')' && depth > 0)) break;
      const atom = this.atom(depth);
      out += atom.source;
      let repeated = false;
      while (this.p[this.i] !== undefined && '*+?{'.includes(this.p[this.i] as string)) {
        if (!atom.repeatable) this.error(`"${this.p[this.i]}" has nothing to repeat`);
        if (repeated) this.error('two repetitions in a row are undefined in a POSIX ERE (§9.4.6); group the first: (a*)*');
        out += this.repetition();
        repeated = true;
      }
    }
    // §9.4.3 grammar: a branch is one or more expressions; `a||b`, `(|a)` and an empty pattern are not EREs.
    if (this.i === start) this.error('an empty alternative is not a POSIX ERE');
    return out;
  }

  private atom(depth: number): { source: string; repeatable: boolean } {
    const at = this.i;
    const c = this.p[this.i++] as string;
    switch (c) {
      case '(': {
        const inner = this.alternation(depth + 1);
        if (this.p[this.i] !== ')') this.error('"(" is not closed', at);
        this.i++;
        return { source: `(?:${inner})`, repeatable: true };
      }
      case ')':
        return { source: '\\)', repeatable: true }; // depth 0 only: ordinary (§9.4.3)
      case '[':
        return { source: this.bracket(at), repeatable: true };
      case '.':
        return { source: '[\\s\\S]', repeatable: true };
      case '^':
      case '$':
        return { source: c, repeatable: false };
      case '*':
      case '+':
      case '?':
      case '{':
        return this.error(`"${c}" has nothing to repeat`, at);
      case '\\': {
        const n = this.p[this.i++];
        if (n === undefined) this.error('the pattern ends in a lone backslash', at);
        if (!SPECIALS.includes(n)) this.error(`"\\${n}" is undefined in a POSIX ERE (a backslash may only precede one of ${SPECIALS}); write ${n} or [${n}]`, at);
        return { source: literal(n), repeatable: true };
      }
      default:
        return { source: literal(c), repeatable: true };
    }
  }

  /** `*`, `+`, `?` or an interval `{m}`, `{m,}`, `{m,n}` (§9.4.6). */
  private repetition(): string {
    const at = this.i;
    const c = this.p[this.i++] as string;
    if (c !== '{') return c;
    const interval = /^(\d+)(,(\d*))?\}/.exec(this.p.slice(this.i));
    if (!interval) this.error('"{" must start an interval {m}, {m,} or {m,n}', at);
    this.i += interval[0].length;
    const m = Number(interval[1]);
    const n = interval[3] === undefined || interval[3] === '' ? undefined : Number(interval[3]);
    if (m > RE_DUP_MAX || (n !== undefined && n > RE_DUP_MAX)) this.error(`an interval count is at most ${RE_DUP_MAX} (RE_DUP_MAX)`, at);
    if (n !== undefined && n < m) this.error(`the interval {${m},${n}} counts down`, at);
    return interval[2] === undefined ? `{${m}}` : n === undefined ? `{${m},}` : `{${m},${n}}`;
  }

  /** A bracket expression (§9.3.5) from `[` at `at`; `this.i` is just after the `[`. */
  private bracket(at: number): string {
    let negate = false;
    if (this.p[this.i] === '^') {
      negate = true;
      this.i++;
    }
    const items: string[] = [];
    let first = true;
    for (;;) {
      const c = this.p[this.i];
      if (c === undefined) this.error('"[" is not closed', at);
      if (c === ']' && !first) {
        this.i++;
        break;
      }
      const startAt = this.i;
      const start = this.bracketElement();
      const last = this.p[this.i + 1] === ']';
      if (start.kind === 'char' && start.char === '-' && !first && !(this.p[this.i] === ']')) {
        this.error('"-" in a bracket expression must come first or last, or end a range', this.i - 1);
      }
      if (start.kind === 'char' && this.p[this.i] === '-' && !last && this.p[this.i + 1] !== undefined) {
        this.i++; // the range's "-"
        const endAt = this.i;
        const end = this.bracketElement();
        if (end.kind !== 'char') this.error('a character class cannot end a range', endAt);
        if ((end.char.codePointAt(0) ?? 0) < (start.char.codePointAt(0) ?? 0)) this.error(`the range ${start.char}-${end.char} is out of order`, startAt);
        items.push(`${classLiteral(start.char)}-${classLiteral(end.char)}`);
      } else {
        items.push(start.kind === 'char' ? classLiteral(start.char) : start.source);
      }
      first = false;
    }
    return `[${negate ? '^' : ''}${items.join('')}]`;
  }

  /** One element of a bracket expression: a character (collating symbols too) or a class. */
  private bracketElement(): { kind: 'char'; char: string } | { kind: 'class'; source: string } {
    const at = this.i;
    const c = this.p[this.i] as string;
    const open = this.p[this.i + 1];
    if (c === '[' && open !== undefined && ':=.'.includes(open)) {
      const close = this.p.indexOf(`${open}]`, this.i + 2);
      if (close < 0) this.error(`"[${open}" is not closed by "${open}]"`, at);
      const name = this.p.slice(this.i + 2, close);
      this.i = close + 2;
      if (open === ':') {
        const source = CLASSES[name];
        if (source === undefined) this.error(`[:${name}:] is not a POSIX character class (${Object.keys(CLASSES).join(', ')})`, at);
        return { kind: 'class', source };
      }
      // [=c=] and [.c.]: in the POSIX locale each names the one character c.
      if ([...name].length !== 1) this.error(`[${open}${name}${open}] names no single character; only one-character collating elements are supported`, at);
      return { kind: 'char', char: name };
    }
    const char = String.fromCodePoint(this.p.codePointAt(this.i) ?? 0);
    this.i += char.length;
    return { kind: 'char', char };
  }
}

/** The JavaScript RegExp source equivalent to POSIX ERE `pattern`; throws PosixEreError. */
export function posixEreSource(pattern: string): string {
  return new EreTranslator(pattern).translate();
}

/**
 * A RegExp that tests whether a whole string matches POSIX ERE `pattern` (`ignoreCase`: as
 * REG_ICASE). Throws PosixEreError.
 */
export function compileWholeMatch(pattern: string, options: { readonly ignoreCase?: boolean } = {}): RegExp {
  const source = posixEreSource(pattern);
  try {
    return new RegExp(`^(?:${source})$`, options.ignoreCase ? 'i' : '');
  } catch (e) {
    throw new PosixEreError(0, `"${pattern}" could not be translated: ${e instanceof Error ? e.message : String(e)}`);
  }
}
