/**
 * Test helper: the RELOAD messages a simulated overlay's memory network carries (each hop, lost
 * frames left out), as `{ from, to, name, bytes }` with the message code's name (RFC 6940 §6.3.3; `fragment` for a
 * fragment after the first).
 */
import { decodeForwardingHeaderOnly } from '../../reload/wire/forwarded-message.js';
import { leadingMessageCode } from '../../reload/wire/forwarding-header.js';
import { bytesEqual } from '../../reload/wire/codec/hex.js';
import { decodeFramedMessage } from '../../reload/wire/framing.js';
import type { NodeId } from '../../reload/wire/ids.js';
import { MessageCode, messageCodeName } from '../../reload/wire/message-codes.js';
import type { ChordOverlay } from '../chord-overlay.js';

export interface CapturedMessage {
  readonly from: string;
  readonly to: string;
  readonly name: string;
  readonly bytes: Uint8Array;
}

/** Starts capturing; the returned array fills as the clock runs. */
export function captureMessages(o: Pick<ChordOverlay, 'network'>): CapturedMessage[] {
  const out: CapturedMessage[] = [];
  o.network.tap((f) => {
    const m = decodeFramedMessage(f.bytes);
    if (m.kind !== 'data' || m.message.length === 0 || f.dropped) return;
    const { header, payload } = decodeForwardingHeaderOnly(m.message, { maxMessageSize: 1 << 24 });
    const code = leadingMessageCode(header.fragment, payload);
    // A later fragment starts with no message_code.
    out.push({ from: f.from, to: f.to, name: code === undefined ? 'fragment' : (messageCodeName(code) ?? String(code)), bytes: m.message });
  });
  return out;
}

/** Whether a memory-network frame carries an AttachReq whose last destination is `target` (for a network model's `drop`). */
export function isAttachTo(frame: Uint8Array, target: NodeId): boolean {
  const f = decodeFramedMessage(frame);
  if (f.kind !== 'data' || f.message.length === 0) return false;
  const { header, payload } = decodeForwardingHeaderOnly(f.message, { maxMessageSize: 1 << 24 });
  const last = header.destinationList.at(-1);
  return leadingMessageCode(header.fragment, payload) === MessageCode.attach_req && last?.kind === 'node' && bytesEqual(last.nodeId, target);
}
