import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { answerWithWarningMessage, buildCancel, buildNon2xxAck, parseMadeHere, parseSipMessage, subscriptionState, synthesizeResponse, withHeaders } from './sip-message.js';

const CRLF = '\r\n';

/** JsSIP's own message parser (lib/Parser.js, untyped): what the UA makes of the same text. */
interface JsSipParsed {
  readonly from: { readonly uri: { toString(): string } };
  readonly from_tag: string | undefined;
  readonly to_tag: string | null | undefined;
  readonly call_id: string;
  readonly cseq: number;
}
const jssipParser = createRequire(import.meta.url)('jssip/lib/Parser.js') as { parseMessage(data: string, ua: object): JsSipParsed | undefined };
const invite = [
  'INVITE sip:bob@d;gr=AAAA SIP/2.0',
  'v: SIP/2.0/RELOAD a.invalid;branch=z9hG4bKtop, SIP/2.0/RELOAD b.invalid;branch=z9hG4bKlow',
  'Via: SIP/2.0/RELOAD c.invalid;branch=z9hG4bKthird',
  'f: "Alice" <sip:alice@d>;tag=at',
  't: <sip:bob@d>',
  'i: call@x',
  'CSeq: 12 INVITE',
  'm: <sip:alice@d;gr=BBBB;ob>',
  'Subject: a long',
  '  folded subject',
  'Route: <sip:r@d>',
  'l: 0',
  '',
  '',
].join(CRLF);

describe('parseSipMessage', () => {
  it('reads the start line, the top Via branch, compact and folded headers', () => {
    const m = parseSipMessage(invite)!;
    expect(m).toMatchObject({ kind: 'request', method: 'INVITE', requestUri: 'sip:bob@d;gr=AAAA', branch: 'z9hG4bKtop', callId: 'call@x', cseq: 12, fromTag: 'at', toTag: undefined, fromUri: 'sip:alice@d', contactUri: 'sip:alice@d;gr=BBBB;ob' });
    expect(m.headers.find(([k]) => k === 'subject')![1]).toBe('a long folded subject');
  });

  it('reads a response with the CSeq method', () => {
    const m = parseSipMessage(`SIP/2.0 180 Ringing${CRLF}Via: SIP/2.0/RELOAD a.invalid;branch=z9hG4bK1${CRLF}From: <sip:a@d>;tag=1${CRLF}To: <sip:b@d>;tag=2${CRLF}Call-ID: c${CRLF}CSeq: 3 INVITE${CRLF}${CRLF}`)!;
    expect(m).toMatchObject({ kind: 'response', status: 180, method: 'INVITE', toTag: '2' });
  });

  it.each([
    ['no CSeq', `OPTIONS sip:b@d SIP/2.0${CRLF}Call-ID: c${CRLF}${CRLF}`],
    ['no Call-ID', `OPTIONS sip:b@d SIP/2.0${CRLF}CSeq: 1 OPTIONS${CRLF}${CRLF}`],
    ['not SIP', `GET / HTTP/1.1${CRLF}Host: x${CRLF}${CRLF}`],
    ['a header without a colon', `OPTIONS sip:b@d SIP/2.0${CRLF}garbage${CRLF}${CRLF}`],
    ['empty', ''],
    ['no From', `OPTIONS sip:b@d SIP/2.0${CRLF}To: <sip:b@d>${CRLF}Call-ID: c${CRLF}CSeq: 1 OPTIONS${CRLF}${CRLF}`],
    ['a From that is not a name-addr', `OPTIONS sip:b@d SIP/2.0${CRLF}From: a, <sip:a@d>${CRLF}To: <sip:b@d>${CRLF}Call-ID: c${CRLF}CSeq: 1 OPTIONS${CRLF}${CRLF}`],
  ])('%s → undefined', (_name, text) => {
    expect(parseSipMessage(text)).toBeUndefined();
  });
});

describe('parseSipMessage reads From, To, Call-ID and CSeq as JsSIP does (one caller for socket and UA)', () => {
  const message = (...hs: string[]) => [`MESSAGE sip:bob@d SIP/2.0`, 'Via: SIP/2.0/RELOAD m.invalid;branch=z9hG4bKm', ...hs, 'Content-Length: 0', '', ''].join(CRLF);
  const base = { from: 'From: <sip:mallory@d>;tag=m', to: 'To: <sip:bob@d>', callId: 'Call-ID: c1', cseq: 'CSeq: 1 MESSAGE' };

  it.each([
    ['a display name holding a URI', [`From: "<sip:mallory@d>" <sip:carol@d>;tag=m`, base.to, base.callId, base.cseq], 'sip:carol@d'],
    ['a display name holding a URI and ;tag', [`From: "x;tag=1 <sip:mallory@d>" <sip:carol@d>`, base.to, base.callId, base.cseq], 'sip:carol@d'],
    ['an addr-spec From, its parameters not the URI\'s', ['From: sip:carol@d;tag=m', base.to, base.callId, base.cseq], 'sip:carol@d'],
    ['a line folded with a form feed (JsSIP folds it into the header before)', [base.from, 'Subject: hi', '\fFrom: <sip:carol@d>;tag=c', base.to, base.callId, base.cseq], 'sip:mallory@d'],
  ])('%s: the From URI and tags JsSIP sees', (_what, hs, fromUri) => {
    const text = message(...hs);
    const ours = parseSipMessage(text)!;
    const theirs = jssipParser.parseMessage(text, {})!;
    expect(ours.fromUri).toBe(fromUri);
    expect(ours).toMatchObject({ fromUri: theirs.from.uri.toString(), fromTag: theirs.from_tag, toTag: theirs.to_tag ?? undefined, callId: theirs.call_id, cseq: theirs.cseq });
  });

  it('a To with a bare ";tag" has no tag: JsSIP takes the request as outside any dialog', () => {
    expect(parseSipMessage(message(base.from, 'To: <sip:bob@d>;tag', base.callId, base.cseq))!.toTag).toBeUndefined();
  });

  it.each([
    ['From', [base.from, 'From: <sip:carol@d>;tag=c', base.to, base.callId, base.cseq]],
    ['From, once in compact form', [base.from, 'f: <sip:carol@d>;tag=c', base.to, base.callId, base.cseq]],
    ['To, the first with a tag', [base.from, 'To: <sip:bob@d>;tag=fake', base.to, base.callId, base.cseq]],
    ['Call-ID', [base.from, base.to, base.callId, 'i: c2', base.cseq]],
    ['CSeq', [base.from, base.to, base.callId, base.cseq, 'CSeq: 2 MESSAGE']],
  ])('a message with two %s header rows is malformed (RFC 3261 §7.3.1) → undefined', (_what, hs) => {
    expect(parseSipMessage(message(...hs))).toBeUndefined();
  });
});

describe('messages the socket makes', () => {
  const req = parseSipMessage(invite)!;

  it('a synthesized response keeps every Via, adds a To tag (RFC 3261 §8.2.6)', () => {
    const r = parseSipMessage(synthesizeResponse(req, 480, 'Temporarily Unavailable', 'tt', [['Warning', '399 d "why"']]))!;
    expect(r).toMatchObject({ kind: 'response', status: 480, method: 'INVITE', branch: 'z9hG4bKtop', toTag: 'tt', fromTag: 'at', cseq: 12 });
    expect(r.headers.filter(([k]) => k === 'via').map(([, v]) => v)).toHaveLength(2);
    expect(r.raw).toContain('Warning: 399 d "why"');
  });

  it.each([
    ['an INVITE with compact and folded headers', invite],
    ['a To with a bare ";tag" (no tag for JsSIP: one is added after it)', invite.replace('t: <sip:bob@d>', 't: <sip:bob@d>;tag')],
    ['a folded From with a display name holding a URI', invite.replace('f: "Alice" <sip:alice@d>;tag=at', 'f: "<sip:mallory@d>"\r\n <sip:alice@d>;tag=at')],
  ])('answerWithWarningMessage: the answer to %s parses, with its To tag and a Warning made a quoted-string (§20.43)', (_what, text) => {
    const r = answerWithWarningMessage(parseSipMessage(text)!, 480, 'Temporarily Unavailable', 'tt', 'd', 'a "quoted"\r\nwhy\\');
    expect(r).toMatchObject({ kind: 'response', status: 480, method: 'INVITE', branch: 'z9hG4bKtop', fromTag: 'at', toTag: 'tt', cseq: 12 });
    expect(r.headers.find(([k]) => k === 'warning')![1]).toBe('399 d "a  quoted   why "');
  });

  it('parseMadeHere throws on a message that does not parse (a bug where it was made)', () => {
    expect(() => parseMadeHere('SIP/2.0 500 Oops\r\n\r\n')).toThrow('a SIP message made here does not parse: SIP/2.0 500 Oops');
  });

  it('CANCEL and the ACK of a non-2xx carry the INVITE\'s top Via only and its Route (§9.1, §17.1.1.3)', () => {
    const c = parseSipMessage(buildCancel(req))!;
    expect(c).toMatchObject({ method: 'CANCEL', requestUri: 'sip:bob@d;gr=AAAA', branch: 'z9hG4bKtop', cseq: 12, toTag: undefined });
    expect(c.headers.filter(([k]) => k === 'via')).toEqual([['via', 'SIP/2.0/RELOAD a.invalid;branch=z9hG4bKtop']]);
    expect(c.headers.find(([k]) => k === 'route')![1]).toBe('<sip:r@d>');
    const busy = parseSipMessage(synthesizeResponse(req, 486, 'Busy Here', 'bt'))!;
    const ack = parseSipMessage(buildNon2xxAck(req, busy))!;
    expect(ack).toMatchObject({ method: 'ACK', branch: 'z9hG4bKtop', toTag: 'bt', cseq: 12 });
  });
});

describe('subscriptionState (RFC 6665 §8.2.3)', () => {
  const notify = parseSipMessage(invite.replace(/INVITE/g, 'NOTIFY'))!;
  it.each([
    ['terminated;reason=noresource', 'terminated'],
    ['Terminated', 'terminated'],
    ['active;expires=600', 'active'],
    ['pending', 'pending'],
    ['', undefined],
  ])('%j → %s', (value, state) => {
    expect(subscriptionState(value ? withHeaders(notify, [['Subscription-State', value]]) : notify)).toBe(state);
  });
});
