import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../sim/virtual-clock.js';
import { FakeLink } from '../testing/fake-link.js';
import type { Destination } from '../wire/destination.js';
import { decodeForwardingHeaderOnly, encodeForwardedMessage } from '../wire/forwarded-message.js';
import { UNFRAGMENTED, type ForwardingHeader } from '../wire/forwarding-header.js';
import { fragmentMessage } from '../wire/fragmentation.js';
import { ErrorCode } from '../wire/message-codes.js';
import { createForwarding, type ForwardingInit, type InboundMessage, type RoutingFailure } from './forwarding.js';
import { RETIRED_LINK_GRACE_MS } from './link-table.js';
import { overlayParameters } from './overlay-parameters.js';
import { nodeIdKey, type Router } from './router.js';

const id = (b: number) => new Uint8Array(16).fill(b);
const node = (b: number): Destination => ({ kind: 'node', nodeId: id(b) });

function message(h: Partial<ForwardingHeader>, bodySize = 10, messageCode = 0x17): Uint8Array {
  return encodeForwardedMessage({
    forwardingHeader: { overlay: 7, configurationSequence: 0, version: 10, ttl: 100, fragment: UNFRAGMENTED, length: 0, transactionId: 42n, maxResponseLength: 0, viaList: [], destinationList: [node(0x90)], options: [], ...h },
    messageContents: { messageCode, messageBody: new Uint8Array(bodySize), extensions: [] },
    securityBlock: { certificates: [], signature: { algorithm: { hash: 0, signature: 0 }, identity: { identityType: 3 }, signatureValue: new Uint8Array() } },
  });
}

function setup(router: Router, init: Partial<ForwardingInit> = {}) {
  const clock = new VirtualClock();
  const f = createForwarding({ clock }, { localNodeId: id(0x50), parameters: overlayParameters({ overlay: 7 }), ...init });
  f.setRouter(router);
  const delivered: InboundMessage[] = [];
  const failures: RoutingFailure[] = [];
  f.setDelegate({ deliver: (m) => delivered.push(m), routingFailed: (x) => failures.push(x) });
  return { clock, f, delivered, failures };
}

/** A FakeLink named `name`, put in `f`'s link table as the link to node `b`. */
function linked(f: ReturnType<typeof setup>['f'], b: number, name: string): FakeLink {
  const link = new FakeLink(name);
  f.addLink(id(b), link);
  return link;
}

describe('forwarding', () => {
  it('relays a message from one link to the next hop with TTL − 1 and the via list grown', () => {
    const { f } = setup({ isResponsible: () => false, nextHop: () => id(0x60) });
    const a = new FakeLink('a');
    const b = new FakeLink('b');
    f.addLink(id(0x40), a);
    f.addLink(id(0x60), b);
    a.receive(message({ ttl: 10 }));
    expect(b.sent).toHaveLength(1);
    const h = decodeForwardingHeaderOnly(b.sent[0]!).header;
    expect(h.ttl).toBe(9);
    expect(h.viaList).toEqual([node(0x40)]);
    expect(f.stats().forwarded).toBe(1);
  });

  it('routes around a next hop whose link is suspect or refuses the message, asking the router again without it', () => {
    const asked: string[][] = [];
    const order = [id(0x60), id(0x61), id(0x62)];
    const { f } = setup({
      isResponsible: () => false,
      nextHop: (_t, exclude) => {
        asked.push([...exclude]);
        return order.find((n) => !exclude.has(nodeIdKey(n)));
      },
    });
    const suspect = new FakeLink('suspect');
    const refusing = new FakeLink('refusing');
    const good = new FakeLink('good');
    f.addLink(id(0x60), suspect);
    f.addLink(id(0x61), refusing);
    f.addLink(id(0x62), good);
    suspect.setState('suspect');
    refusing.accept = false;
    expect(f.send(message({}))).toEqual({ ok: true });
    expect(good.sent).toHaveLength(1);
    expect(asked).toEqual([[], [nodeIdKey(id(0x60))], [nodeIdKey(id(0x60)), nodeIdKey(id(0x61))]]);
    expect(f.stats().routeArounds).toBe(2);
  });

  it('sends a message for a Node-ID in its range down that node’s link even while it is suspect (§6.1.1), relayed or its own', () => {
    // Responsible for Node-IDs up to 0x50; the topology would route 0x45 round to 0x60.
    const { f } = setup({ isResponsible: (t) => t.kind === 'node' && t.nodeId[0]! <= 0x50, nextHop: () => id(0x60) });
    const from = linked(f, 0x40, 'from');
    const target = linked(f, 0x45, 'target');
    const other = linked(f, 0x60, 'other');
    target.setState('suspect');
    expect(f.send(message({ destinationList: [node(0x45)] }))).toEqual({ ok: true });
    from.receive(message({ ttl: 10, viaList: [node(0x50)], destinationList: [node(0x45)] }));
    expect(target.sent).toHaveLength(2);
    expect(other.sent).toHaveLength(0);
    // Once the link is gone, the message for a node in our range that is not connected is dropped.
    target.setState('closed');
    expect(f.send(message({ destinationList: [node(0x45)] })).ok).toBe(false);
    expect(other.sent).toHaveLength(0);
  });

  it('relays a request that came back to it down its direct link to the destination, and the answer (its loop cut out, answer-header.ts) to the requester', () => {
    // This node is B = 0x50; A = 0x40 asked, C = 0x60 is where B's topology routes, X = 0x45 the
    // destination. The request went A → B → C and came back to B, which now sends it down its direct
    // link to X (a route the sender's list names, not a loop: route-decision.ts).
    const { f, failures } = setup({ isResponsible: () => false, nextHop: () => id(0x60) });
    const toA = linked(f, 0x40, 'A');
    const toC = linked(f, 0x60, 'C');
    const toX = linked(f, 0x45, 'X');
    toC.receive(message({ ttl: 97, viaList: [node(0x40), node(0x50)], destinationList: [node(0x45)] }));
    expect(toX.sent).toHaveLength(1);
    expect(failures).toEqual([]);
    // X answers with the loop cut out of its reversed via list (answer-header.ts): [B, A], not
    // [B, C, B, A], which B's duplicate check (§13.6.5) drops with every retransmission's answer.
    expect(decodeForwardingHeaderOnly(toX.sent[0]!).header.viaList).toEqual([node(0x40), node(0x50), node(0x60)]);
    toX.receive(message({ destinationList: [node(0x50), node(0x40)] }, 10, 0x18));
    expect(toA.sent).toHaveLength(1);
    expect(toC.sent).toHaveLength(0);
    expect(f.stats().errors).toBe(0);
  });

  it('drops a message to relay whose via list cannot take one more entry (uint16 via_list_length), throwing nothing', () => {
    // Only with a max-message-size above 64 KiB (a configuration may say so) can the list be that long.
    const { f } = setup({ isResponsible: () => false, nextHop: () => id(0x60) }, { parameters: overlayParameters({ overlay: 7, maxMessageSize: 200_000 }) });
    const from = new FakeLink('from', 300_000);
    const next = new FakeLink('next', 300_000);
    f.addLink(id(0x40), from);
    f.addLink(id(0x60), next);
    // 3,640 Node-ID entries = 65,520 bytes: one more does not fit.
    const via = Array.from({ length: 3640 }, (_, i): Destination => ({ kind: 'node', nodeId: Uint8Array.from({ length: 16 }, (_, j) => (j < 2 ? (i >> (8 * j)) & 0xff : 0x11)) }));
    expect(() => from.receive(message({ ttl: 50, viaList: via }))).not.toThrow();
    expect(next.sent).toHaveLength(0);
    expect(f.stats().dropped).toBe(1);
    // One entry fewer still fits and is relayed.
    from.receive(message({ ttl: 50, viaList: via.slice(1) }));
    expect(next.sent).toHaveLength(1);
  });

  it('reports a transient failure when there is no next hop, a final one for a message over max-message-size', () => {
    const { f } = setup({ isResponsible: () => false, nextHop: () => undefined });
    expect(f.send(message({}))).toEqual({ ok: false, reason: 'no next hop' });
    expect(f.send(message({}, 6000))).toMatchObject({ ok: false, errorCode: ErrorCode.Error_Message_Too_Large });
  });

  it('fragments for a link whose MTU is smaller than the message (§6.7) and reassembles at the destination', async () => {
    const sender = setup({ isResponsible: () => false, nextHop: () => id(0x60) });
    const small = new FakeLink('small', 600);
    sender.f.addLink(id(0x60), small);
    const whole = message({}, 2000);
    expect(sender.f.send(whole)).toEqual({ ok: true });
    expect(small.sent.length).toBeGreaterThan(3);
    expect(small.sent.every((p) => p.length <= 600 - 32)).toBe(true);

    // The destination (0x90) gets the pieces on its link from 0x50.
    const dest = createForwarding({ clock: sender.clock }, { localNodeId: id(0x90), parameters: overlayParameters({ overlay: 7 }) });
    const got: InboundMessage[] = [];
    dest.setDelegate({ deliver: (m) => got.push(m), routingFailed: () => {} });
    const link = new FakeLink('in');
    dest.addLink(id(0x50), link);
    for (const p of [...small.sent].reverse()) link.receive(p);
    expect(got).toHaveLength(1);
    expect(got[0]!.from).toEqual(id(0x50));
    expect(got[0]!.bytes.subarray(got[0]!.headerLength)).toEqual(decodeForwardingHeaderOnly(whole).payload);
    expect(dest.stats().reassembled).toBe(1);
  });

  it('bounds reassembly: fragments of many never-finished messages do not pile up', () => {
    const { f } = setup({ isResponsible: () => false, nextHop: () => undefined }, { reassembly: { maxConcurrentMessages: 8 } });
    const link = new FakeLink('flood');
    f.addLink(id(0x40), link);
    for (let t = 0; t < 100; t++) {
      const pieces = fragmentMessage(message({ transactionId: BigInt(t), destinationList: [node(0x50)] }, 1500), 600);
      link.receive(pieces[0]!);
    }
    expect(f.stats().dropped).toBeGreaterThanOrEqual(92);
  });

  it('hands a message for this node up; one it sends itself is handed up on a later job', async () => {
    const { f, delivered } = setup({ isResponsible: () => true, nextHop: () => undefined });
    const link = new FakeLink('a');
    f.addLink(id(0x40), link);
    link.receive(message({ destinationList: [node(0x50)] }));
    expect(delivered.map((m) => m.from)).toEqual([id(0x40)]);
    expect(f.send(message({ destinationList: [{ kind: 'resource', resourceId: Uint8Array.of(1) }] }))).toEqual({ ok: true });
    expect(delivered).toHaveLength(1);
    await Promise.resolve();
    expect(delivered).toHaveLength(2);
    expect(delivered[1]!.from).toBeUndefined();
  });

  it('passes routing errors up with the previous hop; drops malformed messages', () => {
    const { f, failures } = setup({ isResponsible: () => false, nextHop: () => id(0x60) });
    const link = new FakeLink('a');
    f.addLink(id(0x40), link);
    link.receive(message({ ttl: 0 }));
    expect(failures).toMatchObject([{ errorCode: ErrorCode.Error_TTL_Exceeded, from: id(0x40) }]);
    link.receive(Uint8Array.of(1, 2, 3));
    expect(f.stats().dropped).toBe(1);
  });

  it('closes a link whose message has a forwarding header larger than max-message-size (§6.6)', () => {
    const { f } = setup({ isResponsible: () => false, nextHop: () => id(0x60) }, { parameters: overlayParameters({ overlay: 7, maxMessageSize: 300 }) });
    const link = new FakeLink('a');
    f.addLink(id(0x40), link);
    const via = Array.from({ length: 20 }, (_, i) => node(i + 1));
    link.receive(message({ viaList: via }));
    expect(link.state).toBe('closed');
    expect(f.getLink(id(0x40))).toBeUndefined();
  });

  it('keeps one link per neighbour and reports link table changes', async () => {
    const { f, clock } = setup({ isResponsible: () => false, nextHop: () => undefined });
    const events: string[] = [];
    f.onLinkEvent((e) => events.push(`${e.type}:${e.link.id}${e.type === 'state' ? `:${e.state}` : ''}`));
    const a = new FakeLink('a');
    const b = new FakeLink('b');
    f.addLink(id(0x40), a);
    a.setState('suspect');
    expect(f.isUsable(id(0x40))).toBe(false);
    f.addLink(id(0x40), b);
    expect(f.getLink(id(0x40))).toBe(b);
    // Retired: closed after the grace period, with no further event (it left the table already).
    await clock.advance(RETIRED_LINK_GRACE_MS);
    expect(a.state).toBe('closed');
    b.close();
    expect(events).toEqual(['added:a', 'state:a:suspect', 'removed:a', 'added:b', 'removed:b']);
    expect(f.neighbours()).toEqual([]);
  });

  describe('retired links (link-table.ts): two links to one neighbour, one kept', () => {
    const forUs = () => message({ destinationList: [node(0x50)] });

    it('a link replaced by another still delivers what arrives on it for the grace period, sends nothing, then closes', async () => {
      // Messages for 0x50 (us) are ours; one for 0x40 goes down its link.
      const { f, clock, delivered } = setup({ isResponsible: () => false, nextHop: () => undefined });
      const old = linked(f, 0x40, 'old');
      const kept = linked(f, 0x40, 'kept');
      // A frame the other end sent on `old` before it switched to `kept` arrives after the switch.
      old.receive(forUs());
      expect(delivered.map((m) => m.from)).toEqual([id(0x40)]);
      expect(f.send(message({ destinationList: [node(0x40)] }))).toEqual({ ok: true });
      expect(kept.sent).toHaveLength(1);
      expect(old.sent).toHaveLength(0);
      // It turning suspect or closing is no news about the neighbour: the table holds `kept`.
      old.setState('suspect');
      expect(f.isUsable(id(0x40))).toBe(true);
      await clock.advance(RETIRED_LINK_GRACE_MS - 1);
      expect(old.state).toBe('suspect');
      await clock.advance(1);
      expect(old.state).toBe('closed');
      expect(f.getLink(id(0x40))).toBe(kept);
      old.receive(forUs());
      expect(delivered).toHaveLength(1);
    });

    it('a link refused in favour of the one in the table (retireLink) delivers what arrives on it, then closes', async () => {
      const { f, clock, delivered } = setup({ isResponsible: () => true, nextHop: () => undefined });
      const kept = linked(f, 0x40, 'kept');
      const refused = new FakeLink('refused');
      f.retireLink(id(0x40), refused);
      // Retired twice (both ends' Attaches refused it): still one delivery per message.
      f.retireLink(id(0x40), refused);
      expect(f.getLink(id(0x40))).toBe(kept);
      refused.receive(forUs());
      expect(delivered.map((m) => m.from)).toEqual([id(0x40)]);
      await clock.advance(RETIRED_LINK_GRACE_MS);
      expect(refused.state).toBe('closed');
      expect(kept.state).toBe('open');
      expect(f.getLink(id(0x40))).toBe(kept);
    });

    it('a retired link taken back into the table is no longer retired: delivered once, not closed by the grace timer', async () => {
      const { f, clock, delivered } = setup({ isResponsible: () => false, nextHop: () => undefined });
      const a = linked(f, 0x40, 'a');
      const b = linked(f, 0x40, 'b');
      f.addLink(id(0x40), a);
      a.receive(forUs());
      expect(delivered).toHaveLength(1);
      await clock.advance(RETIRED_LINK_GRACE_MS);
      expect(a.state).toBe('open');
      expect(f.getLink(id(0x40))).toBe(a);
      expect(b.state).toBe('closed');
    });

    it('closing the forwarding layer closes retired links at once', () => {
      const { f } = setup({ isResponsible: () => true, nextHop: () => undefined });
      const old = linked(f, 0x40, 'old');
      linked(f, 0x40, 'kept');
      f.close();
      expect(old.state).toBe('closed');
    });
  });
});
