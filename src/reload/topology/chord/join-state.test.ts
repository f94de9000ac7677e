import { describe, expect, it } from 'vitest';
import { IllegalTransitionError, StateMachine } from '../../runtime/state-machine.js';
import { isInRing, joinTransitions, type JoinState } from './join-state.js';

const STATES = Object.keys(joinTransitions) as JoinState[];

/** Every (from, to) pair the join of RFC 6940 §10.5 and the leave of §10.9 may take. */
const ALLOWED: readonly [JoinState, JoinState][] = [
  ['idle', 'bootstrapping'],
  ['idle', 'joined'],
  ['bootstrapping', 'attaching'],
  ['bootstrapping', 'bootstrapping'],
  ['bootstrapping', 'joined'],
  ['bootstrapping', 'failed'],
  ['attaching', 'joining'],
  ['attaching', 'bootstrapping'],
  ['attaching', 'failed'],
  ['joining', 'joined'],
  ['joining', 'bootstrapping'],
  ['joining', 'failed'],
  ['joined', 'leaving'],
  ['leaving', 'left'],
  ['failed', 'bootstrapping'],
  ...STATES.filter((s) => s !== 'stopped').map((s): [JoinState, JoinState] => [s, 'stopped']),
];

/** A machine brought to `state` along legal transitions (breadth-first from idle). */
function machineIn(state: JoinState): StateMachine<JoinState> {
  const paths = new Map<JoinState, JoinState[]>([['idle', []]]);
  const queue: JoinState[] = ['idle'];
  while (queue.length > 0) {
    const s = queue.shift()!;
    for (const t of joinTransitions[s]) {
      if (paths.has(t)) continue;
      paths.set(t, [...paths.get(s)!, t]);
      queue.push(t);
    }
  }
  const m = new StateMachine<JoinState>('chord join', joinTransitions, 'idle');
  for (const s of paths.get(state)!) m.transition(s);
  return m;
}

describe('chord join state machine (style.md §6)', () => {
  for (const from of STATES) {
    for (const to of STATES) {
      const allowed = ALLOWED.some(([a, b]) => a === from && b === to);
      it(`${from} -> ${to} is ${allowed ? 'allowed' : 'illegal'}`, () => {
        const m = machineIn(from);
        if (allowed) {
          m.transition(to);
          expect(m.state).toBe(to);
        } else {
          expect(() => m.transition(to)).toThrow(IllegalTransitionError);
          expect(m.state).toBe(from);
        }
      });
    }
  }

  it('answers for its range while joining (Join sent), joined and leaving', () => {
    expect(STATES.filter(isInRing)).toEqual(['joining', 'joined', 'leaving']);
  });
});
