/**
 * One object per PhoneSession, made on first use and then shared (the tab's app store hub, the
 * contacts' presence): `perSession(create)` memoises `create` by session. Deps given after the
 * first call are ignored, as the object already exists.
 *
 * ```ts
 * export const appStoreHub = perSession(createAppStoreHub);
 * appStoreHub(session) === appStoreHub(session); // true
 * ```
 */
import type { PhoneSession } from './phone-session.js';

export function perSession<T extends object, D>(create: (session: PhoneSession, deps?: D) => T): (session: PhoneSession, deps?: D) => T {
  const made = new WeakMap<PhoneSession, T>();
  return (session, deps) => {
    let it = made.get(session);
    if (!it) {
      it = create(session, deps);
      made.set(session, it);
    }
    return it;
  };
}
