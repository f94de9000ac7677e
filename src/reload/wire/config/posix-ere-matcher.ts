/**
 * Whole-string matching of a POSIX ERE (posix-ere.ts) in time linear in the string: the parsed
 * pattern is compiled to a Thompson NFA (Thompson 1968; Cox, "Regular Expression Matching Can Be
 * Simple And Fast", 2007) and run as a Pike VM without captures, every state advanced one
 * character at a time. Each state is entered at most once per position, so a match costs at most
 * 2 × program size × (string length + 1) steps whatever the pattern and the string: a pattern
 * such as `([a-z0-9-]+\.?)+\.example` cannot make a name take exponential time, as it does in a
 * backtracking engine such as JavaScript's RegExp.
 *
 * The question asked is only "does the pattern match the entire string?". POSIX's leftmost-longest
 * rule decides which match and which subexpressions are reported, not whether one exists, so the
 * NFA's answer is POSIX's.
 *
 * Intervals `{m,n}` are expanded into copies of their atom, so the program grows with the counts
 * (`(a{0,255}){0,255}` would need 65,000 states). OUR CHOICE: a program is at most
 * MAX_PROGRAM_SIZE instructions (as RE2 bounds its programs); a larger pattern is a PosixEreError
 * at the repetition that made it too large, found before anything is expanded. That keeps the work of one match bounded as well as
 * linear: at most 2 × 4096 × 256 steps for a 255-character domain.
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
  | { readonly op: 'match' };

/** A compiled pattern: whether a whole string matches, and at what cost. */
export interface WholeMatcher {
  /** The pattern as given. */
  readonly pattern: string;
  /** Instructions in the program (the factor of the string length in the step bound). */
  readonly size: number;
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

class Compiler {
  readonly program: Instruction[] = [];

  constructor(private readonly ignoreCase: boolean) {}

  private push(i: Instruction): number {
    this.program.push(i);
    return this.program.length - 1;
  }

  emit(node: EreNode): void {
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
        return this.repeat(node);
    }
  }

  private repeat(node: EreNode & { type: 'repeat' }): void {
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

/**
 * The number of instructions `node` compiles to (as Compiler.emit lays them out); throws at the
 * first repetition, innermost first, whose expansion alone passes MAX_PROGRAM_SIZE.
 */
function programSize(node: EreNode, pattern: string): number {
  switch (node.type) {
    case 'char':
    case 'anchor':
      return 1;
    case 'concat':
      return node.items.reduce((sum, item) => sum + programSize(item, pattern), 0);
    case 'alt':
      return node.options.reduce((sum, option) => sum + programSize(option, pattern), 0) + 2 * (node.options.length - 1);
    case 'repeat': {
      const s = programSize(node.node, pattern);
      const size = node.min * s + (node.max === undefined ? s + 2 : (node.max - node.min) * (s + 1));
      if (size > MAX_PROGRAM_SIZE) {
        throw new PosixEreError(node.offset, `the repetition at offset ${node.offset} of "${pattern}" makes the pattern too large (more than ${MAX_PROGRAM_SIZE} states); use smaller interval counts`);
      }
      return size;
    }
  }
}

class PikeMatcher implements WholeMatcher {
  readonly size: number;

  constructor(
    readonly pattern: string,
    private readonly program: readonly Instruction[],
  ) {
    this.size = program.length;
  }

  test(s: string): boolean {
    return this.run(s).matched;
  }

  run(s: string): { matched: boolean; steps: number } {
    const text = Array.from(s, (c) => c.codePointAt(0) ?? 0);
    const n = text.length;
    const seen = new Int32Array(this.size).fill(-1);
    let steps = 0;
    let matched = false;
    // Adds to `list` the char instructions reachable from `pc` without consuming (the ε-closure at `pos`).
    const add = (list: number[], start: number, pos: number): void => {
      const stack = [start];
      while (stack.length > 0) {
        const pc = stack.pop() as number;
        if (seen[pc] === pos) continue;
        seen[pc] = pos;
        steps++;
        const ins = this.program[pc] as Instruction;
        switch (ins.op) {
          case 'char':
            list.push(pc);
            break;
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
      for (const pc of current) {
        steps++;
        const ins = this.program[pc] as Instruction & { op: 'char' };
        if (ins.test(c)) add(next, pc + 1, pos + 1);
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
  const tree = parsePosixEre(pattern);
  const size = programSize(tree, pattern) + 1;
  if (size > MAX_PROGRAM_SIZE) throw new PosixEreError(0, `"${pattern}" is too large (more than ${MAX_PROGRAM_SIZE} states)`);
  const compiler = new Compiler(options.ignoreCase ?? false);
  compiler.emit(tree);
  compiler.program.push({ op: 'match' });
  if (compiler.program.length !== size) throw new Error(`posix-ere-matcher: "${pattern}" compiled to ${compiler.program.length} instructions, not the ${size} counted`);
  return new PikeMatcher(pattern, compiler.program);
}
