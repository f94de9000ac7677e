/** Test helper: a promise rejects with a ReloadError of a given RFC error code. */
import { expect } from 'vitest';
import { ReloadError } from '../runtime/reload-error.js';
import { ErrorCode, type ErrorCodeName } from '../wire/message-codes.js';

export async function expectReloadError(p: Promise<unknown>, name: ErrorCodeName): Promise<ReloadError> {
  let error: unknown;
  try {
    await p;
  } catch (e) {
    error = e;
  }
  expect(error, `expected ${name}`).toBeInstanceOf(ReloadError);
  const e = error as ReloadError;
  expect(e.codeName, `${e.message}`).toBe(name);
  expect(e.code).toBe(ErrorCode[name]);
  return e;
}

/** The UTF-8 text of a ReloadError's error_info. */
export function infoText(e: ReloadError): string {
  return new TextDecoder().decode(e.info);
}
