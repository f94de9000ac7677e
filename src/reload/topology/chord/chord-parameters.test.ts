import { describe, expect, it } from 'vitest';
import { configurationWithDefaults } from '../../wire/config/overlay-configuration.js';
import { chordParameters, DEFAULT_CHORD_PARAMETERS } from './chord-parameters.js';

describe('chord parameters (RFC 6940 §10, §11.1)', () => {
  it('takes the RFC defaults and the configuration document\'s chord elements', () => {
    expect(chordParameters()).toEqual(DEFAULT_CHORD_PARAMETERS);
    const p = chordParameters(configurationWithDefaults({ instanceName: 'x', chordUpdateInterval: 60, chordPingInterval: 300, chordReactive: false }));
    expect(p.updateIntervalMs).toBe(60_000);
    expect(p.pingIntervalMs).toBe(300_000);
    expect(p.reactive).toBe(false);
    expect(p.successors).toBe(3);
    expect(p.predecessors).toBe(3);
    expect(p.replicas).toBe(2);
    expect(p.minFingers).toBe(16);
    expect(p.holdDownMs).toBe(30_000);
  });

  it('rejects sizes the plug-in cannot work with', () => {
    expect(() => chordParameters(undefined, { successors: 0 })).toThrow(RangeError);
    expect(() => chordParameters(undefined, { replicas: 4 })).toThrow(RangeError);
    expect(() => chordParameters(undefined, { minFingers: 129 })).toThrow(RangeError);
    expect(chordParameters(undefined, { successors: 6, replicas: 5 }).replicas).toBe(5);
  });
});
