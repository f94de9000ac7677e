import { describe, expect, it, vi } from 'vitest';
import { systemClock } from '../../platform/system-clock.js';
import { webCryptoRandom } from '../../platform/web-crypto.js';
import { EnrollmentService } from '../../reload/security/enrollment.js';
import { MemoryKeyStore } from '../../reload/security/key-store.js';
import { MemoryNameRegistry } from '../../reload/security/name-registry.js';
import { TestPki } from '../../reload/testing/test-pki.js';
import { FakeWebLocks } from '../../reload/testing/fake-web-locks.js';
import { toHex } from '../../reload/wire/codec/hex.js';
import { identityLockName, obtainPeerIdentity, type PeerIdentityDeps } from './peer-identity.js';

/** An enrollment server reached through `fetch` in-process; records the URLs asked. */
async function setup(server: { readonly maxNodeIds?: number } = {}) {
  const pki = await TestPki.create();
  const service = new EnrollmentService(
    { crypto: globalThis.crypto, random: webCryptoRandom, clock: systemClock, wallClock: pki.wallClock },
    { authority: pki.ca, mode: { kind: 'open' }, registry: new MemoryNameRegistry(), keyTypes: ['rsa', 'ecdsa-p256'], ...server },
  );
  const asked: string[] = [];
  /** URLs answered (the enrollment came back). */
  const answered: string[] = [];
  const fetch = async (url: string, init: RequestInit): Promise<Response> => {
    asked.push(url);
    if (!url.startsWith('http://127.0.0.1:1/')) throw new TypeError('fetch failed');
    const req = new Request(url, init);
    const answer = await service.handle({
      method: req.method,
      contentType: req.headers.get('content-type') ?? '',
      accept: req.headers.get('accept') ?? '',
      body: new Uint8Array(await req.arrayBuffer()),
      remoteAddress: '127.0.0.1',
    });
    answered.push(url);
    return new Response(answer.body.slice(), { status: answer.status, headers: answer.headers });
  };
  const keyStore = new MemoryKeyStore();
  const deps: PeerIdentityDeps = { crypto: globalThis.crypto, wallClock: pki.wallClock, fetch, keyStore };
  return { pki, deps, asked, answered, keyStore };
}

describe('obtainPeerIdentity', () => {
  it('enrolls once on the configuration’s own origin, then reuses the stored key and certificate', async () => {
    const { pki, deps, asked, keyStore } = await setup();
    const configuration = pki.configuration({ enrollmentServers: ['https://192.0.2.1:8443/.well-known/reload-enrollment'] });
    const init = { configuration, configurationUrl: 'http://127.0.0.1:1/.well-known/reload-config', credentialsName: 'me', userName: () => 'ada' };
    const first = await obtainPeerIdentity(deps, init);
    expect(first.enrolled).toBe(true);
    expect(first.certificate.userName).toBe(`ada@${configuration.instanceName}`);
    expect(first.keys.privateKey.extractable).toBe(false);
    expect(first.certificate.keyType).toBe('ecdsa-p256');
    expect(asked).toEqual(['http://127.0.0.1:1/.well-known/reload-enrollment']);
    await first.stored;
    expect((await keyStore.load('me'))?.certificates[0]).toEqual(first.certificates[0]);

    const second = await obtainPeerIdentity(deps, { ...init, userName: () => 'someone-else' });
    expect(second.enrolled).toBe(false);
    expect(toHex(second.certificate.nodeIds[0]!)).toBe(toHex(first.certificate.nodeIds[0]!));
    expect(asked).toHaveLength(1);
  });

  it('gives the enrolled identity while its credentials are saved, and a failed save through `stored`', async () => {
    const { pki, deps, keyStore } = await setup();
    let finishSave!: (e?: Error) => void;
    keyStore.save = (name, credentials) =>
      new Promise<void>((resolve, reject) => {
        finishSave = (e) => (e ? reject(e) : resolve());
      }).then(() => MemoryKeyStore.prototype.save.call(keyStore, name, credentials));
    const got = await obtainPeerIdentity(deps, { configuration: pki.configuration(), configurationUrl: 'http://127.0.0.1:1/', credentialsName: 'me', userName: () => 'ada' });
    expect(got.enrolled).toBe(true);
    expect(await keyStore.load('me')).toBeUndefined();
    finishSave(new Error('QuotaExceededError'));
    await expect(got.stored).rejects.toThrow('QuotaExceededError');
    expect(await keyStore.load('me')).toBeUndefined();
  });

  it('enrolls the stored key again when its certificate is from another CA', async () => {
    const { pki, deps, keyStore } = await setup();
    const other = await TestPki.create();
    const stranger = await other.peer(`ada@${other.overlay}`, { keyType: 'ecdsa-p256' });
    await keyStore.save('me', { keys: stranger.keys, certificates: [stranger.certificate] });
    const got = await obtainPeerIdentity(deps, { configuration: pki.configuration(), configurationUrl: 'http://127.0.0.1:1/', credentialsName: 'me', userName: () => 'ada' });
    expect(got.enrolled).toBe(true);
    expect(got.keys).toBe(stranger.keys);
  });

  it('enrolls the stored key again under its stored user name when another device slot needs more Node-IDs: the identity keeps its name and first Node-ID', async () => {
    // A guest's second tab (slot 1) finds the first tab's guest credentials (one Node-ID); its own
    // userName() would make up another guest name.
    const { pki, deps, keyStore } = await setup({ maxNodeIds: 8 });
    const configuration = pki.configuration();
    const init = { configuration, configurationUrl: 'http://127.0.0.1:1/', credentialsName: 'guest' };
    const first = await obtainPeerIdentity(deps, { ...init, userName: () => 'guest-aaaaaa' });
    await first.stored;
    const second = await obtainPeerIdentity(deps, { ...init, userName: () => 'guest-bbbbbb', nodeIds: 2 });
    expect(second.enrolled).toBe(true);
    expect(second.keys).toEqual(first.keys);
    expect(second.certificate.userName).toBe(`guest-aaaaaa@${configuration.instanceName}`);
    expect(second.certificate.nodeIds).toHaveLength(2);
    expect(toHex(second.certificate.nodeIds[0]!)).toBe(toHex(first.certificate.nodeIds[0]!));
    await second.stored;
    // The first tab, reloaded, finds the same name and its own Node-ID.
    const reloaded = await obtainPeerIdentity(deps, { ...init, userName: () => 'guest-cccccc' });
    expect(reloaded.enrolled).toBe(false);
    expect(reloaded.certificate.userName).toBe(`guest-aaaaaa@${configuration.instanceName}`);
    expect(toHex(reloaded.certificate.nodeIds[0]!)).toBe(toHex(first.certificate.nodeIds[0]!));
    expect((await keyStore.load('guest'))?.certificates[0]).toEqual(second.certificates[0]);
  });

  it('asks for `enrollNodeIds` Node-IDs when enrolling, so a later device slot reuses the certificate', async () => {
    const { pki, deps, asked } = await setup({ maxNodeIds: 8 });
    const init = { configuration: pki.configuration(), configurationUrl: 'http://127.0.0.1:1/', credentialsName: 'guest', enrollNodeIds: 4 };
    const first = await obtainPeerIdentity(deps, { ...init, userName: () => 'guest-aaaaaa' });
    expect(first.certificate.nodeIds).toHaveLength(4);
    await first.stored;
    const fourth = await obtainPeerIdentity(deps, { ...init, userName: () => 'guest-bbbbbb', nodeIds: 4 });
    expect(fourth.enrolled).toBe(false);
    expect(asked).toHaveLength(1);
  });

  it('asks again for only the Node-IDs needed when the server refuses `enrollNodeIds` of them (Node-IDs_not_available)', async () => {
    const { pki, deps, asked } = await setup({ maxNodeIds: 2 });
    const got = await obtainPeerIdentity(deps, { configuration: pki.configuration(), configurationUrl: 'http://127.0.0.1:1/', credentialsName: 'guest', userName: () => 'guest-aaaaaa', nodeIds: 2, enrollNodeIds: 4 });
    expect(got.certificate.nodeIds).toHaveLength(2);
    expect(asked).toHaveLength(2);
    // Needed more than the server gives: its refusal is the answer.
    const { pki: pki2, deps: deps2 } = await setup({ maxNodeIds: 1 });
    await expect(obtainPeerIdentity(deps2, { configuration: pki2.configuration(), configurationUrl: 'http://127.0.0.1:1/', credentialsName: 'guest', userName: () => 'guest-aaaaaa', nodeIds: 2, enrollNodeIds: 4 })).rejects.toMatchObject({ token: 'Node-IDs_not_available' });
  });

  it('passes the server’s refusal on, without asking another URL', async () => {
    const { pki, deps, asked } = await setup();
    const configuration = pki.configuration({ enrollmentServers: ['https://192.0.2.1:8443/x'] });
    const attempt = obtainPeerIdentity(deps, { configuration, configurationUrl: 'http://127.0.0.1:1/', credentialsName: 'me', userName: () => 'not a name' });
    await expect(attempt).rejects.toThrow(/user name/);
    expect(asked).toHaveLength(1);
  });

  it('falls back to the configuration’s enrollment servers when its own origin is unreachable', async () => {
    const { pki, deps, asked } = await setup();
    const configuration = pki.configuration({ enrollmentServers: ['http://127.0.0.1:1/.well-known/reload-enrollment'] });
    const got = await obtainPeerIdentity(deps, { configuration, configurationUrl: 'http://127.0.0.2:9/', credentialsName: 'me', userName: () => 'bo' });
    expect(got.enrolled).toBe(true);
    expect(asked).toEqual(['http://127.0.0.2:9/.well-known/reload-enrollment', 'http://127.0.0.1:1/.well-known/reload-enrollment']);
  });

  describe('before the configuration is verified (`accepted`, issue 5)', () => {
    /** A promise settled by hand. */
    function gate() {
      let open!: () => void;
      let refuse!: (e: Error) => void;
      const promise = new Promise<void>((res, rej) => {
        open = res;
        refuse = rej;
      });
      return { promise, open, refuse };
    }
    /** Whether `p` settles within a few event-loop turns after `ready` holds (the work it waited on is done). */
    const settledAfter = async <T>(p: Promise<T>, ready: () => boolean): Promise<boolean> => {
      let done = false;
      p.then(
        () => (done = true),
        () => (done = true),
      );
      await vi.waitFor(() => expect(ready()).toBe(true), { timeout: 10_000 });
      for (let i = 0; i < 10; i++) await new Promise((r) => setTimeout(r, 5));
      return done;
    };

    it('enrolls on its own origin at once, but stores and returns the identity only once the configuration is accepted', async () => {
      const { pki, deps, asked, answered, keyStore } = await setup();
      const accepted = gate();
      const identity = obtainPeerIdentity(deps, { configuration: pki.configuration(), configurationUrl: 'http://127.0.0.1:1/', credentialsName: 'me', userName: () => 'ada', accepted: accepted.promise });
      expect(await settledAfter(identity, () => answered.length === 1)).toBe(false);
      expect(asked).toEqual(['http://127.0.0.1:1/.well-known/reload-enrollment']);
      expect(await keyStore.load('me')).toBeUndefined();
      accepted.open();
      const got = await identity;
      expect(got.enrolled).toBe(true);
      await got.stored;
      expect((await keyStore.load('me'))?.certificates[0]).toEqual(got.certificates[0]);
    });

    it('keeps nothing when the configuration is refused, and throws that refusal', async () => {
      const { pki, deps, answered, keyStore } = await setup();
      const accepted = gate();
      const identity = obtainPeerIdentity(deps, { configuration: pki.configuration(), configurationUrl: 'http://127.0.0.1:1/', credentialsName: 'me', userName: () => 'ada', accepted: accepted.promise });
      expect(await settledAfter(identity, () => answered.length === 1)).toBe(false);
      accepted.refuse(new Error('the signature does not verify'));
      await expect(identity).rejects.toThrow('the signature does not verify');
      expect(await keyStore.load('me')).toBeUndefined();
    });

    it('returns a stored identity only once accepted', async () => {
      const { pki, deps, keyStore } = await setup();
      const init = { configuration: pki.configuration(), configurationUrl: 'http://127.0.0.1:1/', credentialsName: 'me', userName: () => 'ada' };
      await (await obtainPeerIdentity(deps, init)).stored;
      const accepted = gate();
      let loaded = false;
      const load = keyStore.load.bind(keyStore);
      keyStore.load = async (name) => {
        const got = await load(name);
        loaded = true;
        return got;
      };
      const again = obtainPeerIdentity(deps, { ...init, accepted: accepted.promise });
      expect(await settledAfter(again, () => loaded)).toBe(false);
      accepted.open();
      expect((await again).enrolled).toBe(false);
    });

    it('asks the document’s own enrollment-server URLs only once it is accepted', async () => {
      const { pki, deps, asked } = await setup();
      const configuration = pki.configuration({ enrollmentServers: ['http://127.0.0.1:1/.well-known/reload-enrollment'] });
      const accepted = gate();
      const identity = obtainPeerIdentity(deps, { configuration, configurationUrl: 'http://127.0.0.2:9/', credentialsName: 'me', userName: () => 'bo', accepted: accepted.promise });
      expect(await settledAfter(identity, () => asked.length === 1)).toBe(false);
      expect(asked).toEqual(['http://127.0.0.2:9/.well-known/reload-enrollment']);
      accepted.open();
      expect((await identity).enrolled).toBe(true);
      expect(asked).toEqual(['http://127.0.0.2:9/.well-known/reload-enrollment', 'http://127.0.0.1:1/.well-known/reload-enrollment']);
    });
  });

  describe('the tabs of one browser (Web Locks, `locks`)', () => {
    it('two tabs opened at once with nothing stored get one identity: the second waits for the first’s enrollment and reuses it', async () => {
      const { pki, deps, asked, keyStore } = await setup({ maxNodeIds: 8 });
      const locks = new FakeWebLocks();
      const tab = { ...deps, locks };
      const init = { configuration: pki.configuration(), configurationUrl: 'http://127.0.0.1:1/', credentialsName: 'guest', enrollNodeIds: 4 };
      // Each tab would make up its own guest name; the second takes device slot 1.
      const waited: string[] = [];
      const [first, second] = await Promise.all([
        obtainPeerIdentity(tab, { ...init, userName: () => 'guest-aaaaaa', onWait: () => waited.push('first') }),
        obtainPeerIdentity(tab, { ...init, userName: () => 'guest-bbbbbb', nodeIds: 2, onWait: () => waited.push('second') }),
      ]);
      // Only the second waited, and was told so (the tab shows what it waits for).
      expect(waited).toEqual(['second']);
      expect(first.enrolled).toBe(true);
      expect(second.enrolled).toBe(false);
      expect(second.certificate.userName).toBe(first.certificate.userName);
      expect(toHex(second.certificate.nodeIds[0]!)).toBe(toHex(first.certificate.nodeIds[0]!));
      expect(asked).toHaveLength(1);
      await first.stored;
      expect((await keyStore.load('guest'))?.certificates[0]).toEqual(first.certificates[0]);
      // The second asked without waiting first (so it knew it would wait), then queued.
      expect(locks.requested).toEqual([identityLockName('guest'), identityLockName('guest'), identityLockName('guest')]);
      // Let go once each holder's credentials are saved (a lock goes when its callback's promise settles).
      await vi.waitFor(() => expect(locks.names()).toEqual([]));
    });

    it('a tab given up while another gets the identity stops waiting and enrolls nothing; other entries do not wait', async () => {
      const { pki, deps, asked } = await setup();
      const locks = new FakeWebLocks();
      let release!: () => void;
      void locks.request(identityLockName('guest'), {}, () => new Promise<void>((r) => (release = r)));
      const init = { configuration: pki.configuration(), configurationUrl: 'http://127.0.0.1:1/', userName: () => 'guest-aaaaaa' };
      const abort = new AbortController();
      let toldWaiting = false;
      const waiting = obtainPeerIdentity({ ...deps, locks }, { ...init, credentialsName: 'guest', signal: abort.signal, onWait: () => (toldWaiting = true) });
      await vi.waitFor(() => expect(toldWaiting).toBe(true));
      // Another entry (a user name's) is not behind the guest's lock.
      expect((await obtainPeerIdentity({ ...deps, locks }, { ...init, credentialsName: 'user.ada', userName: () => 'ada' })).enrolled).toBe(true);
      expect(asked).toHaveLength(1);
      abort.abort(new Error('the tab went away'));
      await expect(waiting).rejects.toThrow('the tab went away');
      release();
      // Once every holder queued before it has had the lock (a given-up request still queued would
      // have enrolled under it by then), nothing more was asked.
      await locks.request(identityLockName('guest'), () => undefined);
      expect(asked).toHaveLength(1);
    });

    it('holds the lock until the credentials are saved: a second tab waits for a slow save and reuses them', async () => {
      const { pki, deps, asked, keyStore } = await setup({ maxNodeIds: 8 });
      const locks = new FakeWebLocks();
      let finishSave!: () => void;
      const saved = new Promise<void>((resolve) => (finishSave = resolve));
      keyStore.save = (name, credentials) => saved.then(() => MemoryKeyStore.prototype.save.call(keyStore, name, credentials));
      let loads = 0;
      const load = keyStore.load.bind(keyStore);
      keyStore.load = (name) => (loads++, load(name));
      const init = { configuration: pki.configuration(), configurationUrl: 'http://127.0.0.1:1/', credentialsName: 'guest', enrollNodeIds: 4 };
      const first = await obtainPeerIdentity({ ...deps, locks: locks.tab('one') }, { ...init, userName: () => 'guest-aaaaaa' });
      expect(first.enrolled).toBe(true);
      const second = obtainPeerIdentity({ ...deps, locks: locks.tab('two') }, { ...init, userName: () => 'guest-bbbbbb', nodeIds: 2 });
      // Whatever is not waiting for the save runs meanwhile: the second tab still waits for the lock.
      for (let i = 0; i < 5; i++) await new Promise((r) => setTimeout(r, 0));
      expect(loads).toBe(1);
      expect(locks.names()).toEqual([identityLockName('guest')]);
      finishSave();
      const got = await second;
      expect(got.enrolled).toBe(false);
      expect(got.certificate.userName).toBe(first.certificate.userName);
      expect(asked).toHaveLength(1);
    });

    it('a tab given up before it asked for the lock asks for nothing and is not told it waits', async () => {
      const { pki, deps, asked } = await setup();
      const locks = new FakeWebLocks();
      const abort = new AbortController();
      abort.abort(new Error('the tab went away'));
      let toldWaiting = false;
      const init = { configuration: pki.configuration(), configurationUrl: 'http://127.0.0.1:1/', credentialsName: 'guest', userName: () => 'guest-aaaaaa' };
      await expect(obtainPeerIdentity({ ...deps, locks }, { ...init, signal: abort.signal, onWait: () => (toldWaiting = true) })).rejects.toThrow('the tab went away');
      expect(locks.requested).toEqual([]);
      expect(toldWaiting).toBe(false);
      expect(asked).toEqual([]);
    });

    it('a tab given up between asking for the lock and the answer is not told it waits, nor that it enrolls', async () => {
      const { pki, deps, asked } = await setup();
      const locks = new FakeWebLocks();
      void locks.tab('other').request(identityLockName('guest'), () => new Promise<void>(() => {}));
      const abort = new AbortController();
      const told: string[] = [];
      const init = { configuration: pki.configuration(), configurationUrl: 'http://127.0.0.1:1/', credentialsName: 'guest', userName: () => 'guest-aaaaaa' };
      const waiting = obtainPeerIdentity({ ...deps, locks: locks.tab('this') }, { ...init, signal: abort.signal, onWait: () => told.push('wait'), onEnroll: () => told.push('enroll') });
      // Asked already (ifAvailable, answered on a later task); the tab's overlay closes now.
      expect(locks.requested.at(-1)).toBe(identityLockName('guest'));
      abort.abort(new Error('the overlay was closed'));
      await expect(waiting).rejects.toThrow('the overlay was closed');
      // Nothing held or stored: a tab given up as it got the lock does not enroll either.
      const late = new AbortController();
      const free = obtainPeerIdentity({ ...deps, locks: locks.tab('third') }, { ...init, credentialsName: 'user.ada', userName: () => { late.abort(new Error('closed while naming')); return 'ada'; }, signal: late.signal, onEnroll: () => told.push('enroll') });
      await expect(free).rejects.toThrow('closed while naming');
      expect(told).toEqual([]);
      expect(asked).toEqual([]);
    });

    it('says when the wait is over (onWaitEnded, once it has the lock), before it loads or enrolls', async () => {
      const { pki, deps } = await setup();
      const locks = new FakeWebLocks();
      let otherDone!: () => void;
      void locks.tab('other').request(identityLockName('guest'), () => new Promise<void>((r) => (otherDone = r)));
      const told: string[] = [];
      const init = { configuration: pki.configuration(), configurationUrl: 'http://127.0.0.1:1/', credentialsName: 'guest', userName: () => 'guest-aaaaaa' };
      const got = obtainPeerIdentity({ ...deps, locks: locks.tab('this') }, { ...init, onWait: () => told.push('wait'), onWaitEnded: () => told.push('wait over'), onEnroll: () => told.push('enroll') });
      await vi.waitFor(() => expect(told).toEqual(['wait']));
      otherDone();
      expect((await got).enrolled).toBe(true);
      expect(told).toEqual(['wait', 'wait over', 'enroll']);
      // Not waited (the lock free once the credentials are saved): not told.
      await vi.waitFor(() => expect(locks.names()).toEqual([]));
      const again = await obtainPeerIdentity({ ...deps, locks: locks.tab('this') }, { ...init, onWaitEnded: () => told.push('wait over again') });
      expect(again.enrolled).toBe(false);
      expect(told).toEqual(['wait', 'wait over', 'enroll']);
    });

    it('lets go of the lock when its tab gives up (the overlay closed) while the save never settles', async () => {
      const { pki, deps, keyStore } = await setup();
      const locks = new FakeWebLocks();
      keyStore.save = () => new Promise<void>(() => {});
      const init = { configuration: pki.configuration(), configurationUrl: 'http://127.0.0.1:1/', credentialsName: 'guest', userName: () => 'guest-aaaaaa' };
      const closing = new AbortController();
      const first = await obtainPeerIdentity({ ...deps, locks: locks.tab('one') }, { ...init, signal: closing.signal });
      expect(first.enrolled).toBe(true);
      expect(locks.names()).toEqual([identityLockName('guest')]);
      closing.abort(new Error('the overlay was closed'));
      await vi.waitFor(() => expect(locks.names()).toEqual([]));
      // Another tab gets the identity lock (and, nothing kept, enrolls).
      expect((await obtainPeerIdentity({ ...deps, locks: locks.tab('two') }, { ...init, userName: () => 'guest-bbbbbb' })).enrolled).toBe(true);
    });
  });
});
