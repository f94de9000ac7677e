/**
 * A neighbour lost with its link is Attached to again (RFC 6940 §10.7.1: "A peer MAY attempt to
 * reestablish connectivity with a lost neighbor ... by actively routing a new Attach to the lost
 * peer"), through a neighbour that named it since the loss (§10.6): when, how often, and what
 * else it must not hold up. ChordMaintenance on a real ChordCore, the rest scripted
 * (testing/maintenance-fixture.ts).
 */
import { describe, expect, it, vi } from 'vitest';
import { nodeIdKey } from '../../forwarding/index.js';
import type { LinkCloseReason } from '../../links/index.js';
import type { NodeId } from '../../wire/ids.js';
import { TransportOverloadError } from '../../transport/index.js';
import { ChordUpdateType, type ChordUpdate } from '../../wire/methods/chord.js';
import { REFUSED_RETRY_MS } from './chord-core.js';
import { CLOSED_LINK_REATTACH_MS } from './chord-reattach.js';
import { DEFAULT_CHORD_PARAMETERS, type ChordParameters } from './chord-parameters.js';
import { ChordStabilization } from './chord-stabilization.js';
import { budgetRefusal } from '../../testing/budget-refusal.js';
import { id, maintenanceFixture, SELF, TARGET, type AttachOutcome } from './testing/maintenance-fixture.js';

const VIA = id(0x30);
const OTHER = id(0x18);
const memoryMs = DEFAULT_CHORD_PARAMETERS.failedPeerMemoryMs;

/** A joined peer with neighbours VIA and TARGET; `namedBy` answers for the neighbours' Updates. */
function lostNeighbour(outcomes: readonly AttachOutcome[], namedBy: (key: string, since: number) => NodeId | undefined = () => VIA, parameters: Partial<ChordParameters> = {}) {
  const s = maintenanceFixture(outcomes, { parameters });
  s.core.transition('joined');
  s.linked(VIA);
  s.linked(TARGET);
  s.maintenance.resetReplicationState();
  s.maintenance.repair = { ...s.maintenance.repair, namedBy };
  return s;
}

describe('ChordMaintenance: a neighbour lost with its link (RFC 6940 §10.7.1)', () => {
  it('closed by the other end or the channel: Attached to again within CLOSED_LINK_REATTACH_MS, through a neighbour that names it (§10.6)', async () => {
    const s = lostNeighbour(['link']);
    s.lose(TARGET, 'remote');
    await s.clock.advance(0);
    expect(s.has()).toBe(false);
    expect(s.attaches()).toBe(0);
    await s.clock.advance(CLOSED_LINK_REATTACH_MS);
    expect(s.attaches()).toBe(1);
    expect(s.routes[0]).toEqual([nodeIdKey(VIA), nodeIdKey(TARGET)]);
    expect(s.has()).toBe(true);
    s.maintenance.stop();
  });

  it.each([['dead'], [undefined]] as const)('link %s: not sooner than the end of the hold-back, then once', async (reason) => {
    const s = lostNeighbour([new Error('no answer')]);
    s.lose(TARGET, reason);
    await s.clock.advance(memoryMs - 1);
    expect(s.attaches()).toBe(0);
    await s.clock.advance(CLOSED_LINK_REATTACH_MS + 1);
    expect(s.attaches()).toBe(1);
    await s.clock.advance(10 * memoryMs);
    expect(s.attaches()).toBe(1);
    s.maintenance.stop();
  });

  it.each([['local'], ['protocol-error']] as const)('closed here (%s): not Attached to again', async (reason: LinkCloseReason) => {
    // 'local': this peer closed the link itself (shutdown, a certificate that did not match): no
    // sign that the other end or the path failed. 'protocol-error': the other end broke the framing.
    const s = lostNeighbour(['link']);
    s.lose(TARGET, reason);
    await s.clock.advance(3 * memoryMs);
    expect(s.attaches()).toBe(0);
    s.maintenance.stop();
  });

  it('a flapping neighbour: the early Attach at most once per hold-back, the next loss waits for its end', async () => {
    const s = lostNeighbour(['link']);
    s.lose(TARGET, 'remote');
    await s.clock.advance(CLOSED_LINK_REATTACH_MS);
    expect(s.attaches()).toBe(1);
    expect(s.has()).toBe(true);
    s.lose(TARGET, 'remote');
    await s.clock.advance(CLOSED_LINK_REATTACH_MS);
    expect(s.attaches()).toBe(1);
    expect(s.has()).toBe(false);
    await s.clock.advance(memoryMs);
    expect(s.attaches()).toBe(2);
    expect(s.has()).toBe(true);
    // A hold-back after the early Attach, a closed link is Attached to early again.
    s.lose(TARGET, 'remote');
    await s.clock.advance(CLOSED_LINK_REATTACH_MS);
    expect(s.attaches()).toBe(3);
    s.maintenance.stop();
  });

  it('closed, and nobody names it 1-2 s later: still one Attach at the end of the hold-back', async () => {
    let naming: NodeId | undefined;
    const s = lostNeighbour(['link'], () => naming);
    s.lose(TARGET, 'remote');
    await s.clock.advance(CLOSED_LINK_REATTACH_MS);
    expect(s.attaches()).toBe(0);
    naming = VIA;
    await s.clock.advance(memoryMs);
    expect(s.attaches()).toBe(1);
    expect(s.has()).toBe(true);
    s.maintenance.stop();
  });

  it.each([
    ['peer-connection budget (OverloadError)', budgetRefusal()],
    ['cap on pending requests (TransportOverloadError)', new TransportOverloadError('1000 requests already pending')],
  ])('closed, and the early Attach refused by our own %s: tried again (REFUSED_RETRY_MS), though the loss holds it back', async (_name, refusal) => {
    const s = lostNeighbour([refusal, 'link']);
    s.lose(TARGET, 'remote');
    await s.clock.advance(CLOSED_LINK_REATTACH_MS + REFUSED_RETRY_MS);
    expect(s.attaches()).toBe(2);
    expect(s.has()).toBe(true);
    s.maintenance.stop();
  });

  it('an Attach of ours to it in flight does not hold back the Updates for other changes (§10.7.1 "immediate Update")', async () => {
    const s = lostNeighbour(['hang']);
    s.lose(TARGET, 'remote');
    await s.clock.advance(CLOSED_LINK_REATTACH_MS);
    expect(s.attaches()).toBe(1);
    s.requests.length = 0;
    s.usable.add(nodeIdKey(OTHER));
    s.maintenance.addPeer(OTHER);
    await s.clock.advance(DEFAULT_CHORD_PARAMETERS.updateDelayMs + 1);
    expect(s.requests).toContain(nodeIdKey(OTHER));
    s.maintenance.stop();
  });

  it('a hold-back shorter than the early wait: its end, asking nobody, also ends the early attempt (no Attach after it, no timer left)', async () => {
    let naming: NodeId | undefined;
    const shortHoldBack = async () => {
      const s = lostNeighbour(['link'], () => naming, { failedPeerMemoryMs: 10, reactive: false });
      // The hold-back ends (10 ms, no jitter) before the early attempt is due (1-2 s).
      vi.spyOn(s.core, 'jitter').mockImplementation((ms) => (ms === CLOSED_LINK_REATTACH_MS ? 0 : ms - 1));
      naming = undefined;
      s.lose(TARGET, 'remote');
      await s.clock.advance(100);
      naming = VIA;
      return s;
    };
    const s = await shortHoldBack();
    await s.clock.advance(CLOSED_LINK_REATTACH_MS);
    expect(s.attaches()).toBe(0);
    s.maintenance.stop();
    const t = await shortHoldBack();
    t.maintenance.stop();
    expect(t.clock.pendingTimers).toBe(0);
  });

  it('a Leave from it since the loss (§10.9): not sought', async () => {
    const s = lostNeighbour(['link']);
    s.lose(TARGET, 'remote');
    await s.clock.advance(0);
    s.maintenance.onLeave(TARGET, []);
    await s.clock.advance(3 * memoryMs);
    expect(s.attaches()).toBe(0);
    s.maintenance.stop();
  });

  it('stop() cancels the Attaches waiting: the re-attach and the refused one\'s retry', async () => {
    const s = lostNeighbour([budgetRefusal()]);
    s.lose(TARGET, 'remote');
    await s.clock.advance(0);
    s.maintenance.stop();
    await s.clock.advance(3 * memoryMs);
    expect(s.attaches()).toBe(0);
    const r = lostNeighbour([budgetRefusal()]);
    r.lose(TARGET, 'remote');
    while (r.attaches() === 0) await r.clock.advance(10);
    r.maintenance.stop();
    await r.clock.advance(3 * memoryMs);
    expect(r.attaches()).toBe(1);
  });
});

describe('ChordMaintenance: a lost neighbour that no Update has named since the loss (RFC 6940 §10.7.1, §10.8)', () => {
  interface LossOptions {
    /** Whether VIA's `full` Update names TARGET (evaluated when it is sent). */
    readonly stillNamed?: () => boolean;
    /** How many of the RouteQueries to VIA fail first: refused by our own cap on pending requests, or with `queryError`. */
    readonly refusals?: number;
    readonly queryError?: Error;
    /** How long a RouteQuery to VIA takes to be answered or to fail (ms). */
    readonly queryMs?: number;
    /** Reactive recovery (chord-reactive true) instead of periodic. */
    readonly reactive?: boolean;
    /** How long VIA's `full` Update takes to come after its RouteQueryAns (ms). */
    readonly updateDelayMs?: number;
    /** Other neighbours that VIA's lists name beside TARGET. */
    readonly alsoNamed?: readonly NodeId[];
  }

  /**
   * Periodic recovery (chord-reactive false, chord-update-interval 60 s as `chordphone serve` hands
   * it out): no neighbour tells us of TARGET after the loss by itself. VIA named it before the loss;
   * asked for its lists (RouteQuery with send_update), it answers with a `full` Update that names
   * TARGET while `stillNamed()`.
   */
  function periodicLoss(outcomes: readonly AttachOutcome[], options: LossOptions = {}) {
    const { stillNamed = () => true, refusals = 0, reactive = false, updateDelayMs = 50, alsoNamed = [], queryMs = 0 } = options;
    const queryError = options.queryError ?? new TransportOverloadError('1000 requests already pending');
    let s: ReturnType<typeof maintenanceFixture> | undefined;
    const queries: string[] = [];
    let refused = 0;
    const listsOfVia = (full: boolean, named: boolean): ChordUpdate => {
      const lists = { uptime: 1, predecessors: [SELF], successors: [...(named ? [TARGET] : []), ...alsoNamed, id(0x40)] };
      return full ? { ...lists, type: ChordUpdateType.full, fingers: [] } : { ...lists, type: ChordUpdateType.neighbors };
    };
    s = maintenanceFixture(outcomes, {
      parameters: { reactive, updateIntervalMs: 60_000 },
      answer: ({ target, name }) => {
        if (name !== 'route_query_req' || target !== nodeIdKey(VIA)) return undefined;
        queries.push(target);
        const fails = refused++ < refusals;
        const settle = () => {
          if (fails) throw queryError;
          // §10.8: "the responder SHOULD initiate an Update immediately after sending the RouteQueryAns".
          s!.clock.setTimer(updateDelayMs, () => s!.maintenance.onUpdate(VIA, listsOfVia(true, stillNamed())));
          return { nextPeer: VIA };
        };
        if (queryMs === 0) return fails ? Promise.reject(queryError) : settle();
        return new Promise((resolve) => s!.clock.setTimer(queryMs, () => resolve(undefined))).then(settle);
      },
    });
    new ChordStabilization(s.core, s.maintenance);
    s.core.transition('joined');
    // Full lists without TARGET too: its loss asks nobody for a table to fill them (stabilization's pull).
    for (const n of [VIA, TARGET, ...alsoNamed, id(0x40), id(0x50), id(0xd0), id(0xe0), id(0xf0)]) s.linked(n);
    s.maintenance.resetReplicationState();
    s.maintenance.onUpdate(VIA, listsOfVia(false, true));
    return { ...s, queries, listsOfVia };
  }

  it('periodic recovery, closed by the other end: Attached to again within seconds, through the neighbour asked for its lists, not at the next periodic Update', async () => {
    const s = periodicLoss(['link']);
    s.lose(TARGET, 'remote');
    await s.clock.advance(CLOSED_LINK_REATTACH_MS + 100);
    expect(s.queries).toEqual([nodeIdKey(VIA)]);
    expect(s.attaches()).toBe(1);
    expect(s.routes[0]).toEqual([nodeIdKey(VIA), nodeIdKey(TARGET)]);
    expect(s.has()).toBe(true);
    s.maintenance.stop();
  });

  it('periodic recovery, link found dead: Attached to at the end of the hold-back, once the neighbour asked names it', async () => {
    const s = periodicLoss([new Error('no answer')]);
    s.lose(TARGET, 'dead');
    await s.clock.advance(memoryMs - 1);
    expect(s.queries).toEqual([]);
    await s.clock.advance(CLOSED_LINK_REATTACH_MS + 100);
    expect(s.queries).toEqual([nodeIdKey(VIA)]);
    expect(s.attaches()).toBe(1);
    // That Attach (to a peer VIA's `full` Update named, ChordMaintenance.consider) failed at its
    // target: one more goes at the end of the hold-back it began, while VIA's last Update names the
    // peer (chord-held-back.ts); its failure arms none, and VIA is asked no more.
    await s.clock.advance(memoryMs + CLOSED_LINK_REATTACH_MS);
    expect(s.attaches()).toBe(2);
    expect(s.routes[1]).toEqual([nodeIdKey(VIA), nodeIdKey(TARGET)]);
    await s.clock.advance(10 * memoryMs);
    expect(s.attaches()).toBe(2);
    expect(s.queries).toEqual([nodeIdKey(VIA)]);
    s.maintenance.stop();
  });

  it('the neighbour asked no longer names it (it is gone): not sought', async () => {
    const s = periodicLoss(['link'], { stillNamed: () => false });
    s.lose(TARGET, 'remote');
    await s.clock.advance(3 * memoryMs);
    expect(s.queries).toEqual([nodeIdKey(VIA)]);
    expect(s.attaches()).toBe(0);
    s.maintenance.stop();
  });

  it('the RouteQuery refused by our own cap on pending requests: asked again (REFUSED_RETRY_MS), not at the end of the hold-back', async () => {
    const s = periodicLoss(['link'], { refusals: 1 });
    s.lose(TARGET, 'remote');
    await s.clock.advance(CLOSED_LINK_REATTACH_MS + REFUSED_RETRY_MS + 100);
    expect(s.queries).toEqual([nodeIdKey(VIA), nodeIdKey(VIA)]);
    expect(s.attaches()).toBe(1);
    expect(s.has()).toBe(true);
    s.maintenance.stop();
  });

  /** Run the clock until the RouteQuery to VIA has gone (`n` of them in all) and what came of it has been handled. */
  async function untilQueries(s: ReturnType<typeof periodicLoss>, n: number): Promise<void> {
    for (let i = 0; i < 10_000 && s.queries.length < n; i++) await s.clock.advance(10);
    expect(s.queries.length).toBe(n);
    await s.clock.advance(0);
  }

  it('a Leave from it (§10.9) while its RouteQuery, to be refused by our own cap, is in flight: asked no more', async () => {
    const s = periodicLoss(['link'], { refusals: 1, queryMs: 100 });
    s.lose(TARGET, 'remote');
    await untilQueries(s, 1);
    s.maintenance.onLeave(TARGET, []);
    await s.clock.advance(3 * memoryMs);
    expect(s.queries).toEqual([nodeIdKey(VIA)]);
    expect(s.attaches()).toBe(0);
    s.maintenance.stop();
  });

  it('lost again while its RouteQuery, to be refused by our own cap, is in flight: only the new loss asks', async () => {
    const s = periodicLoss(['link'], { refusals: 1, queryMs: 100 });
    s.lose(TARGET, 'remote');
    await untilQueries(s, 1);
    // It came back (a link it opened to us) and its link was found dead: the new loss asks at the end of its hold-back.
    s.linked(TARGET);
    s.lose(TARGET, 'dead');
    await s.clock.advance(memoryMs / 2);
    expect(s.queries).toEqual([nodeIdKey(VIA)]);
    await s.clock.advance(3 * memoryMs);
    expect(s.queries).toEqual([nodeIdKey(VIA), nodeIdKey(VIA)]);
    expect(s.attaches()).toBe(1);
    s.maintenance.stop();
  });

  it('lost again while the RouteQuery of the hold-back\'s end is in flight, which then fails: the new loss is still sought', async () => {
    const s = periodicLoss(['link'], { refusals: 1, queryError: new Error('no answer'), queryMs: 15_000 });
    s.lose(TARGET, 'dead');
    await untilQueries(s, 1);
    s.linked(TARGET);
    s.lose(TARGET, 'dead');
    await s.clock.advance(memoryMs + CLOSED_LINK_REATTACH_MS + 15_100);
    expect(s.queries).toEqual([nodeIdKey(VIA), nodeIdKey(VIA)]);
    expect(s.attaches()).toBe(1);
    s.maintenance.stop();
  });

  it('stop() while a RouteQuery, to be refused by our own cap, is in flight: no timer left', async () => {
    const s = periodicLoss(['link'], { refusals: 1, queryMs: 100 });
    s.lose(TARGET, 'remote');
    await untilQueries(s, 1);
    s.maintenance.stop();
    await s.clock.advance(3 * memoryMs);
    expect(s.clock.pendingTimers).toBe(0);
    expect(s.queries).toEqual([nodeIdKey(VIA)]);
  });

  it('reactive recovery: no neighbour is asked for its lists (as before the asks); one that has not yet noticed a crash would vouch for it', async () => {
    const s = periodicLoss(['link'], { reactive: true });
    s.lose(TARGET, 'remote');
    await s.clock.advance(3 * memoryMs);
    expect(s.queries).toEqual([]);
    expect(s.attaches()).toBe(0);
    s.maintenance.stop();
  });

  it('two neighbours lost at once, both last named by VIA: one RouteQuery, whose `full` Update serves both', async () => {
    const second = id(0x28);
    const s = periodicLoss(['link'], { updateDelayMs: CLOSED_LINK_REATTACH_MS, alsoNamed: [second] });
    s.lose(TARGET, 'remote');
    s.lose(second, 'remote');
    await s.clock.advance(2 * CLOSED_LINK_REATTACH_MS + 100);
    expect(s.queries).toEqual([nodeIdKey(VIA)]);
    expect(s.routes.map((r) => r[r.length - 1]).sort()).toEqual([nodeIdKey(TARGET), nodeIdKey(second)].sort());
    s.maintenance.stop();
  });

  it('an Update of the neighbour asked that is no answer (peer_ready; `neighbors`, sent before it took our RouteQuery) does not end the wait for its `full` one', async () => {
    const s = periodicLoss(['link'], { updateDelayMs: 500 });
    s.lose(TARGET, 'remote');
    await untilQueries(s, 1);
    s.maintenance.onUpdate(VIA, { uptime: 1, type: ChordUpdateType.peer_ready });
    s.maintenance.onUpdate(VIA, s.listsOfVia(false, false));
    expect(s.attaches()).toBe(0);
    await s.clock.advance(500);
    expect(s.attaches()).toBe(1);
    expect(s.queries).toEqual([nodeIdKey(VIA)]);
    s.maintenance.stop();
  });

  it('stop() while the answer is awaited: no Attach', async () => {
    const s = periodicLoss(['link']);
    s.lose(TARGET, 'remote');
    for (let i = 0; i < 1_000 && s.queries.length === 0; i++) await s.clock.advance(10);
    expect(s.queries).toEqual([nodeIdKey(VIA)]);
    s.maintenance.stop();
    await s.clock.advance(3 * memoryMs);
    expect(s.attaches()).toBe(0);
  });
});
