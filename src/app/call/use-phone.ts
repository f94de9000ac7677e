/** React bindings of the phone session for the call screens (useSyncExternalStore on immutable snapshots, style.md §9). */
import { useCallback, useEffect, useState, useSyncExternalStore } from 'react';
import type { Phone, PhoneSnapshot } from '../../phone/index.js';
import type { PhoneSession, PhoneSessionSnapshot } from '../phone/phone-session.js';

const NO_PHONE: PhoneSnapshot = { state: 'stopped', aor: '', calls: [], messages: [], error: undefined };

export function useSessionSnapshot(session: PhoneSession): PhoneSessionSnapshot {
  return useSyncExternalStore(session.subscribe, session.getSnapshot, session.getSnapshot);
}

export function usePhoneSnapshot(phone: Phone | undefined): PhoneSnapshot {
  const subscribe = useCallback((l: () => void) => phone?.subscribe(l) ?? (() => {}), [phone]);
  const get = useCallback(() => phone?.snapshot() ?? NO_PHONE, [phone]);
  return useSyncExternalStore(subscribe, get, get);
}

/** Wall-clock time, re-read every `everyMs` while `on` (the in-call timer). */
export function useNow(everyMs: number, on: boolean): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!on) return;
    setNow(Date.now());
    const t = setInterval(() => setNow(Date.now()), everyMs);
    return () => clearInterval(t);
  }, [everyMs, on]);
  return now;
}

/**
 * `read()` every `everyMs` while `on` (getStats polling): the latest value, undefined before the first.
 * A read that fails (the connection closed) keeps the last value.
 */
export function usePoll<T>(read: () => Promise<T>, everyMs: number, on: boolean): T | undefined {
  const [value, setValue] = useState<T | undefined>(undefined);
  useEffect(() => {
    if (!on) return;
    let alive = true;
    const tick = () =>
      read().then(
        (v) => alive && setValue(v),
        () => {},
      );
    void tick();
    const t = setInterval(() => void tick(), everyMs);
    return () => {
      alive = false;
      clearInterval(t);
    };
  }, [read, everyMs, on]);
  return value;
}

