#!/usr/bin/env node
// The `chordphone` command (package.json "bin"): loads the TypeScript CLI through tsx.
import { register } from 'tsx/esm/api';
import { ensureLargeYoungGeneration } from './young-generation.mjs';

// `chordphone sim` runs a whole overlay in this process: give it a larger young generation.
if (process.argv[2] === 'sim') ensureLargeYoungGeneration();

register();
const { main } = await import('../src/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
