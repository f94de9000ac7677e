/**
 * App channels on the in-memory network (memory-app-channels.ts) are taken only for an AppAttach
 * we answered: RFC 7904 §5.1 sets the SIP connection up with AppAttach (RFC 6940 §6.5.2), whose
 * signed request tells us the certificate behind the channel. The rule is the AppAttachService's
 * (app-attach-service-expected.test.ts); this checks the network with it.
 */
import { describe, expect, it } from 'vitest';
import { answeringAppAttachService } from '../../overlay/testing/answering-app-attach.js';
import { SeededRandom } from '../../../sim/seeded-random.js';
import { VirtualClock } from '../../../sim/virtual-clock.js';
import type { AppChannel } from '../app-channel.js';
import { createMemoryAppChannels } from './memory-app-channels.js';
import { MemoryNetwork } from './memory-network.js';

const SIP = 5060;
const ALICE = new Uint8Array(16).fill(1);
const BOB = new Uint8Array(16).fill(2);

function twoPeers() {
  const clock = new VirtualClock();
  const network = new MemoryNetwork({ clock, random: new SeededRandom(1) });
  const ids = new Map([['10.0.0.1', ALICE], ['10.0.0.2', BOB]]);
  const authenticate = (a: string) => ids.get(a.replace(/:\d+$/, ''));
  const alice = createMemoryAppChannels(network, { address: '10.0.0.1:6084', authenticate });
  const bob = createMemoryAppChannels(network, { address: '10.0.0.2:6084', authenticate });
  const { service, appAttachFrom } = answeringAppAttachService(alice, clock);
  const atAlice: AppChannel[] = [];
  service.onChannel(SIP, (ch) => atAlice.push(ch));
  bob.onInbound(() => {});
  return { clock, alice, bob, atAlice, appAttachFrom };
}

describe('memory app channels', () => {
  it('a peer that opens a channel to our application address with no AppAttach answered is closed and not handed on', async () => {
    const { clock, alice, bob, atAlice } = twoPeers();
    // bob knows alice's candidate (it is her overlay host) and opens a channel to it directly.
    const ch = await clock.run(bob.open(ALICE, SIP, await alice.offer(BOB, SIP)));
    await clock.advance(100);
    expect(atAlice).toEqual([]);
    expect(ch.state).toBe('closed');
  });

  it('after alice answers bob\'s AppAttach, bob\'s one channel is handed on; a second, or one after the AppAttachAns did not go, is closed', async () => {
    const { clock, bob, atAlice, appAttachFrom } = twoPeers();
    const answer = await appAttachFrom(BOB, await bob.offer(ALICE, SIP));
    const ch = await clock.run(bob.open(ALICE, SIP, answer.value));
    await clock.advance(100);
    expect(atAlice.map((c) => [c.remoteNodeId, c.application])).toEqual([[BOB, SIP]]);
    expect(ch.state).toBe('open');
    const second = await clock.run(bob.open(ALICE, SIP, answer.value));
    await clock.advance(100);
    expect(second.state).toBe('closed');
    const unsent = await appAttachFrom(BOB, await bob.offer(ALICE, SIP));
    unsent.unsent?.(new Error('not sent'));
    const late = await clock.run(bob.open(ALICE, SIP, unsent.value));
    await clock.advance(100);
    expect(late.state).toBe('closed');
    expect(atAlice).toHaveLength(1);
  });
});
