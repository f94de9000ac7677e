/**
 * The settings of the CHORD-RELOAD plug-in: the configuration document's chord elements (RFC 6940
 * §11.1 chord-update-interval, chord-ping-interval, chord-reactive) plus the sizes and timers §10
 * names, with their RFC defaults; the composition root may override any of them.
 */
import type { Configuration } from '../../wire/config/overlay-configuration.js';

export interface ChordParameters {
  /** Successor list size. §10.7: "A peer MUST attempt to maintain at least three predecessors and three successors". */
  readonly successors: number;
  /** Predecessor list size (at least 3, §10.7). */
  readonly predecessors: number;
  /**
   * Replicas per Resource-ID, on the first successors. §10.4: "its successor in the Neighbor Table
   * and ... that peer's successor": 2. More (at most `successors`) is OUR EXTENSION for runs that
   * kill many peers at once (with 3 copies, a simultaneous failure of a fraction f of the peers
   * loses about f^3 of the records).
   */
  readonly replicas: number;
  /** §10.7.4.3: "If the Finger Table has fewer than 16 entries, the node SHOULD attempt to discover more fingers". */
  readonly minFingers: number;
  /** §10.7.4.1 chord-update-interval, in ms: Updates to every neighbour this often. */
  readonly updateIntervalMs: number;
  /** §10.7.4.2 chord-ping-interval, in ms: at most one finger search this often (besides reactive ones). */
  readonly pingIntervalMs: number;
  /** §11.1 chord-reactive: immediate Updates and finger searches on changes (§10.7.1, §10.7.2). */
  readonly reactive: boolean;
  /** §10.7.1 "successor replacement hold-down time (30 seconds)", in ms. */
  readonly holdDownMs: number;
  /** §10.7.4.4: how often to look for a partition through a bootstrap node, in ms (0: never). */
  readonly partitionCheckIntervalMs: number;
  /** Changes within this many ms are announced in one round of Updates. */
  readonly updateDelayMs: number;
  /**
   * A failed Attach or dead peer is not taken in again from the Updates that name it for this long
   * (ms); a neighbour lost with its link gets an Attach of ours at its end, or sooner once when the
   * other end closed the link (chord-reattach.ts).
   */
  readonly failedPeerMemoryMs: number;
  /** How long a join may take before it is retried (ms). */
  readonly joinTimeoutMs: number;
  /** Join attempts before `join` rejects. */
  readonly joinAttempts: number;
}

/** RFC 6940 §10 defaults (and ours where the RFC leaves a value open). */
export const DEFAULT_CHORD_PARAMETERS: ChordParameters = {
  successors: 3,
  predecessors: 3,
  replicas: 2,
  minFingers: 16,
  updateIntervalMs: 600_000,
  pingIntervalMs: 3_600_000,
  reactive: true,
  holdDownMs: 30_000,
  partitionCheckIntervalMs: 3_600_000,
  updateDelayMs: 20,
  failedPeerMemoryMs: 60_000,
  joinTimeoutMs: 60_000,
  joinAttempts: 5,
};

/** The parameters of `configuration` (§11.1 chord elements) with `overrides` on top; checked. */
export function chordParameters(configuration?: Pick<Configuration, 'chordUpdateInterval' | 'chordPingInterval' | 'chordReactive'>, overrides: Partial<ChordParameters> = {}): ChordParameters {
  const fromConfig: Partial<ChordParameters> = configuration
    ? {
        updateIntervalMs: configuration.chordUpdateInterval * 1000,
        pingIntervalMs: configuration.chordPingInterval * 1000,
        reactive: configuration.chordReactive,
      }
    : {};
  const p: ChordParameters = { ...DEFAULT_CHORD_PARAMETERS, ...fromConfig, ...overrides };
  const positive = (name: keyof ChordParameters, min = 1) => {
    const v = p[name];
    if (typeof v !== 'number' || !Number.isFinite(v) || v < min) throw new RangeError(`chord ${name} must be at least ${min}`);
  };
  positive('successors');
  positive('predecessors');
  positive('replicas', 0);
  positive('minFingers');
  positive('updateIntervalMs');
  positive('pingIntervalMs');
  positive('holdDownMs', 0);
  positive('partitionCheckIntervalMs', 0);
  positive('updateDelayMs', 0);
  positive('failedPeerMemoryMs', 0);
  positive('joinTimeoutMs');
  positive('joinAttempts');
  if (p.replicas > p.successors) throw new RangeError('chord replicas cannot exceed the successor list size');
  if (p.minFingers > 128) throw new RangeError('a chord finger table has at most 128 entries');
  return p;
}
