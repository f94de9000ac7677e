/**
 * The SIP messages of the phone tests, made in one place: a request as the UA or a device sends it
 * (`sipRequest`), and the answer to a request (`sipResponse`, synthesizeResponse's copy of Via,
 * From, To, Call-ID and CSeq, RFC 3261 §8.2.6, plus a Contact), read back with `parsed`.
 */
import { parseSipMessage, synthesizeResponse, type SipMessage } from '../sip-message.js';

export interface RequestFields {
  readonly from: string;
  readonly fromTag: string;
  readonly to: string;
  /** Within a dialog (RFC 3261 §12.2.1.1): the remote tag. */
  readonly toTag?: string;
  readonly callId: string;
  readonly cseq: number;
  readonly branch: string;
  /** The Via's sent-by host; default `x.invalid`. */
  readonly via?: string;
  readonly contact?: string;
  /** More header lines, after Contact. */
  readonly headers?: readonly (readonly [string, string])[];
  /** A text/plain body. */
  readonly body?: string;
}

/** Request `method` to `uri`. */
export function sipRequest(method: string, uri: string, f: RequestFields): string {
  const body = f.body ?? '';
  return [
    `${method} ${uri} SIP/2.0`,
    `Via: SIP/2.0/RELOAD ${f.via ?? 'x.invalid'};branch=${f.branch}`,
    'Max-Forwards: 70',
    `To: <${f.to}>${f.toTag ? `;tag=${f.toTag}` : ''}`,
    `From: <${f.from}>;tag=${f.fromTag}`,
    `Call-ID: ${f.callId}`,
    `CSeq: ${f.cseq} ${method}`,
    ...(f.contact ? [`Contact: <${f.contact}>`] : []),
    ...(f.headers ?? []).map(([k, v]) => `${k}: ${v}`),
    ...(body ? ['Content-Type: text/plain'] : []),
    `Content-Length: ${new TextEncoder().encode(body).length}`,
    '',
    body,
  ].join('\r\n');
}

/** The answer `status` to `req`, To tag `tag` added unless the request has one, with Contact `contact` when given. */
export function sipResponse(req: SipMessage, status: number, tag: string, contact?: string, reason = 'X'): string {
  return synthesizeResponse(req, status, reason, tag, contact ? [['Contact', `<${contact}>`]] : []);
}

/** `text` parsed; throws when it is not a SIP message (a broken test, not a case under test). */
export function parsed(text: string): SipMessage {
  const m = parseSipMessage(text);
  if (!m) throw new Error(`not a SIP message: ${text.slice(0, 60)}`);
  return m;
}

/** `message` (made with Content-Length 0, as sipResponse's) with body `body` of type `type`. */
export function withBody(message: string, type: string, body: string): string {
  const empty = 'Content-Length: 0\r\n\r\n';
  if (!message.endsWith(empty)) throw new Error('withBody: the message has a body already');
  return `${message.slice(0, -empty.length)}Content-Type: ${type}\r\nContent-Length: ${new TextEncoder().encode(body).length}\r\n\r\n${body}`;
}
