/**
 * Writing secrets and state to disk (Node only): atomically (a temporary file renamed over the
 * old one, so a crash never leaves half a key) and with the mode asked for (0600 for private
 * keys and the name registry: readable by the server's user alone).
 */
import { chmod, mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

let counter = 0;

/** Create `dir` (and parents) with mode 0700 if missing. */
export async function ensurePrivateDirectory(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
}

/** Replace `path` with `data` atomically; the file gets `mode`. */
export async function writeFileAtomic(path: string, data: string | Uint8Array, mode: number): Promise<void> {
  await ensurePrivateDirectory(dirname(path));
  const tmp = `${path}.${process.pid}.${(counter++).toString(36)}.tmp`;
  try {
    await writeFile(tmp, data, { mode, flag: 'wx' });
    // The umask may have cleared bits of `mode`; it cannot have added any, but be explicit.
    await chmod(tmp, mode);
    await rename(tmp, path);
  } catch (e) {
    await rm(tmp, { force: true });
    throw e;
  }
}
