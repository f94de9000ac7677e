import { allocateBytes } from './byte-slab.js';
import { EncodeError } from './decode-error.js';
import { MAX_FOR_LENGTH_BYTES, type LengthBytes } from './reader.js';

/** A growable big-endian byte writer for RFC 6940 §6.3.1 structures. */
export class Writer {
  private buf: Uint8Array;
  private view: DataView;
  private pos = 0;

  constructor(initialSize = 256) {
    this.buf = new Uint8Array(Math.max(16, initialSize));
    this.view = new DataView(this.buf.buffer);
  }

  /** Start over, keeping the buffer (for pooled writers). */
  reset(): this {
    this.pos = 0;
    return this;
  }

  get length(): number {
    return this.pos;
  }

  /** Size of the underlying buffer. */
  get capacity(): number {
    return this.buf.length;
  }

  private ensure(n: number): number {
    const need = this.pos + n;
    if (need > this.buf.length) {
      let size = this.buf.length * 2;
      while (size < need) size *= 2;
      const next = new Uint8Array(size);
      next.set(this.buf.subarray(0, this.pos));
      this.buf = next;
      this.view = new DataView(next.buffer);
    }
    const at = this.pos;
    this.pos = need;
    return at;
  }

  private checkInt(field: string, v: number, max: number): void {
    if (!Number.isInteger(v) || v < 0 || v > max) throw new EncodeError(field, `${v} is not an integer in 0..${max}`);
  }

  u8(v: number, field = 'uint8'): this {
    this.checkInt(field, v, 0xff);
    const at = this.ensure(1);
    this.view.setUint8(at, v);
    return this;
  }

  u16(v: number, field = 'uint16'): this {
    this.checkInt(field, v, 0xffff);
    const at = this.ensure(2);
    this.view.setUint16(at, v);
    return this;
  }

  u24(v: number, field = 'uint24'): this {
    this.checkInt(field, v, 0xffffff);
    const at = this.ensure(3);
    this.view.setUint8(at, v >>> 16);
    this.view.setUint16(at + 1, v & 0xffff);
    return this;
  }

  u32(v: number, field = 'uint32'): this {
    this.checkInt(field, v, 0xffffffff);
    const at = this.ensure(4);
    this.view.setUint32(at, v);
    return this;
  }

  u64(v: bigint, field = 'uint64'): this {
    if (v < 0n || v > 0xffffffffffffffffn) throw new EncodeError(field, `${v} is not in 0..2^64-1`);
    const at = this.ensure(8);
    this.view.setBigUint64(at, v);
    return this;
  }

  bool(v: boolean): this {
    return this.u8(v ? 1 : 0);
  }

  /** `opaque x[n]`: exactly `n` bytes when `n` is given. */
  bytes(b: Uint8Array, field = 'opaque', n?: number): this {
    if (n !== undefined && b.length !== n) throw new EncodeError(field, `must be exactly ${n} bytes, got ${b.length}`);
    const at = this.ensure(b.length);
    this.buf.set(b, at);
    return this;
  }

  /** `opaque x<min..max>` with a `lengthBytes` prefix. */
  opaque(lengthBytes: LengthBytes, b: Uint8Array, field = 'opaque', min = 0, max = MAX_FOR_LENGTH_BYTES[lengthBytes]): this {
    if (b.length < min || b.length > max) throw new EncodeError(field, `length ${b.length} is outside ${min}..${max}`);
    this.writeLength(lengthBytes, b.length, field);
    return this.bytes(b);
  }

  private writeLength(lengthBytes: LengthBytes, len: number, field: string): void {
    if (lengthBytes === 1) this.u8(len, field);
    else if (lengthBytes === 2) this.u16(len, field);
    else if (lengthBytes === 3) this.u24(len, field);
    else this.u32(len, field);
  }

  /**
   * Write a length prefix of `lengthBytes`, then whatever `fn` writes, and back-patch the length
   * (vectors of structures, `opaque`-framed bodies).
   */
  prefixed(lengthBytes: LengthBytes, fn: (w: this) => void, field = 'vector', min = 0, max = MAX_FOR_LENGTH_BYTES[lengthBytes]): this {
    const at = this.ensure(lengthBytes);
    const start = this.pos;
    fn(this);
    const len = this.pos - start;
    if (len < min || len > max) throw new EncodeError(field, `length ${len} is outside ${min}..${max}`);
    if (lengthBytes === 1) this.view.setUint8(at, len);
    else if (lengthBytes === 2) this.view.setUint16(at, len);
    else if (lengthBytes === 3) {
      this.view.setUint8(at, len >>> 16);
      this.view.setUint16(at + 1, len & 0xffff);
    } else this.view.setUint32(at, len);
    return this;
  }

  /** Overwrite a uint16 already written at `at` (a code known only after its body is written). */
  patchU16(at: number, v: number): void {
    this.view.setUint16(at, v);
  }

  /** Overwrite a uint32 already written at `at` (for the forwarding header's total length). */
  patchU32(at: number, v: number): void {
    this.view.setUint32(at, v);
  }

  /** The bytes written so far (a copy sized exactly, from `allocateBytes`). */
  finish(): Uint8Array {
    const out = allocateBytes(this.pos);
    out.set(this.buf.subarray(0, this.pos));
    return out;
  }

  /**
   * The bytes written so far in an array that is its whole buffer (never a slab view): for bytes
   * kept for long or written out whole (a stored value), which `finish` followed by exactBytes
   * would copy twice.
   */
  finishOwn(): Uint8Array {
    // A plain Uint8Array's slice copies into a new buffer (the writer's buffer is never a Node Buffer).
    return this.buf.slice(0, this.pos);
  }
}

/**
 * Writers are reused: encoding a message then costs one exact-size copy (`finish`) instead of a
 * fresh buffer that grows. Nested encodes take another writer from the pool.
 */
const pool: Writer[] = [];
const POOLED_WRITER_SIZE = 8192;
const MAX_POOLED = 8;

/** Run `fn` with a pooled, empty Writer; the writer goes back to the pool afterwards. */
export function withPooledWriter<T>(fn: (w: Writer) => T): T {
  const w = pool.pop()?.reset() ?? new Writer(POOLED_WRITER_SIZE);
  try {
    return fn(w);
  } finally {
    if (pool.length < MAX_POOLED && w.capacity <= 1 << 20) pool.push(w);
  }
}

/** Encode with a (pooled) Writer and return exactly the bytes written. */
export function encodeWith(fn: (w: Writer) => void): Uint8Array {
  return withPooledWriter((w) => {
    fn(w);
    return w.finish();
  });
}
