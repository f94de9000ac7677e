import { DecodeError } from './decode-error.js';

/** Number of bytes in a vector's length prefix (RFC 6940 §6.3.1: `<0..2^8-1>` … `<0..2^32-1>`). */
export type LengthBytes = 1 | 2 | 3 | 4;

/** Upper bound of a length prefix of `n` bytes. */
export const MAX_FOR_LENGTH_BYTES: Record<LengthBytes, number> = {
  1: 0xff,
  2: 0xffff,
  3: 0xffffff,
  4: 0xffffffff,
};

/**
 * A bounds-checked cursor over bytes (RFC 6940 §6.3.1 presentation language).
 *
 * - Every read checks the bytes that remain inside the current limit; nothing reads past it.
 * - `sub` narrows the limit to a length-prefixed region and requires it to be consumed exactly.
 * - `scope` pushes a path segment so errors name the structure and field.
 * - Opaque data is copied out (`slice`), so decoded values never alias the input buffer; the
 *   copy is at most the input's size, so a hostile length cannot make us allocate more.
 */
export class Reader {
  private readonly view: DataView;
  private pos: number;
  private limit: number;
  private readonly path: string[] = [];
  private readonly structs: string[] = [];

  /**
   * @param bytes the input
   * @param baseOffset added to positions in errors (when this input is a slice of a larger one)
   */
  constructor(
    readonly bytes: Uint8Array,
    private readonly baseOffset = 0,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.pos = 0;
    this.limit = bytes.byteLength;
  }

  /** Current position, relative to the start of `bytes`. */
  get offset(): number {
    return this.pos;
  }

  /** Bytes left before the current limit. */
  remaining(): number {
    return this.limit - this.pos;
  }

  /** Run `fn` with `name` on the path; a name starting with an upper-case letter is a structure. */
  scope<T>(name: string, fn: () => T): T {
    // `decodeAll(bytes, 'X', readX)` and `readX` both name X: keep one segment, not `X.X`.
    if (this.path[this.path.length - 1] === name) return fn();
    const code = name.charCodeAt(0);
    const isStruct = code >= 65 && code <= 90;
    this.path.push(name);
    if (isStruct) this.structs.push(name);
    try {
      return fn();
    } finally {
      this.path.pop();
      if (isStruct) this.structs.pop();
    }
  }

  /** Throw a DecodeError at the current position (or at `at`). */
  fail(field: string, reason: string, at = this.pos): never {
    const segments = field ? [...this.path, field] : [...this.path];
    throw new DecodeError({
      path: segments.join('.').replace(/\.\[/g, '['),
      structure: this.structs[this.structs.length - 1] ?? '(message)',
      field: field || (this.path[this.path.length - 1] ?? ''),
      offset: this.baseOffset + at,
      reason,
    });
  }

  private need(field: string, n: number): number {
    if (n > this.limit - this.pos) {
      this.fail(field, `needs ${n} byte${n === 1 ? '' : 's'} but only ${this.limit - this.pos} remain`);
    }
    const at = this.pos;
    this.pos += n;
    return at;
  }

  u8(field: string): number {
    return this.view.getUint8(this.need(field, 1));
  }

  u16(field: string): number {
    return this.view.getUint16(this.need(field, 2));
  }

  u24(field: string): number {
    const at = this.need(field, 3);
    return (this.view.getUint8(at) << 16) | this.view.getUint16(at + 1);
  }

  u32(field: string): number {
    return this.view.getUint32(this.need(field, 4));
  }

  u64(field: string): bigint {
    return this.view.getBigUint64(this.need(field, 8));
  }

  /** A Boolean (RFC 6940 §6.3.1: one byte, 0 = false, 1 = true; anything else is invalid). */
  bool(field: string): boolean {
    const at = this.pos;
    const v = this.u8(field);
    if (v > 1) this.fail(field, `Boolean must be 0 or 1, got ${v}`, at);
    return v === 1;
  }

  /** A length prefix of `lengthBytes` bytes, checked against `min`/`max` and the bytes that remain. */
  length(field: string, lengthBytes: LengthBytes, min = 0, max = MAX_FOR_LENGTH_BYTES[lengthBytes]): number {
    const at = this.pos;
    const len =
      lengthBytes === 1 ? this.u8(field) : lengthBytes === 2 ? this.u16(field) : lengthBytes === 3 ? this.u24(field) : this.u32(field);
    if (len < min) this.fail(field, `length ${len} is below the minimum ${min}`, at);
    if (len > max) this.fail(field, `length ${len} exceeds the maximum ${max}`, at);
    if (len > this.limit - this.pos) {
      this.fail(field, `length ${len} exceeds the ${this.limit - this.pos} bytes that remain`, at);
    }
    return len;
  }

  /** `opaque x[n]`: exactly n bytes (copied). */
  fixed(field: string, n: number): Uint8Array {
    const at = this.need(field, n);
    return this.bytes.slice(at, at + n);
  }

  /** `opaque x<min..max>` with a `lengthBytes` prefix (copied). */
  opaque(field: string, lengthBytes: LengthBytes, min = 0, max = MAX_FOR_LENGTH_BYTES[lengthBytes]): Uint8Array {
    const len = this.length(field, lengthBytes, min, max);
    return this.fixed(field, len);
  }

  /** All bytes up to the current limit (copied). */
  rest(field: string): Uint8Array {
    return this.fixed(field, this.limit - this.pos);
  }

  /**
   * Read `length` bytes as a nested structure with `fn`; the structure must consume them exactly.
   * Errors inside carry `field` on their path.
   */
  sub<T>(field: string, length: number, fn: (r: Reader) => T): T {
    if (length > this.limit - this.pos) {
      this.fail(field, `length ${length} exceeds the ${this.limit - this.pos} bytes that remain`);
    }
    const savedLimit = this.limit;
    this.limit = this.pos + length;
    try {
      const value = this.scope(field, () => fn(this));
      if (this.pos !== this.limit) {
        this.scope(field, () => this.fail('', `${this.limit - this.pos} unread byte(s) at the end`));
      }
      return value;
    } finally {
      this.limit = savedLimit;
    }
  }

  /** `opaque`-framed structure: a length prefix, then a structure that fills it exactly. */
  prefixed<T>(field: string, lengthBytes: LengthBytes, fn: (r: Reader) => T, min = 0, max?: number): T {
    const len = this.length(field, lengthBytes, min, max);
    return this.sub(field, len, fn);
  }

  /**
   * `T x<min..max>`: a vector of structures behind a byte-length prefix. Elements are read until
   * the length is consumed; each error names the element's index.
   */
  vector<T>(field: string, lengthBytes: LengthBytes, readElement: (r: Reader, index: number) => T, min = 0, max?: number): T[] {
    const len = this.length(field, lengthBytes, min, max);
    return this.sub(field, len, (r) => {
      const out: T[] = [];
      while (r.remaining() > 0) {
        const i = out.length;
        out.push(r.scope(`[${i}]`, () => readElement(r, i)));
      }
      return out;
    });
  }

  /** Reject trailing bytes: the current region must be fully consumed. */
  end(structure: string): void {
    if (this.pos !== this.limit) {
      this.fail('', `${this.limit - this.pos} trailing byte(s) after ${structure}`);
    }
  }
}

/**
 * Decode a whole input with `fn`, rejecting trailing bytes. Any non-DecodeError escaping `fn`
 * (a bug) is wrapped so callers see only DecodeError.
 */
export function decodeAll<T>(bytes: Uint8Array, structure: string, fn: (r: Reader) => T, baseOffset = 0): T {
  const r = new Reader(bytes, baseOffset);
  const value = r.scope(structure, () => {
    const v = fn(r);
    r.end(structure);
    return v;
  });
  return value;
}
