/**
 * The Chordphone app shell. It says honestly what this build can do: the tab joins the overlay
 * as a RELOAD peer (status below), stores and fetches small notes, and calls by address (the phone panel).
 * The RELOAD message decoder is the other tool on the page.
 *
 * The shell itself is light (first paint, issue 7's initial-JavaScript budget): the phone and the
 * overlay status come in as nodes (placeholders while the overlay code loads, src/app/main.tsx),
 * and the decoder is loaded behind `import()`. Each sits in a slot with a reserved height, so the
 * page does not jump while it joins.
 */
import { lazy, type ReactNode } from 'react';
import { LazyPart } from './LazyPart.js';
import { Panel } from './Panel.js';
import './boot-slots.css';

const DecoderPanel = lazy(() => import('./DecoderPanel.js').then((m) => ({ default: m.DecoderPanel })));

/** `phone`: the call screen (src/app/phone/CallScreen.tsx); `overlay`: the overlay status (OverlayPanel.tsx). */
export function App({ phone, overlay }: { phone: ReactNode; overlay: ReactNode }) {
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

        <div className="boot-slot boot-slot--phone">{phone}</div>

        <div className="boot-slot boot-slot--overlay">{overlay}</div>

        <div className="boot-slot boot-slot--decoder">
          <LazyPart what="the message decoder" fallback={<Panel title="RELOAD message decoder">{null}</Panel>}>
            <DecoderPanel />
          </LazyPart>
        </div>
      </main>

      <footer className="colophon">
        <p>Chordphone {__APP_VERSION__}</p>
      </footer>
    </div>
  );
}
