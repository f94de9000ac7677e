/**
 * The enrollment server's name registry on disk (Node only): one JSON file, replaced atomically
 * on every change and readable by the server's user alone (mode 0600), so a restart keeps who
 * holds which user name and Node-IDs (RFC 6940 §11.3 "SHOULD maintain a mapping of users to
 * Node-IDs").
 */
import { readFile } from 'node:fs/promises';
import type { NameRecord, NameRegistryStore } from '../name-registry.js';
import { writeFileAtomic } from './private-file.js';

interface RegistryFile {
  readonly version: 1;
  readonly records: readonly NameRecord[];
}

export class FileNameRegistry implements NameRegistryStore {
  private records?: Map<string, NameRecord>;
  private writing: Promise<void> = Promise.resolve();

  constructor(readonly path: string) {}

  async get(userName: string): Promise<NameRecord | undefined> {
    return (await this.load()).get(userName);
  }

  async put(record: NameRecord): Promise<void> {
    const records = await this.load();
    records.set(record.userName, record);
    const file: RegistryFile = { version: 1, records: [...records.values()] };
    const text = `${JSON.stringify(file, null, 1)}\n`;
    const write = this.writing.then(() => writeFileAtomic(this.path, text, 0o600));
    this.writing = write.catch(() => undefined);
    await write;
  }

  private async load(): Promise<Map<string, NameRecord>> {
    if (this.records) return this.records;
    let text: string | undefined;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
    const map = new Map<string, NameRecord>();
    if (text !== undefined) {
      let file: Partial<RegistryFile> | null;
      try {
        file = JSON.parse(text) as Partial<RegistryFile> | null;
      } catch (e) {
        // A bare SyntaxError would not say which file (the server's start fails with it).
        throw new Error(`${this.path} is not a name registry: ${e instanceof Error ? e.message : String(e)}`);
      }
      if (file?.version !== 1 || !Array.isArray(file.records)) throw new Error(`${this.path} is not a name registry (version 1)`);
      for (const r of file.records) map.set(r.userName, r);
    }
    this.records ??= map;
    return this.records;
  }
}
