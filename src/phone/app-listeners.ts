import type { Logger } from '../reload/runtime/components.js';

/**
 * Call each of the app's `listeners` with `args`, each in its own try/catch: what one throws is
 * logged and stops neither the others nor the caller. The Phone's and PhoneCall's listeners run
 * inside JsSIP's events (newRTCSession, newMessage, a session's progress), and a throw there would
 * leave JsSIP half way: an incoming call would be answered 500 by the socket (OverlaySocket.up) and
 * yet stay answerable in JsSIP, without its 180.
 */
export function tellEach<A extends unknown[]>(log: Logger, who: string, listeners: Iterable<(...args: A) => void>, ...args: A): void {
  for (const l of [...listeners]) {
    try {
      l(...args);
    } catch (e) {
      log.error(`${who} threw`, { error: errorDetail(e) });
    }
  }
}

/** What a thrown value says, for a log: an Error's stack (or message), else the value as text. */
export function errorDetail(e: unknown): string {
  return e instanceof Error ? (e.stack ?? e.message) : String(e);
}
