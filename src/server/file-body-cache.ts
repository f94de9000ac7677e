/**
 * The bodies of the app's files, kept in memory once read, and their gzip form, made once (Node only).
 *
 * The built app is a few small files that every visitor asks for, and the server is also the
 * overlay's first peer (and, with `--peers`, its headless peers too): streaming each file from disk
 * in 64 KB pieces took one event-loop turn per piece, so a page loading while the overlay was busy
 * (a tab had just left, its neighbours repairing) waited hundreds of ms for its scripts (issue 5:
 * page load → joined). A cached body goes out in one write. Compressed, the scripts are about a
 * third of their size: what a workshop's thirty phones on one Wi-Fi fetch at once.
 *
 * A file is read again when its size or modification time changes (a new build in place).
 */
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';

const gzipAsync = promisify(gzip);

/** Larger files are streamed from disk, not kept. */
export const MAX_CACHED_FILE_BYTES = 8 * 1024 * 1024;
/** What all kept bodies (and their gzip forms) may take together; the oldest go first. */
export const MAX_CACHE_BYTES = 64 * 1024 * 1024;
/** Smaller bodies gain nothing from gzip. */
const MIN_GZIP_BYTES = 1024;

/** Extensions of text-like files worth compressing (images and fonts are compressed already). */
const COMPRESSIBLE = new Set(['.html', '.js', '.mjs', '.css', '.json', '.map', '.webmanifest', '.txt', '.xml', '.svg', '.wasm']);

export function isCompressible(extension: string): boolean {
  return COMPRESSIBLE.has(extension.toLowerCase());
}

/** Whether an Accept-Encoding header value accepts gzip (RFC 9110 §12.5.3: `gzip;q=0` refuses it). */
export function acceptsGzip(acceptEncoding: string | undefined): boolean {
  if (!acceptEncoding) return false;
  let star: boolean | undefined;
  for (const item of acceptEncoding.split(',')) {
    const [coding = '', ...params] = item.trim().toLowerCase().split(';');
    const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    const accepted = q === undefined || Number(q.slice(2)) > 0;
    if (coding.trim() === 'gzip' || coding.trim() === 'x-gzip') return accepted;
    if (coding.trim() === '*') star = accepted;
  }
  return star ?? false;
}

export interface FileVersion {
  readonly path: string;
  readonly size: number;
  readonly mtimeMs: number;
}

interface Entry {
  readonly size: number;
  readonly mtimeMs: number;
  readonly body: Buffer;
  /** The gzip form, once made; `null` when gzip does not make it smaller. */
  gzipped?: Promise<Buffer | null>;
  /** Bytes of the gzip form counted in the cache's total. */
  gzipBytes: number;
  forgotten: boolean;
}

export class FileBodyCache {
  private readonly entries = new Map<string, Entry>();
  /** Reads in progress, so that many requests for a file not yet kept read it once. */
  private readonly reading = new Map<string, { readonly size: number; readonly mtimeMs: number; readonly entry: Promise<Entry> }>();
  private bytes = 0;

  /** Bytes kept (bodies and gzip forms). */
  get size(): number {
    return this.bytes;
  }

  constructor(private readonly maxBytes = MAX_CACHE_BYTES) {}

  /** Whether `file` is small enough to be kept (else: stream it). */
  keeps(file: FileVersion): boolean {
    return file.size <= MAX_CACHED_FILE_BYTES;
  }

  /** The body of `file`, gzipped when `gzip` and that makes it smaller; `encoding` says which. */
  async body(file: FileVersion, gzip: boolean): Promise<{ readonly body: Buffer; readonly encoding: 'gzip' | 'identity' }> {
    const entry = await this.entry(file);
    if (gzip && entry.body.length >= MIN_GZIP_BYTES) {
      entry.gzipped ??= gzipAsync(entry.body).then(
        (z) => {
          if (z.length >= entry.body.length) return null;
          if (!entry.forgotten) {
            entry.gzipBytes = z.length;
            this.bytes += z.length;
            this.trim();
          }
          return z;
        },
        () => {
          // Served as it is this time; the next request tries again.
          entry.gzipped = undefined;
          return null;
        },
      );
      const z = await entry.gzipped;
      if (z) return { body: z, encoding: 'gzip' };
    }
    return { body: entry.body, encoding: 'identity' };
  }

  private async entry(file: FileVersion): Promise<Entry> {
    const kept = this.entries.get(file.path);
    if (kept && kept.size === file.size && kept.mtimeMs === file.mtimeMs) {
      // Most recently used last (Map order), so trim() drops the oldest.
      this.entries.delete(file.path);
      this.entries.set(file.path, kept);
      return kept;
    }
    const pending = this.reading.get(file.path);
    if (pending && pending.size === file.size && pending.mtimeMs === file.mtimeMs) return pending.entry;
    const entry = this.read(file);
    this.reading.set(file.path, { size: file.size, mtimeMs: file.mtimeMs, entry });
    try {
      return await entry;
    } finally {
      if (this.reading.get(file.path)?.entry === entry) this.reading.delete(file.path);
    }
  }

  private async read(file: FileVersion): Promise<Entry> {
    const body = await readFile(file.path);
    const entry: Entry = { size: file.size, mtimeMs: file.mtimeMs, body, gzipBytes: 0, forgotten: false };
    // Changed while it was read: serve what was read, keep nothing (the next request reads again).
    if (body.length !== file.size) return entry;
    const old = this.entries.get(file.path);
    if (old) this.forget(file.path, old);
    this.entries.set(file.path, entry);
    this.bytes += body.length;
    this.trim();
    return entry;
  }

  private trim(): void {
    for (const [path, e] of this.entries) {
      if (this.bytes <= this.maxBytes) return;
      this.forget(path, e);
    }
  }

  private forget(path: string, e: Entry): void {
    this.entries.delete(path);
    this.bytes -= e.body.length + e.gzipBytes;
    e.forgotten = true;
  }
}
