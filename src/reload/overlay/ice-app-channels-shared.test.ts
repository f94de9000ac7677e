/**
 * The fast path's `app-N` data channels on a shared peer connection (ice-app-channels.ts) are
 * taken only for an AppAttach we answered: RFC 7904 §5.1 sets the SIP connection up with AppAttach
 * (RFC 6940 §6.5.2), whose signed request tells us the certificate behind the channel. The rule is
 * the AppAttachService's (app-attach-service-expected.test.ts); this checks the network with it.
 */
import { describe, expect, it } from 'vitest';
import type { AppChannel } from '../links/app-channel.js';
import { ManualClock } from '../testing/manual-clock.js';
import { ApplicationId } from '../wire/methods/app-attach.js';
import { createIceAppChannels } from './ice-app-channels.js';
import { answeringAppAttachService } from './testing/answering-app-attach.js';
import { fakeExistingConnections } from './testing/fake-data-channel.js';

const MALLORY = new Uint8Array(16).fill(7);
const BOB = new Uint8Array(16).fill(2);
const REUSE = { ufrag: new Uint8Array(0), password: new Uint8Array(0), candidates: [] };
const LIFETIME_MS = 30_000;

function sharedWith() {
  const clock = new ManualClock();
  const shared = fakeExistingConnections([MALLORY, BOB]);
  const noIce = { offer: () => Promise.reject(new Error('no ICE')), answer: () => Promise.reject(new Error('no ICE')) };
  const net = createIceAppChannels({ ice: noIce as never, clock, existing: shared.existing }, { applications: [ApplicationId.SIP], attachLifetimeMs: LIFETIME_MS });
  const { service, appAttachFrom } = answeringAppAttachService(net, clock);
  const inbound: AppChannel[] = [];
  service.onChannel(ApplicationId.SIP, (ch) => inbound.push(ch));
  return { clock, appAttachFrom, inbound, openedBy: shared.openedBy };
}

describe('app channels on a shared peer connection', () => {
  it('an app-5060 channel a peer opens with no AppAttach is closed and not handed on', () => {
    const { inbound, openedBy } = sharedWith();
    const ch = openedBy(MALLORY, 'app-5060');
    expect(inbound).toEqual([]);
    expect(ch.closed()).toBe(true);
  });

  it('after an AppAttach from that peer is answered, its one channel is handed on; a second, or another peer\'s, is closed', async () => {
    const { appAttachFrom, inbound, openedBy } = sharedWith();
    await appAttachFrom(BOB, REUSE);
    const other = openedBy(MALLORY, 'app-5060');
    expect(other.closed()).toBe(true);
    const bob = openedBy(BOB, 'app-5060');
    expect(bob.closed()).toBe(false);
    expect(inbound.map((c) => [c.remoteNodeId, c.application])).toEqual([[BOB, ApplicationId.SIP]]);
    const again = openedBy(BOB, 'app-5060');
    expect(again.closed()).toBe(true);
    expect(inbound).toHaveLength(1);
  });

  it('an answered AppAttach whose AppAttachAns did not go (unsent), or whose channel did not come within the lifetime, takes no channel', async () => {
    const { clock, appAttachFrom, inbound, openedBy } = sharedWith();
    const answer = await appAttachFrom(BOB, REUSE);
    answer.unsent?.(new Error('not sent'));
    expect(openedBy(BOB, 'app-5060').closed()).toBe(true);
    await appAttachFrom(BOB, REUSE);
    clock.advance(LIFETIME_MS);
    expect(openedBy(BOB, 'app-5060').closed()).toBe(true);
    expect(inbound).toEqual([]);
  });

  it('a channel of another label (not app-N) is left alone', () => {
    const { inbound, openedBy } = sharedWith();
    expect(openedBy(MALLORY, 'reload').closed()).toBe(false);
    expect(inbound).toEqual([]);
  });
});
