/**
 * ChordMaintenance and ChordStabilization on a real ChordCore and routing table, on the virtual
 * clock, when a request to another peer fails: a failure of the target holds it back (RFC 6940
 * §10.7.1), a refusal of this peer's own caps does not. The LinkConnector (the Attach service)
 * and the message transport answer as scripted.
 */
import { describe, expect, it } from 'vitest';
import { nodeIdKey } from '../../forwarding/index.js';
import { LocalGatheringError, ReloadError } from '../../runtime/reload-error.js';
import { TransportOverloadError } from '../../transport/index.js';
import { ErrorCode } from '../../wire/message-codes.js';
import { REFUSED_RETRIES, REFUSED_RETRY_MS } from './chord-core.js';
import { CLOSED_LINK_REATTACH_MS } from './chord-reattach.js';
import { DEFAULT_CHORD_PARAMETERS } from './chord-parameters.js';
import { ChordStabilization } from './chord-stabilization.js';
import { budgetRefusal } from '../../testing/budget-refusal.js';
import { id, maintenanceFixture, TARGET, type AttachOutcome } from './testing/maintenance-fixture.js';

describe('ChordMaintenance: an Attach to a peer an Update named fails (RFC 6940 §10.7.1, §10.7.3)', () => {
  it.each([
    ['peer-connection budget (OverloadError)', budgetRefusal()],
    ['WebRTC stack that made no local description (LocalGatheringError)', new LocalGatheringError(ErrorCode.Error_Request_Timeout, new TextEncoder().encode('no local description was made'))],
    ['cap on pending requests (TransportOverloadError)', new TransportOverloadError('1000 requests already pending')],
  ])('refused by this peer\'s own %s: the target is not held back, and the Attach is tried again later', async (_name, refusal) => {
    const s = maintenanceFixture([refusal, 'link']);
    s.maintenance.consider([TARGET], undefined);
    await s.clock.advance(0);
    expect(s.attaches()).toBe(1);
    expect(s.core.recentlyFailed(nodeIdKey(TARGET))).toBe(false);
    await s.clock.advance(REFUSED_RETRY_MS);
    expect(s.attaches()).toBe(2);
    expect(s.has()).toBe(true);
  });

  it('refused every time: tried again a bounded number of times, then left until something names the target again', async () => {
    const s = maintenanceFixture([budgetRefusal()]);
    s.maintenance.consider([TARGET], undefined);
    await s.clock.advance(REFUSED_RETRY_MS * 2 ** (REFUSED_RETRIES + 1));
    expect(s.attaches()).toBe(1 + REFUSED_RETRIES);
    expect(s.has()).toBe(false);
    expect(s.core.recentlyFailed(nodeIdKey(TARGET))).toBe(false);
    s.maintenance.consider([TARGET], undefined);
    await s.clock.advance(0);
    expect(s.attaches()).toBe(2 + REFUSED_RETRIES);
    s.maintenance.stop();
  });

  it('failed at the target (its error answer, or no answer): the target is held back for failedPeerMemoryMs and not tried again meanwhile', async () => {
    const s = maintenanceFixture([ReloadError.of('Error_Request_Timeout', 'no answer after 5 transmissions'), 'link']);
    s.maintenance.consider([TARGET], undefined);
    await s.clock.advance(0);
    expect(s.core.recentlyFailed(nodeIdKey(TARGET))).toBe(true);
    await s.clock.advance(REFUSED_RETRY_MS * 2 ** REFUSED_RETRIES);
    s.maintenance.consider([TARGET], undefined);
    await s.clock.advance(0);
    expect(s.attaches()).toBe(1);
    expect(s.has()).toBe(false);
  });
});

describe('ChordMaintenance: a would-be neighbour held back after a failed Attach (RFC 6940 §10.7.1, §10.7.3; chord-held-back.ts)', () => {
  const VIA = id(0x30);
  const memoryMs = DEFAULT_CHORD_PARAMETERS.failedPeerMemoryMs;
  /** A joined peer linked to VIA, whose last Update names TARGET while `named()` says so. */
  function heldBackFixture(outcomes: readonly AttachOutcome[], named: () => boolean = () => true) {
    const s = maintenanceFixture(outcomes);
    s.core.transition('joined');
    s.linked(VIA);
    s.maintenance.repair = { ...s.maintenance.repair, namedBy: (key) => (key === nodeIdKey(TARGET) && named() ? VIA : undefined) };
    return s;
  }

  it('is Attached to once its hold-back ends, through the neighbour whose Update names it (§10.6)', async () => {
    const s = heldBackFixture([ReloadError.of('Error_Request_Timeout', 'no answer after 5 transmissions'), 'link']);
    s.maintenance.consider([TARGET], VIA);
    await s.clock.advance(memoryMs - 1);
    expect(s.attaches()).toBe(1);
    await s.clock.advance(CLOSED_LINK_REATTACH_MS + 1);
    expect(s.attaches()).toBe(2);
    expect(s.routes[1]).toEqual([nodeIdKey(VIA), nodeIdKey(TARGET)]);
    expect(s.has()).toBe(true);
    s.maintenance.stop();
  });

  it('named again while held back: no Attach before the hold-back ends, one after', async () => {
    const s = heldBackFixture([ReloadError.of('Error_Request_Timeout', 'no answer'), 'link']);
    s.maintenance.consider([TARGET], VIA);
    await s.clock.advance(memoryMs / 2);
    s.maintenance.consider([TARGET], VIA);
    s.maintenance.consider([TARGET], VIA);
    expect(s.attaches()).toBe(1);
    await s.clock.advance(memoryMs / 2 + CLOSED_LINK_REATTACH_MS);
    expect(s.attaches()).toBe(2);
    expect(s.has()).toBe(true);
    s.maintenance.stop();
  });

  it('no neighbour names it any more when the hold-back ends: not sought', async () => {
    let named = true;
    const s = heldBackFixture([ReloadError.of('Error_Request_Timeout', 'no answer'), 'link'], () => named);
    s.maintenance.consider([TARGET], VIA);
    await s.clock.advance(0);
    named = false;
    await s.clock.advance(10 * memoryMs);
    expect(s.attaches()).toBe(1);
    s.maintenance.stop();
  });

  it('the Attach at the end of the hold-back fails too: no further one until an Update names the peer again', async () => {
    const s = heldBackFixture([ReloadError.of('Error_Request_Timeout', 'no answer')]);
    s.maintenance.consider([TARGET], VIA);
    await s.clock.advance(10 * memoryMs);
    expect(s.attaches()).toBe(2);
    expect(s.core.recentlyFailed(nodeIdKey(TARGET))).toBe(false);
    s.maintenance.stop();
  });
});

describe('ChordStabilization: the periodic Update to a neighbour fails (RFC 6940 §10.7.4.1, §10.7.1)', () => {
  it.each([
    ['refused by this peer\'s own cap on pending requests (TransportOverloadError): the neighbour is kept', new TransportOverloadError('1000 requests already pending'), []],
    ['unanswered (Error_Request_Timeout): the neighbour is taken as failed and its link dropped', ReloadError.of('Error_Request_Timeout', 'no answer after 5 transmissions'), [nodeIdKey(TARGET)]],
  ])('%s', async (_name, error, removed) => {
    const s = maintenanceFixture(['link'], { requestError: error });
    s.linked(TARGET);
    const stabilization = new ChordStabilization(s.core, s.maintenance);
    stabilization.start();
    await s.clock.advance(DEFAULT_CHORD_PARAMETERS.updateIntervalMs + 1);
    expect(s.removed).toEqual(removed);
    stabilization.stop();
    s.maintenance.stop();
  });
});
