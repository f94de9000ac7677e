import { describe, expect, it } from 'vitest';
import { RttEstimator } from './rtt-estimator.js';

describe('RttEstimator (RFC 6298 via RFC 6940 §6.6.3.1)', () => {
  it('uses the static 500 ms RTO before any sample', () => {
    const e = new RttEstimator();
    expect(e.rtt).toBeUndefined();
    expect(e.rto).toBe(500);
  });

  it('first sample: SRTT = R, RTTVAR = R/2, RTO = SRTT + 4·RTTVAR (2.2)', () => {
    const e = new RttEstimator({ minRtoMs: 1 });
    e.sample(100);
    expect(e.rtt).toBe(100);
    expect(e.rto).toBe(300);
  });

  it('later samples: RTTVAR = 3/4·RTTVAR + 1/4·|SRTT − R|, SRTT = 7/8·SRTT + 1/8·R (2.3), rounded up to the ms', () => {
    const e = new RttEstimator({ minRtoMs: 1 });
    e.sample(100);
    e.sample(200);
    // RTTVAR = 0.75·50 + 0.25·100 = 62.5; SRTT = 87.5 + 25 = 112.5; RTO = 112.5 + 250 = 362.5 -> 363
    expect(e.rtt).toBe(112.5);
    expect(e.rto).toBe(363);
  });

  it('clamps the RTO between its bounds', () => {
    const e = new RttEstimator({ minRtoMs: 100, maxRtoMs: 1000 });
    e.sample(1);
    expect(e.rto).toBe(100);
    e.sample(100_000);
    expect(e.rto).toBe(1000);
  });
});
