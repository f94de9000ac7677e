import { describe, expect, it } from 'vitest';
import { registerServiceWorker } from './register-service-worker.js';

/** A registration whose worker states the test drives. */
function fakeRegistration(init: { active?: boolean; waiting?: boolean } = {}) {
  const reg = new EventTarget() as EventTarget & { active: unknown; waiting: unknown; installing: (EventTarget & { state: string }) | null };
  reg.active = init.active ? {} : null;
  reg.waiting = init.waiting ? {} : null;
  reg.installing = null;
  return reg;
}

describe('registerServiceWorker', () => {
  it('registers /sw.js at scope / with updateViaCache none', async () => {
    const calls: [string, RegistrationOptions | undefined][] = [];
    const reg = fakeRegistration();
    const out = await registerServiceWorker({
      container: { register: async (url: string | URL, opts?: RegistrationOptions) => (calls.push([String(url), opts]), reg as unknown as ServiceWorkerRegistration) },
    });
    expect(out.registered).toBe(true);
    expect(calls).toEqual([['/sw.js', { scope: '/', updateViaCache: 'none' }]]);
  });

  it('reports an update waiting, now or when a new worker finishes installing', async () => {
    const seen: unknown[] = [];
    const reg = fakeRegistration({ active: true });
    await registerServiceWorker({ container: { register: async () => reg as unknown as ServiceWorkerRegistration }, onUpdateWaiting: (r) => seen.push(r) });
    expect(seen).toEqual([]);
    const worker = Object.assign(new EventTarget(), { state: 'installing' });
    reg.installing = worker;
    reg.dispatchEvent(new Event('updatefound'));
    worker.state = 'installed';
    worker.dispatchEvent(new Event('statechange'));
    expect(seen).toEqual([reg]);

    const ready = fakeRegistration({ active: true, waiting: true });
    await registerServiceWorker({ container: { register: async () => ready as unknown as ServiceWorkerRegistration }, onUpdateWaiting: (r) => seen.push(r) });
    expect(seen).toEqual([reg, ready]);
  });

  it('is a no-op without service workers and never throws on failure', async () => {
    expect(await registerServiceWorker()).toEqual({ registered: false, reason: 'unsupported' });
    const errors: unknown[] = [];
    const out = await registerServiceWorker({ container: { register: () => Promise.reject(new Error('SecurityError')) }, onError: (e) => errors.push(e) });
    expect(out).toEqual({ registered: false, reason: 'failed' });
    expect(errors).toHaveLength(1);
  });
});
