/**
 * The one error a decoder throws. It names where decoding stopped: the path of the structure
 * and field (`ForwardingHeader.viaList[2].length`) and the absolute byte offset in the input.
 */
export class DecodeError extends Error {
  override readonly name: string = 'DecodeError';
  /** Dotted path of structures down to the field, e.g. `ForwardedMessage.forwardingHeader.ttl`. */
  readonly path: string;
  /** The structure (last named struct on the path), e.g. `ForwardingHeader`. */
  readonly structure: string;
  /** The field being read when decoding failed. */
  readonly field: string;
  /** Absolute byte offset in the input where the failing field starts. */
  readonly offset: number;
  /** What was wrong, without the location. */
  readonly reason: string;

  constructor(init: { path: string; structure: string; field: string; offset: number; reason: string }) {
    super(`${init.path}: ${init.reason} (at byte ${init.offset})`);
    this.path = init.path;
    this.structure = init.structure;
    this.field = init.field;
    this.offset = init.offset;
    this.reason = init.reason;
  }
}

/** Thrown by an encoder given a value the wire cannot carry (a vector too long, an int out of range). */
export class EncodeError extends Error {
  override readonly name = 'EncodeError';
  constructor(
    readonly field: string,
    readonly reason: string,
  ) {
    super(`${field}: ${reason}`);
  }
}
