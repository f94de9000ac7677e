/**
 * Just enough of a SIP message (RFC 3261 §7) for routing by OverlaySocket: the start line, the
 * top Via's branch, Call-ID, CSeq, From/To tags and URIs and the first Contact, read with JsSIP's
 * own grammar (`Grammar.parse(..., 'Request_Response' | 'Via' | 'From' | 'To' | 'Call_ID' |
 * 'CSeq' | 'Contact')`) on the header values JsSIP's parser (lib/Parser.js) hands it, so the
 * socket and the UA cannot read two different callers out of one message; plus the few messages
 * a forking socket must make itself: a synthesized final response (§8.2.6), CANCEL (§9.1), the
 * ACK of a non-2xx (§17.1.1.3) and ACK+BYE for an extra 2xx of a fork (§13.2.2.4).
 */
import { Grammar } from 'jssip';
import type { NameAddrHeader } from 'jssip/lib/NameAddrHeader.js';

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
  /** From's tag; undefined when none (or a bare `;tag`, which JsSIP takes as none). */
  readonly fromTag: string | undefined;
  /** The URI of From (in the name-addr, never one in its display name). */
  readonly fromUri: string;
  /** To's tag; undefined when none (or a bare `;tag`: JsSIP then treats the request as outside a dialog). */
  readonly toTag: string | undefined;
  /** The URI of the first Contact, undefined when none. */
  readonly contactUri: string | undefined;
  /** The header lines (unfolded), in order, as [name lower-case long form, value]. */
  readonly headers: readonly (readonly [string, string])[];
  readonly raw: string;
}

const COMPACT: Readonly<Record<string, string>> = { v: 'via', f: 'from', t: 'to', i: 'call-id', m: 'contact', l: 'content-length', c: 'content-type', k: 'supported', s: 'subject', e: 'content-encoding', o: 'event', r: 'refer-to', x: 'session-expires' };

/**
 * RFC 3261 §7.3.1: "Multiple header field rows with the same field-name MAY be present in a
 * message if and only if the entire field-value for that header field is defined as a
 * comma-separated list"; From, To, Call-ID and CSeq are not (§20.20, §20.39, §20.8, §20.16).
 * A message repeating one is malformed, and readers disagree on it: JsSIP keeps the last row
 * (lib/Parser.js setHeader).
 */
const SINGLE = ['from', 'to', 'call-id', 'cseq'] as const;

/**
 * The message, or undefined when it is not a SIP message we can route: no start line, a header
 * JsSIP would not parse, From, To, Call-ID or CSeq missing (RFC 3261 §8.1.1; JsSIP's sanityCheck
 * drops such a message too) or repeated (§7.3.1).
 */
export function parseSipMessage(raw: string): SipMessage | undefined {
  const headEnd = raw.indexOf('\r\n\r\n');
  const head = headEnd < 0 ? raw : raw.slice(0, headEnd);
  const lines = head.split('\r\n');
  const first = lines.shift();
  if (!first) return undefined;
  const start = grammar<{ method?: string; status_code?: number }>(first, 'Request_Response');
  if (!start) return undefined;
  const headers: [string, string][] = [];
  /** Each header's value as JsSIP's parser gives it to its grammar: folds kept (lib/Parser.js). */
  const values: string[] = [];
  for (const line of lines) {
    // JsSIP (lib/Parser.js getHeader) folds every line that starts with white space, not only SP and HTAB.
    if (/^\s/.test(line) && headers.length > 0) {
      headers[headers.length - 1]![1] += ` ${line.trim()}`;
      values[values.length - 1] += `\r\n${line}`;
      continue;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) return undefined;
    const name = line.slice(0, colon).trim().toLowerCase();
    headers.push([Object.hasOwn(COMPACT, name) ? COMPACT[name]! : name, line.slice(colon + 1).trim()]);
    values.push(line.slice(colon + 1));
  }
  if (SINGLE.some((n) => headers.filter(([k]) => k === n).length !== 1)) return undefined;
  const value = (n: string) => {
    const i = headers.findIndex(([k]) => k === n);
    return i < 0 ? undefined : values[i]!.trim();
  };
  const from = grammar<NameAddrHeader>(value('from')!, 'From');
  const to = grammar<NameAddrHeader>(value('to')!, 'To');
  const cseq = grammar<{ value: number; method: string }>(value('cseq')!, 'CSeq');
  const callId = grammar<string>(value('call-id')!, 'Call_ID') !== undefined ? value('call-id')! : undefined;
  const contact = value('contact');
  const contacts = contact === undefined ? [] : grammar<{ parsed?: NameAddrHeader }[]>(contact, 'Contact');
  if (!from || !to || !cseq || callId === undefined || !contacts) return undefined;
  const via = topVia(headers.find(([k]) => k === 'via')?.[1]);
  const branch = via ? (grammar<{ branch?: string }>(via, 'Via')?.branch ?? '') : '';
  const isRequest = start.status_code === undefined;
  return {
    kind: isRequest ? 'request' : 'response',
    method: isRequest ? (start.method ?? '') : cseq.method,
    requestUri: isRequest ? first.split(' ')[1] ?? '' : '',
    status: start.status_code ?? 0,
    branch,
    callId,
    cseq: cseq.value,
    fromTag: tagOf(from),
    fromUri: from.uri.toString(),
    toTag: tagOf(to),
    contactUri: contacts[0]?.parsed?.uri.toString(),
    headers,
    raw,
  };
}

/** The first Via of a (possibly comma-separated) Via value. */
function topVia(value: string | undefined): string | undefined {
  return value?.split(',')[0]?.trim();
}

/** `value` read by JsSIP's grammar `rule`, or undefined when it does not parse (some rules throw). */
function grammar<T>(value: string, rule: string): T | undefined {
  try {
    const parsed = Grammar.parse(value, rule) as T | -1;
    return parsed === -1 ? undefined : parsed;
  } catch {
    return undefined;
  }
}

/** A From or To tag as JsSIP reads it (lib/Parser.js `getParam('tag')`); a bare `;tag` is none, as for JsSIP's `!request.to_tag`. */
function tagOf(h: NameAddrHeader): string | undefined {
  const tag: unknown = h.getParam('tag');
  return typeof tag === 'string' && tag !== '' ? tag : undefined;
}

/**
 * The substate of `m`'s Subscription-State (RFC 6665 §8.2.3: active, pending, terminated or an
 * extension), lower-case, read with JsSIP's grammar; undefined when none or unreadable.
 */
export function subscriptionState(m: SipMessage): string | undefined {
  const value = header(m, 'subscription-state');
  return value === undefined ? undefined : grammar<{ state?: string }>(value, 'Subscription_State')?.state?.toLowerCase();
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

/**
 * A final response to `req` made here (synthesizeResponse) with a Warning saying why in words:
 * RFC 3261 §20.43 `399 <domain> "<why>"` (399 "Miscellaneous warning"); `why` becomes a
 * quoted-string (§25.1), its quotes, backslashes and line breaks replaced by spaces.
 */
export function answerWithWarning(req: SipMessage, status: number, reason: string, toTag: string, domain: string, why: string): string {
  return synthesizeResponse(req, status, reason, toTag, [['Warning', `399 ${domain} "${why.replace(/["\\\r\n]/g, ' ')}"`]]);
}

/**
 * `text`, a message made here (synthesizeResponse, answerWithWarning) out of the header values of
 * one that parsed, parsed in turn, for the socket to take on itself (pass up to the UA, send, hold
 * among a fork's finals). It always parses; should it not, that is a bug here, and this throws.
 */
export function parseMadeHere(text: string): SipMessage {
  const m = parseSipMessage(text);
  if (!m) throw new Error(`a SIP message made here does not parse: ${text.split('\r\n', 1)[0]}`);
  return m;
}

/** answerWithWarning, parsed (parseMadeHere). */
export function answerWithWarningMessage(req: SipMessage, status: number, reason: string, toTag: string, domain: string, why: string): SipMessage {
  return parseMadeHere(answerWithWarning(req, status, reason, toTag, domain, why));
}

/** `m` with the header lines `extra` added at the end of its head (its body unchanged). */
export function withHeaders(m: SipMessage, extra: readonly (readonly [string, string])[]): SipMessage {
  if (extra.length === 0) return m;
  const i = m.raw.indexOf('\r\n\r\n');
  const [head, rest] = i < 0 ? [m.raw, '\r\n\r\n'] : [m.raw.slice(0, i), m.raw.slice(i)];
  return parseSipMessage(`${head}${extra.map(([k, v]) => `\r\n${k}: ${v}`).join('')}${rest}`) ?? m;
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
