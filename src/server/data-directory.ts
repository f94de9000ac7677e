/**
 * The server's (or a headless peer's) data directory: `./data` unless `--data DIR` says otherwise.
 * It is created (mode 0700) when missing; one that exists but cannot be read and written, or is
 * not a directory, stops the command with one line saying so.
 */
import { constants } from 'node:fs';
import { access, mkdir, stat } from 'node:fs/promises';
import { resolve } from 'node:path';

export const DEFAULT_DATA_DIR = 'data';

export class DataDirectoryError extends Error {
  override readonly name = 'DataDirectoryError';
}

/** The absolute path of a usable data directory (created if missing). */
export async function prepareDataDirectory(dir: string): Promise<string> {
  const path = resolve(dir);
  try {
    const s = await stat(path);
    if (!s.isDirectory()) throw new DataDirectoryError(`the data directory ${path} is not a directory; pass --data to choose another`);
  } catch (e) {
    if (e instanceof DataDirectoryError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT') throw new DataDirectoryError(`cannot use the data directory ${path} (${code ?? String(e)}); pass --data to choose another`);
    try {
      await mkdir(path, { recursive: true, mode: 0o700 });
    } catch (m) {
      throw new DataDirectoryError(`cannot create the data directory ${path} (${(m as NodeJS.ErrnoException).code ?? String(m)}); pass --data to choose another`);
    }
  }
  try {
    await access(path, constants.R_OK | constants.W_OK | constants.X_OK);
  } catch {
    throw new DataDirectoryError(`the data directory ${path} is not readable and writable by this user; fix its permissions or pass --data to choose another`);
  }
  return path;
}
