import { describe, expect, it } from 'vitest';
import { hashOf, viewFromHash } from './views.js';

describe('view hash routes', () => {
  it.each([
    ['', { view: 'phone' }],
    ['#/history', { view: 'history' }],
    ['#history', { view: 'history' }],
    ['#/chat/bob%40overlay', { view: 'chat', with: 'bob@overlay' }],
    ['#/nowhere', { view: 'phone' }],
    ['#/chat/%E0%A4%A', { view: 'chat' }],
  ])('%s → %o', (hash, target) => {
    expect(viewFromHash(hash)).toEqual(target);
  });

  it('hashOf and viewFromHash round-trip, with an address that needs escaping', () => {
    for (const t of [{ view: 'chat', with: 'sip:bob@over lay/x' }, { view: 'settings' }] as const) expect(viewFromHash(hashOf(t))).toEqual(t);
  });
});
