/**
 * The tab's identity in the overlay as `<dt>`/`<dd>` rows of a facts list: overlay, user name,
 * Node-ID and mode (in words, mode-text.ts). The status view (OverlayPanel) and Settings show the
 * same rows, each under its own test ids.
 */
import type { OverlaySnapshot } from './overlay.js';
import { modeText } from './mode-text.js';

export interface IdentityFactsProps {
  readonly overlayName: string | undefined;
  readonly userName: string | undefined;
  readonly snapshot: Pick<OverlaySnapshot, 'nodeId' | 'mode' | 'attachedPeer'>;
  /** data-testid of each row's value. */
  readonly testIds: { readonly overlay: string; readonly user: string; readonly nodeId: string; readonly mode: string };
}

export function IdentityFacts({ overlayName, userName, snapshot: o, testIds }: IdentityFactsProps) {
  return (
    <>
      <dt>Overlay</dt>
      <dd data-testid={testIds.overlay}>{overlayName ?? '—'}</dd>
      <dt>User name</dt>
      <dd data-testid={testIds.user}>{userName ?? '—'}</dd>
      <dt>Node-ID</dt>
      <dd data-testid={testIds.nodeId} className="mono">
        {o.nodeId ?? '—'}
      </dd>
      <dt>Mode</dt>
      <dd data-testid={testIds.mode} data-mode={o.mode ?? ''} data-attached-peer={o.attachedPeer ?? ''}>
        {modeText(o)}
      </dd>
    </>
  );
}
