/**
 * "Download capture" (issue 5; shown in the Overlay view and in Settings, issue 7): the pcap file of
 * this tab's RELOAD traffic (overlay.ts `capture()`, capture-network.ts), saved as a download.
 */
import type { Overlay } from './overlay/overlay.js';
import { useOverlaySnapshot } from './overlay/use-overlay.js';

/** The file name of a capture of the peer `nodeId` (hex). */
export function captureFileName(nodeId: string | undefined): string {
  return `chordphone-${nodeId?.slice(0, 8) ?? 'tab'}.pcap`;
}

/** Saves `bytes` as the download `name` (a pcap file). */
export function downloadBytes(bytes: Uint8Array, name: string): void {
  const url = URL.createObjectURL(new Blob([bytes.slice()], { type: 'application/vnd.tcpdump.pcap' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

/** The "Download capture" button and how many messages it holds. */
export function CaptureDownload({ overlay }: { overlay: Overlay }) {
  const s = useOverlaySnapshot(overlay);
  return (
    <p className="capture-download">
      <button type="button" onClick={() => downloadBytes(overlay.capture(), captureFileName(s.nodeId))}>
        Download capture
      </button>{' '}
      <span className="muted">{s.capturedPackets} RELOAD messages captured (open in Wireshark: reload-framing on UDP 6084)</span>
    </p>
  );
}
