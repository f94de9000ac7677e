/**
 * Two AttachServices whose Attaches meet (RFC 6940 §6.5.1.2) or whose links to each other come up
 * twice, for attach-service.test.ts and attach-service-links.test.ts. The peers share a scripted
 * ICE fabric (each data channel opens ICE_CHECK_MS after the offerer starts its check) and a
 * transport that hands each Attach to the other peer's handler; the link tables are forwarding's
 * own (LinkTable), on the virtual clock. Links are FakeLinks (state set by the test), or
 * FramedLinks over Wires (framedPairs).
 */
import { VirtualClock } from '../../../sim/virtual-clock.js';
import { LinkTable } from '../../forwarding/link-table.js';
import { FramedLink } from '../../links/framed-link.js';
import type { Link } from '../../links/link.js';
import { budgetRefusal } from '../../testing/budget-refusal.js';
import { FakeLink } from '../../testing/fake-link.js';
import { AbortError } from '../../runtime/components.js';
import { ErrorAnswer, ReloadError } from '../../runtime/reload-error.js';
import type { IncomingRequest, Reply } from '../../transport/index.js';
import type { NodeId } from '../../wire/ids.js';
import { AttachService } from '../attach-service.js';
import type { IceCapability, PeerNetwork } from '../overlay-types.js';
import { Wire, tableForwarding } from './attach-links.js';
import { iceParams as params } from './budgeted-ice.js';

/** Each way, for requests (unless a test slows one peer's) and for FramedLinks' wires. */
export const LATENCY_MS = 10;
/** How long after the offerer starts its ICE check the data channel opens. */
export const ICE_CHECK_MS = 50;
export const id = (b: number): NodeId => new Uint8Array(16).fill(b);
export const SMALLER = id(0x01);
export const LARGER = id(0x02);

/** The two ends of link `L<n>`: FakeLinks (state set by the test), or FramedLinks over Wires. */
export type LinkPairMaker = (n: number) => { atOfferer: Link; atAnswerer: Link };

const fakePair: LinkPairMaker = (n) => {
  const [atOfferer, atAnswerer] = FakeLink.pair(`L${n}`);
  return { atOfferer, atAnswerer };
};

/** Real links; `wires[n - 1]` are L<n>'s, the offerer's first. */
export function framedPairs(clock: VirtualClock, wires: [Wire, Wire][]): LinkPairMaker {
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
export class IceFabric {
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
              // As offerWebRtc's complete: an already aborted signal fails at once (it fires no 'abort').
              if (options?.signal?.aborted) return reject(new AbortError());
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

export interface Peer {
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
        // As ClientTransaction.start: an already aborted signal ends the request before it goes out.
        if (signal?.aborted) return reject(new AbortError());
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

/** The smaller and the larger peer, linked to each other, on one virtual clock and ICE fabric. */
export function pairOf(makePair?: (clock: VirtualClock) => LinkPairMaker) {
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
