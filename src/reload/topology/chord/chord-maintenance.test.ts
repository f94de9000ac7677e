/**
 * ChordMaintenance and ChordStabilization on a real ChordCore and routing table, on the virtual
 * clock, when a request to another peer fails: a failure of the target holds it back (RFC 6940
 * §10.7.1), a refusal of this peer's own caps does not. The LinkConnector (the Attach service)
 * and the message transport answer as scripted.
 */
import { describe, expect, it } from 'vitest';
import { SeededRandom } from '../../../sim/seeded-random.js';
import { VirtualClock } from '../../../sim/virtual-clock.js';
import { nodeIdKey, type LinkTableListener } from '../../forwarding/index.js';
import { OverloadError, ReloadError } from '../../runtime/reload-error.js';
import { TransportOverloadError, type MessageTransport } from '../../transport/index.js';
import type { NodeId } from '../../wire/ids.js';
import { ErrorCode } from '../../wire/message-codes.js';
import type { DataMoveReport, DataTransfer, LinkConnector } from '../topology-plugin.js';
import { ChordCore } from './chord-core.js';
import { ChordMaintenance, REFUSED_ATTACH_RETRIES, REFUSED_ATTACH_RETRY_MS } from './chord-maintenance.js';
import { DEFAULT_CHORD_PARAMETERS } from './chord-parameters.js';
import { ChordStabilization } from './chord-stabilization.js';

const id = (b: number): NodeId => new Uint8Array(16).fill(b);
const SELF = id(0x10);
const TARGET = id(0x20);
const utf8 = new TextEncoder();

/** What the budget of overlay/peer-connection-budget.ts throws for an offer of ours over its caps. */
const budgetRefusal = () => new OverloadError(ErrorCode.Error_Request_Timeout, utf8.encode('overloaded: 128 peer connections being set up'));

/**
 * `outcomes[n]` for the n-th Attach (the last one for every later Attach): an error to reject with,
 * or 'link' (the target becomes usable). Every other request fails with `requestError`.
 */
function setup(outcomes: readonly (Error | 'link')[], requestError: Error = new Error('no transport here')) {
  const clock = new VirtualClock();
  const usable = new Set<string>();
  const routes: string[][] = [];
  const removed: string[] = [];
  const linkListeners = new Set<LinkTableListener>();
  let attaches = 0;
  const connector: LinkConnector = {
    connect: () => Promise.reject(new Error('no bootstrap here')),
    attach: (destinations) => {
      routes.push(destinations.map((d) => (d.kind === 'node' ? nodeIdKey(d.nodeId) : 'resource')));
      const outcome = outcomes[Math.min(attaches++, outcomes.length - 1)]!;
      const last = destinations[destinations.length - 1];
      if (outcome !== 'link' || last?.kind !== 'node') return Promise.reject(outcome === 'link' ? new Error('not a Node-ID') : outcome);
      usable.add(nodeIdKey(last.nodeId));
      return Promise.resolve(last.nodeId);
    },
    onUpdateRequested: () => () => {},
  };
  const forwarding = {
    isUsable: (n: NodeId) => usable.has(nodeIdKey(n)),
    isUsableKey: (k: string) => usable.has(k),
    onLinkEvent: (l: LinkTableListener) => {
      linkListeners.add(l);
      return () => linkListeners.delete(l);
    },
    getLink: () => undefined,
    removeLink: (n: NodeId) => {
      removed.push(nodeIdKey(n));
    },
  };
  const none: DataMoveReport = { failed: 0 };
  const data: DataTransfer = {
    handOver: () => Promise.resolve(none),
    replicaSetChanged: () => Promise.resolve(none),
    rangeGained: () => Promise.resolve(none),
    prune: () => Promise.resolve(),
    resourceCount: () => Promise.resolve(0),
  };
  const transport = { request: () => Promise.reject(requestError) } as unknown as MessageTransport;
  const core = new ChordCore({ clock, random: new SeededRandom(1), hasher: { sha1: () => Promise.resolve(new Uint8Array(20)) }, transport, forwarding, connector, data }, { nodeId: SELF, parameters: DEFAULT_CHORD_PARAMETERS });
  const maintenance = new ChordMaintenance(core);
  /** `n` in the routing table with a usable link. */
  const linked = (n: NodeId) => {
    usable.add(nodeIdKey(n));
    core.table.add(n);
  };
  return { clock, core, maintenance, usable, routes, removed, linkListeners, linked, attaches: () => attaches, has: () => core.table.has(nodeIdKey(TARGET)) };
}

describe('ChordMaintenance: an Attach to a peer an Update named fails (RFC 6940 §10.7.1, §10.7.3)', () => {
  it.each([
    ['peer-connection budget (OverloadError)', budgetRefusal()],
    ['cap on pending requests (TransportOverloadError)', new TransportOverloadError('1000 requests already pending')],
  ])('refused by this peer\'s own %s: the target is not held back, and the Attach is tried again later', async (_name, refusal) => {
    const s = setup([refusal, 'link']);
    s.maintenance.consider([TARGET], undefined);
    await s.clock.advance(0);
    expect(s.attaches()).toBe(1);
    expect(s.core.recentlyFailed(nodeIdKey(TARGET))).toBe(false);
    await s.clock.advance(REFUSED_ATTACH_RETRY_MS);
    expect(s.attaches()).toBe(2);
    expect(s.has()).toBe(true);
  });

  it('refused every time: tried again a bounded number of times, then left until something names the target again', async () => {
    const s = setup([budgetRefusal()]);
    s.maintenance.consider([TARGET], undefined);
    await s.clock.advance(REFUSED_ATTACH_RETRY_MS * 2 ** (REFUSED_ATTACH_RETRIES + 1));
    expect(s.attaches()).toBe(1 + REFUSED_ATTACH_RETRIES);
    expect(s.has()).toBe(false);
    expect(s.core.recentlyFailed(nodeIdKey(TARGET))).toBe(false);
    s.maintenance.consider([TARGET], undefined);
    await s.clock.advance(0);
    expect(s.attaches()).toBe(2 + REFUSED_ATTACH_RETRIES);
    s.maintenance.stop();
  });

  it('failed at the target (its error answer, or no answer): the target is held back for failedPeerMemoryMs and not tried again meanwhile', async () => {
    const s = setup([ReloadError.of('Error_Request_Timeout', 'no answer after 5 transmissions'), 'link']);
    s.maintenance.consider([TARGET], undefined);
    await s.clock.advance(0);
    expect(s.core.recentlyFailed(nodeIdKey(TARGET))).toBe(true);
    await s.clock.advance(REFUSED_ATTACH_RETRY_MS * 2 ** REFUSED_ATTACH_RETRIES);
    s.maintenance.consider([TARGET], undefined);
    await s.clock.advance(0);
    expect(s.attaches()).toBe(1);
    expect(s.has()).toBe(false);
  });
});

describe('ChordStabilization: the periodic Update to a neighbour fails (RFC 6940 §10.7.4.1, §10.7.1)', () => {
  it.each([
    ['refused by this peer\'s own cap on pending requests (TransportOverloadError): the neighbour is kept', new TransportOverloadError('1000 requests already pending'), []],
    ['unanswered (Error_Request_Timeout): the neighbour is taken as failed and its link dropped', ReloadError.of('Error_Request_Timeout', 'no answer after 5 transmissions'), [nodeIdKey(TARGET)]],
  ])('%s', async (_name, error, removed) => {
    const s = setup(['link'], error);
    s.linked(TARGET);
    const stabilization = new ChordStabilization(s.core, s.maintenance);
    stabilization.start();
    await s.clock.advance(DEFAULT_CHORD_PARAMETERS.updateIntervalMs + 1);
    expect(s.removed).toEqual(removed);
    stabilization.stop();
    s.maintenance.stop();
  });
});
