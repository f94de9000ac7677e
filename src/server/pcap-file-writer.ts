/**
 * Keeps a pcap file (`--pcap FILE`) up to date with a TrafficCapture: rewritten every couple of
 * seconds while packets come in (so a capture can be read while the process runs) and once more
 * on close. Each write replaces the file atomically.
 */
import { rename, writeFile } from 'node:fs/promises';
import type { TrafficCapture } from '../app/overlay/capture-network.js';

/** The capture file cannot be written. */
export class CaptureFileError extends Error {
  override readonly name = 'CaptureFileError';
}

export class PcapFileWriter {
  /** A writer whose file was written once already (an empty capture), so a bad path fails at once. */
  static async open(path: string, capture: TrafficCapture, intervalMs?: number): Promise<PcapFileWriter> {
    const writer = new PcapFileWriter(path, capture, intervalMs);
    try {
      await writer.flush();
    } catch (e) {
      clearInterval(writer.timer);
      throw new CaptureFileError(`cannot write the capture file ${path} (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
    }
    return writer;
  }

  private written = -1;
  private writing: Promise<void> = Promise.resolve();
  private readonly timer: NodeJS.Timeout;

  private constructor(
    readonly path: string,
    private readonly capture: TrafficCapture,
    intervalMs = 2_000,
  ) {
    this.timer = setInterval(() => void this.flush().catch(() => {}), intervalMs);
    this.timer.unref();
  }

  /** Write the file if packets came in since the last write. */
  flush(): Promise<void> {
    const packets = this.capture.packets();
    if (packets === this.written) return this.writing;
    this.written = packets;
    // The parts as they are now (no copy, nothing encoded again: PcapWriter.parts), written whole
    // to a new file that then replaces the old one, so a reader never sees a half-written file.
    const parts = this.capture.parts();
    const tmp = `${this.path}.${process.pid}.tmp`;
    const write = this.writing.then(async () => {
      await writeFile(tmp, parts);
      await rename(tmp, this.path);
    });
    // A failed write is retried by the next flush (the interval's, or close's).
    this.writing = write.catch(() => {
      this.written = -1;
    });
    return write;
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    this.capture.stop();
    this.written = -1;
    await this.flush().catch(() => {});
  }
}
