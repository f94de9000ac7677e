/**
 * Reply.unsent (request-types.ts): the transport tells a handler when its answer does not go out
 * as given, on each path where it does not (it cannot be encoded, it is too large for
 * max_response_length, RFC 6940 §6.3.2; the request lifetime ended first, §6.2.1; the transport
 * closed), and a handler's `unsent` that throws changes nothing of what the transport does.
 */
import { describe, expect, it } from 'vitest';
import { MAX_REQUEST_LIFETIME_MS } from './answer-cache.js';
import { AbortError, silentLogger, type Logger } from '../runtime/components.js';
import { ReloadError } from '../runtime/reload-error.js';
import { ErrorCode } from '../wire/message-codes.js';
import { deliver, lastSent, ping, setupWith } from '../testing/scripted-forwarding.js';
import { SIGNATURE_TIMINGS } from '../testing/test-signatures.js';
import { replyHolding, type Reply } from './request-types.js';

/** A PingAns whose `unsent` records each reason, then throws when `throws` says so. */
function recordingAnswer(responseId = 1n, throws = false) {
  const reasons: unknown[] = [];
  const reply: Reply<'ping_ans'> = {
    value: { responseId, time: 0n },
    unsent: (reason: unknown) => {
      reasons.push(reason);
      if (throws) throw new Error('unsent failed');
    },
  };
  return { reasons, reply };
}

/** A logger that keeps its warnings and errors. */
function keptLog() {
  const entries: { level: string; message: string }[] = [];
  const log: Logger = { ...silentLogger, warn: (message) => void entries.push({ level: 'warn', message }), error: (message) => void entries.push({ level: 'error', message }) };
  return { entries, log };
}

describe.each(SIGNATURE_TIMINGS)('Reply.unsent, signer and verifier %s', (timing) => {
  const setup = setupWith(timing);

  it('tells a handler whose answer does not go out as given (Reply.unsent): too large for max_response_length, or too late for the request lifetime; not one whose answer goes', async () => {
    const { clock, fwd, transport } = setup();
    const { reasons: unsent, reply: answer } = recordingAnswer();
    const late: (() => void)[] = [];
    transport.handle('ping_req', (req) => (req.header.transactionId === 3n ? new Promise((resolve) => late.push(() => resolve(answer))) : answer));
    await deliver(fwd, { transactionId: 1n, body: ping });
    await clock.advance(0);
    expect(lastSent(fwd).body).toMatchObject({ name: 'ping_ans' });
    expect(unsent).toEqual([]);
    // §6.3.2: the PingAns would exceed max_response_length; an error answer goes instead.
    await deliver(fwd, { transactionId: 2n, body: ping, header: { maxResponseLength: 10 } });
    await clock.advance(0);
    expect(lastSent(fwd).body).toMatchObject({ name: 'error', value: { errorCode: ErrorCode.Error_Response_Too_Large } });
    expect(unsent).toHaveLength(1);
    expect((unsent[0] as ReloadError).codeName).toBe('Error_Response_Too_Large');
    // §6.2.1: the answer comes after the request lifetime; nothing goes.
    await deliver(fwd, { transactionId: 3n, body: ping });
    await clock.advance(MAX_REQUEST_LIFETIME_MS);
    const sent = fwd.sent.length;
    late[0]!();
    await clock.advance(0);
    expect(fwd.sent).toHaveLength(sent);
    expect(unsent).toHaveLength(2);
    expect(unsent[1]).toBeInstanceOf(AbortError);
  });

  it('tells a handler whose answer cannot be encoded; the requester gets an error answer', async () => {
    const { clock, fwd, transport } = setup();
    // responseId is a uint64 (§6.5.3.2): 2^64 has no encoding.
    const { reasons, reply } = recordingAnswer(1n << 64n);
    transport.handle('ping_req', () => reply);
    await deliver(fwd, { transactionId: 1n, body: ping });
    await clock.advance(0);
    expect(lastSent(fwd).body).toMatchObject({ name: 'error', value: { errorCode: ErrorCode.Error_Invalid_Message } });
    expect(reasons).toHaveLength(1);
    expect(String(reasons[0])).toMatch(/not in 0\.\.2\^64-1/);
  });

  it('tells a handler whose answer comes after the transport closed; nothing goes', async () => {
    const { clock, fwd, transport } = setup();
    const { reasons, reply } = recordingAnswer();
    let answer: (() => void) | undefined;
    transport.handle('ping_req', () => new Promise((resolve) => (answer = () => resolve(reply))));
    await deliver(fwd, { transactionId: 1n, body: ping });
    await clock.advance(0);
    transport.close();
    answer!();
    await clock.advance(0);
    expect(fwd.sent).toHaveLength(0);
    expect(reasons).toHaveLength(1);
    expect(reasons[0]).toBeInstanceOf(AbortError);
  });

  it("a handler's unsent that throws is logged and changes nothing: the error answer still goes, with its own error", async () => {
    const { entries, log } = keptLog();
    const { clock, fwd, transport } = setup({}, undefined, log);
    const tooLarge = recordingAnswer(1n, true);
    const unencodable = recordingAnswer(1n << 64n, true);
    const late = recordingAnswer(1n, true);
    let lateAnswer: (() => void) | undefined;
    transport.handle('ping_req', (req) => {
      if (req.header.transactionId === 1n) return tooLarge.reply;
      if (req.header.transactionId === 2n) return unencodable.reply;
      return new Promise((resolve) => (lateAnswer = () => resolve(late.reply)));
    });
    // §6.3.2: Error_Response_Too_Large goes out although unsent threw.
    await deliver(fwd, { transactionId: 1n, body: ping, header: { maxResponseLength: 10 } });
    await clock.advance(0);
    expect(tooLarge.reasons).toHaveLength(1);
    expect(fwd.sent).toHaveLength(1);
    expect(lastSent(fwd).body).toMatchObject({ name: 'error', value: { errorCode: ErrorCode.Error_Response_Too_Large } });
    // The encode error is what the handler failure reports, not unsent's.
    await deliver(fwd, { transactionId: 2n, body: ping });
    await clock.advance(0);
    expect(unencodable.reasons).toHaveLength(1);
    expect(lastSent(fwd).body).toMatchObject({ name: 'error', value: { errorCode: ErrorCode.Error_Invalid_Message } });
    // §6.2.1: too late; processing the request ends without a failure.
    await deliver(fwd, { transactionId: 3n, body: ping });
    await clock.advance(MAX_REQUEST_LIFETIME_MS);
    lateAnswer!();
    await clock.advance(0);
    expect(late.reasons).toHaveLength(1);
    expect(entries.filter((e) => e.level === 'warn').map((e) => e.message)).toEqual(Array(3).fill("a handler's Reply.unsent threw"));
    expect(entries.filter((e) => e.level === 'error').map((e) => e.message)).toEqual(['request handler failed']);
  });
});

describe.each(SIGNATURE_TIMINGS)('replyHolding, signer and verifier %s', (timing) => {
  const setup = setupWith(timing);

  it('a release that throws when the build fails is logged and changes nothing: the transport answers with the build\'s error (§6.3.3.1), not the release\'s', async () => {
    const { entries, log } = keptLog();
    const { clock, fwd, transport } = setup({}, undefined, log);
    const released: unknown[] = [];
    transport.handle('ping_req', () =>
      replyHolding<'ping_ans'>(
        log,
        (reason) => {
          released.push(reason);
          throw new Error('release failed');
        },
        () => {
          throw ReloadError.of('Error_Forbidden', 'not for you');
        },
      ),
    );
    await deliver(fwd, { transactionId: 1n, body: ping });
    await clock.advance(0);
    expect(released).toHaveLength(1);
    expect((released[0] as ReloadError).codeName).toBe('Error_Forbidden');
    expect(lastSent(fwd).body).toMatchObject({ name: 'error', value: { errorCode: ErrorCode.Error_Forbidden } });
    expect(entries.filter((e) => e.level === 'warn').map((e) => e.message)).toEqual(["a handler's Reply.unsent threw"]);
  });
});
