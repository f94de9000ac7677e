/**
 * AttachService between two peers whose Attaches meet (RFC 6940 §6.5.1.2) or whose links to each
 * other come up twice: the §6.5.1.2 rules, and the one link per neighbour both ends keep. The
 * peers share a scripted ICE fabric (each data channel opens ICE_CHECK_MS after the offerer starts
 * its check) and a transport that hands each Attach to the other peer's handler; the link tables
 * are forwarding's own (LinkTable), on the virtual clock.
 */
import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../sim/virtual-clock.js';
import { LinkTable, RETIRED_LINK_GRACE_MS } from '../forwarding/link-table.js';
import { FramedLink } from '../links/framed-link.js';
import type { Link } from '../links/link.js';
import { FakeLink } from '../testing/fake-link.js';
import { AbortError } from '../runtime/components.js';
import { ErrorAnswer, OverloadError, ReloadError } from '../runtime/reload-error.js';
import type { IncomingRequest, Reply } from '../transport/index.js';
import type { NodeId } from '../wire/ids.js';
import { LINK_CHECK_MS } from '../links/link-check.js';
import { Wire, tableForwarding } from './testing/attach-links.js';
import { AttachService } from './attach-service.js';
import { PeerConnectionBudget } from './peer-connection-budget.js';
import type { IceCapability, PeerNetwork } from './overlay-types.js';
import { iceParams as params } from './testing/budgeted-ice.js';

const LATENCY_MS = 10;
const ICE_CHECK_MS = 50;
const id = (b: number): NodeId => new Uint8Array(16).fill(b);
const SMALLER = id(0x01);
const LARGER = id(0x02);

/** What a full PeerConnectionBudget throws (webrtc-network.ts takes a place before each peer connection). */
const budgetRefusal = () => {
  try {
    new PeerConnectionBudget({ pendingPerRequester: 0, pending: 0, total: 0 }).take();
  } catch (e) {
    return e;
  }
  throw new Error('the budget took a place');
};

/** The two ends of link `L<n>`: FakeLinks (state set by the test), or FramedLinks over Wires. */
type LinkPairMaker = (n: number) => { atOfferer: Link; atAnswerer: Link };

const fakePair: LinkPairMaker = (n) => {
  const [atOfferer, atAnswerer] = FakeLink.pair(`L${n}`);
  return { atOfferer, atAnswerer };
};

/** Real links; `wires[n - 1]` are L<n>'s, the offerer's first. */
function framedPairs(clock: VirtualClock, wires: [Wire, Wire][]): LinkPairMaker {
  return (n) => {
    const [a, b] = Wire.pair(clock, LATENCY_MS);
    wires.push([a, b]);
    return {
      atOfferer: new FramedLink({ clock }, a, { id: `L${n}`, remoteAddress: 'answerer', opener: true }),
      atAnswerer: new FramedLink({ clock }, b, { id: `L${n}`, remoteAddress: 'offerer' }),
    };
  };
}

/** ICE between the two peers: link `L<n>` is the one of the n-th offer. */
class IceFabric {
  offers = 0;
  answers = 0;
  /** The peer whose own budget refuses to make a peer connection (its offers, or its answers). */
  refuse: { readonly at: NodeId; readonly what: 'offer' | 'answer' } | undefined;
  checksAborted = 0;
  checksRunning = 0;
  /** The answerer's side of each answered offer, by offer ufrag. */
  private readonly answered = new Map<string, (link: Link) => void>();

  constructor(
    private readonly clock: VirtualClock,
    private readonly makePair: LinkPairMaker = fakePair,
  ) {}

  /** `self`'s ICE capability. */
  capability(self: NodeId): IceCapability {
    const refused = (what: 'offer' | 'answer') => this.refuse?.at === self && this.refuse.what === what;
    return {
      offer: () => {
        if (refused('offer')) return Promise.reject(budgetRefusal());
        const n = ++this.offers;
        const ufrag = `off${n}`;
        return Promise.resolve({
          local: params(ufrag),
          complete: (_answerer, _remote, options) =>
            new Promise<Link>((resolve, reject) => {
              this.checksRunning++;
              const timer = this.clock.setTimer(ICE_CHECK_MS, () => {
                this.checksRunning--;
                const { atOfferer, atAnswerer } = this.makePair(n);
                this.answered.get(ufrag)?.(atAnswerer);
                resolve(atOfferer);
              });
              options?.signal?.addEventListener('abort', () => {
                timer.cancel();
                this.checksRunning--;
                this.checksAborted++;
                reject(new AbortError());
              }, { once: true });
            }),
          cancel: () => {},
        });
      },
      answer: (_requester, remote) => {
        if (refused('answer')) return Promise.reject(budgetRefusal());
        this.answers++;
        const link = new Promise<Link>((resolve) => this.answered.set(new TextDecoder().decode(remote.ufrag), resolve));
        return Promise.resolve({ local: params(`ans${this.answers}`), link, cancel: () => {} });
      },
    };
  }
}

interface Peer {
  readonly self: NodeId;
  readonly service: AttachService;
  readonly table: LinkTable;
  handle?: (req: IncomingRequest<'attach_req'>) => Promise<Reply<'attach_ans'>> | Reply<'attach_ans'>;
  other?: Peer;
  /** How long this peer's requests take to reach the other peer (ms); LATENCY_MS unless a test slows them. */
  requestLatencyMs: number;
}

function peer(self: NodeId, clock: VirtualClock, fabric: IceFabric): Peer {
  const table = new LinkTable(() => {}, clock);
  const forwarding = tableForwarding(self, table);
  const p: Partial<Peer> & { self: NodeId; table: LinkTable; requestLatencyMs: number } = { self, table, requestLatencyMs: LATENCY_MS };
  // The other peer's handler, LATENCY_MS each way; an aborted request rejects at once.
  const transport = {
    handle: (_name: string, h: NonNullable<Peer['handle']>) => {
      p.handle = h;
      return () => {};
    },
    request: (_to: unknown, body: { value: IncomingRequest<'attach_req'>['value'] }, options: { signal?: AbortSignal; extensions?: IncomingRequest['extensions'] }) =>
      new Promise((resolve, reject) => {
        const { signal } = options;
        signal?.addEventListener('abort', () => reject(new AbortError()), { once: true });
        clock.setTimer(p.requestLatencyMs, () => {
          const other = p.other!;
          const request = { name: 'attach_req', value: body.value, extensions: options.extensions ?? [], sender: { nodeId: self }, header: {}, from: self, certificates: [] };
          void Promise.resolve()
            .then(() => other.handle!(request as unknown as IncomingRequest<'attach_req'>))
            .then(
              (reply) => clock.setTimer(LATENCY_MS, () => resolve({ sender: { nodeId: other.self }, value: reply.value, extensions: reply.extensions ?? [] })),
              // As message transport does: an error answer names its (verified) signer.
              (error: unknown) => clock.setTimer(LATENCY_MS, () => reject(error instanceof ReloadError ? new ErrorAnswer(error.toResponse(), other.self) : error)),
            );
        });
      }),
  };
  const network = { address: 'webrtc:fake', ice: fabric.capability(self), linkFactory: { open: () => Promise.reject(new Error('no')) }, onInbound: () => {}, authenticate: () => undefined, close: () => {} } as unknown as PeerNetwork;
  const random = { bytes: (n: number) => new Uint8Array(n), float: () => 0 };
  const service = new AttachService({ clock, random, transport, forwarding, network } as never);
  return Object.assign(p, { service });
}

function pairOf(makePair?: (clock: VirtualClock) => LinkPairMaker) {
  const clock = new VirtualClock();
  const fabric = new IceFabric(clock, makePair?.(clock));
  const small = peer(SMALLER, clock, fabric);
  const large = peer(LARGER, clock, fabric);
  small.other = large;
  large.other = small;
  /** The link each end keeps to the other, if any, and its state there. */
  const kept = () => [small.table.get(LARGER), large.table.get(SMALLER)].map((l) => (l ? `${l.id} ${l.state}` : 'none'));
  return { clock, fabric, small, large, kept };
}

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

describe('AttachService: one link per neighbour', () => {
  it('both ends keep the link opened by the smaller Node-ID even when one end sees it suspect, and the neighbour outlives the retired link', async () => {
    const { clock, small, large, kept } = pairOf();
    // L1: the smaller peer's Attach.
    await clock.run(small.service.attach([{ kind: 'node', nodeId: LARGER }]));
    expect(kept()).toEqual(['L1 open', 'L1 open']);
    // At the larger end alone, L1's acks stop: it Attaches again, and L2 comes up at both ends.
    (large.table.get(SMALLER) as unknown as FakeLink).setState('suspect');
    const again = large.service.attach([{ kind: 'node', nodeId: SMALLER }]);
    await clock.advance(2 * LATENCY_MS + ICE_CHECK_MS);
    expect(kept()).toEqual(['L1 open', 'L1 suspect']);
    // Acks resume; the retired L2 closes at both ends; L1 stays.
    (large.table.get(SMALLER) as unknown as FakeLink).setState('open');
    await expect(clock.run(again)).resolves.toEqual(SMALLER);
    await clock.advance(RETIRED_LINK_GRACE_MS);
    expect(kept()).toEqual(['L1 open', 'L1 open']);
  });
});

describe('AttachService: a link that stops carrying frames is replaced at both ends', () => {
  /** The smaller peer's Attach makes L1 (the tie-breaker's choice over any later link from the larger). */
  async function linked() {
    const wires: [Wire, Wire][] = [];
    const p = pairOf((clock) => framedPairs(clock, wires));
    await p.clock.run(p.small.service.attach([{ kind: 'node', nodeId: LARGER }]));
    expect(p.kept()).toEqual(['L1 open', 'L1 open']);
    return { ...p, wires };
  }

  // L1's wires: [the smaller peer's side (it offered), the larger peer's side].
  it.each([
    ['from the smaller peer to the larger', [true, false]],
    ['from the larger peer to the smaller', [false, true]],
    ['either way', [true, true]],
  ] as const)('L1 lost %s: the larger peer, which sees it suspect, Attaches again and both ends keep the new link within LINK_CHECK_MS of it', async (_way, [smallSideLost, largeSideLost]) => {
    const { clock, small, large, kept, wires } = await linked();
    const l1 = [small.table.get(LARGER)!, large.table.get(SMALLER)!];
    wires[0]![0].carries = !smallSideLost;
    wires[0]![1].carries = !largeSideLost;
    // The larger peer sends on L1; no ack comes back. The smaller end, with nothing outstanding, sees nothing wrong.
    large.table.get(SMALLER)!.send(Uint8Array.of(1));
    await clock.advance(5_000);
    expect(kept()).toEqual(['L1 open', 'L1 suspect']);
    const start = clock.now();
    await expect(clock.run(large.service.attach([{ kind: 'node', nodeId: SMALLER }]))).resolves.toEqual(SMALLER);
    expect(kept()).toEqual(['L2 open', 'L2 open']);
    expect(clock.now() - start).toBeLessThanOrEqual(2 * LATENCY_MS + ICE_CHECK_MS + LINK_CHECK_MS);
    // Each end closes its own L1 (the close may not get through).
    await clock.advance(RETIRED_LINK_GRACE_MS);
    expect(l1.map((l) => l.state)).toEqual(['closed', 'closed']);
    expect(kept()).toEqual(['L2 open', 'L2 open']);
  });

  it('L1 lost either way, both peers Attach at once: the smaller peer\'s, cancelled for the larger\'s (§6.5.1.2), waits while the new link is retired pending the check, and gets it when it replaces L1 (review 3)', async () => {
    const { clock, small, large, kept, wires } = await linked();
    for (const w of wires[0]!) w.carries = false;
    for (const [p, other] of [[small, LARGER], [large, SMALLER]] as const) p.table.get(other)!.send(Uint8Array.of(1));
    await clock.advance(5_000);
    expect(kept()).toEqual(['L1 suspect', 'L1 suspect']);
    const start = clock.now();
    const both = Promise.all([small.service.attach([{ kind: 'node', nodeId: LARGER }]), large.service.attach([{ kind: 'node', nodeId: SMALLER }])].map((a) => a.catch((e: unknown) => e)));
    await clock.advance(2 * LATENCY_MS + ICE_CHECK_MS);
    // L3 (the larger peer's offer; the smaller's, L2, was cancelled) is up and retired at both ends: L1, opened by the smaller peer, is being checked.
    expect(kept()).toEqual(['L1 suspect', 'L1 suspect']);
    await expect(clock.run(both)).resolves.toEqual([LARGER, SMALLER]);
    expect(kept()).toEqual(['L3 open', 'L3 open']);
    expect(clock.now() - start).toBeLessThanOrEqual(2 * LATENCY_MS + ICE_CHECK_MS + LINK_CHECK_MS);
  });

  it('L1 carries frames again by the time the new link is up: both ends keep L1 and the new link closes', async () => {
    const { clock, small, large, kept, wires } = await linked();
    wires[0]![1].carries = false;
    large.table.get(SMALLER)!.send(Uint8Array.of(1));
    await clock.advance(5_000);
    expect(kept()).toEqual(['L1 open', 'L1 suspect']);
    wires[0]![1].carries = true;
    const again = large.service.attach([{ kind: 'node', nodeId: SMALLER }]);
    await expect(clock.run(again)).resolves.toEqual(SMALLER);
    await clock.advance(LINK_CHECK_MS + RETIRED_LINK_GRACE_MS);
    expect(kept()).toEqual(['L1 open', 'L1 open']);
    expect(wires).toHaveLength(2);
    // The retired L2 is closed at both ends, not left open beside L1.
    expect(wires[1]!.map((w) => w.isClosed)).toEqual([true, true]);
  });
});
