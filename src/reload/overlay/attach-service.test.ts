/**
 * AttachService between two peers whose Attaches meet (RFC 6940 §6.5.1.2): the tie-breaker, the
 * Error_In_Progress refusal and the link the refused requester gets, this peer's own budget
 * refusing the peer connection, and how long an Attach of ours waits for the peer's. The two
 * peers, their ICE fabric and transport: testing/attach-pair.ts. The one link per neighbour both
 * ends keep: attach-service-links.test.ts.
 */
import { describe, expect, it } from 'vitest';
import type { FakeLink } from '../testing/fake-link.js';
import { AbortError } from '../runtime/components.js';
import { OverloadError, ReloadError } from '../runtime/reload-error.js';
import { LARGER, LATENCY_MS, SMALLER, id, pairOf } from './testing/attach-pair.js';

describe('AttachService: Attaches between two peers (RFC 6940 §6.5.1.2)', () => {
  it('refuses with Error_In_Progress an Attach from a peer whose answer to our Attach is in, whatever the Node-IDs, and the refused requester gets the link our Attach makes', async () => {
    const { clock, fabric, small, large, kept } = pairOf();
    const mine = small.service.attach([{ kind: 'node', nodeId: LARGER }]);
    await clock.advance(2 * LATENCY_MS);
    expect(fabric.checksRunning).toBe(1); // answered; the smaller peer's ICE check runs
    const theirs = large.service.attach([{ kind: 'node', nodeId: SMALLER }]);
    const both = Promise.all([mine, theirs]);
    // The smaller peer keeps its check: no second answer, no second peer connection; and the
    // larger peer's Attach resolves over the link the smaller peer's makes.
    await expect(clock.run(both)).resolves.toEqual([LARGER, SMALLER]);
    expect(fabric.checksAborted).toBe(0);
    expect(fabric.answers).toBe(1);
    expect(kept()).toEqual(['L1 open', 'L1 open']);
  });

  it('an Attach of ours to a Resource-ID that the peer answering refuses with Error_In_Progress waits for the link that peer\'s Attach makes, as one to its Node-ID does', async () => {
    const { clock, fabric, small, large, kept } = pairOf();
    const mine = small.service.attach([{ kind: 'node', nodeId: LARGER }]);
    await clock.advance(2 * LATENCY_MS);
    expect(fabric.checksRunning).toBe(1); // answered; the smaller peer's ICE check runs
    // The larger peer's finger search reaches the smaller peer, which refuses it (§6.5.1.2).
    const theirs = large.service.attach([{ kind: 'resource', resourceId: id(0x01) }]);
    await expect(clock.run(Promise.all([mine, theirs]))).resolves.toEqual([LARGER, SMALLER]);
    expect(fabric.answers).toBe(1);
    expect(kept()).toEqual(['L1 open', 'L1 open']);
  });

  it('Attaches crossing before either answer: the smaller Node-ID cancels its own and answers, the larger refuses, and both Attaches resolve over the one link', async () => {
    const { clock, fabric, small, large, kept } = pairOf();
    const both = Promise.all([small.service.attach([{ kind: 'node', nodeId: LARGER }]), large.service.attach([{ kind: 'node', nodeId: SMALLER }])]);
    await expect(clock.run(both)).resolves.toEqual([LARGER, SMALLER]);
    expect(fabric.answers).toBe(1);
    expect(kept()).toEqual(['L2 open', 'L2 open']); // the larger peer's offer (the second)
  });
});

describe('AttachService: this peer\'s own budget refuses the peer connection (overlay/peer-connection-budget.ts)', () => {
  it('for an Attach of ours: it rejects at once with the OverloadError (our refusal, not the target\'s failure), nothing sent', async () => {
    const { clock, fabric, small } = pairOf();
    fabric.refuse = { at: SMALLER, what: 'offer' };
    const mine = small.service.attach([{ kind: 'node', nodeId: LARGER }]).catch((e: unknown) => e);
    const error = await clock.run(mine);
    expect(error).toBeInstanceOf(OverloadError);
    expect(clock.now()).toBe(0);
    expect(fabric.answers).toBe(0);
  });

  it('for the crossing Attach ours gave way to (§6.5.1.2): ours ends at once with that OverloadError, instead of waiting out the link timeout for a link that cannot come', async () => {
    const { clock, fabric, small, large } = pairOf();
    fabric.refuse = { at: SMALLER, what: 'answer' };
    const mine = small.service.attach([{ kind: 'node', nodeId: LARGER }]).catch((e: unknown) => e);
    const theirs = large.service.attach([{ kind: 'node', nodeId: SMALLER }]).catch((e: unknown) => e);
    const [ours, other] = await clock.run(Promise.all([mine, theirs]));
    // The smaller peer gave way and could not answer: its Attach fails by its own refusal.
    expect(ours).toBeInstanceOf(OverloadError);
    // The larger peer got the error answer (on the wire, a plain ReloadError: the other peer's refusal).
    expect(other).toBeInstanceOf(ReloadError);
    expect((other as ReloadError).codeName).toBe('Error_Request_Timeout');
    expect(clock.now()).toBeLessThan(1_000);
  });

  it('for the refusing peer\'s own Attach that an Attach of ours to a Resource-ID waits for (§6.5.1.2 Error_In_Progress): ours ends at once with that OverloadError when it arrives after the refusal and cannot be answered', async () => {
    const { clock, fabric, small, large } = pairOf();
    fabric.refuse = { at: SMALLER, what: 'answer' };
    // The larger peer's Attach to the smaller takes a slower route: it arrives after the refusal.
    large.requestLatencyMs = 5 * LATENCY_MS;
    const theirs = large.service.attach([{ kind: 'node', nodeId: SMALLER }]).catch((e: unknown) => e);
    // The smaller peer's finger search reaches the larger peer, which refuses it (tie-breaker: its own Attach is unanswered).
    const mine = small.service.attach([{ kind: 'resource', resourceId: id(0x02) }]).catch((e: unknown) => e);
    const [ours, other] = await clock.run(Promise.all([mine, theirs]));
    expect((other as ReloadError).codeName).toBe('Error_Request_Timeout');
    expect(ours).toBeInstanceOf(OverloadError);
    expect(clock.now()).toBeLessThan(1_000);
  });
});

describe('AttachService: an Attach of ours waiting for the peer\'s own (§6.5.1.2) ends only when no link can come of the peer\'s Attaches', () => {
  it('a later Attach of the peer\'s that cannot be answered here does not end ours while an answered one\'s link is still coming', async () => {
    const { clock, fabric, small, large, kept } = pairOf();
    // The larger peer's first Attach is answered; its ICE check runs (ICE_CHECK_MS).
    const first = large.service.attach([{ kind: 'node', nodeId: SMALLER }]);
    await clock.advance(2 * LATENCY_MS);
    // Ours reaches the larger peer, which refuses it (its own Attach is answered): ours waits for that link.
    const mine = small.service.attach([{ kind: 'node', nodeId: LARGER }]).catch((e: unknown) => e);
    await clock.advance(2 * LATENCY_MS);
    // The larger peer's next Attach (a finger search) finds our budget full and is refused.
    fabric.refuse = { at: SMALLER, what: 'answer' };
    const second = large.service.attach([{ kind: 'resource', resourceId: id(0x01) }]).catch((e: unknown) => e);
    const [ours, firstDone, secondDone] = await clock.run(Promise.all([mine, first, second]));
    expect((secondDone as ReloadError).codeName).toBe('Error_Request_Timeout');
    expect(firstDone).toEqual(SMALLER);
    expect(ours).toEqual(LARGER);
    expect(kept()).toEqual(['L1 open', 'L1 open']);
  });

  it('the peer\'s Attach that failed here before its refusal of ours arrived ends ours at once when the refusal comes', async () => {
    const { clock, fabric, small, large } = pairOf();
    fabric.refuse = { at: SMALLER, what: 'answer' };
    // The larger peer's Attach arrives first and cannot be answered here.
    const theirs = large.service.attach([{ kind: 'node', nodeId: SMALLER }]).catch((e: unknown) => e);
    await clock.advance(LATENCY_MS / 2);
    // Ours to a Resource-ID reaches the larger peer while its own is unanswered: refused (tie-breaker), after that failure here.
    const mine = small.service.attach([{ kind: 'resource', resourceId: id(0x02) }]).catch((e: unknown) => e);
    const [ours, other] = await clock.run(Promise.all([mine, theirs]));
    expect((other as ReloadError).codeName).toBe('Error_Request_Timeout');
    expect(ours).toBeInstanceOf(OverloadError);
    expect(clock.now()).toBeLessThan(1_000);
  });

  it('a fresh Attach of ours, started after a failed Attach of the peer\'s and refused for the peer\'s newer one, waits for that one\'s link: the remembered failure is not its (stale crossing failure)', async () => {
    const { clock, fabric, small, large, kept } = pairOf();
    fabric.refuse = { at: SMALLER, what: 'answer' };
    // The larger peer's first Attach cannot be answered here: its failure is remembered (CROSSING_FAILURE_MEMORY_MS).
    const failedFirst = await clock.run(large.service.attach([{ kind: 'node', nodeId: SMALLER }]).catch((e: unknown) => e));
    expect((failedFirst as ReloadError).codeName).toBe('Error_Request_Timeout');
    fabric.refuse = undefined;
    await clock.advance(1_000);
    // A second Attach of the larger peer's takes a slower route; ours, started after the failure,
    // reaches the larger peer first and is refused (tie-breaker: its own is unanswered).
    large.requestLatencyMs = 5 * LATENCY_MS;
    const second = large.service.attach([{ kind: 'node', nodeId: SMALLER }]).catch((e: unknown) => e);
    const mine = small.service.attach([{ kind: 'node', nodeId: LARGER }]).catch((e: unknown) => e);
    const [ours, theirs] = await clock.run(Promise.all([mine, second]));
    expect(theirs).toEqual(SMALLER);
    expect(ours).toEqual(LARGER);
    // The link of the larger peer's second offer (its first was refused here).
    expect(kept()).toEqual(['L2 open', 'L2 open']);
  });
});

describe('AttachService: each Attach of the peer\'s is told its outcome once, whatever throws after (review 2, bug 3)', () => {
  it('an Update listener that throws once the link is made leaves no Attach of the peer\'s counted for good: its later failure still ends ours at once', async () => {
    const { clock, fabric, small, large, kept } = pairOf();
    small.service.onUpdateRequested(() => {
      throw new Error('listener broke');
    });
    // The larger peer's Attach asks for an Update; the link comes, the smaller peer's listener throws.
    await clock.run(large.service.attach([{ kind: 'node', nodeId: SMALLER }], { sendUpdate: true }));
    // The link breaks (a FakeLink closes at both ends).
    (small.table.get(LARGER) as unknown as FakeLink).close();
    expect(kept()).toEqual(['none', 'none']);
    // As 'the peer's Attach that failed here before its refusal of ours arrived': ours ends at once.
    fabric.refuse = { at: SMALLER, what: 'answer' };
    const theirs = large.service.attach([{ kind: 'node', nodeId: SMALLER }]).catch((e: unknown) => e);
    await clock.advance(LATENCY_MS / 2);
    const mine = small.service.attach([{ kind: 'resource', resourceId: id(0x02) }]).catch((e: unknown) => e);
    const [ours] = await clock.run(Promise.all([mine, theirs]));
    expect(ours).toBeInstanceOf(OverloadError);
    expect(clock.now()).toBeLessThan(1_000);
  });
});

describe('AttachService: an Attach whose caller aborted before the call (audit attachclient, defect 1)', () => {
  it('rejects at once with the signal\'s reason and sends nothing: no offer, no Attach, no answer spent at the answerer', async () => {
    const { clock, fabric, small } = pairOf();
    const reason = new AbortError('the caller gave up');
    const mine = small.service.attach([{ kind: 'node', nodeId: LARGER }], { signal: AbortSignal.abort(reason) }).catch((e: unknown) => e);
    expect(await clock.run(mine)).toBe(reason);
    expect(clock.now()).toBe(0);
    expect(fabric.offers).toBe(0);
    expect(fabric.answers).toBe(0);
  });
});
