/**
 * The states of a CHORD-RELOAD peer's membership, from the join of RFC 6940 §10.5 to the leave
 * of §10.9 (style.md §6: one string union, one table, one `transition`).
 *
 * ```
 *          join(), no bootstrap (first peer, §6.4.2.1)
 *   idle ─────────────────────────────────────────────────────────────────────────▶ joined
 *     │ join()                                                                       ▲   │
 *     ▼       §10.5 step 1              steps 2-4                  step 5            │   │ leave()
 *   bootstrapping ──link to BP──▶ attaching ──neighbours──▶ joining ──AP's Update────┘   ▼
 *     ▲  │                        │  (Attach to AP = n+1,   (Join sent,   (step 7)      leaving ──▶ left
 *     │  │                        │   neighbours, fingers)   responsible)
 *     │  ╰────── a step fails ────┴──────────────────────────┴──▶ failed ──join()──┐
 *     ╰──────────────────────── retry (next attempt) ─────────────────────────────┘
 *   every state ──stop()──▶ stopped
 * ```
 * In `joining` the peer has sent its JoinReq and answers for (predecessor, self]: the admitting
 * peer starts routing that range to it as soon as it admits it, before the Update of step 7
 * reaches it. A failed attempt goes back to `bootstrapping` until the attempts run out (`failed`).
 */
import type { TransitionTable } from '../../runtime/state-machine.js';

export type JoinState = 'idle' | 'bootstrapping' | 'attaching' | 'joining' | 'joined' | 'leaving' | 'left' | 'failed' | 'stopped';

export const joinTransitions: TransitionTable<JoinState> = {
  idle: ['bootstrapping', 'joined', 'stopped'],
  bootstrapping: ['attaching', 'bootstrapping', 'joined', 'failed', 'stopped'],
  attaching: ['joining', 'bootstrapping', 'failed', 'stopped'],
  joining: ['joined', 'bootstrapping', 'failed', 'stopped'],
  joined: ['leaving', 'stopped'],
  leaving: ['left', 'stopped'],
  left: ['stopped'],
  failed: ['bootstrapping', 'stopped'],
  stopped: [],
};

/** States in which the peer answers for its range of the ring. */
export function isInRing(state: JoinState): boolean {
  return state === 'joining' || state === 'joined' || state === 'leaving';
}
