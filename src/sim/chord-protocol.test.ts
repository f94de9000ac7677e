/**
 * The CHORD-RELOAD plug-in and the composed peer on small overlays (RFC 6940 §10, §6.4.2, §6.5.1):
 * the join sequence, Attach and links, data hand-over, Leave, RouteQuery, Probe, Ping, the
 * checks on Join and Leave, and partition healing. The 300-peer claims are in chord-overlay.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { rejection } from './testing/rejection.js';
import { idAt, ringPosition, inHalfOpen } from '../reload/topology/chord/ring.js';
import { toHex } from '../reload/wire/codec/hex.js';
import type { Destination } from '../reload/wire/destination.js';
import { decodeForwardingHeaderOnly } from '../reload/wire/forwarded-message.js';
import { leadingMessageCode } from '../reload/wire/forwarding-header.js';
import { decodeFramedMessage } from '../reload/wire/framing.js';
import { formatIpAddress } from '../reload/wire/ip-address-port.js';
import { decodeReloadMessage } from '../reload/wire/reload-message.js';
import { messageCodeName } from '../reload/wire/message-codes.js';
import { ChordLeaveType, ChordUpdateType, encodeChordLeaveData } from '../reload/wire/methods/chord.js';
import { ProbeInformationType } from '../reload/wire/methods/probe.js';
import { buildChordOverlay, createChordOverlay, simAddress, type ChordOverlay, type SimChordPeer } from './chord-overlay.js';
import { captureMessages as capture } from './testing/capture-messages.js';

const node = (nodeId: Uint8Array): Destination => ({ kind: 'node', nodeId });
const resource = (resourceId: Uint8Array): Destination => ({ kind: 'resource', resourceId });

/** The live peer responsible for position `pos` (its successor on the sorted ring). */
function responsibleFor(o: ChordOverlay, pos: bigint): SimChordPeer {
  const ring = o.live().sort((a, b) => (ringPosition(a.nodeId) < ringPosition(b.nodeId) ? -1 : 1));
  return ring.find((p) => ringPosition(p.nodeId) >= pos) ?? ring[0]!;
}

describe('joining (RFC 6940 §10.5, §11.4)', () => {
  it('follows the steps of §10.5: Attach to n+1 through the bootstrap node, Attaches, Join, Stores, Updates', async () => {
    const o = await buildChordOverlay({ peers: 6, seed: 11 });
    const before = o.live();
    const jn = o.createPeer();
    const msgs = capture(o);
    await o.clock.run(o.joinPeer(jn));
    await o.settle(2000);
    expect(o.ringCheck().exact).toBe(true);
    const jnAddr = jn.address;
    const sent = msgs.filter((m) => m.from === jnAddr).map((m) => m.name);
    // Step 2: the first message JN sends is its Attach, over the bootstrap link.
    expect(sent[0]).toBe('attach_req');
    const first = decodeReloadMessage(msgs.find((m) => m.from === jnAddr)!.bytes, { maxMessageSize: 1 << 24 });
    const header = first.forwardingHeader;
    // §11.4: "an Attach request ... with the destination Resource-ID set to the Joining Node's Node-ID plus 1".
    expect(header.destinationList).toHaveLength(1);
    const dest = header.destinationList[0]!;
    expect(dest.kind).toBe('resource');
    if (dest.kind === 'resource') expect(ringPosition(dest.resourceId)).toBe(ringPosition(jn.nodeId) + 1n);
    // §6.5.1.1: the Attach carries our address as a host candidate, role passive, send_update set.
    const attach = first.body;
    expect(attach.name).toBe('attach_req');
    if (attach.name === 'attach_req') {
      expect(new TextDecoder().decode(attach.value.role)).toBe('passive');
      expect(attach.value.sendUpdate).toBe(true);
      const c = attach.value.candidates[0]!;
      expect(c.type).toBe(1);
      expect(`${formatIpAddress(c.addrPort)}:${c.addrPort.kind === 'ipv4' ? c.addrPort.port : 0}`).toBe(jnAddr);
    }
    // Step 5 after the Attaches; the Join goes to AP, JN's successor.
    const ap = responsibleFor(o, ringPosition(jn.nodeId) + 1n);
    expect(before).toContain(ap);
    const join = msgs.find((m) => m.name === 'join_req')!;
    expect(join.from).toBe(jnAddr);
    expect(join.to).toBe(ap.address);
    expect(sent.indexOf('join_req')).toBeGreaterThan(sent.lastIndexOf('attach_req', sent.indexOf('join_req')));
    // Step 7 then 8: AP's Updates; step 9: JN's Updates, only once joined.
    const apToJn = msgs.filter((m) => m.from === ap.address && m.to === jnAddr).map((m) => m.name);
    expect(apToJn).toContain('join_ans');
    // (The first Update answers the Attach's send_update, §6.4.2.3; step 7's comes after the JoinAns.)
    expect(apToJn.lastIndexOf('update_req')).toBeGreaterThan(apToJn.indexOf('join_ans'));
    expect(sent.indexOf('update_req')).toBeGreaterThan(sent.indexOf('join_req'));
    expect(jn.peer.status()).toMatchObject({ state: 'joined', joined: true });
    o.close();
  });

  it('hands the joining peer the data it becomes responsible for (§10.5 step 6)', async () => {
    const o = await buildChordOverlay({ peers: 6, seed: 12 });
    const names = Array.from({ length: 60 }, (_, i) => `record-${i}`);
    for (const [i, name] of names.entries()) {
      const r = await o.clock.run(o.store(o.live()[i % 6]!, name, Uint8Array.of(i)));
      expect(r.ok).toBe(true);
    }
    const newcomers = await o.clock.run(o.addPeers(6));
    await o.settle(2000);
    expect(o.ringCheck().exact).toBe(true);
    const newKeys = new Set(newcomers.map((p) => toHex(p.nodeId)));
    let servedByNewcomer = 0;
    for (const [i, name] of names.entries()) {
      const f = await o.clock.run(o.live()[(i * 7) % 12]!.peer.fetch(name, [{ kind: 4001 }]));
      const v = f.answer.kindResponses[0]!.values[0]!;
      expect(v.value.model === 'single' && v.value.singleValueEntry.value[0]).toBe(i);
      if (newKeys.has(toHex(f.responder))) servedByNewcomer++;
    }
    expect(servedByNewcomer).toBeGreaterThan(0);
    o.close();
  });

  it('starts an overlay alone, and a second peer joins it', async () => {
    const o = createChordOverlay({ seed: 13 });
    const a = await o.clock.run(o.addPeer());
    expect(a.peer.status()).toMatchObject({ joined: true, predecessors: [], successors: [] });
    const b = await o.clock.run(o.addPeer());
    await o.settle(1000);
    expect(a.peer.status().successors).toEqual([b.nodeId]);
    expect(a.peer.status().predecessors).toEqual([b.nodeId]);
    expect(b.peer.status().successors).toEqual([a.nodeId]);
    expect(o.ringCheck().exact).toBe(true);
    o.close();
  });

  it('gives up after the configured attempts when no bootstrap node answers', async () => {
    const o = createChordOverlay({ seed: 14 });
    const p = o.createPeer({ chord: { joinAttempts: 2 } });
    const e = await o.clock.run(p.peer.join(simAddress(40)).then(() => undefined, (err: unknown) => err));
    expect(String(e)).toMatch(/no bootstrap node reachable/);
    expect(p.peer.status().state).toBe('failed');
    o.close();
  });

  it('joins many peers at once (waves) into an exact ring', async () => {
    const o = await buildChordOverlay({ peers: 40, joinConcurrency: 8, seed: 15 });
    expect(o.live()).toHaveLength(40);
    expect(o.ringCheck()).toMatchObject({ exact: true, peers: 40 });
    o.close();
  });
});

describe('Join and Leave checks (RFC 6940 §6.4.2.1, §6.4.2.2)', () => {
  it('a peer still being admitted holds a Join for the range it already answers for, then admits it (joins at once)', async () => {
    // X has sent its Join (§10.5 step 5) and answers for its range, but its admitting peer's Update
    // (step 7) is held back; Y, joining just below X, attaches to n+1 = X and sends X its Join. X
    // must admit Y once its own admission completes, not refuse it (10,000-peer build: one join in
    // 10,000 gave up on that refusal). One attempt each: a refusal would fail Y's join.
    const code = (bytes: Uint8Array): string | undefined => {
      const m = decodeFramedMessage(bytes);
      if (m.kind !== 'data' || m.message.length === 0) return undefined;
      const { header, payload } = decodeForwardingHeaderOnly(m.message, { maxMessageSize: 1 << 24 });
      const c = leadingMessageCode(header.fragment, payload);
      return c === undefined ? undefined : messageCodeName(c);
    };
    let x: SimChordPeer | undefined;
    let xSentJoin = false;
    let holding = true;
    const o = await buildChordOverlay({
      peers: 6,
      seed: 21,
      chord: { joinAttempts: 1 },
      network: { model: { drop: (frame, _from, to) => holding && xSentJoin && to === x?.address && code(frame) === 'update_req' } },
    });
    x = o.createPeer();
    const y = o.createPeer({ nodeId: idAt(ringPosition(x.nodeId) - 1n) });
    const joinsToX: string[] = [];
    o.network.tap((f) => {
      if (f.dropped) return;
      const name = code(f.bytes);
      if (name === 'join_req' && f.from === x!.address) xSentJoin = true;
      if (name === 'join_req' && f.to === x!.address) joinsToX.push(f.from);
    });
    const xJoined = o.joinPeer(x);
    while (!xSentJoin) await o.clock.advance(5);
    const yJoined = o.joinPeer(y);
    await o.settle(2_000);
    expect(joinsToX).toEqual([y.address]);
    expect(y.state).toBe('joining');
    holding = false;
    await o.clock.run(Promise.all([xJoined, yJoined]));
    await o.settle(2_000);
    expect([x.state, y.state]).toEqual(['joined', 'joined']);
    expect(o.ringCheck()).toMatchObject({ exact: true, peers: 8 });
    o.close();
  });

  it('refuses a Join for another Node-ID, or one not over a link bound to the joining Node-ID', async () => {
    const o = await buildChordOverlay({ peers: 5, seed: 21 });
    const [a, b, c] = o.live();
    let e = await rejection(o, a!.peer.transport.request([node(b!.nodeId)], { name: 'join_req', value: { joiningPeerId: c!.nodeId, overlaySpecificData: new Uint8Array(0) } }));
    expect(e.codeName).toBe('Error_Forbidden');
    // Routed (source route through c), not over a direct link.
    e = await rejection(o, a!.peer.transport.request([node(c!.nodeId), node(b!.nodeId)], { name: 'join_req', value: { joiningPeerId: a!.nodeId, overlaySpecificData: new Uint8Array(0) } }));
    expect(e.codeName).toBe('Error_Forbidden');
    o.close();
  });

  it('refuses a Leave for another Node-ID (Error_Forbidden) and takes a real one as the peer\'s departure (§10.9)', async () => {
    const o = await buildChordOverlay({ peers: 8, seed: 22 });
    const [a, b] = o.live();
    const data = encodeChordLeaveData({ type: ChordLeaveType.from_pred, predecessors: [] });
    const e = await rejection(o, a!.peer.transport.request([node(b!.nodeId)], { name: 'leave_req', value: { leavingPeerId: b!.nodeId, overlaySpecificData: data } }));
    expect(e.codeName).toBe('Error_Forbidden');
    const leaver = o.live()[3]!;
    const msgs = capture(o);
    await o.clock.run(o.leave(leaver));
    await o.settle(2000);
    const leaves = msgs.filter((m) => m.from === leaver.address && m.name === 'leave_req');
    // §10.9: to every member of its Neighbor Table (3 predecessors and 3 successors of 7 others).
    expect(new Set(leaves.map((m) => m.to)).size).toBe(6);
    for (const m of leaves) {
      const body = decodeReloadMessage(m.bytes, { maxMessageSize: 1 << 24 }).body;
      if (body.name !== 'leave_req') throw new Error('not a leave');
      expect(body.value.leavingPeerId).toEqual(leaver.nodeId);
      expect([ChordLeaveType.from_succ, ChordLeaveType.from_pred]).toContain(body.value.chordLeaveData?.type);
    }
    expect(o.ringCheck()).toMatchObject({ exact: true, peers: 7 });
    o.close();
  });
});

describe('RouteQuery, Probe and Ping (RFC 6940 §10.8, §6.4.2.5, §6.5.3)', () => {
  it('answers a RouteQuery with the next peer it would route to, and its table when asked', async () => {
    const o = await buildChordOverlay({ peers: 12, seed: 31 });
    const [a, b] = o.live();
    const target = ringPosition(a!.nodeId) + 7n;
    const id = new Uint8Array(16);
    for (let i = 15, v = target; i >= 0; i--, v >>= 8n) id[i] = Number(v & 0xffn);
    const msgs = capture(o);
    const ans = await o.clock.run(b!.peer.transport.request([node(a!.nodeId)], { name: 'route_query_req', value: { sendUpdate: true, destination: resource(id), overlaySpecificData: new Uint8Array(0) } }));
    // a's successor is responsible for a+7: that is where a would send it.
    expect(toHex(ans.value.nextPeer)).toBe(toHex(a!.peer.status().successors[0]!));
    await o.settle(500);
    const update = msgs.find((m) => m.from === a!.address && m.to === b!.address && m.name === 'update_req');
    expect(update).toBeDefined();
    const body = decodeReloadMessage(update!.bytes, { maxMessageSize: 1 << 24 }).body;
    expect(body.name === 'update_req' && body.value.type).toBe(ChordUpdateType.full);
    o.close();
  });

  it('answers a Probe with the requested information, in order, and nothing else', async () => {
    const o = await buildChordOverlay({ peers: 4, seed: 32 });
    for (let i = 0; i < 20; i++) await o.clock.run(o.store(o.live()[0]!, `p-${i}`, Uint8Array.of(i)));
    await o.settle(1000);
    let total = 0;
    let resources = 0;
    for (const p of o.live()) {
      const ans = await o.clock.run(o.live()[0]!.peer.transport.request([node(p.nodeId)], { name: 'probe_req', value: { requestedInfo: [3, 99, 1, 2] } }));
      const info = ans.value.probeInfo;
      expect(info.map((i) => i.type)).toEqual([ProbeInformationType.uptime, ProbeInformationType.responsible_set, ProbeInformationType.num_resources]);
      const ppb = info[1]!;
      const num = info[2]!;
      if ('responsiblePpb' in ppb) total += ppb.responsiblePpb;
      if ('numResources' in num) resources += num.numResources;
    }
    // The ranges of the peers cover the ring once.
    expect(Math.abs(total - 1_000_000_000)).toBeLessThan(10);
    // Every record is held by 3 peers (responsible + 2 replicas, §10.4) in a ring of 4.
    expect(resources).toBe(60);
    o.close();
  });

  it('answers a Ping; the answer to a Ping for a Resource-ID comes from the peer responsible for it', async () => {
    const o = await buildChordOverlay({ peers: 10, seed: 33 });
    const [a, b] = o.live();
    const id = b!.nodeId.slice();
    id[15] = id[15]! ^ 1;
    const ans = await o.clock.run(a!.peer.transport.request([resource(id)], { name: 'ping_req', value: { padding: new Uint8Array(4) } }));
    const owner = responsibleFor(o, ringPosition(id));
    expect(ans.sender.nodeId).toEqual(owner.nodeId);
    const pred = owner.peer.status().predecessors[0]!;
    expect(inHalfOpen(ringPosition(id), ringPosition(pred), ringPosition(owner.nodeId))).toBe(true);
    o.close();
  });
});

describe('failures and partitions (RFC 6940 §10.7.1, §10.7.4.4)', () => {
  it('repairs the ring around peers that vanish without a word', async () => {
    const o = await buildChordOverlay({ peers: 16, seed: 41, configuration: { chordUpdateInterval: 30 } });
    o.kill(o.live()[2]!);
    o.kill(o.live()[7]!);
    await o.settle(120_000);
    expect(o.ringCheck()).toMatchObject({ exact: true, peers: 14 });
    o.close();
  });

  it('after a neighbour fails, Updates go to the Neighbor Table, and to every connection only when the range changed (§10.7.1)', async () => {
    const o = await buildChordOverlay({ peers: 40, seed: 43 });
    const ring = o.live().sort((a, b) => (ringPosition(a.nodeId) < ringPosition(b.nodeId) ? -1 : 1));
    const at = (i: number) => ring[(i + ring.length) % ring.length]!;
    const hex = (p: SimChordPeer) => toHex(p.nodeId);
    const p = at(20);
    /** Addresses `p` sent `neighbors` Updates to while `during` ran. */
    const neighborsUpdatesFrom = async (during: () => Promise<void>): Promise<Set<string>> => {
      const msgs = capture(o);
      const mark = msgs.length;
      await during();
      const to = new Set<string>();
      for (const m of msgs.slice(mark)) {
        if (m.from !== p.address || m.name !== 'update_req') continue;
        const body = decodeReloadMessage(m.bytes, { maxMessageSize: 1 << 24 }).body;
        if (body.name === 'update_req' && body.value.type === ChordUpdateType.neighbors) to.add(m.to);
      }
      return to;
    };
    const neighbourAddresses = () => {
      const s = p.peer.status();
      const ids = new Set([...s.predecessors, ...s.successors].map((id) => toHex(id)));
      return new Set(ring.filter((q) => ids.has(hex(q))).map((q) => q.address));
    };
    const connections = p.peer.status().links;
    expect(connections).toBeGreaterThan(6);
    // Its second successor dies: the Neighbor Table changes, the range (first predecessor, p] does not.
    const before = neighbourAddresses();
    o.kill(at(22));
    const afterSuccessorFailure = await neighborsUpdatesFrom(() => o.settle(45_000));
    expect(afterSuccessorFailure.size).toBeGreaterThan(0);
    const allowed = new Set([...before, ...neighbourAddresses()]);
    expect([...afterSuccessorFailure].filter((a) => !allowed.has(a))).toEqual([]);
    // Its first predecessor dies: the range grows, so every member of the table hears of it.
    o.kill(at(19));
    const afterPredecessorFailure = await neighborsUpdatesFrom(() => o.settle(45_000));
    expect(afterPredecessorFailure.size).toBeGreaterThan(neighbourAddresses().size);
    expect(o.ringCheck().exact).toBe(true);
    o.close();
  });

  it('detects a partition through its bootstrap node and merges the two rings (§10.7.4.4)', async () => {
    const logger = { debug: () => {}, info: (m: string, f?: object) => process.env.PDEBUG && console.log(m, JSON.stringify(f)), warn: () => {}, error: () => {} };
    const o = createChordOverlay({ seed: 42, configuration: { chordUpdateInterval: 30 }, chord: { partitionCheckIntervalMs: 60_000 }, logger });
    const first = await o.clock.run(o.addPeer());
    for (let i = 0; i < 9; i++) await o.clock.run(o.addPeer({ bootstrap: first.address }));
    await o.settle(2000);
    expect(o.ringCheck().exact).toBe(true);
    // Cut the ring into two arcs: no frame crosses between them.
    const ring = o.live().sort((a, b) => (ringPosition(a.nodeId) < ringPosition(b.nodeId) ? -1 : 1));
    const start = ring.indexOf(first);
    const left = new Set(Array.from({ length: 5 }, (_, k) => ring[(start + k) % 10]!));
    const right = ring.filter((p) => !left.has(p));
    const cross = (model: { loss: number }) => {
      for (const a of left) for (const b of right) o.network.setModel(a.address, b.address, model);
    };
    cross({ loss: 1 });
    await o.settle(40_000);
    const inArc = (p: SimChordPeer, arc: readonly SimChordPeer[]) => p.peer.status().successors.every((s) => arc.some((q) => toHex(q.nodeId) === toHex(s)));
    // Each side is a ring of its own now.
    expect(right.every((p) => inArc(p, right))).toBe(true);
    expect([...left].every((p) => inArc(p, [...left]))).toBe(true);
    // The network heals; the right side's periodic check through `first` finds the other ring.
    cross({ loss: 0 });
    await o.settle(240_000);
    const c = o.ringCheck();
    if (!c.exact) console.log(ring.map((p) => `${toHex(p.nodeId).slice(0, 4)} ${left.has(p) ? 'L' : 'R'} p=${p.peer.status().predecessors.map((x) => toHex(x).slice(0, 4))} s=${p.peer.status().successors.map((x) => toHex(x).slice(0, 4))}`).join('\n'), ring.map((p) => `${p.address} ${toHex(p.nodeId).slice(0, 6)} ${left.has(p) ? 'L' : 'R'}`));
    expect(o.ringCheck()).toMatchObject({ exact: true, peers: 10 });
    o.close();
  });
});

