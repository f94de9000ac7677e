/**
 * "Share" (issue 7 first run): the link that calls this user in one click (`/?call=NAME`, the page
 * offers "Call NAME", issue 6), a Copy button, the system share sheet where the browser has one
 * (navigator.share), and a QR code of the link for a phone's camera. The QR code's drawing code
 * (the `qrcode` package) loads only here, behind `import()`.
 */
import { useEffect, useState } from 'react';

/** The link that calls `local` (`alice`) on this page's server. */
export function shareLinkOf(local: string, origin: string = typeof location === 'undefined' ? '' : location.origin): string {
  return `${origin}/?call=${encodeURIComponent(local)}`;
}

/** The QR code of `text` as an SVG data: URL (img-src allows data:, static-server.ts). */
async function qrDataUrl(text: string): Promise<string> {
  const QRCode = (await import('qrcode')).default;
  const svg = await QRCode.toString(text, { type: 'svg', margin: 1, errorCorrectionLevel: 'M' });
  return `data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`;
}

export function ShareCard({ local }: { local: string }) {
  const link = shareLinkOf(local);
  const [qr, setQr] = useState<string | undefined>();
  const [qrFailed, setQrFailed] = useState(false);
  const [said, setSaid] = useState('');
  const canShare = typeof navigator !== 'undefined' && typeof navigator.share === 'function';

  useEffect(() => {
    let live = true;
    setQr(undefined);
    qrDataUrl(link).then(
      (url) => live && setQr(url),
      () => live && setQrFailed(true),
    );
    return () => {
      live = false;
    };
  }, [link]);

  const copy = async () => {
    try {
      await navigator.clipboard.writeText(link);
      setSaid('Link copied.');
    } catch {
      setSaid('Could not copy here: select the link and copy it yourself.');
    }
  };
  const share = async () => {
    try {
      await navigator.share({ title: `Call ${local} on Chordphone`, url: link });
    } catch (e) {
      // Closing the share sheet is not an error worth words.
      if (!(e instanceof DOMException && e.name === 'AbortError')) setSaid('Could not open the share sheet: copy the link instead.');
    }
  };

  return (
    <div className="share-card" data-testid="share">
      <div className="share-text">
        <p className="share-intro">Anyone who opens this link can call you:</p>
        <p>
          <a className="share-link mono" href={link} data-testid="share-link">
            {link}
          </a>
        </p>
        <p className="share-actions">
          <button type="button" onClick={() => void copy()}>
            Copy link
          </button>
          {canShare && (
            <button type="button" onClick={() => void share()}>
              Share
            </button>
          )}
        </p>
        <p className="share-said muted" aria-live="polite">
          {said}
        </p>
      </div>
      <div className="share-qr">
        {qr ? <img src={qr} alt={`QR code of the link ${link}`} width="128" height="128" data-testid="share-qr" /> : qrFailed ? <p className="muted">No QR code: use the link.</p> : null}
      </div>
    </div>
  );
}
