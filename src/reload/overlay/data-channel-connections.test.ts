import { describe, expect, it } from 'vitest';
import { FakeLink } from '../testing/fake-link.js';
import type { NodeId } from '../wire/ids.js';
import { DataChannelConnections } from './data-channel-connections.js';

const id = (b: number): NodeId => new Uint8Array(16).fill(b);
const connection = (name: string) => ({ link: new FakeLink(name) });

describe('DataChannelConnections', () => {
  it('gives the newest open connection to a peer, and forgets each once its link closes', () => {
    const held = new DataChannelConnections<ReturnType<typeof connection>>();
    const [first, second] = [connection('L1'), connection('L2')];
    held.add(id(1), first);
    held.add(id(1), second);
    expect(held.newest(id(1))).toBe(second);
    second.link.close();
    expect(held.newest(id(1))).toBe(first);
    first.link.close();
    expect(held.newest(id(1))).toBeUndefined();
    expect(held.peers).toBe(0);
  });

  it('holds nothing for a connection whose link is closed already when it is added (its close is not heard again)', () => {
    const held = new DataChannelConnections<ReturnType<typeof connection>>();
    const closed = connection('L1');
    closed.link.close();
    held.add(id(1), closed);
    expect(held.newest(id(1))).toBeUndefined();
    expect(held.peers).toBe(0);
  });
});
