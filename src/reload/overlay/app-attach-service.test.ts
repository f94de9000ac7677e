import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppChannelData } from '../links/app-channel.js';
import { AbortError } from '../runtime/components.js';
import { ReloadError } from '../runtime/reload-error.js';
import { bytesEqual } from '../wire/codec/hex.js';
import { ApplicationId } from '../wire/methods/app-attach.js';
import { ManualClock } from '../testing/manual-clock.js';
import { AppAttachService } from './app-attach-service.js';
import { buildAppOverlay, type AppOverlay, until } from './testing/app-overlay-fixture.js';

const PRIVATE_APP = 61441; // RFC 6940 §14.5: 61441–65534 private use
let f: AppOverlay;

beforeAll(async () => {
  f = await buildAppOverlay({ peers: 10, users: ['a', 'b', 'c', 'd'], applications: [ApplicationId.SIP, PRIVATE_APP] });
}, 60_000);
afterAll(() => f?.close());

function inbox(p: { apps: { onChannel: (app: number, l: (ch: { remoteNodeId: Uint8Array; onMessage: (l: (d: AppChannelData) => void) => void }) => void) => void } }, app: number) {
  const got: { from: Uint8Array; data: AppChannelData }[] = [];
  p.apps.onChannel(app, (ch) => ch.onMessage((data) => got.push({ from: ch.remoteNodeId, data })));
  return got;
}


describe('AppAttachService (RFC 6940 §6.5.2) over a real overlay', () => {
  it('AppAttach makes a channel bound to both Node-IDs that carries text and bytes both ways', async () => {
    const a = f.user('a');
    const b = f.user('b');
    const atB = inbox(b, ApplicationId.SIP);
    const atA = inbox(a, ApplicationId.SIP);
    const ch = await a.apps.channel(b.nodeId, ApplicationId.SIP);
    expect(bytesEqual(ch.remoteNodeId, b.nodeId)).toBe(true);
    expect(ch.send('INVITE …')).toBe(true);
    expect(ch.send(Uint8Array.of(1, 2, 3))).toBe(true);
    await until(() => atB.length === 2);
    expect(atB.map((m) => m.data)).toEqual(['INVITE …', Uint8Array.of(1, 2, 3)]);
    expect(bytesEqual(atB[0]!.from, a.nodeId)).toBe(true);
    b.apps.existing(a.nodeId, ApplicationId.SIP)!.send('200 OK');
    await until(() => atA.length === 1);
    expect(atA[0]!.data).toBe('200 OK');
    expect(b.apps.stats().appAttachesAnswered).toBe(1);
    // Each side knows the certificate user of the other from the signed AppAttach (§6.3.4).
    expect(a.apps.verifiedUser(b.nodeId)).toBe(`b@${f.domain}`);
    expect(b.apps.verifiedUser(a.nodeId)).toBe(`a@${f.domain}`);
    expect(a.apps.verifiedUser(f.user('c').nodeId)).toBeUndefined();
  });

  it('concurrent requests for one peer share one AppAttach and one channel; other applications get their own', async () => {
    const c = f.user('c');
    const d = f.user('d');
    const before = c.apps.stats().appAttachesSent;
    const [x, y, z] = await Promise.all([c.apps.channel(d.nodeId, ApplicationId.SIP), c.apps.channel(d.nodeId, ApplicationId.SIP), c.apps.channel([{ kind: 'node', nodeId: d.nodeId }], ApplicationId.SIP)]);
    expect(x).toBe(y);
    expect(y).toBe(z);
    expect(c.apps.stats().appAttachesSent - before).toBe(1);
    expect(c.apps.stats().reused).toBeGreaterThanOrEqual(2);
    // The other direction reuses the same channel: no AppAttach from d.
    const back = await d.apps.channel(c.nodeId, ApplicationId.SIP);
    expect(d.apps.stats().appAttachesSent).toBe(0);
    expect(bytesEqual(back.remoteNodeId, c.nodeId)).toBe(true);
    const other = await c.apps.channel(d.nodeId, PRIVATE_APP);
    expect(other).not.toBe(x);
    expect(other.application).toBe(PRIVATE_APP);
  });

  it('a caller that joined a shared AppAttach gets the channel even when the caller who started it gives up', async () => {
    const b = f.user('b');
    const d = f.user('d');
    const first = new AbortController();
    const started = b.apps.channel(d.nodeId, PRIVATE_APP, { signal: first.signal }).catch((e: unknown) => e);
    const joined = b.apps.channel(d.nodeId, PRIVATE_APP, { signal: new AbortController().signal });
    first.abort();
    expect(await started).toBeInstanceOf(AbortError);
    const ch = await joined;
    expect(bytesEqual(ch.remoteNodeId, d.nodeId)).toBe(true);
    expect(ch.application).toBe(PRIVATE_APP);
  });

  it('a closed channel is replaced by a new AppAttach', async () => {
    const c = f.user('c');
    const d = f.user('d');
    const old = c.apps.existing(d.nodeId, ApplicationId.SIP)!;
    old.close();
    await until(() => !d.apps.existing(c.nodeId, ApplicationId.SIP));
    const sent = c.apps.stats().appAttachesSent;
    const fresh = await c.apps.channel(d.nodeId, ApplicationId.SIP);
    expect(fresh).not.toBe(old);
    expect(fresh.state).toBe('open');
    expect(c.apps.stats().appAttachesSent).toBe(sent + 1);
  });

  it('an application the peer does not serve gets Error_Not_Found (§6.5.2.2); a target that is not a Node-ID is refused', async () => {
    const a = f.user('a');
    const b = f.user('b');
    const e = await a.peer.transport
      .request([{ kind: 'node', nodeId: b.nodeId }], { name: 'app_attach_req', value: { ufrag: new Uint8Array(1), password: new Uint8Array(1), application: 7777, role: new TextEncoder().encode('passive'), candidates: [] } })
      .catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ReloadError);
    expect((e as ReloadError).codeName).toBe('Error_Not_Found');
    await expect(a.apps.channel([{ kind: 'resource', resourceId: new Uint8Array(16) }], ApplicationId.SIP)).rejects.toThrow(/Node-ID/);
    await expect(a.apps.channel(a.nodeId, ApplicationId.SIP)).rejects.toThrow(/itself/);
  });
});

describe('AppAttachService with a network that signs its parameters into the AppAttach', () => {
  it('passes the network\'s message extensions (e.g. a DTLS fingerprint, 0xC001) both ways', async () => {
    const idA = new Uint8Array(16).fill(0xa);
    const idB = new Uint8Array(16).fill(0xb);
    const ext = (n: number) => [{ type: 0xc001, critical: false, extensionContents: Uint8Array.of(n) }];
    const seen: { at: string; ext: number | undefined }[] = [];
    const handlers = new Map<string, (req: never) => unknown>();
    const net = (self: string) => ({
      offer: async () => ({ ufrag: new Uint8Array(1), password: new Uint8Array(1), candidates: [], extensions: ext(1) }),
      answer: async (_r: Uint8Array, _a: number, req: { extensions?: readonly { extensionContents: Uint8Array }[] }) => {
        seen.push({ at: `${self} answer`, ext: req.extensions?.[0]?.extensionContents[0] });
        return { local: { ufrag: new Uint8Array(1), password: new Uint8Array(1), candidates: [], extensions: ext(2) }, cancel: () => {} };
      },
      open: async (remote: Uint8Array, application: number, ans: { extensions?: readonly { extensionContents: Uint8Array }[] }) => {
        seen.push({ at: `${self} open`, ext: ans.extensions?.[0]?.extensionContents[0] });
        return { id: 'x', remoteNodeId: remote, application, state: 'open' as const, send: () => true, onMessage: () => () => {}, onClose: () => () => {}, close: () => {} };
      },
      onInbound: () => {},
      close: () => {},
    });
    const transport = (self: Uint8Array, name: string, other: () => string) => ({
      localNodeId: self,
      handle: (_n: string, h: (req: never) => unknown) => {
        handlers.set(name, h);
        return () => {};
      },
      request: async (_list: unknown, body: { value: unknown }, opts?: { extensions?: unknown }) => {
        const reply = (await handlers.get(other())!({ value: body.value, extensions: opts?.extensions ?? [], sender: { nodeId: self, nodeIds: [self], userName: `${name}@x` } } as never)) as { value: unknown; extensions?: unknown };
        return { name: 'app_attach_ans', value: reply.value, extensions: reply.extensions ?? [], sender: { nodeId: other() === 'b' ? idB : idA, nodeIds: [], userName: `${other()}@x` }, header: {} };
      },
    });
    const a = new AppAttachService({ transport: transport(idA, 'a', () => 'b') as never, network: net('a') as never, clock: new ManualClock() }, { applications: [5060] });
    new AppAttachService({ transport: transport(idB, 'b', () => 'a') as never, network: net('b') as never, clock: new ManualClock() }, { applications: [5060] });
    await a.channel(idB, 5060);
    expect(seen).toEqual([
      { at: 'b answer', ext: 1 },
      { at: 'a open', ext: 2 },
    ]);
    expect(a.verifiedUser(idB)).toBe('b@x');
  });
});
