/**
 * Test-only (Node): runs Wireshark's `tshark` on a capture and reads its structured output.
 *
 * `tshark -T json --no-duplicate-keys -x` prints, per frame, a tree of protocol layers keyed by
 * field abbreviation (`reload.message.code`); a field met several times in one subtree becomes an
 * array, and `-x` adds `<field>_raw` = [hex, offset, length, bitmask, type] (or an array of those)
 * giving the exact bytes each field covers. Values are strings as tshark prints them.
 */
import { execFileSync } from 'node:child_process';

export type TsharkJson = string | number | readonly TsharkJson[] | TsharkTree;
export interface TsharkTree {
  readonly [key: string]: TsharkJson;
}

export interface TsharkPacket {
  /** tshark's frame number (1-based). */
  readonly frameNumber: number;
  readonly layers: TsharkTree;
}

/** An expert info item that tshark attached somewhere in a frame. */
export interface ExpertInfo {
  readonly severity: 'error' | 'warning' | 'note' | 'chat' | 'comment';
  readonly message: string;
  readonly group: string;
  /** The expert's own field abbreviation, e.g. `reload.signature.identity.type.unknown`. */
  readonly field: string;
  /** Keys from the frame's layers down to the expert item. */
  readonly path: readonly string[];
}

/** epan/proto.h PI_* severities as tshark prints them. */
const SEVERITIES: Readonly<Record<string, ExpertInfo['severity']>> = {
  '8388608': 'error',
  '6291456': 'warning',
  '4194304': 'note',
  '2097152': 'chat',
  '1048576': 'comment',
};

/** Runs a Wireshark command-line tool; a clear error when it is not installed. */
export function runWiresharkTool(tool: string, args: readonly string[]): string {
  try {
    return execFileSync(tool, args, { encoding: 'utf8', maxBuffer: 512 * 1024 * 1024, stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new Error(`${tool} is not installed: the Wireshark cross-check needs Debian's tshark package (.ci/run installs it)`);
    }
    const stderr = (e as { stderr?: unknown }).stderr;
    throw new Error(`${tool} ${args.join(' ')} failed: ${e instanceof Error ? e.message : String(e)}\n${typeof stderr === 'string' ? stderr : ''}`);
  }
}

/** `-o name:value` for each preference; `-n` keeps tshark from resolving names. */
function prefArgs(prefs: readonly string[]): string[] {
  return ['-n', ...prefs.flatMap((p) => ['-o', p])];
}

/** Every frame of `file` as tshark's JSON tree, with raw bytes per field. */
export function tsharkPackets(file: string, prefs: readonly string[] = []): TsharkPacket[] {
  const out = runWiresharkTool('tshark', ['-r', file, ...prefArgs(prefs), '-T', 'json', '--no-duplicate-keys', '-x']);
  const parsed = JSON.parse(out) as { _source: { layers: TsharkTree } }[];
  return parsed.map((p) => {
    const frame = subtree(p._source.layers, 'frame');
    return { frameNumber: Number(text(frame, 'frame.number')), layers: p._source.layers };
  });
}

/** tshark's `-V` text of one frame, to show next to a failed assertion. */
export function tsharkVerbose(file: string, frameNumber: number, prefs: readonly string[] = []): string {
  return runWiresharkTool('tshark', ['-r', file, ...prefArgs(prefs), '-V', '-Y', `frame.number == ${frameNumber}`]);
}

function isTree(v: TsharkJson | undefined): v is TsharkTree {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function describe(tree: TsharkTree): string {
  return `{${Object.keys(tree).filter((k) => !k.endsWith('_raw')).join(', ')}}`;
}

/** All values of `key` directly under `tree` (0, 1 or many: tshark merges repeats into an array). */
export function items(tree: TsharkTree, key: string): TsharkJson[] {
  const v = tree[key];
  if (v === undefined) return [];
  return Array.isArray(v) ? [...(v as readonly TsharkJson[])] : [v];
}

/** The one value of `key` under `tree`. */
export function item(tree: TsharkTree, key: string): TsharkJson {
  const all = items(tree, key);
  if (all.length !== 1) throw new Error(`tshark: expected one "${key}", found ${all.length} in ${describe(tree)}`);
  return all[0] as TsharkJson;
}

/** The subtrees of `key`; a subtree item without children is printed as "" and read as {}. */
export function subtrees(tree: TsharkTree, key: string): TsharkTree[] {
  return items(tree, key).map((v) => {
    if (isTree(v)) return v;
    if (v === '') return {};
    throw new Error(`tshark: "${key}" is not a subtree: ${JSON.stringify(v)}`);
  });
}

export function subtree(tree: TsharkTree, key: string): TsharkTree {
  const all = subtrees(tree, key);
  if (all.length !== 1) throw new Error(`tshark: expected one "${key}" subtree, found ${all.length} in ${describe(tree)}`);
  return all[0] as TsharkTree;
}

export function has(tree: TsharkTree, key: string): boolean {
  return tree[key] !== undefined;
}

/** The one value of `key` as text. */
export function text(tree: TsharkTree, key: string): string {
  const v = item(tree, key);
  if (typeof v !== 'string') throw new Error(`tshark: "${key}" is not a value: ${JSON.stringify(v)}`);
  return v;
}

/** A numeric field (tshark prints decimal or 0x-hex). */
export function num(tree: TsharkTree, key: string): number {
  const n = Number(text(tree, key));
  if (!Number.isFinite(n)) throw new Error(`tshark: "${key}" = ${text(tree, key)} is not a number`);
  return n;
}

/** A 64-bit field. */
export function big(tree: TsharkTree, key: string): bigint {
  return BigInt(text(tree, key));
}

/** Lower-case hex of a byte field printed as `aa:bb:cc`. */
export function colonHex(tree: TsharkTree, key: string): string {
  return text(tree, key).replace(/:/g, '').toLowerCase();
}

/** The bytes each occurrence of `key` covers (from `key_raw`), as lower-case hex. */
export function rawHex(tree: TsharkTree, key: string): string[] {
  const v = tree[`${key}_raw`];
  if (v === undefined) return [];
  const list = v as readonly TsharkJson[];
  const one = (r: TsharkJson): string => {
    const hex = (r as readonly TsharkJson[])[0];
    if (typeof hex !== 'string') throw new Error(`tshark: bad ${key}_raw ${JSON.stringify(r)}`);
    return hex.toLowerCase();
  };
  return typeof list[0] === 'string' ? [one(list)] : list.map(one);
}

/** The one `key_raw` hex. */
export function raw(tree: TsharkTree, key: string): string {
  const all = rawHex(tree, key);
  if (all.length !== 1) throw new Error(`tshark: expected one "${key}_raw", found ${all.length} in ${describe(tree)}`);
  return all[0] as string;
}

/**
 * The contents of one of the dissector's opaque subtrees (a length field, then `reload.opaque.data`
 * or `reload.opaque.string`, absent when empty), as hex.
 */
export function opaqueHex(tree: TsharkTree, key: string): string {
  const o = subtree(tree, key);
  if (has(o, 'reload.opaque.data')) return raw(o, 'reload.opaque.data');
  if (has(o, 'reload.opaque.string')) return raw(o, 'reload.opaque.string');
  return '';
}

/** Every value of `key` anywhere below `tree`, depth first. */
export function deepItems(tree: TsharkJson, key: string): TsharkJson[] {
  const out: TsharkJson[] = [];
  const walk = (v: TsharkJson): void => {
    if (Array.isArray(v)) (v as readonly TsharkJson[]).forEach(walk);
    else if (isTree(v)) {
      for (const [k, child] of Object.entries(v)) {
        if (k === key) out.push(...items(v, k));
        if (!k.endsWith('_raw')) walk(child);
      }
    }
  };
  walk(tree);
  return out;
}

/** Every expert info of a frame, wherever it sits. */
export function expertInfos(layers: TsharkTree): ExpertInfo[] {
  const out: ExpertInfo[] = [];
  const walk = (v: TsharkJson, path: readonly string[]): void => {
    if (Array.isArray(v)) (v as readonly TsharkJson[]).forEach((x) => walk(x, path));
    else if (isTree(v)) {
      for (const [k, child] of Object.entries(v)) {
        if (k.endsWith('_raw')) continue;
        if (k === '_ws.expert') {
          for (const e of subtrees(v, k)) {
            const field = Object.keys(e).find((f) => !f.startsWith('_ws.expert') && !f.endsWith('_raw')) ?? '';
            const severity = SEVERITIES[text(e, '_ws.expert.severity')];
            if (!severity) throw new Error(`tshark: unknown expert severity ${text(e, '_ws.expert.severity')}`);
            out.push({ severity, message: text(e, '_ws.expert.message'), group: text(e, '_ws.expert.group'), field, path });
          }
        } else walk(child, [...path, k]);
      }
    }
  };
  walk(layers, []);
  return out;
}
