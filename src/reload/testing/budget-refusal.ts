/**
 * For tests above and below the overlay: what a full PeerConnectionBudget
 * (overlay/peer-connection-budget.ts) throws for a peer connection over its pending cap, an
 * OverloadError made by the budget's own `overloaded` (runtime/reload-error.ts).
 */
import { overloaded, type OverloadError } from '../runtime/reload-error.js';

export const budgetRefusal = (): OverloadError => overloaded('128 peer connections being set up');
