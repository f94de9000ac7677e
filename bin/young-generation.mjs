// A larger young generation for the simulator's process. V8 sizes each semi-space of the young
// generation at 16 MB at most by default (Node 20, 64-bit); a simulated overlay allocates short-lived
// frames, messages and promises at a rate that fills it thousands of times a second, and each
// scavenge copies what survives. With larger semi-spaces most of that dies before it would have been
// copied: 64 MB made the sim at 500 peers use ~17 % less CPU than the default. 256 MB, measured on
// the 10,000-peer build (`chordphone sim --peers 10000 --seed 1 --duration 10s --stores 10`, same
// seeded figures): build CPU 263.4 -> 223.3 s run side by side, 248.6 -> 187.5 s one after the other
// (512 MB: 207.3 s, no better); 2,000 peers (tmp/breakdown.ts, 3 alternated runs) 29.2 -> 28.0 s
// median. The cost is resident memory: peak RSS 1.76 -> 2.0 GB at 10,000 peers (the heap in use
// after a GC, which the sim reports, is the same 1,006 MB). The flag must be given when node starts (set
// later with v8.setFlagsFromString, the young generation keeps its size), so the process runs itself
// again with it, unless the flag is given already (on the command line or in NODE_OPTIONS).
import { spawnSync } from 'node:child_process';
import { constants } from 'node:os';

export const SEMI_SPACE_FLAG = '--max-semi-space-size=256';

/**
 * When this process has no --max-semi-space-size, run the same command again in a child node with
 * SEMI_SPACE_FLAG and exit with its status; otherwise return and let the caller go on.
 */
export function ensureLargeYoungGeneration() {
  const given = (a) => a.startsWith('--max-semi-space-size');
  if (process.execArgv.some(given) || (process.env.NODE_OPTIONS ?? '').split(/\s+/).some(given)) return;
  const child = spawnSync(process.execPath, [SEMI_SPACE_FLAG, ...process.execArgv, ...process.argv.slice(1)], { stdio: 'inherit' });
  if (child.error) throw child.error;
  // Killed by a signal: the shell's convention, 128 + its number.
  process.exit(child.status ?? 128 + (child.signal ? (constants.signals[child.signal] ?? 0) : 0));
}
