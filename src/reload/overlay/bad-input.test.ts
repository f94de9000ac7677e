/**
 * Issue 3, "Bad input and faults": every request that breaks a rule gets the RFC's error answer
 * (RFC 6940 §6.3.3.1, §14.9), never a crash, through a real CHORD-RELOAD overlay of a few full
 * peers on the memory network. Each row asserts the exact error code, that nothing was stored
 * (the overlay holds the same resources as before) and, for requests refused on the path, that
 * nothing reached the destination; after each row every peer still answers.
 *
 * Bounds under a flood from one sender are asserted here for stored data per storing user
 * (storage-limits.ts); the other bounds have their own tests: pending transactions and inbound
 * work in progress (src/sim/overlay-core.test.ts "flood bounds"), reassembly
 * (src/reload/forwarding/forwarding.test.ts "bounds reassembly", src/reload/wire/fragmentation.test.ts),
 * values per Kind and Resource-ID (max-count, the "too many values" row below).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rejection } from '../../sim/testing/rejection.js';
import { ReloadError } from '../runtime/reload-error.js';
import { buildChordOverlay, simConfiguration, SIM_KINDS, type ChordOverlay, type SimChordPeer } from '../../sim/chord-overlay.js';
import { FrameClassifier } from '../../sim/harness/traffic-meter.js';
import type { Destination } from '../wire/destination.js';
import { ForwardingOptionFlag } from '../wire/forwarding-option.js';
import type { ErrorCodeName } from '../wire/message-codes.js';
import { ProbeInformationType } from '../wire/methods/probe.js';
import { decodeStoreAns } from '../wire/storage/store.js';
import { decodeUnknownKindsInfo } from '../wire/storage/unknown-kinds-info.js';

const utf8 = new TextEncoder();
const node = (nodeId: Uint8Array): Destination => ({ kind: 'node', nodeId });
const resource = (resourceId: Uint8Array): Destination => ({ kind: 'resource', resourceId });
const ping = (size = 0) => ({ name: 'ping_req', value: { padding: new Uint8Array(size) } }) as const;
/** A Kind only the `odd` peer's configuration knows. */
const ODD_KIND = 0x7ff0;

/** Resources held by each live peer (§6.4.2.5 Probe num_resources), asked by `asker`. */
async function resourcesHeld(o: ChordOverlay, asker: SimChordPeer): Promise<number[]> {
  const out: number[] = [];
  for (const p of o.live()) {
    const a = await o.clock.run(asker.peer.transport.request([node(p.nodeId)], { name: 'probe_req', value: { requestedInfo: [ProbeInformationType.num_resources] } }));
    const info = a.value.probeInfo[0];
    out.push(info && 'numResources' in info ? info.numResources : -1);
  }
  return out;
}

/** Every live peer answers a Ping from `asker`. */
async function everyoneAnswers(o: ChordOverlay, asker: SimChordPeer): Promise<void> {
  for (const p of o.live()) {
    const a = await o.clock.run(asker.peer.transport.request([node(p.nodeId)], ping()));
    expect(a.name).toBe('ping_ans');
  }
}

/** Counts the RELOAD messages of each code the memory network carries to each address. */
function watchArrivals(o: ChordOverlay): { count(to: string, code: string): number; stop(): void } {
  const classifier = new FrameClassifier();
  const seen = new Map<string, number>();
  const stop = o.network.tap((f) => {
    if (f.dropped) return;
    const key = `${f.to} ${classifier.classify(f.bytes, f.at).label}`;
    seen.set(key, (seen.get(key) ?? 0) + 1);
  });
  return { count: (to, code) => seen.get(`${to} ${code}`) ?? 0, stop };
}

interface Cast {
  readonly o: ChordOverlay;
  /** Knows ODD_KIND and allows messages of 20 000 bytes (everyone else: 5 000). */
  readonly odd: SimChordPeer;
  readonly a: SimChordPeer;
  readonly b: SimChordPeer;
  /** A peer `a` reaches through `relay` with the source route [relay, target]. */
  readonly relay: SimChordPeer;
  readonly target: SimChordPeer;
}

interface Row {
  readonly name: string;
  readonly code: ErrorCodeName;
  /** Work before the bad request (not part of the "nothing stored" comparison). */
  readonly before?: (c: Cast) => Promise<void>;
  readonly send: (c: Cast) => Promise<unknown>;
  /** Refused on the path: no message of this code may reach `target`. */
  readonly stopsBefore?: { readonly target: (c: Cast) => SimChordPeer; readonly code: string };
  /** More checks on the error and the state afterwards. */
  readonly check?: (c: Cast, e: ReloadError) => Promise<void> | void;
}

const viaRelay = (c: Cast): Destination[] => [node(c.relay.nodeId), node(c.target.nodeId)];
const option = (flags: number) => ({ forwardingOptions: [{ type: 0x7e, flags, option: utf8.encode('?') }] });

const ROWS: readonly Row[] = [
  {
    name: 'a Store of a Kind the responsible peer does not know (§7.4.1.2)',
    code: 'Error_Unknown_Kind',
    send: (c) => c.odd.peer.store(c.odd.peer.userName, ODD_KIND, [{ value: utf8.encode('x') }]),
    check: (_c, e) => expect(decodeUnknownKindsInfo(e.info).unknownKinds).toEqual([ODD_KIND]),
  },
  {
    name: 'a Fetch of a Kind the responsible peer does not know (§7.4.1.2 "any type of request")',
    code: 'Error_Unknown_Kind',
    send: (c) => c.odd.peer.fetch(c.a.peer.userName, [{ kind: ODD_KIND }]),
    check: (_c, e) => expect(decodeUnknownKindsInfo(e.info).unknownKinds).toEqual([ODD_KIND]),
  },
  {
    name: 'a Store its access policy refuses: USER-MATCH under another user\'s name (§7.3.1)',
    code: 'Error_Forbidden',
    send: (c) => c.a.peer.store(c.b.peer.userName, SIM_KINDS.small, [{ value: utf8.encode('not mine') }]),
  },
  {
    name: 'a value larger than the Kind\'s max-size (§7.4.1.2)',
    code: 'Error_Data_Too_Large',
    send: (c) => c.a.peer.store(c.a.peer.userName, SIM_KINDS.small, [{ value: new Uint8Array(65) }]),
  },
  {
    name: 'more values than the Kind\'s max-count (§7.4.1.1)',
    code: 'Error_Data_Too_Large',
    send: (c) => c.b.peer.store(c.b.peer.userName, SIM_KINDS.user, Array.from({ length: 5 }, (_, i) => ({ key: Uint8Array.of(i), value: utf8.encode('v') }))),
  },
  {
    name: 'a generation counter below the stored one (§7.4.1.2)',
    code: 'Error_Generation_Counter_Too_Low',
    before: async (c) => {
      await c.o.clock.run(c.target.peer.store(c.target.peer.userName, SIM_KINDS.small, [{ value: utf8.encode('one') }]));
      await c.o.clock.run(c.target.peer.store(c.target.peer.userName, SIM_KINDS.small, [{ value: utf8.encode('two') }]));
    },
    send: (c) => c.target.peer.store(c.target.peer.userName, SIM_KINDS.small, [{ value: utf8.encode('three') }], { generation: 1n }),
    check: async (c, e) => {
      // The answer carries the current counter; the stored value is still the second one.
      expect(decodeStoreAns(e.info).kindResponses[0]!.generationCounter).toBe(2n);
      const { answer } = await c.o.clock.run(c.a.peer.fetch(c.target.peer.userName, [{ kind: SIM_KINDS.small }]));
      const v = answer.kindResponses[0]!.values[0]!.value;
      expect(v.model === 'single' && v.singleValueEntry.exists ? new TextDecoder().decode(v.singleValueEntry.value) : undefined).toBe('two');
    },
  },
  {
    name: 'a TTL that runs out at a relay (§6.3.2)',
    code: 'Error_TTL_Exceeded',
    send: (c) => c.a.peer.transport.request(viaRelay(c), ping(), { ttl: 0 }),
    stopsBefore: { target: (c) => c.target, code: 'ping_req' },
  },
  {
    name: 'a TTL above the overlay\'s initial-ttl (§6.3.2)',
    code: 'Error_TTL_Exceeded',
    send: (c) => c.a.peer.transport.request(viaRelay(c), ping(), { ttl: 101 }),
    stopsBefore: { target: (c) => c.target, code: 'ping_req' },
  },
  {
    name: 'an unknown forwarding option marked FORWARD_CRITICAL, refused by the relay (§6.3.2.3)',
    code: 'Error_Unsupported_Forwarding_Option',
    send: (c) => c.a.peer.transport.request(viaRelay(c), ping(), option(ForwardingOptionFlag.FORWARD_CRITICAL)),
    stopsBefore: { target: (c) => c.target, code: 'ping_req' },
  },
  {
    name: 'an unknown forwarding option marked DESTINATION_CRITICAL, refused by the destination (§6.3.2.3)',
    code: 'Error_Unsupported_Forwarding_Option',
    send: (c) => c.a.peer.transport.request(viaRelay(c), ping(), option(ForwardingOptionFlag.DESTINATION_CRITICAL)),
  },
  {
    name: 'a Store with an unknown critical extension is not carried out (§6.3.3)',
    code: 'Error_Unknown_Extension',
    send: (c) =>
      c.a.peer.transport.request(
        [resource(c.o.random.bytes(16))],
        { name: 'ping_req', value: { padding: new Uint8Array(0) } },
        { extensions: [{ type: 0x7777, critical: true, extensionContents: utf8.encode('?') }] },
      ),
  },
  {
    name: 'a message larger than the receiver\'s max-message-size (§6.6)',
    code: 'Error_Message_Too_Large',
    send: (c) => c.odd.peer.transport.request([node(c.target.nodeId)], ping(10_000)),
  },
];

describe('bad input through a 6-peer CHORD-RELOAD overlay: the RFC error, nothing stored or forwarded, every peer still answers', () => {
  let o: ChordOverlay;
  let cast: Cast;

  beforeAll(async () => {
    o = await buildChordOverlay({ peers: 5, seed: 6940 });
    const base = simConfiguration();
    const odd = await o.clock.run(
      o.addPeer({
        configuration: simConfiguration({
          maxMessageSize: 20_000,
          requiredKinds: [...base.requiredKinds, { kind: { id: ODD_KIND, dataModel: 'SINGLE', accessControl: 'USER-MATCH', maxCount: 1, maxSize: 64, extensions: [] } }],
        }),
      }),
    );
    await o.settle(5_000);
    const [a, b, relay, target] = o.live().filter((p) => p !== odd);
    cast = { o, odd, a: a!, b: b!, relay: relay!, target: target! };
  });
  afterAll(() => o.close());

  for (const row of ROWS) {
    it(`${row.code}: ${row.name}`, async () => {
      await row.before?.(cast);
      const held = await resourcesHeld(o, cast.a);
      const arrivals = watchArrivals(o);
      const arrivedBefore = row.stopsBefore ? arrivals.count(row.stopsBefore.target(cast).address, row.stopsBefore.code) : 0;
      const e = await rejection(o, row.send(cast));
      arrivals.stop();
      expect(e.codeName).toBe(row.code);
      await row.check?.(cast, e);
      if (row.stopsBefore) expect(arrivals.count(row.stopsBefore.target(cast).address, row.stopsBefore.code)).toBe(arrivedBefore);
      expect(await resourcesHeld(o, cast.a)).toEqual(held);
      await everyoneAnswers(o, cast.b);
    });
  }

  it('Error_Incompatible_with_Overlay: a peer of another overlay is refused and enters no routing table (§6.1)', async () => {
    const held = await resourcesHeld(o, cast.a);
    const stranger = o.createPeer({ configuration: simConfiguration({ instanceName: 'another.overlay.invalid' }), chord: { joinAttempts: 1 } });
    const e = await rejection(o, o.joinPeer(stranger, cast.a.address));
    expect(e.codeName).toBe('Error_Incompatible_with_Overlay');
    o.kill(stranger);
    const strangerHex = Buffer.from(stranger.nodeId).toString('hex');
    for (const p of o.live()) {
      const s = p.peer.status();
      const known = [...s.predecessors, ...s.successors, ...s.fingers].map((id) => Buffer.from(id).toString('hex'));
      expect(known).not.toContain(strangerHex);
    }
    expect(await resourcesHeld(o, cast.a)).toEqual(held);
    await everyoneAnswers(o, cast.b);
  });
});

describe('a flood of Stores from one user stays within the per-user bound of every peer (storage-limits.ts)', () => {
  it('refuses the excess with Error_Data_Too_Large, holds at most the bound, and still serves other users', async () => {
    const LIMIT = 6;
    const o = await buildChordOverlay({ peers: 5, seed: 7, storageLimits: { maxValuesPerUser: LIMIT } });
    const [flooder, other] = o.live();
    const outcomes = await o.clock.run(Promise.all(Array.from({ length: 60 }, (_, i) => o.store(flooder!, `flood-${i}`, utf8.encode(`v${i}`)))));
    const refused = outcomes.filter((r) => !r.ok);
    expect(refused.length).toBeGreaterThan(0);
    expect(new Set(refused.map((r) => r.error))).toEqual(new Set(['Error_Data_Too_Large']));
    // Every value of the open Kind is its own resource: a peer holds at most LIMIT of this user's.
    await o.settle(60_000);
    for (const n of await resourcesHeld(o, other!)) expect(n).toBeLessThanOrEqual(LIMIT);
    // Another user is unaffected, and everyone answers.
    const mine = await o.clock.run(o.store(other!, 'other-user', utf8.encode('fine')));
    expect(mine).toMatchObject({ ok: true });
    const back = await o.clock.run(o.fetch(flooder!, 'other-user'));
    expect(back.value && new TextDecoder().decode(back.value)).toBe('fine');
    await everyoneAnswers(o, other!);
    o.close();
  });
});
