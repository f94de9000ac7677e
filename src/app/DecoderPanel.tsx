/**
 * RELOAD message decoder: paste the hex of a message (or open a pcap capture) and see every
 * field, decoded by the same codec the overlay will use. Runs entirely in the page.
 */
import { useId, useState, type FormEvent } from 'react';
import { decodeInput, type DecodedPayload } from '../reload/wire/decode-input.js';
import { DecodeError } from '../reload/wire/codec/decode-error.js';
import { Panel } from './Panel.js';

type Outcome = { readonly kind: 'results'; readonly results: readonly DecodedPayload[] } | { readonly kind: 'error'; readonly message: string };

export function DecoderPanel() {
  const hexId = useId();
  const fileId = useId();
  const [hex, setHex] = useState('');
  const [outcome, setOutcome] = useState<Outcome | undefined>();

  const decode = (bytes: Uint8Array, label: string) => {
    try {
      setOutcome({ kind: 'results', results: decodeInput(bytes, label) });
    } catch (e) {
      setOutcome({ kind: 'error', message: e instanceof DecodeError ? e.message : String(e) });
    }
  };

  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    if (hex.trim() === '') {
      setOutcome({ kind: 'error', message: 'Paste the hex of a RELOAD message first (it starts with d2454c4f, or 80 for a framed one).' });
      return;
    }
    decode(new TextEncoder().encode(hex), 'pasted hex');
  };

  const onFile = async (file: File | undefined) => {
    if (!file) return;
    decode(new Uint8Array(await file.arrayBuffer()), file.name);
  };

  return (
    <Panel title="RELOAD message decoder">
      <form className="decoder" onSubmit={onSubmit}>
        <label htmlFor={hexId}>Hex of a RELOAD message or framed message</label>
        <textarea
          id={hexId}
          rows={4}
          spellCheck={false}
          autoComplete="off"
          value={hex}
          onChange={(e) => setHex(e.target.value)}
          placeholder="d2454c4f…"
        />
        <div className="decoder-actions">
          <button type="submit">Decode</button>
          <label htmlFor={fileId} className="file-label">
            or open a pcap capture
          </label>
          <input id={fileId} type="file" accept=".pcap,application/vnd.tcpdump.pcap" onChange={(e) => void onFile(e.target.files?.[0])} />
        </div>
      </form>
      <Outcome outcome={outcome} />
    </Panel>
  );
}

function Outcome({ outcome }: { outcome: Outcome | undefined }) {
  if (!outcome) return null;
  if (outcome.kind === 'error') {
    return (
      <p className="decoder-error" role="alert">
        {outcome.message}
      </p>
    );
  }
  return (
    <div className="decoder-results" aria-live="polite">
      <p>
        {outcome.results.length} payload{outcome.results.length === 1 ? '' : 's'}:{' '}
        {outcome.results.filter((r) => r.ok).length} decoded, {outcome.results.filter((r) => !r.ok).length} rejected
      </p>
      {outcome.results.map((r, i) =>
        r.ok ? (
          <details key={i} open={outcome.results.length <= 3}>
            <summary>{summaryOf(r.json)}</summary>
            <pre>{JSON.stringify(r.json, null, 2)}</pre>
          </details>
        ) : (
          <p key={i} className="decoder-error" role="alert">
            {r.where}: {r.error.message}
          </p>
        ),
      )}
    </div>
  );
}

function summaryOf(json: { readonly [key: string]: unknown }): string {
  const message = json['message'] as { messageCodeName?: string; forwardingHeader?: { transactionId?: string } } | undefined;
  const frame = typeof json['frame'] === 'number' ? `frame ${json['frame']}: ` : '';
  if (message) return `${frame}${message.messageCodeName ?? '?'} (transaction ${message.forwardingHeader?.transactionId ?? '?'})`;
  const framing = json['framing'] as { type?: string } | null | undefined;
  if (framing?.type === 'ack') return `${frame}framing ack`;
  return `${frame}fragment (${String(json['fragment'] ?? '')})`;
}
