import { describe, expect, it } from 'vitest';
import { joinSteps, type JoinProgressOverlay } from './join-steps.js';

const states = (o: JoinProgressOverlay, session: Parameters<typeof joinSteps>[1]) => joinSteps(o, session).map((s) => `${s.id}:${s.state}`);

describe('join progress steps', () => {
  it('marks the step the overlay is at, those before done, those after waiting', () => {
    expect(states({ phase: 'idle', phaseMs: {} }, 'joining')).toEqual(['configuration:current', 'certificate:pending', 'bootstrap:pending', 'joined:pending', 'registered:pending']);
    expect(states({ phase: 'enrolling', phaseMs: { configuring: 0, enrolling: 40 } }, 'joining')).toEqual([
      'configuration:done',
      'certificate:current',
      'bootstrap:pending',
      'joined:pending',
      'registered:pending',
    ]);
    expect(states({ phase: 'joined', phaseMs: { configuring: 0, joining: 30, joined: 200 }, joinMs: 200 }, 'registering')).toEqual([
      'configuration:done',
      'certificate:done',
      'bootstrap:done',
      'joined:done',
      'registered:current',
    ]);
    expect(joinSteps({ phase: 'joined', phaseMs: {}, joinMs: 1 }, 'ready').every((s) => s.state === 'done')).toBe(true);
  });

  it('says where the time went and whether the certificate was stored or enrolled', () => {
    const enrolled = joinSteps({ phase: 'joined', phaseMs: { configuring: 0, enrolling: 40, joining: 340, joined: 900 }, joinMs: 900, reusedIdentity: false }, 'ready');
    expect(enrolled.map((s) => s.detail).slice(0, 3)).toEqual([
      'Fetched (40 ms)',
      'From the enrollment server (300 ms)',
      'Through a bootstrap peer (560 ms)',
    ]);
    const stored = joinSteps({ phase: 'joining', phaseMs: { configuring: 0, joining: 25 } }, 'joining');
    expect(stored[1]).toMatchObject({ state: 'done', detail: 'Stored in this browser' });
    expect(stored[2]).toMatchObject({ state: 'current', detail: 'Joining the ring…' });
  });

  it('while another tab of this browser sets up the same identity, the certificate step says it waits for that tab; then the normal steps', () => {
    const waiting = joinSteps({ phase: 'waiting-for-identity', phaseMs: { configuring: 0, 'waiting-for-identity': 30 } }, 'joining');
    expect(waiting.map((s) => `${s.id}:${s.state}`)).toEqual(['configuration:done', 'certificate:current', 'bootstrap:pending', 'joined:pending', 'registered:pending']);
    expect(waiting[0]).toMatchObject({ detail: 'Fetched (30 ms)' });
    expect(waiting[1]).toMatchObject({ detail: 'Waiting for another tab of this browser to finish setting up this identity…' });
    // The wait is over (this tab has the lock): it checks what that tab stored, still the certificate step.
    const checking = joinSteps({ phase: 'checking-identity', phaseMs: { configuring: 0, 'waiting-for-identity': 30, 'checking-identity': 800 } }, 'joining');
    expect(checking[1]).toMatchObject({ state: 'current', detail: 'Checking the identity stored in this browser…' });
    // That tab stored it: this one reuses it and joins.
    const reused = joinSteps({ phase: 'joining', phaseMs: { configuring: 0, 'waiting-for-identity': 30, 'checking-identity': 800, joining: 900 } }, 'joining');
    expect(reused[1]).toMatchObject({ state: 'done', detail: 'Stored in this browser' });
    expect(reused[2]).toMatchObject({ state: 'current', detail: 'Joining the ring…' });
    // Or it enrolls after all (the stored one did not do): the certificate step asks the server.
    const enrolling = joinSteps({ phase: 'enrolling', phaseMs: { configuring: 0, 'waiting-for-identity': 30, enrolling: 900 } }, 'joining');
    expect(enrolling[1]).toMatchObject({ state: 'current', detail: 'Asking the enrollment server…' });
    // Given up while waiting (the tab's overlay failed): the certificate step failed.
    expect(states({ phase: 'failed', phaseMs: { configuring: 0, 'waiting-for-identity': 30 } }, 'failed')[1]).toBe('certificate:failed');
  });

  it('marks the step that failed', () => {
    // Enrollment refused (a taken name): the overlay fails while getting the certificate.
    expect(states({ phase: 'failed', phaseMs: { configuring: 0, enrolling: 30 } }, 'failed')).toEqual([
      'configuration:done',
      'certificate:failed',
      'bootstrap:pending',
      'joined:pending',
      'registered:pending',
    ]);
    // Joined, but registering failed.
    expect(states({ phase: 'joined', phaseMs: { configuring: 0, joining: 5 }, joinMs: 9 }, 'failed').at(-1)).toBe('registered:failed');
  });

  it('marks no step failed when the join was refused before its first step (every device slot taken in this browser): the configuration was never asked for', () => {
    const none = ['configuration:pending', 'certificate:pending', 'bootstrap:pending', 'joined:pending', 'registered:pending'];
    // A named user's session refuses before starting its overlay (phone-session.ts).
    expect(states({ phase: 'idle', phaseMs: {} }, 'failed')).toEqual(none);
    // The guest's boot overlay fails its start with GuestSlotsTakenError (overlay-boot.ts), before configuring.
    expect(states({ phase: 'failed', phaseMs: {} }, 'failed')).toEqual(none);
  });
});
