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
 * - `scope` names the structure and field for errors. Paths cost time, so a Reader made by
 *   `decodeAll` runs untraced and, only when decoding fails, decodes again traced to name the
 *   exact path (decoding is deterministic, so the second run fails at the same byte).
 * - Opaque values: `decodeAll` copies the input once and hands out views of that private copy,
 *   so decoded values never alias the caller's buffer (the copy is the input's size: a hostile
 *   length cannot make us allocate more). A Reader built directly copies each value (`slice`).
 */
export class Reader {
  private readonly view: DataView;
  private pos: number;
  private limit: number;
  /** Path segments (names and vector indexes) when tracing; undefined when not. */
  private readonly path: (string | number)[] | undefined;
  private readonly structs: string[] = [];
  private readonly baseOffset: number;
  private readonly owned: boolean;

  /**
   * @param bytes the input
   * @param baseOffset added to positions in errors (when this input is a slice of a larger one)
   * @param options `trace` (default true) keeps the path for errors; `owned` means `bytes` is a
   *   private copy, so values may be views of it
   */
  constructor(
    readonly bytes: Uint8Array,
    baseOffset = 0,
    options: { readonly trace?: boolean; readonly owned?: boolean } = {},
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.pos = 0;
    this.limit = bytes.byteLength;
    this.baseOffset = baseOffset;
    this.path = options.trace === false ? undefined : [];
    this.owned = options.owned ?? false;
  }

  /** Current position, relative to the start of `bytes`. */
  get offset(): number {
    return this.pos;
  }

  /** Whether this reader keeps the path for errors (a caller can skip building path names when not). */
  get tracing(): boolean {
    return this.path !== undefined;
  }

  /** Bytes left before the current limit. */
  remaining(): number {
    return this.limit - this.pos;
  }

  /** Run `fn` with `name` on the path; a name starting with an upper-case letter is a structure. */
  scope<T>(name: string, fn: () => T): T {
    const path = this.path;
    // `decodeAll(bytes, 'X', readX)` and `readX` both name X: keep one segment, not `X.X`.
    if (path === undefined || path[path.length - 1] === name) return fn();
    const code = name.charCodeAt(0);
    const isStruct = code >= 65 && code <= 90;
    path.push(name);
    if (isStruct) this.structs.push(name);
    try {
      return fn();
    } finally {
      path.pop();
      if (isStruct) this.structs.pop();
    }
  }

  /** Throw a DecodeError at the current position (or at `at`). */
  fail(field: string, reason: string, at = this.pos): never {
    const segments = (this.path ?? []).map((x) => (typeof x === 'number' ? `[${x}]` : x));
    if (field) segments.push(field);
    throw new DecodeError({
      path: segments.join('.').replace(/\.\[/g, '['),
      structure: this.structs[this.structs.length - 1] ?? '(message)',
      field: field || (segments[segments.length - 1] ?? ''),
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

  /** `opaque x[n]`: exactly n bytes. */
  fixed(field: string, n: number): Uint8Array {
    const at = this.need(field, n);
    return this.owned ? new Uint8Array(this.bytes.buffer, this.bytes.byteOffset + at, n) : this.bytes.slice(at, at + n);
  }

  /** `opaque x<min..max>` with a `lengthBytes` prefix. */
  opaque(field: string, lengthBytes: LengthBytes, min = 0, max = MAX_FOR_LENGTH_BYTES[lengthBytes]): Uint8Array {
    const len = this.length(field, lengthBytes, min, max);
    return this.fixed(field, len);
  }

  /** All bytes up to the current limit. */
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
      const path = r.path;
      while (r.remaining() > 0) {
        const i = out.length;
        if (path === undefined) {
          out.push(readElement(r, i));
          continue;
        }
        path.push(i);
        try {
          out.push(readElement(r, i));
        } finally {
          path.pop();
        }
      }
      return out;
    });
  }

  /**
   * `vector` of `opaque element[size]` (e.g. `NodeId x<0..2^16-1>`): the same values and errors as
   * `vector(field, lengthBytes, (r) => r.fixed(elementField, size))`, without the closures and
   * nested region per list when the length is a whole number of elements (every honest list).
   */
  fixedVector(field: string, lengthBytes: LengthBytes, size: number, elementField: string): Uint8Array[] {
    const at = this.pos;
    const len = this.length(field, lengthBytes);
    if (len % size !== 0) {
      // A partial last element: `vector` reports it exactly.
      this.pos = at;
      return this.vector(field, lengthBytes, (r) => r.fixed(elementField, size));
    }
    const out: Uint8Array[] = [];
    for (const end = this.pos + len; this.pos < end; ) out.push(this.fixed(elementField, size));
    return out;
  }

  /** Reject trailing bytes: the current region must be fully consumed. */
  end(structure: string): void {
    if (this.pos !== this.limit) {
      this.fail('', `${this.limit - this.pos} trailing byte(s) after ${structure}`);
    }
  }
}

/**
 * Decode a whole input with `fn`, rejecting trailing bytes. Runs untraced (fast); when it fails,
 * runs again traced so the DecodeError names the exact path. Only DecodeError escapes for bad
 * input: anything else is a bug in `fn` and propagates as it is (the fuzz tests look for those).
 *
 * @param owned pass true when `bytes` is already a private copy nobody else writes to (e.g. a
 *   view that an enclosing `decodeAll` handed out), to skip the defensive copy
 */
export function decodeAll<T>(bytes: Uint8Array, structure: string, fn: (r: Reader) => T, baseOffset = 0, owned = false): T {
  const input = owned ? bytes : bytes.slice();
  return readRetracing(input, baseOffset, true, (r) =>
    r.scope(structure, () => {
      const v = fn(r);
      r.end(structure);
      return v;
    }),
  );
}

/**
 * Read `bytes` with `fn` on an untraced Reader (paths cost time); when that fails with a
 * DecodeError, read again on a traced one so the error names the exact path (decoding is
 * deterministic, so the second run fails at the same byte). Anything else propagates as it is.
 * `owned`: values may be views of `bytes` (see the Reader constructor). Unlike `decodeAll`, no
 * copy is made and trailing bytes are `fn`'s business.
 */
export function readRetracing<T>(bytes: Uint8Array, baseOffset: number, owned: boolean, fn: (r: Reader) => T): T {
  try {
    return fn(new Reader(bytes, baseOffset, { trace: false, owned }));
  } catch (e) {
    if (!(e instanceof DecodeError)) throw e;
    fn(new Reader(bytes, baseOffset, { owned }));
    throw e; // not reached: the traced run fails the same way
  }
}
