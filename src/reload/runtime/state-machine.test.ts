import { describe, expect, it } from 'vitest';
import { IllegalTransitionError, StateMachine, type TransitionTable } from './state-machine.js';

type S = 'a' | 'b' | 'c';
const table: TransitionTable<S> = { a: ['b'], b: ['a', 'c'], c: [] };

describe('StateMachine', () => {
  it('follows the table and reports each change', () => {
    const m = new StateMachine<S>('test', table, 'a');
    const seen: string[] = [];
    m.subscribe((to, from, reason) => seen.push(`${from}->${to}:${reason ?? ''}`));
    m.transition('b', 'go');
    m.transition('c');
    expect(m.state).toBe('c');
    expect(seen).toEqual(['a->b:go', 'b->c:']);
  });

  it('rejects a transition the table does not list', () => {
    const m = new StateMachine<S>('test', table, 'a');
    expect(() => m.transition('c')).toThrow(IllegalTransitionError);
    expect(m.state).toBe('a');
    expect(m.can('b')).toBe(true);
    expect(m.can('a')).toBe(false);
  });

  it('runs the cleanups of the state being left, once', () => {
    const m = new StateMachine<S>('test', table, 'a');
    let cleaned = 0;
    m.onLeave(() => cleaned++);
    m.transition('b');
    m.transition('a');
    expect(cleaned).toBe(1);
  });
});
