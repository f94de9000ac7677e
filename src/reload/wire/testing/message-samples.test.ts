import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { decodeExtensions, decodeReloadMessage, encodeReloadMessage } from '../reload-message.js';
import { ErrorCode, MessageCode } from '../message-codes.js';
import { DEFAULT_MAX_MESSAGE_SIZE } from '../forwarded-message.js';
import {
  BODY_NAMES,
  ERROR_CODE_NAMES,
  MESSAGE_SAMPLE_CASES,
  arbReloadMessage,
  arbReloadMessageFor,
  sampleBodyContext,
  sampleMessages,
} from './message-samples.js';

const limits = { body: sampleBodyContext };

describe('message samples', () => {
  it('cover every body code of MessageBodies and every ErrorCode', () => {
    const codes = new Set(sampleMessages(7, { perCase: 1 }).map((s) => s.code));
    for (const name of BODY_NAMES) expect(codes, name).toContain(MessageCode[name]);
    expect(codes).toContain(MessageCode.error);
    expect(ERROR_CODE_NAMES).toHaveLength(Object.keys(ErrorCode).length - 1);
    const errorCodes = new Set(
      sampleMessages(7, { perCase: 1 }).flatMap((s) => (s.message.body.name === 'error' ? [s.message.body.value.errorCode] : [])),
    );
    for (const name of ERROR_CODE_NAMES) expect(errorCodes, name).toContain(ErrorCode[name]);
  });

  it('are deterministic for a seed and decode to what was encoded', () => {
    const a = sampleMessages(123);
    const b = sampleMessages(123);
    expect(a.length).toBeGreaterThanOrEqual(MESSAGE_SAMPLE_CASES.length);
    expect(a.map((s) => s.bytes)).toEqual(b.map((s) => s.bytes));
    for (const s of a) {
      expect(s.bytes.length).toBeLessThanOrEqual(DEFAULT_MAX_MESSAGE_SIZE);
      expect(decodeReloadMessage(s.bytes, limits), s.case).toEqual(s.message);
    }
  });

  it('carry the known extensions in their +extension cases', () => {
    const names = new Set<string>();
    for (const s of sampleMessages(5).filter((x) => x.case.endsWith('+extension'))) {
      for (const e of decodeExtensions(s.code, s.message.extensions)) names.add(e.name);
    }
    expect([...names].sort()).toEqual(['Diagnostic_Ping', 'dtls_fingerprint', 'self_tuning_data', 'unknown']);
  });

  it('round-trip: decode(encode(m)) equals m and encode(decode(b)) equals b', () => {
    fc.assert(
      fc.property(arbReloadMessage(), (m) => {
        const bytes = encodeReloadMessage(m, limits);
        expect(bytes.length).toBe(m.forwardingHeader.length);
        const back = decodeReloadMessage(bytes, limits);
        expect(back).toEqual(m);
        expect(encodeReloadMessage(back, limits)).toEqual(bytes);
      }),
      { numRuns: 300 },
    );
  });

  it('unknown codes decode as raw bodies', () => {
    for (const c of ['unknown:unassigned', 'unknown:experimental', 'unknown:reserved'] as const) {
      for (const m of fc.sample(arbReloadMessageFor(c), { seed: 3, numRuns: 5 })) {
        expect(m.body.name).toBe('unknown');
        expect(decodeReloadMessage(encodeReloadMessage(m, limits), limits).body).toEqual(m.body);
      }
    }
  });
});
