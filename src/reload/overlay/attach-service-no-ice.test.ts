/**
 * AttachService without ICE (the simulator's memory network): the answerer of an Attach from a peer
 * it holds a link to checks that link only when it has reason to doubt it (AttachAnswerer.openTo), over real
 * FramedLinks on the virtual clock.
 */
import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../sim/virtual-clock.js';
import { LinkTable, RETIRED_LINK_GRACE_MS } from '../forwarding/link-table.js';
import { FramedLink } from '../links/framed-link.js';
import type { Link } from '../links/link.js';
import type { IncomingRequest, Reply } from '../transport/index.js';
import type { NodeId } from '../wire/ids.js';
import { Wire, tableForwarding } from './testing/attach-links.js';
import { AttachService } from './attach-service.js';
import type { PeerNetwork } from './overlay-types.js';

const LATENCY_MS = 10;
const SMALLER = new Uint8Array(16).fill(1);
const LARGER = new Uint8Array(16).fill(2);


interface Peer {
  readonly self: NodeId;
  readonly service: AttachService;
  readonly table: LinkTable;
  handle?: (req: IncomingRequest<'attach_req'>) => Promise<Reply<'attach_ans'>> | Reply<'attach_ans'>;
  inbound?: (link: Link) => void;
}

function pair() {
  const clock = new VirtualClock();
  const owner = new WeakMap<Link, NodeId>();
  /** Each link's wires, the opener's first. */
  const wires: [Wire, Wire][] = [];
  const peers = new Map<string, Peer>();
  const make = (self: NodeId, address: string, otherAddress: string): Peer => {
    const table = new LinkTable(() => {}, clock);
    const p: Partial<Peer> & { self: NodeId; table: LinkTable } = { self, table };
    const forwarding = tableForwarding(self, table);
    const transport = {
      handle: (_name: string, h: NonNullable<Peer['handle']>) => ((p.handle = h), () => {}),
      request: (_to: unknown, body: { value: IncomingRequest<'attach_req'>['value'] }) =>
        new Promise((resolve, reject) => {
          clock.setTimer(LATENCY_MS, () => {
            const other = peers.get(otherAddress)!;
            const request = { name: 'attach_req', value: body.value, extensions: [], sender: { nodeId: self }, header: {}, from: self, certificates: [] };
            void Promise.resolve()
              .then(() => other.handle!(request as unknown as IncomingRequest<'attach_req'>))
              .then(
                (reply) => clock.setTimer(LATENCY_MS, () => resolve({ sender: { nodeId: other.self }, value: reply.value, extensions: [] })),
                (error: unknown) => clock.setTimer(LATENCY_MS, () => reject(error)),
              );
          });
        }),
    };
    const linkFactory = {
      open: (to: string) => {
        const [a, b] = Wire.pair(clock, LATENCY_MS);
        wires.push([a, b]);
        const n = wires.length;
        const mine = new FramedLink({ clock }, a, { id: `L${n}`, remoteAddress: to, opener: true });
        const theirs = new FramedLink({ clock }, b, { id: `L${n}`, remoteAddress: address });
        const other = peers.get(to)!;
        owner.set(mine, other.self);
        owner.set(theirs, self);
        clock.setTimer(LATENCY_MS, () => other.inbound!(theirs));
        return new Promise<Link>((resolve) => clock.setTimer(LATENCY_MS, () => resolve(mine)));
      },
    };
    const network = { address, linkFactory, onInbound: (l: (link: Link) => void) => (p.inbound = l), authenticate: (l: Link) => owner.get(l), close: () => {} } as unknown as PeerNetwork;
    const random = { bytes: (k: number) => new Uint8Array(k), float: () => 0 };
    const service = new AttachService({ clock, random, transport, forwarding, network } as never);
    const peer = Object.assign(p, { service });
    peers.set(address, peer);
    return peer;
  };
  const small = make(SMALLER, '10.0.0.1:1', '10.0.0.2:1');
  const large = make(LARGER, '10.0.0.2:1', '10.0.0.1:1');
  const kept = () => [small.table.get(LARGER), large.table.get(SMALLER)].map((l) => (l ? `${l.id} ${l.state}` : 'none'));
  return { clock, small, large, kept, wires };
}

/** The Attach to a Resource-ID that the larger peer answers (finger search): it goes out whatever links exist. */
const toResource = [{ kind: 'resource', resourceId: new Uint8Array(16).fill(2) }] as never;

describe('AttachService without ICE: an Attach from a peer we hold a link to', () => {
  async function linked() {
    const p = pair();
    await p.clock.run(p.small.service.attach([{ kind: 'node', nodeId: LARGER }]));
    expect(p.kept()).toEqual(['L1 open', 'L1 open']);
    return p;
  }

  it('over a link that carries frames and was heard lately: no probe, no new link', async () => {
    const { clock, small, large, kept, wires } = await linked();
    small.table.get(LARGER)!.send(Uint8Array.of(1));
    await clock.advance(2 * LATENCY_MS);
    const probes = () => (large.table.get(SMALLER) as FramedLink).stats().probesSent;
    const before = probes();
    await expect(clock.run(small.service.attach(toResource))).resolves.toEqual(LARGER);
    await clock.advance(RETIRED_LINK_GRACE_MS);
    expect(probes()).toBe(before);
    expect(wires).toHaveLength(1);
    expect(kept()).toEqual(['L1 open', 'L1 open']);
  });

  it('over a link that lost the way to the answerer (nothing heard there): it probes, finds it silent, and both ends keep the new link', async () => {
    const { clock, small, large, kept, wires } = await linked();
    const l1 = [small.table.get(LARGER)!, large.table.get(SMALLER)!];
    wires[0]![0].carries = false;
    small.table.get(LARGER)!.send(Uint8Array.of(1));
    await clock.advance(5_000);
    expect(kept()).toEqual(['L1 suspect', 'L1 open']);
    await expect(clock.run(small.service.attach([{ kind: 'node', nodeId: LARGER }]))).resolves.toEqual(LARGER);
    expect(kept()).toEqual(['L2 open', 'L2 open']);
    await clock.advance(RETIRED_LINK_GRACE_MS);
    expect(l1.map((l) => l.state)).toEqual(['closed', 'closed']);
    expect(kept()).toEqual(['L2 open', 'L2 open']);
  });

  it('one unanswered probe does not make the verdict: a working link that loses its frames for a moment is kept', async () => {
    const { clock, small, large, kept, wires } = await linked();
    await clock.advance(5_000); // nothing heard for a while: the answerer will check L1
    const wire = wires[0]![1];
    const send = wire.send.bind(wire);
    const until = clock.now() + 1_100; // more than one probe's wait (LINK_PROBE_MIN_WAIT_MS)
    let dropped = 0;
    wire.send = (bytes) => (clock.now() < until ? void dropped++ : send(bytes));
    await expect(clock.run(small.service.attach(toResource))).resolves.toEqual(LARGER);
    await clock.advance(RETIRED_LINK_GRACE_MS);
    expect(dropped).toBeGreaterThan(1);
    expect(wires).toHaveLength(1);
    expect(kept()).toEqual(['L1 open', 'L1 open']);
  });
});
