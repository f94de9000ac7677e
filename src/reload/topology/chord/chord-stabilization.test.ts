/**
 * ChordStabilization's hooks for the re-attach of a lost neighbour (chord-reattach.ts): the shared
 * RouteQuery with send_update (§10.8) and who vouches for a lost neighbour. ChordMaintenance on a
 * real ChordCore, the rest scripted (testing/maintenance-fixture.ts).
 */
import { describe, expect, it } from 'vitest';
import { nodeIdKey } from '../../forwarding/index.js';
import { ChordUpdateType } from '../../wire/methods/chord.js';
import { DEFAULT_CHORD_PARAMETERS } from './chord-parameters.js';
import { ADJACENCY_CHECK_MS, ChordStabilization } from './chord-stabilization.js';
import { id, maintenanceFixture, SELF, TARGET } from './testing/maintenance-fixture.js';

const VIA = id(0x30);
const OTHER = id(0x18);

describe('ChordStabilization.requestTable (RouteQuery with send_update, §10.8)', () => {
  it('one RouteQuery in flight per neighbour: callers at the same time (a re-attach, pull) share it', async () => {
    const s = maintenanceFixture(['link'], { answer: ({ name }) => (name === 'route_query_req' ? { nextPeer: VIA } : undefined) });
    s.core.transition('joined');
    s.linked(VIA);
    const stabilization = new ChordStabilization(s.core, s.maintenance);
    expect(await Promise.all([stabilization.requestTable(VIA), stabilization.requestTable(VIA)])).toEqual(['answered', 'answered']);
    expect(s.requests).toEqual([nodeIdKey(VIA)]);
    expect(await stabilization.requestTable(VIA)).toBe('answered');
    expect(s.requests).toEqual([nodeIdKey(VIA), nodeIdKey(VIA)]);
    s.maintenance.stop();
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

describe('ChordStabilization.adjacencyChanged: a new first neighbour that does not list us adjacent', () => {
  const FAR = id(0xc0);
  /** A joined peer whose only neighbour becomes FAR; `sent` lists each request as name:target. */
  function scene() {
    const sent: string[] = [];
    const s = maintenanceFixture(['link'], { answer: ({ name, target }) => (sent.push(`${name}:${target}`), {}) });
    s.core.transition('joined');
    const stabilization = new ChordStabilization(s.core, s.maintenance);
    s.usable.add(nodeIdKey(FAR));
    s.maintenance.addPeer(FAR);
    return { s, stabilization, sent };
  }

  it('is asked for its table (RouteQuery with send_update, §10.8) when no Update from it names us adjacent', async () => {
    const { s, sent } = scene();
    await s.clock.advance(2 * ADJACENCY_CHECK_MS + 1);
    expect(sent).toContain(`route_query_req:${nodeIdKey(FAR)}`);
    s.maintenance.stop();
  });

  it('is not, when its Update named us its first predecessor and successor meanwhile', async () => {
    const { s, stabilization, sent } = scene();
    stabilization.noteUpdate(FAR, { uptime: 1, type: ChordUpdateType.neighbors, predecessors: [SELF], successors: [SELF] });
    await s.clock.advance(2 * ADJACENCY_CHECK_MS + 1);
    expect(sent.filter((r) => r.startsWith('route_query_req'))).toEqual([]);
    s.maintenance.stop();
  });
});
