import { describe, expect, it } from 'vitest';
import { IllegalTransitionError, StateMachine } from '../runtime/state-machine.js';
import { clientTransactionTransitions, type ClientTransactionState } from './client-transaction.js';

describe('client transaction transitions (client-transaction.ts)', () => {
  const all: ClientTransactionState[] = ['waiting', 'answered', 'failed', 'timed-out', 'aborted'];
  for (const from of all) {
    for (const to of all) {
      const ok = from === 'waiting' && to !== 'waiting';
      it(`${from} -> ${to} is ${ok ? 'allowed' : 'illegal'}`, () => {
        const m = new StateMachine<ClientTransactionState>('transaction', clientTransactionTransitions, from);
        if (ok) {
          m.transition(to);
          expect(m.state).toBe(to);
        } else expect(() => m.transition(to)).toThrow(IllegalTransitionError);
      });
    }
  }
});
