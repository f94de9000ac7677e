import { describe, expect, it } from 'vitest';
import type { Destination } from '../wire/destination.js';
import { answerDestinationList } from './answer-header.js';

const id = (b: number) => new Uint8Array(16).fill(b);
const node = (b: number): Destination => ({ kind: 'node', nodeId: id(b) });
const names = (list: readonly Destination[]) => list.map((d) => (d.kind === 'node' ? d.nodeId[0]!.toString(16) : d.kind));

describe('answerDestinationList (RFC 6940 §6.2.2)', () => {
  // Node names are hex bytes: A=0xa, B=0xb …; `self` is 0xf.
  const cases: readonly { name: string; via: number[]; from: number | undefined; want: string[] }[] = [
    { name: 'the neighbour it came from, then the via list reversed', via: [0xa, 0xb], from: 0xc, want: ['c', 'b', 'a'] },
    { name: 'a request from a neighbour with an empty via list goes straight back', via: [], from: 0xa, want: ['a'] },
    { name: 'a request of its own is answered to itself', via: [], from: undefined, want: ['f'] },
    // A→B→C→B→X: B routed round a suspect link to X, then took it when the request came back.
    { name: 'a loop through one node is cut out: [B, C, B, A] → [B, A]', via: [0xa, 0xb, 0xc], from: 0xb, want: ['b', 'a'] },
    { name: 'two loops are both cut', via: [0xa, 0xb, 0xc, 0xb, 0xd, 0xe, 0xd], from: 0x1, want: ['1', 'd', 'b', 'a'] },
    { name: 'a loop back to the requester itself ends the list there', via: [0xa, 0xb, 0xa, 0xc], from: 0xd, want: ['d', 'c', 'a'] },
  ];
  for (const c of cases) {
    it(c.name, () => {
      expect(names(answerDestinationList(c.via.map(node), c.from === undefined ? undefined : id(c.from), id(0xf)))).toEqual(c.want);
    });
  }

  it('cuts no loop at equal opaque ids: each was compressed by its own peer (§6.3.2.2)', () => {
    const opaque: Destination = { kind: 'opaque', opaqueId: Uint8Array.of(7, 7) };
    const via = [node(0xa), opaque, node(0xb), opaque];
    expect(answerDestinationList(via, id(0xc), id(0xf))).toEqual([node(0xc), opaque, node(0xb), opaque, node(0xa)]);
    const long = [...Array.from({ length: 20 }, (_, i) => node(i + 0x10)), opaque, node(0x40), opaque];
    expect(answerDestinationList(long, id(0xc), id(0xf))).toHaveLength(24);
  });

  it('cuts loops out of a long via list as it does from a short one', () => {
    // 40 distinct hops, then a loop back to hop 5: the answer skips hops 6..39.
    const via = [...Array.from({ length: 40 }, (_, i) => node(i + 0x10)), node(0x15)];
    const out = names(answerDestinationList(via, id(0x99), id(0xf)));
    expect(out).toEqual(['99', '15', '14', '13', '12', '11', '10']);
    const distinct = Array.from({ length: 40 }, (_, i) => node(i + 0x10));
    expect(answerDestinationList(distinct, id(0x99), id(0xf))).toHaveLength(41);
  });
});
