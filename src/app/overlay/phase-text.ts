/**
 * Each overlay phase in words, for people: the overlay status view says it (OverlayPanel.tsx) and
 * the first run's certificate step says the identity ones (first-run/join-steps.ts). One place, so
 * both say the same.
 */
import type { OverlayPhase } from './overlay.js';

export const PHASE_TEXT: Readonly<Record<OverlayPhase, string>> = {
  idle: 'Starting…',
  configuring: 'Fetching the overlay configuration…',
  'waiting-for-identity': 'Waiting for another tab of this browser to finish setting up this identity…',
  'checking-identity': 'Checking the identity stored in this browser…',
  enrolling: 'Getting a certificate from the enrollment server…',
  joining: 'Joining the overlay…',
  joined: 'Joined the overlay.',
  failed: 'Could not join the overlay.',
  closed: 'Left the overlay.',
};
