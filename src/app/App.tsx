/**
 * The Chordphone app shell. It says honestly what this build can do: the tab joins the overlay
 * as a RELOAD peer (status below), stores and fetches small notes, and calls by address (the phone panel).
 * The RELOAD message decoder is the other tool on the page.
 */
import { DecoderPanel } from './DecoderPanel.js';
import { OverlayPanel } from './OverlayPanel.js';
import type { ReactNode } from 'react';
import type { Overlay } from './overlay/overlay.js';

/** `phone`: the call screen (src/app/phone/CallScreen.tsx), mounted above the overlay status. */
export function App({ overlay, phone }: { overlay: Overlay; phone?: ReactNode }) {
  return (
    <div className="shell">
      <header className="masthead">
        <img src="/favicon.svg" alt="" width="32" height="32" />
        <span className="brand">Chordphone</span>
      </header>

      <main className="content">
        <h1>Chordphone</h1>
        <p className="lede">
          Chordphone is a softphone that runs in your browser with no SIP server behind it. Every open
          tab is a peer in one RELOAD overlay (RFC 6940); the overlay itself is the SIP location service
          (RFC 7904), so people call each other by address, and the call runs directly between browsers
          over WebRTC.
        </p>
        <p className="notice">
          This build joins the overlay, registers your address in it, and calls other people by address (audio, text
          messages). Type a user name and press Join to be reachable under that name.
        </p>

        {phone}

        <OverlayPanel overlay={overlay} />

        <DecoderPanel />
      </main>

      <footer className="colophon">
        <p>Chordphone {__APP_VERSION__}</p>
      </footer>
    </div>
  );
}
