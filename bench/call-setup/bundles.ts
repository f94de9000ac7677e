/**
 * The page-side scripts of the call-setup bench, bundled by esbuild into IIFEs for the browser:
 * the probe (installed in every page of both systems) and the Kamailio baseline's JsSIP page.
 * JsSIP 3.13.8 on npm ships only CommonJS lib/, so it is bundled as upstream builds its dist
 * (kamailio-baseline.md pitfall 7).
 */
import { build } from 'esbuild';
import { resolve } from 'node:path';

async function bundle(file: string): Promise<string> {
  const out = await build({
    entryPoints: [resolve('bench/call-setup', file)],
    bundle: true,
    write: false,
    format: 'iife',
    platform: 'browser',
    target: 'es2020',
    minify: true,
    logLevel: 'warning',
  });
  const text = out.outputFiles[0]?.text;
  if (text === undefined) throw new Error(`esbuild gave no output for ${file}`);
  return text;
}

export const bundleProbe = (): Promise<string> => bundle('probe.ts');
export const bundleKamailioAgent = (): Promise<string> => bundle('kamailio-agent.ts');
