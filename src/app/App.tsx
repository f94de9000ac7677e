/**
 * The Chordphone app shell. It says honestly what this build can do: nothing here joins an
 * overlay or places a call yet; the one working tool is the RELOAD message decoder.
 */
import { DecoderPanel } from './DecoderPanel.js';
import { Panel } from './Panel.js';

export function App() {
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

        <Panel title="Status of this build">
          <p className="status" role="status">
            <span className="status-badge" aria-hidden="true">
              Not yet
            </span>
            <span>The overlay and calling are not available in this build yet.</span>
          </p>
          <p>
            This page does not join an overlay, register an address, or place or receive calls. What
            exists so far is the groundwork underneath: the codec for RELOAD messages, which you can try
            below.
          </p>
        </Panel>

        <DecoderPanel />
      </main>

      <footer className="colophon">
        <p>Chordphone {__APP_VERSION__}</p>
      </footer>
    </div>
  );
}
