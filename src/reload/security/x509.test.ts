import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

/** Every .ts file under `dir`. */
function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? (name === 'node_modules' ? [] : files(p)) : p.endsWith('.ts') || p.endsWith('.tsx') ? [p] : [];
  });
}

describe('the @peculiar/x509 door (x509.ts)', () => {
  it('is the only module importing @peculiar/x509, so reflect-metadata always loads first', () => {
    const root = join(__dirname, '..', '..', '..');
    const offenders = [...files(join(root, 'src')), ...files(join(root, 'bench'))]
      .filter((f) => !f.endsWith(join('security', 'x509.ts')) && !f.endsWith('x509.test.ts'))
      .filter((f) => /from\s+['"]@peculiar\/x509['"]|import\s+['"]@peculiar\/x509['"]/.test(readFileSync(f, 'utf8')))
      .map((f) => relative(root, f));
    expect(offenders).toEqual([]);
  });

  it('installs the Reflect metadata polyfill before the library loads', async () => {
    const x509 = await import('./x509.js');
    expect(typeof (Reflect as unknown as { getMetadata?: unknown }).getMetadata).toBe('function');
    expect(typeof x509.X509CertificateGenerator.create).toBe('function');
  });
});
