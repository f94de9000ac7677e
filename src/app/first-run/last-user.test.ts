import { describe, expect, it } from 'vitest';
import { forgetLastUser, readLastUser, rememberUser } from './last-user.js';

function memoryStorage(): Storage {
  const m = new Map<string, string>();
  return { getItem: (k) => m.get(k) ?? null, setItem: (k, v) => void m.set(k, v), removeItem: (k) => void m.delete(k), clear: () => m.clear(), key: () => null, length: 0 } as Storage;
}

describe('the returning user', () => {
  it('remembers, reads back and forgets the last user name', () => {
    const s = memoryStorage();
    expect(readLastUser(s)).toBeUndefined();
    rememberUser('alice', s);
    expect(readLastUser(s)).toBe('alice');
    forgetLastUser(s);
    expect(readLastUser(s)).toBeUndefined();
  });

  it('storage that throws (blocked, full) means a first run, never a crash', () => {
    const blocked = {
      getItem: () => {
        throw new DOMException('blocked', 'SecurityError');
      },
      setItem: () => {
        throw new DOMException('full', 'QuotaExceededError');
      },
      removeItem: () => {
        throw new DOMException('blocked', 'SecurityError');
      },
    };
    expect(readLastUser(blocked)).toBeUndefined();
    expect(() => rememberUser('bob', blocked)).not.toThrow();
    expect(() => forgetLastUser(blocked)).not.toThrow();
  });
});
