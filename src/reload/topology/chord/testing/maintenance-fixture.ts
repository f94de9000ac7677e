/**
 * ChordMaintenance on a real ChordCore and routing table, on the virtual clock, with the
 * LinkConnector (the Attach service), the link table and the message transport scripted: for the
 * unit tests of maintenance and stabilization (chord-maintenance.test.ts, chord-reattach.test.ts).
 */
import { SeededRandom } from '../../../../sim/seeded-random.js';
import { VirtualClock } from '../../../../sim/virtual-clock.js';
import { nodeIdKey, overlayParameters, type LinkTableListener } from '../../../forwarding/index.js';
import type { Link, LinkCloseReason } from '../../../links/index.js';
import type { MessageTransport } from '../../../transport/index.js';
import type { NodeId } from '../../../wire/ids.js';
import type { DataMoveReport, DataTransfer, LinkConnector } from '../../topology-plugin.js';
import { ChordCore } from '../chord-core.js';
import { ChordMaintenance } from '../chord-maintenance.js';
import { DEFAULT_CHORD_PARAMETERS, type ChordParameters } from '../chord-parameters.js';

export const id = (b: number): NodeId => new Uint8Array(16).fill(b);
export const SELF = id(0x10);
export const TARGET = id(0x20);

/**
 * What the n-th Attach does: reject with an error, 'link' (the target becomes usable), or 'hang'
 * (never settles, as an Attach to a half-dead peer until its transaction times out).
 */
export type AttachOutcome = Error | 'link' | 'hang';

/** A request other than an Attach, as the scripted transport sees it: its target's nodeIdKey and method. */
export interface ScriptedRequest {
  readonly target: string;
  readonly name: string;
}

export interface MaintenanceFixtureOptions {
  /** What every other request fails with (when `answer` gives nothing). */
  readonly requestError?: Error;
  /** The answer's body to a request (or a promise of it, for a request that takes time), or undefined for `requestError`. */
  readonly answer?: (request: ScriptedRequest) => unknown;
  readonly parameters?: Partial<ChordParameters>;
}

/**
 * `outcomes[n]` for the n-th Attach (the last one for every later Attach). Every other request
 * is answered as `options.answer` says or fails with `options.requestError`; `requests` lists the
 * targets (nodeIdKey) of those requests.
 */
export function maintenanceFixture(outcomes: readonly AttachOutcome[], options: MaintenanceFixtureOptions = {}) {
  const requestError = options.requestError ?? new Error('no transport here');
  const clock = new VirtualClock();
  const usable = new Set<string>();
  const routes: string[][] = [];
  const removed: string[] = [];
  const requests: string[] = [];
  const linkListeners = new Set<LinkTableListener>();
  let attaches = 0;
  const connector: LinkConnector = {
    connect: () => Promise.reject(new Error('no bootstrap here')),
    attach: (destinations) => {
      routes.push(destinations.map((d) => (d.kind === 'node' ? nodeIdKey(d.nodeId) : 'resource')));
      const outcome = outcomes[Math.min(attaches++, outcomes.length - 1)]!;
      if (outcome === 'hang') return new Promise<NodeId>(() => {});
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
    parameters: overlayParameters({ overlay: 0 }),
  };
  const none: DataMoveReport = { failed: 0 };
  const data: DataTransfer = {
    handOver: () => Promise.resolve(none),
    replicaSetChanged: () => Promise.resolve(none),
    rangeGained: () => Promise.resolve(none),
    prune: () => Promise.resolve(),
    resourceCount: () => Promise.resolve(0),
  };
  const transport = {
    request: (destinations: readonly { readonly kind: string; readonly nodeId?: NodeId }[], body: { readonly name: string }) => {
      const last = destinations[destinations.length - 1];
      const target = last?.nodeId ? nodeIdKey(last.nodeId) : 'resource';
      requests.push(target);
      const value = options.answer?.({ target, name: body.name });
      if (value instanceof Promise) return value.then((v: unknown) => ({ value: v }));
      return value === undefined ? Promise.reject(requestError) : Promise.resolve({ value });
    },
  } as unknown as MessageTransport;
  const parameters = { ...DEFAULT_CHORD_PARAMETERS, ...options.parameters };
  const core = new ChordCore({ clock, random: new SeededRandom(1), hasher: { sha1: () => Promise.resolve(new Uint8Array(20)) }, transport, forwarding, connector, data }, { nodeId: SELF, parameters });
  const maintenance = new ChordMaintenance(core);
  /** `n` in the routing table with a usable link. */
  const linked = (n: NodeId) => {
    usable.add(nodeIdKey(n));
    core.table.add(n);
  };
  /** The link to `n` closed (`reason`: as the link said), or was removed (no reason): the link table's event. */
  const lose = (n: NodeId, reason?: LinkCloseReason) => {
    usable.delete(nodeIdKey(n));
    const link = { id: `link-${nodeIdKey(n)}` } as unknown as Link;
    for (const l of [...linkListeners]) l({ type: 'removed', nodeId: n, link, ...(reason ? { reason } : {}) });
  };
  return { clock, core, maintenance, usable, routes, removed, requests, linkListeners, linked, lose, attaches: () => attaches, has: () => core.table.has(nodeIdKey(TARGET)) };
}
