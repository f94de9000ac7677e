/**
 * Just enough of a SIP message (RFC 3261 §7) for routing by OverlaySocket: the start line, the
 * top Via's branch, Call-ID, CSeq, From/To tags and the first Contact, read with JsSIP's own
 * grammar (`Grammar.parse(..., 'Request_Response' | 'Via')`) so we agree with the UA; plus the
 * few messages a forking socket must make itself: a synthesized final response (§8.2.6), CANCEL
 * (§9.1), the ACK of a non-2xx (§17.1.1.3) and ACK+BYE for an extra 2xx of a fork (§13.2.2.4).
 */
import { Grammar } from 'jssip';

export interface SipMessage {
  readonly kind: 'request' | 'response';
  /** The request's method, or for a response the CSeq method. */
  readonly method: string;
  /** Requests: the Request-URI as written. */
  readonly requestUri: string;
  /** Responses: the status code. */
  readonly status: number;
  /** The top Via's branch (§8.1.1.7), '' when none. */
  readonly branch: string;
  readonly callId: string;
  readonly cseq: number;
  readonly fromTag: string | undefined;
  /** The URI of From. */
  readonly fromUri: string | undefined;
  readonly toTag: string | undefined;
  /** The URI of the first Contact, undefined when none. */
  readonly contactUri: string | undefined;
  /** The header lines (unfolded), in order, as [name lower-case long form, value]. */
  readonly headers: readonly (readonly [string, string])[];
  readonly raw: string;
}

const COMPACT: Readonly<Record<string, string>> = { v: 'via', f: 'from', t: 'to', i: 'call-id', m: 'contact', l: 'content-length', c: 'content-type', k: 'supported', s: 'subject', e: 'content-encoding', o: 'event', r: 'refer-to', x: 'session-expires' };

/** The message, or undefined when it is not a SIP message we can route. */
export function parseSipMessage(raw: string): SipMessage | undefined {
  const headEnd = raw.indexOf('\r\n\r\n');
  const head = headEnd < 0 ? raw : raw.slice(0, headEnd);
  const lines = head.split('\r\n');
  const first = lines.shift();
  if (!first) return undefined;
  const start = Grammar.parse(first, 'Request_Response') as { method?: string; uri?: unknown; status_code?: number } | -1;
  if (start === -1) return undefined;
  const headers: [string, string][] = [];
  for (const line of lines) {
    if (/^[ \t]/.test(line) && headers.length > 0) {
      headers[headers.length - 1]![1] += ` ${line.trim()}`;
      continue;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) return undefined;
    const name = line.slice(0, colon).trim().toLowerCase();
    headers.push([COMPACT[name] ?? name, line.slice(colon + 1).trim()]);
  }
  const get = (n: string) => headers.find(([k]) => k === n)?.[1];
  const cseq = /^(\d+)\s+(\S+)/.exec(get('cseq') ?? '');
  const callId = get('call-id');
  if (!cseq || !callId) return undefined;
  const via = topVia(get('via'));
  const branch = via ? (((Grammar.parse(via, 'Via') as { branch?: string } | -1) as { branch?: string }).branch ?? '') : '';
  const isRequest = start.status_code === undefined;
  return {
    kind: isRequest ? 'request' : 'response',
    method: isRequest ? (start.method ?? '') : cseq[2]!,
    requestUri: isRequest ? first.split(' ')[1] ?? '' : '',
    status: start.status_code ?? 0,
    branch,
    callId,
    cseq: Number(cseq[1]),
    fromTag: tagOf(get('from')),
    fromUri: uriOf(get('from')),
    toTag: tagOf(get('to')),
    contactUri: uriOf(get('contact')),
    headers,
    raw,
  };
}

/** The first Via of a (possibly comma-separated) Via value. */
function topVia(value: string | undefined): string | undefined {
  return value?.split(',')[0]?.trim();
}

function tagOf(value: string | undefined): string | undefined {
  if (!value) return undefined;
  const after = value.includes('>') ? value.slice(value.lastIndexOf('>')) : value;
  return /;\s*tag=([^;\s,]+)/i.exec(after)?.[1];
}

function uriOf(value: string | undefined): string | undefined {
  if (!value) return undefined;
  const m = /<([^>]+)>/.exec(value);
  return (m ? m[1]! : value.split(';')[0]!).trim();
}

function header(m: SipMessage, name: string): string | undefined {
  return m.headers.find(([k]) => k === name)?.[1];
}

function all(m: SipMessage, name: string): string[] {
  return m.headers.filter(([k]) => k === name).map(([, v]) => v);
}

function lines(start: string, hs: readonly (readonly [string, string | undefined])[]): string {
  const out = [start];
  for (const [k, v] of hs) if (v !== undefined) out.push(`${k}: ${v}`);
  return `${out.join('\r\n')}\r\n\r\n`;
}

/** RFC 3261 §8.2.6: a final response to `req` made here (Via, From, To + tag, Call-ID, CSeq copied). */
export function synthesizeResponse(req: SipMessage, status: number, reason: string, toTag: string, extra: readonly (readonly [string, string])[] = []): string {
  const to = header(req, 'to') ?? '';
  return lines(`SIP/2.0 ${status} ${reason}`, [
    ...all(req, 'via').map((v) => ['Via', v] as const),
    ['From', header(req, 'from')],
    ['To', req.toTag ? to : `${to};tag=${toTag}`],
    ['Call-ID', req.callId],
    ['CSeq', `${req.cseq} ${req.method}`],
    ...extra,
    ['Content-Length', '0'],
  ]);
}

/** RFC 3261 §9.1: the CANCEL of `invite` (same Request-URI, top Via, Call-ID, From, To, CSeq number, Route). */
export function buildCancel(invite: SipMessage): string {
  return lines(`CANCEL ${invite.requestUri} SIP/2.0`, [
    ['Via', topVia(header(invite, 'via'))],
    ...all(invite, 'route').map((v) => ['Route', v] as const),
    ['Max-Forwards', '70'],
    ['To', header(invite, 'to')],
    ['From', header(invite, 'from')],
    ['Call-ID', invite.callId],
    ['CSeq', `${invite.cseq} CANCEL`],
    ['Content-Length', '0'],
  ]);
}

/** RFC 3261 §17.1.1.3: the ACK of a non-2xx final `response` to `invite` (same branch). */
export function buildNon2xxAck(invite: SipMessage, response: SipMessage): string {
  return lines(`ACK ${invite.requestUri} SIP/2.0`, [
    ['Via', topVia(header(invite, 'via'))],
    ...all(invite, 'route').map((v) => ['Route', v] as const),
    ['Max-Forwards', '70'],
    ['To', header(response, 'to')],
    ['From', header(invite, 'from')],
    ['Call-ID', invite.callId],
    ['CSeq', `${invite.cseq} ACK`],
    ['Content-Length', '0'],
  ]);
}

/**
 * RFC 3261 §13.2.2.4: a 2xx from a fork that lost must still be ACKed, and the dialog it made
 * ended with BYE. Both go to the 2xx's Contact, in that dialog (To with its tag), new branches.
 */
export function buildAckAndBye(invite: SipMessage, response: SipMessage, branches: readonly [string, string]): [string, string] {
  const target = response.contactUri ?? invite.requestUri;
  const via = (b: string) => (topVia(header(invite, 'via')) ?? '').replace(/;\s*branch=[^;,\s]+/i, `;branch=${b}`);
  const common = (method: string, cseq: number, branch: string) =>
    lines(`${method} ${target} SIP/2.0`, [
      ['Via', via(branch)],
      ['Max-Forwards', '70'],
      ['To', header(response, 'to')],
      ['From', header(invite, 'from')],
      ['Call-ID', invite.callId],
      ['CSeq', `${method === 'ACK' ? invite.cseq : invite.cseq + 1} ${method}`],
      ['Content-Length', '0'],
    ]);
  return [common('ACK', invite.cseq, branches[0]), common('BYE', invite.cseq + 1, branches[1])];
}
