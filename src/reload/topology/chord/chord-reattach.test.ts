/**
 * A neighbour lost with its link is Attached to again (RFC 6940 §10.7.1: "A peer MAY attempt to
 * reestablish connectivity with a lost neighbor ... by actively routing a new Attach to the lost
 * peer"), through a neighbour that named it since the loss (§10.6): when, how often, and what
 * else it must not hold up. ChordMaintenance on a real ChordCore, the rest scripted
 * (testing/maintenance-fixture.ts).
 */
import { describe, expect, it } from 'vitest';
import { nodeIdKey } from '../../forwarding/index.js';
import type { LinkCloseReason } from '../../links/index.js';
import type { NodeId } from '../../wire/ids.js';
import { TransportOverloadError } from '../../transport/index.js';
import { ChordUpdateType, type ChordUpdate } from '../../wire/methods/chord.js';
import { REFUSED_RETRY_MS } from './chord-core.js';
import { CLOSED_LINK_REATTACH_MS } from './chord-reattach.js';
import { DEFAULT_CHORD_PARAMETERS } from './chord-parameters.js';
import { ChordStabilization } from './chord-stabilization.js';
import { budgetRefusal, id, maintenanceFixture, SELF, TARGET, type AttachOutcome } from './testing/maintenance-fixture.js';

const VIA = id(0x30);
const OTHER = id(0x18);
const memoryMs = DEFAULT_CHORD_PARAMETERS.failedPeerMemoryMs;

/** A joined peer with neighbours VIA and TARGET; `namedBy` answers for the neighbours' Updates. */
function lostNeighbour(outcomes: readonly AttachOutcome[], namedBy: (key: string, since: number) => NodeId | undefined = () => VIA) {
  const s = maintenanceFixture(outcomes);
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
  /** Its lists, with TARGET (`named`) or without: the Update of VIA (the `full` one answers a RouteQuery). */
  const listsOfVia = (full: boolean, named: boolean): ChordUpdate => {
    const lists = { uptime: 1, predecessors: [SELF], successors: named ? [TARGET, id(0x40)] : [id(0x40)] };
    return full ? { ...lists, type: ChordUpdateType.full, fingers: [] } : { ...lists, type: ChordUpdateType.neighbors };
  };

  /**
   * Periodic recovery (chord-reactive false, chord-update-interval 60 s as `chordphone serve` hands
   * it out): no neighbour tells us of TARGET after the loss by itself. VIA named it before the loss;
   * asked for its lists (RouteQuery with send_update), it answers with a `full` Update that names
   * TARGET while `stillNamed()`. `refusals`: how many of those RouteQueries our own cap refuses first.
   */
  function periodicLoss(outcomes: readonly AttachOutcome[], stillNamed = () => true, refusals = 0) {
    let s: ReturnType<typeof maintenanceFixture> | undefined;
    const queries: string[] = [];
    let refused = 0;
    s = maintenanceFixture(outcomes, {
      parameters: { reactive: false, updateIntervalMs: 60_000 },
      answer: ({ target, name }) => {
        if (name !== 'route_query_req' || target !== nodeIdKey(VIA)) return undefined;
        queries.push(target);
        if (refused++ < refusals) return undefined;
        // §10.8: "the responder SHOULD initiate an Update immediately after sending the RouteQueryAns" (here it takes 50 ms to come).
        s!.clock.setTimer(50, () => s!.maintenance.onUpdate(VIA, listsOfVia(true, stillNamed())));
        return { nextPeer: VIA };
      },
      ...(refusals > 0 ? { requestError: new TransportOverloadError('1000 requests already pending') } : {}),
    });
    new ChordStabilization(s.core, s.maintenance);
    s.core.transition('joined');
    // Full lists without TARGET too: its loss asks nobody for a table to fill them (stabilization's pull).
    for (const n of [VIA, TARGET, id(0x40), id(0x50), id(0xd0), id(0xe0), id(0xf0)]) s.linked(n);
    s.maintenance.resetReplicationState();
    s.maintenance.onUpdate(VIA, listsOfVia(false, true));
    return { ...s, queries };
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
    await s.clock.advance(10 * memoryMs);
    expect(s.attaches()).toBe(1);
    s.maintenance.stop();
  });

  it('the neighbour asked no longer names it (it is gone): not sought', async () => {
    const s = periodicLoss(['link'], () => false);
    s.lose(TARGET, 'remote');
    await s.clock.advance(3 * memoryMs);
    expect(s.queries.length).toBeGreaterThan(0);
    expect(s.attaches()).toBe(0);
    s.maintenance.stop();
  });

  it('the RouteQuery refused by our own cap on pending requests: asked again (REFUSED_RETRY_MS), not at the end of the hold-back', async () => {
    const s = periodicLoss(['link'], () => true, 1);
    s.lose(TARGET, 'remote');
    await s.clock.advance(CLOSED_LINK_REATTACH_MS + REFUSED_RETRY_MS + 100);
    expect(s.queries).toEqual([nodeIdKey(VIA), nodeIdKey(VIA)]);
    expect(s.attaches()).toBe(1);
    expect(s.has()).toBe(true);
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

describe('ChordStabilization.namedBy: who vouches for a lost neighbour', () => {
  const update = (n: number) => ({ uptime: 1, type: ChordUpdateType.neighbors, predecessors: [], successors: Array.from({ length: n }, (_, i) => (i === 0 ? TARGET : id(0x40 + i))) }) as const;

  it('a neighbour whose Update, received since the loss, names it; not one whose lists are longer than the overlay\'s', async () => {
    const s = maintenanceFixture(['link']);
    s.core.transition('joined');
    s.linked(VIA);
    s.linked(OTHER);
    const stabilization = new ChordStabilization(s.core, s.maintenance);
    stabilization.noteUpdate(VIA, update(3));
    await s.clock.advance(10);
    const lostAt = s.clock.now();
    expect(stabilization.namedBy(nodeIdKey(TARGET), lostAt)).toBeUndefined();
    await s.clock.advance(10);
    const most = DEFAULT_CHORD_PARAMETERS.predecessors + DEFAULT_CHORD_PARAMETERS.successors;
    stabilization.noteUpdate(OTHER, update(most + 1));
    expect(stabilization.namedBy(nodeIdKey(TARGET), lostAt)).toBeUndefined();
    stabilization.noteUpdate(VIA, update(3));
    expect(stabilization.namedBy(nodeIdKey(TARGET), lostAt)).toEqual(VIA);
    s.usable.delete(nodeIdKey(VIA));
    expect(stabilization.namedBy(nodeIdKey(TARGET), lostAt)).toBeUndefined();
    s.maintenance.stop();
  });
});
