/** A StorageBackend for tests that fail, slow down or watch some of a real backend's methods. */
import type { StorageBackend } from '../storage-backend.js';

/** `backend` with some of its methods replaced; the others are its own, bound to it. */
export function withMethods(backend: StorageBackend, replaced: Partial<StorageBackend>): StorageBackend {
  return new Proxy(backend, {
    get(target, property) {
      const own = (replaced as Record<PropertyKey, unknown>)[property];
      if (own !== undefined) return own;
      const v: unknown = Reflect.get(target, property, target);
      return typeof v === 'function' ? v.bind(target) : v;
    },
  });
}
