/**
 * The one state-machine pattern of the stack (style.md §6): a string-union state type, a table of
 * allowed transitions, and one `transition(to)` that checks the table, runs the cleanups the old
 * state registered (its timers) and reports the change. Links (§6.6.3), transactions and later
 * Chord join (§10.5), Attach and calls all use it.
 */

/** For each state, the states it may move to. */
export type TransitionTable<S extends string> = { readonly [K in S]: readonly S[] };

/** A transition the table does not allow. */
export class IllegalTransitionError extends Error {
  override readonly name: string = 'IllegalTransitionError';
  constructor(
    readonly machine: string,
    readonly from: string,
    readonly to: string,
  ) {
    super(`${machine}: illegal transition ${from} -> ${to}`);
  }
}

/**
 * Told of each change. `reason` comes second so that a listener of the shape `(state, reason)`,
 * as a Link's (links/link.ts LinkStateListener), subscribes as it is, with no adapter.
 */
export type StateChangeListener<S extends string, R extends string = string> = (to: S, reason: R | undefined, from: S) => void;

/** The listener list every machine starts with (most, a transaction's, never get one). */
const NO_LISTENERS: readonly never[] = [];

/** `R`: the reasons a transition may give (a link's LinkCloseReason). */
export class StateMachine<S extends string, R extends string = string> {
  private current: S;
  /** Made on first use: most machines (a transaction's) get no cleanup and no listener. */
  private cleanups: (() => void)[] | undefined;
  /**
   * Copy-on-write: a change is told to the listeners there when it began. An array is a fraction
   * of a Set's size, and a simulator holds hundreds of thousands of link machines.
   */
  private listeners: readonly StateChangeListener<S, R>[] = NO_LISTENERS;

  constructor(
    /** Name used in errors and logs (`link`, `transaction`). */
    readonly name: string,
    private readonly table: TransitionTable<S>,
    initial: S,
  ) {
    this.current = initial;
  }

  get state(): S {
    return this.current;
  }

  /** Whether the table allows moving from the current state to `to`. */
  can(to: S): boolean {
    return this.table[this.current].includes(to);
  }

  /**
   * Move to `to`: throws IllegalTransitionError if the table forbids it; otherwise runs the
   * cleanups registered for the state being left (timers it armed), then tells the listeners.
   */
  transition(to: S, reason?: R): void {
    const from = this.current;
    if (!this.table[from].includes(to)) throw new IllegalTransitionError(this.name, from, to);
    const cleanups = this.cleanups;
    this.cleanups = undefined;
    if (cleanups) for (const c of cleanups) c();
    this.current = to;
    for (const l of this.listeners) l(to, reason, from);
  }

  /** Register `fn` to run when the current state is left (e.g. cancel a timer armed in it). */
  onLeave(fn: () => void): void {
    (this.cleanups ??= []).push(fn);
  }

  /** Listen to changes, in the order of subscribing; returns the unsubscribe function. */
  subscribe(listener: StateChangeListener<S, R>): () => void {
    // concat makes an array of exactly the new length (a spread leaves room to grow in each).
    this.listeners = this.listeners.concat(listener);
    return () => {
      this.listeners = this.listeners.filter((l) => l !== listener);
    };
  }
}
