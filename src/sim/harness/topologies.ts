/** The overlays `chordphone sim` can run, by name. */
import { chordTopology } from './chord-topology.js';
import type { SimTopologyFactory } from './sim-topology.js';

export const TOPOLOGIES: Readonly<Record<string, SimTopologyFactory>> = {
  chord: chordTopology as SimTopologyFactory,
};

export const DEFAULT_TOPOLOGY = 'chord';
