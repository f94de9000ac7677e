import { ErrorCode, errorCodeName, type ErrorCodeName } from '../wire/message-codes.js';
import type { ErrorResponse } from '../wire/message-contents.js';

/**
 * An RFC 6940 error (§6.3.3.1) as an exception: `code` is the §14.9 error code and `info` the
 * error_info bytes. Maps one-to-one to the ErrorResponse answered on the wire (style.md §5).
 */
export class ReloadError extends Error {
  override readonly name: string = 'ReloadError';

  constructor(
    readonly code: number,
    readonly info: Uint8Array = new Uint8Array(),
    message?: string,
  ) {
    super(message ?? `${errorCodeName(code) ?? `error ${code}`}${info.length ? `: ${safeText(info)}` : ''}`);
  }

  /** Build from a registry name and human text (carried as UTF-8 error_info). */
  static of(name: ErrorCodeName, text = ''): ReloadError {
    return new ReloadError(ErrorCode[name], new TextEncoder().encode(text));
  }

  static fromResponse(r: ErrorResponse): ReloadError {
    return new ReloadError(r.errorCode, r.errorInfo);
  }

  toResponse(): ErrorResponse {
    return { errorCode: this.code, errorInfo: this.info };
  }

  get codeName(): ErrorCodeName | undefined {
    return errorCodeName(this.code);
  }
}

/**
 * A refusal of this node's own: a cap it keeps on what it has in progress (the peer connections of
 * overlay/peer-connection-budget.ts) refused the operation before it reached the other peer, so it
 * says nothing about that peer, and the caller may try again later. Answering a request, it goes
 * on the wire as its code (RFC 6940 §6.5.1.2: "If the peer is overloaded or detects some other
 * kind of error, it MAY generate an error"); the requester gets a plain ReloadError.
 */
export class OverloadError extends ReloadError {
  override readonly name: string = 'OverloadError';
}

function safeText(bytes: Uint8Array): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return `${bytes.length} bytes`;
  }
}
