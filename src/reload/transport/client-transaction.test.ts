import { describe, expect, it } from 'vitest';
import { IllegalTransitionError, StateMachine } from '../runtime/state-machine.js';
import { VirtualClock } from '../../sim/virtual-clock.js';
import { ClientTransaction, clientTransactionTransitions, type ClientTransactionOwner, type ClientTransactionState } from './client-transaction.js';

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

describe('ClientTransaction.answerRejected (§6.3.4 check 2)', () => {
  const setup = () => {
    const clock = new VirtualClock();
    const sent: number[] = [];
    const owner: ClientTransactionOwner<unknown> = {
      transmitRequest: (tx) => (sent.push(tx.transmissions), { ok: true }),
      transactionEnded: () => {},
    };
    const tx = new ClientTransaction<unknown>(clock, { transactionId: 1n, requestCode: 0x17, destinationList: [], message: new Uint8Array(1), timerMs: 3_000, certificateLookupsBefore: 0 }, owner, () => {}, () => {});
    tx.start();
    return { clock, sent, tx };
  };

  it('retransmits at once the first time, not again on a second rejection', () => {
    const { sent, tx } = setup();
    tx.answerRejected(1);
    expect(sent).toEqual([1, 2]);
    tx.answerRejected(2);
    expect(sent).toEqual([1, 2]);
  });

  it('does not retransmit at once when the timer retransmitted after the rejected answer arrived', async () => {
    const { clock, sent, tx } = setup();
    await clock.advance(3_000);
    expect(sent).toEqual([1, 2]);
    // The answer arrived after transmission 1; its check finished after the timer's transmission 2.
    tx.answerRejected(1);
    expect(sent).toEqual([1, 2]);
    await clock.advance(3_000);
    expect(sent).toEqual([1, 2, 3]);
  });
});
