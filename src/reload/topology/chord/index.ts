/** reload/topology/chord: the CHORD-RELOAD topology plug-in (RFC 6940 §10). */
export { createChordTopology, type ChordTopology, type ChordDeps, type ChordInit } from './chord-topology.js';
export { chordParameters, DEFAULT_CHORD_PARAMETERS, type ChordParameters } from './chord-parameters.js';
export { chordReloadResourceIdHash, type ChordResourceIdHash } from './chord-hash.js';
export { joinTransitions, isInRing, type JoinState } from './join-state.js';
export {
  RING_BITS,
  RING_SIZE,
  RING_ID_LENGTH,
  ringPosition,
  idAt,
  ringAdd,
  clockwise,
  inHalfOpen,
  inOpen,
  fingerIndex,
  fingerRangeStart,
  randomInFingerRange,
  nextId,
  sameId,
  ringShareInPpb,
} from './ring.js';
