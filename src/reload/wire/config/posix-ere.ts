/**
 * POSIX Extended Regular Expressions (IEEE Std 1003.1-2017, XBD §9.4 "Extended Regular
 * Expressions"), the syntax of RFC 7904 §3.4's domain `<pattern>`s: "interpreted as a regular
 * expression according to POSIX Extended Regular Expression". Parsed into a tree (EreNode) that
 * posix-ere-matcher.ts runs in linear time; a construct §9.4 leaves undefined, or one this parser
 * cannot express exactly, is a PosixEreError at its offset, so a pattern never silently means
 * something other than what POSIX says. The pattern is read per code point, never per UTF-16 unit.
 *
 * - Ordinary characters match themselves; `\` makes one of the specials `.[\()*+?{|^$` ordinary
 *   (§9.4.2). `\` before any other character is undefined (`\d` is not a digit in POSIX).
 * - `.` any character; `^` and `$` anchors anywhere (§9.4.9); `(…)` groups; `|` alternation.
 * - `*`, `+`, `?`, `{m}`, `{m,}`, `{m,n}` with m ≤ n ≤ 255 (RE_DUP_MAX's least value); one
 *   repetition per atom ("multiple adjacent duplication symbols" are undefined, §9.4.6), none at
 *   the start of a branch or after an anchor.
 * - A `)` with no `(` before it is ordinary (§9.4.3 "special when matched with a preceding
 *   left-parenthesis").
 * - Bracket expressions (§9.3.5): `]` first is literal, `\` is literal, a bare `-` literal first
 *   or last (`[.-.]` anywhere), ranges in code-point order (the POSIX locale) between characters
 *   or collating symbols, classes `[:alpha:]` …, equivalence classes `[=c=]` and collating
 *   symbols `[.c.]` of one character. An equivalence class as a range end point is refused
 *   (§9.3.5 7: "produces unspecified results").
 */

/**
 * How deep groups may nest. The parser, the compiler and the matcher's layout each recurse once per
 * level, so a pattern of thousands of `(` would overflow the stack with a RangeError instead of
 * giving a PosixEreError. OUR CHOICE: 100 (RE2 allows 1,000; a domain pattern needs a few), as the
 * XML parser caps element depth (MAX_ELEMENT_DEPTH).
 */
export const MAX_GROUP_DEPTH = 100;

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

/** Inclusive code-point ranges. */
export type CodePointRanges = readonly (readonly [number, number])[];

/** What one character position accepts. */
export type EreCharSet =
  | { readonly type: 'any' }
  | { readonly type: 'one'; readonly codePoint: number }
  | { readonly type: 'bracket'; readonly negate: boolean; readonly ranges: CodePointRanges };

/** A parsed ERE (§9.4.3 grammar): characters, anchors, concatenation, alternation, repetition. */
export type EreNode =
  | { readonly type: 'char'; readonly set: EreCharSet }
  | { readonly type: 'anchor'; readonly at: 'start' | 'end' }
  | { readonly type: 'concat'; readonly items: readonly EreNode[] }
  | { readonly type: 'alt'; readonly options: readonly EreNode[] }
  /** `max` undefined: unbounded. `offset`: of the duplication symbol, for errors. */
  | { readonly type: 'repeat'; readonly node: EreNode; readonly min: number; readonly max: number | undefined; readonly offset: number };

/** RE_DUP_MAX: the least value POSIX allows an implementation (XBD <limits.h>). */
const RE_DUP_MAX = 255;

/** The ERE specials outside a bracket expression (§9.4.3). */
const SPECIALS = '.[\\()*+?{|^$';

const cp = (c: string): number => c.codePointAt(0) ?? 0;
const span = (from: string, to: string): readonly [number, number] => [cp(from), cp(to)];

/** §9.3.5 character classes in the POSIX locale (XBD §7.3.1 LC_CTYPE). */
const CLASSES: Readonly<Record<string, CodePointRanges>> = {
  alnum: [span('a', 'z'), span('A', 'Z'), span('0', '9')],
  alpha: [span('a', 'z'), span('A', 'Z')],
  blank: [span(' ', ' '), span('\t', '\t')],
  cntrl: [[0x00, 0x1f], [0x7f, 0x7f]],
  digit: [span('0', '9')],
  graph: [span('!', '~')],
  lower: [span('a', 'z')],
  print: [span(' ', '~')],
  punct: [span('!', '/'), span(':', '@'), span('[', '`'), span('{', '~')],
  space: [span(' ', ' '), [0x09, 0x0d]],
  upper: [span('A', 'Z')],
  xdigit: [span('0', '9'), span('A', 'F'), span('a', 'f')],
};

/** One element of a bracket expression. `bare`: written as itself, not as `[.c.]`. */
type BracketElement =
  | { readonly kind: 'char'; readonly codePoint: number; readonly bare: boolean }
  | { readonly kind: 'equivalence'; readonly codePoint: number }
  | { readonly kind: 'class'; readonly ranges: CodePointRanges };

class EreParser {
  private i = 0;

  constructor(private readonly p: string) {}

  /** The whole pattern (at depth 0 a `)` is ordinary, so `branch` consumes everything). */
  parse(): EreNode {
    return this.alternation(0);
  }

  private error(message: string, at = this.i): never {
    throw new PosixEreError(at, `${message} (at offset ${at} of "${this.p}")`);
  }

  /** The code point at the current offset, consumed. */
  private next(): string {
    const c = String.fromCodePoint(this.p.codePointAt(this.i) ?? 0);
    this.i += c.length;
    return c;
  }

  private alternation(depth: number): EreNode {
    const options = [this.branch(depth)];
    while (this.p[this.i] === '|') {
      this.i++;
      options.push(this.branch(depth));
    }
    return options.length === 1 ? (options[0] as EreNode) : { type: 'alt', options };
  }

  private branch(depth: number): EreNode {
    const start = this.i;
    const items: EreNode[] = [];
    for (;;) {
      const c = this.p[this.i];
      if (c === undefined || c === '|' || (c === ')' && depth > 0)) break;
      let node = this.atom(depth);
      let repeated = false;
      while (this.p[this.i] !== undefined && '*+?{'.includes(this.p[this.i] as string)) {
        if (node.type === 'anchor') this.error(`"${this.p[this.i]}" has nothing to repeat`);
        if (repeated) this.error('two repetitions in a row are undefined in a POSIX ERE (§9.4.6); group the first: (a*)*');
        node = this.repetition(node);
        repeated = true;
      }
      items.push(node);
    }
    // §9.4.3 grammar: a branch is one or more expressions; `a||b`, `(|a)` and an empty pattern are not EREs.
    if (this.i === start) this.error('an empty alternative is not a POSIX ERE');
    return items.length === 1 ? (items[0] as EreNode) : { type: 'concat', items };
  }

  private atom(depth: number): EreNode {
    const at = this.i;
    const c = this.next();
    switch (c) {
      case '(': {
        if (depth >= MAX_GROUP_DEPTH) this.error(`groups nest more than ${MAX_GROUP_DEPTH} deep`, at);
        const inner = this.alternation(depth + 1);
        if (this.p[this.i] !== ')') this.error('"(" is not closed', at);
        this.i++;
        return inner;
      }
      case '[':
        return { type: 'char', set: this.bracket(at) };
      case '.':
        return { type: 'char', set: { type: 'any' } };
      case '^':
        return { type: 'anchor', at: 'start' };
      case '$':
        return { type: 'anchor', at: 'end' };
      case '*':
      case '+':
      case '?':
      case '{':
        return this.error(`"${c}" has nothing to repeat`, at);
      case '\\': {
        if (this.p[this.i] === undefined) this.error('the pattern ends in a lone backslash', at);
        const n = this.next();
        if (!SPECIALS.includes(n)) this.error(`"\\${n}" is undefined in a POSIX ERE (a backslash may only precede one of ${SPECIALS}); write ${n} or [${n}]`, at);
        return { type: 'char', set: { type: 'one', codePoint: cp(n) } };
      }
      default: // `)` too, at depth 0 only: ordinary (§9.4.3)
        return { type: 'char', set: { type: 'one', codePoint: cp(c) } };
    }
  }

  /** `*`, `+`, `?` or an interval `{m}`, `{m,}`, `{m,n}` (§9.4.6) applied to `node`. */
  private repetition(node: EreNode): EreNode {
    const offset = this.i;
    const c = this.p[this.i++] as string;
    if (c === '*') return { type: 'repeat', node, min: 0, max: undefined, offset };
    if (c === '+') return { type: 'repeat', node, min: 1, max: undefined, offset };
    if (c === '?') return { type: 'repeat', node, min: 0, max: 1, offset };
    const interval = /^(\d+)(,(\d*))?\}/.exec(this.p.slice(this.i));
    if (!interval) this.error('"{" must start an interval {m}, {m,} or {m,n}', offset);
    this.i += interval[0].length;
    const min = Number(interval[1]);
    const max = interval[2] === undefined ? min : interval[3] === '' || interval[3] === undefined ? undefined : Number(interval[3]);
    if (min > RE_DUP_MAX || (max !== undefined && max > RE_DUP_MAX)) this.error(`an interval count is at most ${RE_DUP_MAX} (RE_DUP_MAX)`, offset);
    if (max !== undefined && max < min) this.error(`the interval {${min},${max}} counts down`, offset);
    return { type: 'repeat', node, min, max, offset };
  }

  /** A bracket expression (§9.3.5) from `[` at `at`; `this.i` is just after the `[`. */
  private bracket(at: number): EreCharSet {
    let negate = false;
    if (this.p[this.i] === '^') {
      negate = true;
      this.i++;
    }
    const ranges: (readonly [number, number])[] = [];
    let first = true;
    for (;;) {
      if (this.p[this.i] === undefined) this.error('"[" is not closed', at);
      if (this.p[this.i] === ']' && !first) {
        this.i++;
        break;
      }
      const startAt = this.i;
      const start = this.bracketElement();
      if (this.p[this.i] === undefined) this.error('"[" is not closed', at);
      first = false;
      if (start.kind === 'class') {
        ranges.push(...start.ranges);
        continue;
      }
      // §9.3.5 7: "The <hyphen-minus> character shall be treated as itself if it occurs first (after
      // an initial '^', if any) or last in the list, or as an ending range point"; a collating
      // symbol [.-.] may stand anywhere.
      if (start.kind === 'char' && start.bare && start.codePoint === cp('-') && startAt !== this.firstElementAt(at) && this.p[this.i] !== ']') {
        this.error('"-" in a bracket expression must come first or last, or end a range; or write [.-.]', startAt);
      }
      const isRange = this.p[this.i] === '-' && this.p[this.i + 1] !== ']' && this.p[this.i + 1] !== undefined;
      if (!isRange) {
        ranges.push([start.codePoint, start.codePoint]);
        continue;
      }
      if (start.kind === 'equivalence') this.error('an equivalence class cannot start a range (POSIX leaves it unspecified, §9.3.5)', startAt);
      this.i++; // the range's "-"
      const endAt = this.i;
      const end = this.bracketElement();
      if (end.kind === 'class') this.error('a character class cannot end a range', endAt);
      if (end.kind === 'equivalence') this.error('an equivalence class cannot end a range (POSIX leaves it unspecified, §9.3.5)', endAt);
      if (end.codePoint < start.codePoint) this.error(`the range ${String.fromCodePoint(start.codePoint)}-${String.fromCodePoint(end.codePoint)} is out of order`, startAt);
      ranges.push([start.codePoint, end.codePoint]);
    }
    return { type: 'bracket', negate, ranges };
  }

  /** The offset of the first element of the bracket expression opened at `at` (after a `^`). */
  private firstElementAt(at: number): number {
    return this.p[at + 1] === '^' ? at + 2 : at + 1;
  }

  /** One element of a bracket expression: a character, a collating symbol, an equivalence class or a class. */
  private bracketElement(): BracketElement {
    const at = this.i;
    const open = this.p[this.i + 1];
    if (this.p[this.i] === '[' && open !== undefined && ':=.'.includes(open)) {
      const close = this.p.indexOf(`${open}]`, this.i + 2);
      if (close < 0) this.error(`"[${open}" is not closed by "${open}]"`, at);
      const name = this.p.slice(this.i + 2, close);
      this.i = close + 2;
      if (open === ':') {
        const ranges = CLASSES[name];
        if (ranges === undefined) this.error(`[:${name}:] is not a POSIX character class (${Object.keys(CLASSES).join(', ')})`, at);
        return { kind: 'class', ranges };
      }
      // [=c=] and [.c.]: in the POSIX locale each names the one character c.
      if ([...name].length !== 1) this.error(`[${open}${name}${open}] names no single character; only one-character collating elements are supported`, at);
      return open === '=' ? { kind: 'equivalence', codePoint: cp(name) } : { kind: 'char', codePoint: cp(name), bare: false };
    }
    return { kind: 'char', codePoint: cp(this.next()), bare: true };
  }
}

/** The tree of POSIX ERE `pattern`; throws PosixEreError. */
export function parsePosixEre(pattern: string): EreNode {
  return new EreParser(pattern).parse();
}
