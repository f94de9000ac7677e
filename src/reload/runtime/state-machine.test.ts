import { describe, expect, it } from 'vitest';
import { IllegalTransitionError, StateMachine, type TransitionTable } from './state-machine.js';

type S = 'a' | 'b' | 'c';
const table: TransitionTable<S> = { a: ['b'], b: ['a', 'c'], c: [] };

describe('StateMachine', () => {
  it('follows the table and reports each change', () => {
    const m = new StateMachine<S>('test', table, 'a');
    const seen: string[] = [];
    m.subscribe((to, reason, from) => seen.push(`${from}->${to}:${reason ?? ''}`));
    m.transition('b', 'go');
    m.transition('c');
    expect(m.state).toBe('c');
    expect(seen).toEqual(['a->b:go', 'b->c:']);
  });

  it('tells listeners in the order they subscribed, each change as it began, until they unsubscribe', () => {
    const m = new StateMachine<S, 'why'>('test', table, 'a');
    const seen: string[] = [];
    // A listener of a Link's shape, (state, reason), subscribes as it is.
    const first = (to: S, reason: 'why' | undefined) => seen.push(`first ${to} ${reason ?? '-'}`);
    const offFirst = m.subscribe(first);
    let offLate: (() => void) | undefined;
    m.subscribe((to) => {
      seen.push(`second ${to}`);
      offFirst();
      // Subscribed during a change: told of the next one only.
      offLate ??= m.subscribe((to) => seen.push(`late ${to}`));
    });
    m.transition('b', 'why');
    m.transition('a');
    offLate?.();
    m.transition('b');
    expect(seen).toEqual(['first b why', 'second b', 'second a', 'late a', 'second b']);
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
