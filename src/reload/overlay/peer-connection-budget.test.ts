/**
 * The caps on the peer connections a peer makes for Attaches (RFC 6940 §6.5.1.2: "If the peer is
 * overloaded ... it MAY generate an error instead of an AttachReqAns").
 */
import { describe, expect, it } from 'vitest';
import { OverloadError, ReloadError } from '../runtime/reload-error.js';
import { DEFAULT_PEER_CONNECTION_LIMITS, PeerConnectionBudget } from './peer-connection-budget.js';

const id = (n: number) => new Uint8Array(16).fill(n);
const refusal = (f: () => unknown) => {
  try {
    f();
  } catch (e) {
    return e instanceof ReloadError ? e.codeName : String(e);
  }
  return 'taken';
};

describe('PeerConnectionBudget', () => {
  it('refuses a requester more pending connections than its cap, others still get theirs', () => {
    const b = new PeerConnectionBudget({ pendingPerRequester: 2, pending: 10, total: 10 });
    b.take(id(1));
    b.take(id(1));
    expect(refusal(() => b.take(id(1)))).toBe('Error_Request_Timeout');
    expect(refusal(() => b.take(id(2)))).toBe('taken');
    expect(b.pending).toBe(3);
  });

  it('a connection that connected no longer counts as pending for its requester, but counts in the total until released', () => {
    const b = new PeerConnectionBudget({ pendingPerRequester: 1, pending: 10, total: 2 });
    const first = b.take(id(1));
    expect(refusal(() => b.take(id(1)))).toBe('Error_Request_Timeout');
    first.connected();
    const second = b.take(id(1));
    expect(b.total).toBe(2);
    expect(refusal(() => b.take(id(3)))).toBe('Error_Request_Timeout');
    first.release();
    second.release();
    second.release();
    expect({ total: b.total, pending: b.pending }).toEqual({ total: 0, pending: 0 });
    expect(refusal(() => b.take(id(1)))).toBe('taken');
  });

  it('counts peer connections held outside it (offers gathered ahead) as pending and in the total', () => {
    let held = 2;
    const b = new PeerConnectionBudget({ pendingPerRequester: 4, pending: 3, total: 10 }, () => held);
    b.take(id(1));
    expect({ total: b.total, pending: b.pending }).toEqual({ total: 3, pending: 3 });
    expect(refusal(() => b.take(id(2)))).toBe('Error_Request_Timeout');
    held = 1; // one is taken, for its own slot
    expect(refusal(() => b.take())).toBe('taken');
  });

  it('caps pending connections in all, our own offers (no requester) included', () => {
    const b = new PeerConnectionBudget({ pendingPerRequester: 5, pending: 2, total: 10 });
    const offer = b.take();
    b.take(id(1));
    expect(refusal(() => b.take(id(2)))).toBe('Error_Request_Timeout');
    expect(refusal(() => b.take())).toBe('Error_Request_Timeout');
    // Our own refusal, told apart from a target's failure (Chord does not hold the target back).
    expect(() => b.take()).toThrow(OverloadError);
    offer.release();
    expect(refusal(() => b.take(id(2)))).toBe('taken');
  });

  it('defaults: a requester below a joiner\'s 16 finger searches, the total under a browser tab\'s 500 and above a hub\'s ~200 links plus all pending', () => {
    const { pendingPerRequester, pending, total } = DEFAULT_PEER_CONNECTION_LIMITS;
    expect(pendingPerRequester).toBeGreaterThanOrEqual(16);
    expect(total).toBeLessThan(500);
    expect(total - pending).toBeGreaterThanOrEqual(200);
  });
});
