/**
 * The address a route carries for a view (`#/chat/bob` → `bob` for the chat view,
 * `#/contacts/sip%3Abob%40x` → the address to add): ViewProps' `target` when the shell passes
 * it, else the page's hash (views.ts `viewFromHash`), kept current on `hashchange`.
 */
import { useLocationHash, viewFromHash, type ViewId, type ViewTarget } from '../views.js';

export function useViewParam(view: ViewId, given?: ViewTarget): string | undefined {
  const h = useLocationHash();
  const target = given ?? viewFromHash(h);
  return target.view === view ? target.with : undefined;
}
