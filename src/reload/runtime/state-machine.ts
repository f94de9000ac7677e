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

export type StateChangeListener<S extends string> = (to: S, from: S, reason: string | undefined) => void;

export class StateMachine<S extends string> {
  private current: S;
  /** Made on first use: most machines (a transaction's) get no cleanup and no listener. */
  private cleanups: (() => void)[] | undefined;
  private listeners: Set<StateChangeListener<S>> | undefined;

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
  transition(to: S, reason?: string): void {
    const from = this.current;
    if (!this.table[from].includes(to)) throw new IllegalTransitionError(this.name, from, to);
    const cleanups = this.cleanups;
    this.cleanups = undefined;
    if (cleanups) for (const c of cleanups) c();
    this.current = to;
    if (this.listeners) for (const l of [...this.listeners]) l(to, from, reason);
  }

  /** Register `fn` to run when the current state is left (e.g. cancel a timer armed in it). */
  onLeave(fn: () => void): void {
    (this.cleanups ??= []).push(fn);
  }

  /** Listen to changes; returns the unsubscribe function. */
  subscribe(listener: StateChangeListener<S>): () => void {
    const listeners = (this.listeners ??= new Set());
    listeners.add(listener);
    return () => listeners.delete(listener);
  }
}
