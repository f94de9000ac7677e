import { ErrorCode, errorCodeName, type ErrorCodeName } from '../wire/message-codes.js';
import type { NodeId } from '../wire/ids.js';
import type { ErrorResponse } from '../wire/message-contents.js';

const utf8 = new TextEncoder();

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
    return new ReloadError(ErrorCode[name], utf8.encode(text));
  }

  toResponse(): ErrorResponse {
    return { errorCode: this.code, errorInfo: this.info };
  }

  get codeName(): ErrorCodeName | undefined {
    return errorCodeName(this.code);
  }
}

/**
 * A failure of this node's own, before the operation reached the other peer: it says nothing about
 * that peer (callers do not count it against the peer: chord-core.ts refusedHere), and the caller
 * may try again later. Answering a request, it goes on the wire as its code (RFC 6940 §6.5.1.2:
 * "If the peer is overloaded or detects some other kind of error, it MAY generate an error"); the
 * requester gets a plain ReloadError.
 */
export class LocalFailure extends ReloadError {
  override readonly name: string = 'LocalFailure';
}

/**
 * A refusal of this node's own: a cap it keeps on what it has in progress (the peer connections of
 * overlay/peer-connection-budget.ts), or the WebRTC stack's own limit on peer connections, refused
 * the operation.
 */
export class OverloadError extends LocalFailure {
  override readonly name: string = 'OverloadError';
}

/**
 * This peer's own failure to make a peer connection (`Kind`: overloaded, or none of our ICE parameters gathered),
 * as the error the requester is answered with. OUR CHOICE of code: RFC 6940 §6.3.3.1 has none for
 * it. Error_Request_Timeout ("The requesting node MAY resend the request at a later time") is what
 * the requester would see had we dropped the request, as an overloaded peer's inbound limiter
 * does, only sooner. A LocalFailure: for an offer of our own it is ours, not the target's failure.
 */
export function localFailureAnswer<E extends LocalFailure>(Kind: new (code: number, info: Uint8Array) => E, reason: string): E {
  return new Kind(ErrorCode.Error_Request_Timeout, utf8.encode(reason));
}

/** A cap of ours refused the peer connection (overlay/peer-connection-budget.ts; localFailureAnswer). */
export function overloaded(reason: string): OverloadError {
  return localFailureAnswer(OverloadError, `overloaded: ${reason}`);
}

/**
 * This node's WebRTC stack gave it none of its own ICE parameters for a peer connection: it made no
 * local description (SDP offer or answer) within the wait, or it closed the peer connection before
 * they were gathered. The info says which.
 */
export class LocalGatheringError extends LocalFailure {
  override readonly name: string = 'LocalGatheringError';
}

/**
 * An error answer received for a request of ours (RFC 6940 §6.3.3.1), with `sender`: the Node-ID
 * that signed it, verified (§6.3.4). Error answers may come from any peer on the path (an
 * intermediate's Error_TTL_Exceeded, say) or from the responsible peer, which a request to a
 * Resource-ID learns only from the answer: e.g. the peer that refused an Attach with
 * Error_In_Progress (§6.5.1.2), whose own Attach to us makes the link.
 */
export class ErrorAnswer extends ReloadError {
  override readonly name: string = 'ErrorAnswer';

  constructor(
    response: ErrorResponse,
    readonly sender: NodeId,
  ) {
    super(response.errorCode, response.errorInfo);
  }
}

function safeText(bytes: Uint8Array): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return `${bytes.length} bytes`;
  }
}
