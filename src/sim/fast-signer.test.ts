import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ReloadError } from '../reload/runtime/reload-error.js';
import { FastSigner, FastVerifier, fastMac } from './fast-signer.js';

const id = (b: number) => new Uint8Array(16).fill(b);

/** `verify` throws Error_Forbidden. */
function expectForbidden(verify: () => unknown): void {
  let error: unknown;
  try {
    verify();
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(ReloadError);
  expect((error as ReloadError).codeName).toBe('Error_Forbidden');
}

describe('FastSigner / FastVerifier (simulator only)', () => {
  it('verifies its own signatures and names the signer', async () => {
    const s = new FastSigner(id(1), 'alice@sim');
    const input = Uint8Array.of(1, 2, 3);
    const sig = await s.sign(input);
    const who = await new FastVerifier().verify(input, sig, []);
    expect(who).toEqual({ nodeId: id(1), nodeIds: [id(1)], userName: 'alice@sim' });
  });

  it('throws Error_Forbidden (at once: a MAC needs no wait): another input, a tampered signature, another key, another claimed Node-ID', () => {
    const s = new FastSigner(id(1), 'alice@sim');
    const input = Uint8Array.of(1, 2, 3);
    const sig = s.sign(input);
    const v = new FastVerifier();
    expectForbidden(() => v.verify(Uint8Array.of(1, 2, 4), sig, []));
    expectForbidden(() => v.verify(input, { ...sig, signatureValue: sig.signatureValue.map((b, i) => (i === 0 ? b ^ 1 : b)) }, []));
    expectForbidden(() => new FastVerifier(123).verify(input, sig, []));
    const claimed = new FastSigner(id(2), 'alice@sim').identity();
    expectForbidden(() => v.verify(input, { ...sig, identity: claimed }, []));
  });
});

describe('FastVerifier and the claimed Node-ID (§6.3.4, VerifyOptions.claimedNodeId)', () => {
  it('accepts a signature made for the claimed Node-ID and refuses one made for another', () => {
    const input = Uint8Array.of(9, 8, 7);
    const sig = new FastSigner(id(1), 'alice@sim').sign(input);
    const v = new FastVerifier();
    expect(v.verify(input, sig, [], { claimedNodeId: id(1) })).toMatchObject({ nodeId: id(1) });
    expectForbidden(() => v.verify(input, sig, [], { claimedNodeId: id(2) }));
  });

  it('signs as fastMac of its identity and the input (the signature value is the MAC)', async () => {
    const s = new FastSigner(id(3), 'bob@sim', 77);
    const input = Uint8Array.of(1, 2, 3, 4);
    const sig = await s.sign(input);
    const identity = s.identity();
    expect('hash' in identity && sig.signatureValue).toEqual('hash' in identity ? fastMac(77, identity.hash, input) : undefined);
    expect(fastMac(77, Uint8Array.of(1, 2), Uint8Array.of(3))).toEqual(fastMac(77, Uint8Array.of(1, 2, 3)));
    expect(fastMac(77, Uint8Array.of(1, 2, 3))).not.toEqual(fastMac(78, Uint8Array.of(1, 2, 3)));
  });
});

describe('nothing outside the simulator can pick the fast signer', () => {
  // Production code must have no way to select it (issue 3): no file under these folders
  // imports src/sim/fast-signer. The simulator itself and the CLI's sim command may.
  const src = fileURLToPath(new URL('..', import.meta.url));
  const guarded = ['reload', 'server', 'usages', 'phone', 'app', 'platform'];

  function files(dir: string): string[] {
    let out: string[] = [];
    let entries: string[];
    try {
      entries = readdirSync(dir);
    } catch {
      return out;
    }
    for (const e of entries) {
      const p = join(dir, e);
      if (statSync(p).isDirectory()) out = out.concat(files(p));
      else if (/\.(ts|tsx|js|mjs)$/.test(e)) out.push(p);
    }
    return out;
  }

  it('no file under src/{reload,server,usages,phone,app,platform} mentions fast-signer', () => {
    const offenders = guarded
      .flatMap((d) => files(join(src, d)))
      .filter((f) => /fast-signer|FastSigner|FastVerifier/.test(readFileSync(f, 'utf8')))
      .map((f) => relative(src, f));
    expect(offenders).toEqual([]);
  });
});
