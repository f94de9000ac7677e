/**
 * Whole-string matching of a POSIX ERE (posix-ere.ts) in time linear in the string: the parsed
 * pattern is compiled to a Thompson NFA (Thompson 1968; Cox, "Regular Expression Matching Can Be
 * Simple And Fast", 2007) and run as a Pike VM without captures, every state advanced one
 * character at a time. Each state is entered at most once per position, so a match costs at most
 * 3 × program size × (string length + 1) steps whatever the pattern and the string: a pattern
 * such as `([a-z0-9-]+\.?)+\.example` cannot make a name take exponential time, as it does in a
 * backtracking engine such as JavaScript's RegExp.
 *
 * The question asked is only "does the pattern match the entire string?". POSIX's leftmost-longest
 * rule decides which match and which subexpressions are reported, not whether one exists, so the
 * NFA's answer is POSIX's.
 *
 * An interval `{m,n}` of one character (`[a-z0-9-]{1,63}`) is one `count` instruction: the
 * threads in it differ only by how many characters they have counted, and every one of them reads
 * the same character set, so they advance together; it keeps the positions where they entered,
 * oldest first (a counting set: Turoňová, Holík, Lengál, Saarikivi, Veanes, Vojnar, "Regex Matching
 * with Counting-Set Automata", OOPSLA 2020). Per character that is one test, and each position is
 * kept and dropped once, so the bound above holds with the instruction counted once. Any other
 * interval is expanded into copies of its atom, so the program grows with the counts. OUR CHOICE:
 * a program is at most MAX_PROGRAM_SIZE instructions (as RE2 bounds its programs); a larger
 * pattern is a PosixEreError blaming the outermost repetition that built the most of it, found
 * as it is laid out, so no more than that is ever built. Parts that match the empty string and
 * nothing else, wherever they stand (`x{0}`, and groups, sequences and repetitions of only such
 * parts, not alternations) are pruned first (prune), so laying the program out takes at most
 * 3 × its size steps (`compileSteps`): compiling is bounded too, which matters because a configuration's
 * patterns are compiled as it is parsed, before its signature is checked. That keeps the work of
 * one match bounded as well as linear: at most 3 × 4096 × 256 steps for a 255-character domain
 * (the SIP usage matches no longer name, usages/sip/aor-domains.ts RESTRICTED_HOSTPORT).
 */
import { parsePosixEre, PosixEreError, type EreCharSet, type EreNode } from './posix-ere.js';

/** The largest program a pattern may compile to (OUR CHOICE, see above). */
export const MAX_PROGRAM_SIZE = 4096;

type Instruction =
  /** Consume one character that `test` accepts, then go on at the next instruction. */
  | { readonly op: 'char'; readonly test: (codePoint: number) => boolean }
  /** Go on at both `x` and `y`. */
  | { op: 'split'; x: number; y: number }
  | { op: 'jmp'; to: number }
  /** Go on at the next instruction if the position is the start (end) of the string (§9.4.9). */
  | { readonly op: 'anchor'; readonly at: 'start' | 'end' }
  /** `min` to `max` (undefined: unbounded) characters that `test` accepts, then the next instruction. */
  | { readonly op: 'count'; readonly test: (codePoint: number) => boolean; readonly min: number; readonly max: number | undefined }
  | { readonly op: 'match' };

/** What to write instead of a pattern too large to compile. */
const TOO_LARGE_ADVICE =
  'use smaller interval counts, or leave the number of labels open: for example [a-z0-9-]{1,63}(\\.[a-z0-9-]{1,63})* rather than (([a-z0-9-]{1,63}\\.){0,126}[a-z]{2,63}\\.){0,126}';

/** A compiled pattern: whether a whole string matches, and at what cost. */
export interface WholeMatcher {
  /** The pattern as given. */
  readonly pattern: string;
  /** Instructions in the program (the factor of the string length in the step bound). */
  readonly size: number;
  /** The nodes the compiler laid out to build the program (its work, at most 3 × size). */
  readonly compileSteps: number;
  test(s: string): boolean;
  /** As `test`, with the steps taken (states entered and characters tested). */
  run(s: string): { readonly matched: boolean; readonly steps: number };
}

/** Whether `set` accepts `codePoint` (`ignoreCase`: REG_ICASE, as if both were of one case, so `[^a-z]` refuses `A`). */
function charTest(set: EreCharSet, ignoreCase: boolean): (codePoint: number) => boolean {
  if (set.type === 'any') return () => true;
  const member = set.type === 'one' ? (c: number) => c === set.codePoint : (c: number) => set.ranges.some(([lo, hi]) => c >= lo && c <= hi);
  const negate = set.type === 'bracket' && set.negate;
  if (!ignoreCase) return (c) => member(c) !== negate;
  const caseMember = (c: number): boolean => {
    if (member(c)) return true;
    const s = String.fromCodePoint(c);
    return [s.toLowerCase(), s.toUpperCase()].some((other) => other.length === s.length && member(other.codePointAt(0) ?? c));
  };
  return (c) => caseMember(c) !== negate;
}

type Repeat = EreNode & { type: 'repeat' };

/** Whether `node` is one character read `min` to `max` times as a `count` instruction (only where that is shorter than its expansion). */
function isCounted(node: Repeat): node is Repeat & { node: { type: 'char' } } {
  return node.node.type === 'char' && (node.max === undefined ? node.min > 1 : node.max > 1);
}

/** What a part that matches only the empty string compiles to (an alternative of nothing: `(a|x{0})`). */
const NOTHING: EreNode = { type: 'concat', items: [] };

/**
 * `node` without the parts that match the empty string and nothing else, wherever they stand: a
 * repetition `{0}` or `{0,0}` (`x{0}`, `(^a){0}`), and a sequence or repetition of only such parts
 * (`x{0}y{0}`, `(x{0}){255}`); with `{1}` and `{1,1}` unwrapped; undefined if all of it is such a
 * part. An alternation is never pruned, even of such parts only (`(x{0}|x{0})`): each of its
 * alternatives that is becomes NOTHING. Anchors stay (`(a{0}$)` matches the empty string only at
 * the end). Linear in the tree.
 * Then every node laid out, but NOTHING in an alternative, builds at least one instruction or
 * has two children that do, so laying out the program takes at most 3 × its size steps, and
 * the size check bounds the work as well as the program.
 */
function prune(node: EreNode): EreNode | undefined {
  switch (node.type) {
    case 'char':
    case 'anchor':
      return node;
    case 'concat': {
      const items = node.items.flatMap((item) => prune(item) ?? []);
      return items.length > 1 ? { type: 'concat', items } : items[0];
    }
    case 'alt':
      return { type: 'alt', options: node.options.map((option) => prune(option) ?? NOTHING) };
    case 'repeat': {
      const body = node.max === 0 ? undefined : prune(node.node);
      if (body === undefined) return undefined;
      return node.min === 1 && node.max === 1 ? body : { ...node, node: body };
    }
  }
}

/** Lays the program out; the one place that knows its size, which it keeps under MAX_PROGRAM_SIZE. */
class Compiler {
  readonly program: Instruction[] = [];
  /** Nodes laid out so far (emit calls). */
  steps = 0;
  /** The outermost repetition being laid out, and where its instructions start. */
  private outer: { readonly offset: number; readonly start: number } | undefined;
  /** The outermost repetition laid out so far that built the most instructions. */
  private largest: { readonly offset: number; readonly size: number } | undefined;

  constructor(
    private readonly pattern: string,
    private readonly ignoreCase: boolean,
  ) {}

  push(i: Instruction): number {
    if (this.program.length >= MAX_PROGRAM_SIZE) {
      // Blamed: the repetition that built the most, not whichever crossed the limit.
      const current = this.outer && { offset: this.outer.offset, size: this.program.length - this.outer.start };
      const blamed = current && (!this.largest || current.size > this.largest.size) ? current : this.largest;
      const what = blamed ? `; its largest repetition is at offset ${blamed.offset}` : '';
      throw new PosixEreError(blamed?.offset ?? 0, `"${this.pattern}" is too large (more than ${MAX_PROGRAM_SIZE} states)${what}; ${TOO_LARGE_ADVICE}`);
    }
    this.program.push(i);
    return this.program.length - 1;
  }

  emit(node: EreNode): void {
    this.steps++;
    switch (node.type) {
      case 'char':
        this.push({ op: 'char', test: charTest(node.set, this.ignoreCase) });
        return;
      case 'anchor':
        this.push({ op: 'anchor', at: node.at });
        return;
      case 'concat':
        for (const item of node.items) this.emit(item);
        return;
      case 'alt': {
        const jumps: { op: 'jmp'; to: number }[] = [];
        node.options.forEach((option, k) => {
          if (k === node.options.length - 1) return this.emit(option);
          const split: Instruction = { op: 'split', x: 0, y: 0 };
          this.push(split);
          split.x = this.program.length;
          this.emit(option);
          const jmp = { op: 'jmp' as const, to: 0 };
          jumps.push(jmp);
          this.push(jmp);
          split.y = this.program.length;
        });
        for (const j of jumps) j.to = this.program.length;
        return;
      }
      case 'repeat':
        if (isCounted(node)) {
          this.push({ op: 'count', test: charTest(node.node.set, this.ignoreCase), min: node.min, max: node.max });
          return;
        }
        if (this.outer) return this.repeat(node);
        this.outer = { offset: node.offset, start: this.program.length };
        this.repeat(node);
        if (!this.largest || this.program.length - this.outer.start > this.largest.size) this.largest = { offset: node.offset, size: this.program.length - this.outer.start };
        this.outer = undefined;
    }
  }

  private repeat(node: Repeat): void {
    for (let k = 0; k < node.min; k++) {
      this.emit(node.node);
    }
    if (node.max === undefined) {
      // L: split(body, end); body; jmp L; end:
      const split: Instruction = { op: 'split', x: 0, y: 0 };
      const loop = this.push(split);
      split.x = this.program.length;
      this.emit(node.node);
      this.push({ op: 'jmp', to: loop });
      split.y = this.program.length;
      return;
    }
    // (max - min) nested optional copies: split(body, end); body; split(body, end); body; … end:
    const splits: { op: 'split'; x: number; y: number }[] = [];
    for (let k = node.min; k < node.max; k++) {
      const split = { op: 'split' as const, x: 0, y: 0 };
      splits.push(split);
      this.push(split);
      split.x = this.program.length;
      this.emit(node.node);
    }
    for (const s of splits) s.y = this.program.length;
  }
}

/** The per-instruction arrays of a run whose program has no `count` instruction (never read). */
const NO_COUNTS = new Int32Array(0);

class PikeMatcher implements WholeMatcher {
  readonly size: number;
  /** Where the program's `count` instructions are (none: their pass is skipped). */
  private readonly countAt: readonly number[];
  private readonly counting: boolean;

  constructor(
    readonly pattern: string,
    private readonly program: readonly Instruction[],
    readonly compileSteps: number,
  ) {
    this.size = program.length;
    this.countAt = program.flatMap((i, pc) => (i.op === 'count' ? [pc] : []));
    this.counting = this.countAt.length > 0;
  }

  test(s: string): boolean {
    return this.run(s).matched;
  }

  run(s: string): { matched: boolean; steps: number } {
    const text = Array.from(s, (c) => c.codePointAt(0) ?? 0);
    const n = text.length;
    const program = this.program;
    /** The position whose ε-closure has entered each instruction (each is entered once per position). */
    const seen = new Int32Array(this.size).fill(-1);
    // What only `count` instructions use is made only for a program that has them (most have none).
    /** The position whose list holds each `count` instruction. */
    const listed = this.counting ? new Int32Array(this.size).fill(-1) : NO_COUNTS;
    /** Per `count` instruction, where its threads entered it, oldest first (from `heads[pc]` on): a thread entered at e has counted pos − e. */
    const entered: number[][] = [];
    for (const pc of this.countAt) entered[pc] = [];
    const heads = this.counting ? new Int32Array(this.size) : NO_COUNTS;
    let steps = 0;
    let matched = false;
    // (Bounds checked: reading past an array's end takes V8's slow path.)
    const oldest = (pc: number): number | undefined => {
      const queue = entered[pc] as number[];
      const head = heads[pc] as number;
      return head < queue.length ? queue[head] : undefined;
    };
    // Adds to `list` the instructions that read the next character reachable from `start` without reading (the ε-closure at `pos`).
    const add = (list: number[], start: number, pos: number): void => {
      const stack = [start];
      while (stack.length > 0) {
        const pc = stack.pop() as number;
        if (seen[pc] === pos) continue;
        seen[pc] = pos;
        steps++;
        const ins = program[pc] as Instruction;
        switch (ins.op) {
          case 'char':
            list.push(pc);
            break;
          case 'count': {
            // A thread enters having counted 0; unbounded, the oldest thread counts the most and never runs out.
            if (ins.max !== undefined || oldest(pc) === undefined) entered[pc]!.push(pos);
            if (listed[pc] !== pos) {
              listed[pc] = pos;
              list.push(pc);
            }
            if (ins.min === 0) stack.push(pc + 1);
            break;
          }
          case 'split':
            stack.push(ins.y, ins.x);
            break;
          case 'jmp':
            stack.push(ins.to);
            break;
          case 'anchor':
            if (ins.at === 'start' ? pos === 0 : pos === n) stack.push(pc + 1);
            break;
          case 'match':
            if (pos === n) matched = true;
            break;
        }
      }
    };
    let current: number[] = [];
    add(current, 0, 0);
    for (let pos = 0; pos < n && current.length > 0; pos++) {
      const c = text[pos] as number;
      const next: number[] = [];
      // The `count` threads read c first, all together, before any thread enters at pos + 1.
      if (this.counting) for (const pc of current) {
        const ins = program[pc] as Instruction;
        if (ins.op !== 'count') continue;
        steps++;
        const queue = entered[pc]!;
        if (!ins.test(c)) {
          queue.length = 0;
          heads[pc] = 0;
          continue;
        }
        for (let e = oldest(pc); e !== undefined && ins.max !== undefined && pos + 1 - e > ins.max; e = oldest(pc)) {
          heads[pc]!++;
          steps++;
        }
        if (oldest(pc) === undefined) {
          queue.length = 0;
          heads[pc] = 0;
        } else {
          listed[pc] = pos + 1;
          next.push(pc);
        }
      }
      for (const pc of current) {
        const ins = program[pc] as Instruction & { op: 'char' | 'count' };
        if (ins.op === 'char') {
          steps++;
          if (ins.test(c)) add(next, pc + 1, pos + 1);
        } else {
          // The oldest thread has counted the most (at most max): go on if it has counted min.
          const e = oldest(pc);
          if (e !== undefined && pos + 1 - e >= ins.min) add(next, pc + 1, pos + 1);
        }
      }
      current = next;
    }
    return { matched, steps };
  }
}

/**
 * A matcher for whether a whole string matches POSIX ERE `pattern` (`ignoreCase`: as REG_ICASE).
 * Throws PosixEreError (not an ERE, or a program over MAX_PROGRAM_SIZE).
 */
export function compileWholeMatch(pattern: string, options: { readonly ignoreCase?: boolean } = {}): WholeMatcher {
  const compiler = new Compiler(pattern, options.ignoreCase ?? false);
  const tree = prune(parsePosixEre(pattern));
  if (tree) compiler.emit(tree);
  compiler.push({ op: 'match' });
  return new PikeMatcher(pattern, compiler.program, compiler.steps);
}
