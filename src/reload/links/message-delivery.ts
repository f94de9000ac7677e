/**
 * The receiving end of a link's messages: its message listeners, and the messages that arrive
 * while none is subscribed (at most EARLY_MESSAGES_MAX, handed to the next one in order). A base
 * class, not a member, so a link is one object (a simulator holds hundreds of thousands of links).
 *
 * Why the early buffer: a dialed WebSocket in Node (`ws`) can emit the first message in the same
 * task as `open`, before the caller of openWebSocketLink has subscribed: the acceptor's hello
 * challenge was lost so.
 */
import type { Logger } from '../runtime/components.js';
import type { LinkMessageListener } from './link.js';

/** Messages a link keeps while no listener is subscribed; more are dropped. */
export const EARLY_MESSAGES_MAX = 32;

export abstract class MessageDelivery {
  abstract readonly id: string;
  protected abstract readonly log: Logger;
  /** None, the one (the usual case), or a copy-on-write list. */
  private messageListeners: LinkMessageListener | readonly LinkMessageListener[] | undefined;
  /** Messages that arrived while no listener was subscribed, for the next one. */
  private early: Uint8Array[] | undefined;
  /** Whether the hand-over of `early` is scheduled. */
  private earlyScheduled = false;

  onMessage(listener: LinkMessageListener): () => void {
    const ls = this.messageListeners;
    if (ls === undefined) this.messageListeners = listener;
    else if (typeof ls === 'function') {
      if (ls !== listener) this.messageListeners = [ls, listener];
    } else if (!ls.includes(listener)) this.messageListeners = ls.concat([listener]);
    if (this.early) this.scheduleEarly();
    return () => this.removeMessageListener(listener);
  }

  /** Hand `message` to the listeners, or keep it for the next one (behind any kept already). */
  protected deliver(message: Uint8Array): void {
    if (this.messageListeners === undefined || this.early) this.keepEarly(message);
    else this.handUp(message);
  }

  /** The link closed: what is kept is dropped (a scheduled hand-over finds nothing). */
  protected dropEarly(): void {
    this.early = undefined;
  }

  private removeMessageListener(listener: LinkMessageListener): void {
    const ls = this.messageListeners;
    if (ls === listener) this.messageListeners = undefined;
    else if (ls !== undefined && typeof ls !== 'function') {
      const rest = ls.filter((l) => l !== listener);
      this.messageListeners = rest.length === 0 ? undefined : rest.length === 1 ? rest[0] : rest;
    }
  }

  private handUp(message: Uint8Array): void {
    const ls = this.messageListeners;
    if (typeof ls === 'function') this.tell(ls, message);
    else if (ls) for (const l of ls) this.tell(l, message);
  }

  /** A message with no listener yet (or behind such messages): kept, in order, for the next one. */
  private keepEarly(message: Uint8Array): void {
    const early = (this.early ??= []);
    if (early.length >= EARLY_MESSAGES_MAX) {
      this.log.debug('message dropped: no listener', { link: this.id });
      return;
    }
    early.push(message);
    if (this.messageListeners !== undefined) this.scheduleEarly();
  }

  /** Hand the kept messages to the listeners, after the current job (the one subscribing may not be ready yet). */
  private scheduleEarly(): void {
    if (this.earlyScheduled) return;
    this.earlyScheduled = true;
    queueMicrotask(() => {
      this.earlyScheduled = false;
      const early = this.early;
      if (!early) return;
      let i = 0;
      while (i < early.length && this.messageListeners !== undefined) this.handUp(early[i++]!);
      // Left with no listener midway: the rest waits for the next one.
      this.early = i < early.length ? early.slice(i) : undefined;
    });
  }

  private tell(listener: LinkMessageListener, message: Uint8Array): void {
    try {
      listener(message);
    } catch (e) {
      this.log.error('link message listener threw', { link: this.id, error: String(e) });
    }
  }
}
