/**
 * The join's progress (issue 7 first run) for the overlay in use: configuration → certificate →
 * bootstrap → joined → registered, the current step marked (`aria-current="step"`) and announced
 * politely as it moves (FirstRunParts.tsx draws the list).
 */
import type { Overlay } from '../overlay/overlay.js';
import type { SessionPhase } from '../phone/phone-session.js';
import { joinSteps } from './join-steps.js';
import { StepsList } from './FirstRunParts.js';
import { useOverlaySnapshot } from '../overlay/use-overlay.js';

export function JoinSteps({ overlay, phase }: { overlay: Overlay; phase: SessionPhase }) {
  const o = useOverlaySnapshot(overlay);
  return <StepsList steps={joinSteps(o, phase)} label="Joining steps" />;
}
