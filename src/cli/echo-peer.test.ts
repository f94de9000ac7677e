/**
 * The CLI side of the echo peer (issue 6): `chordphone peer --echo NAME` and `chordphone serve
 * [--no-echo]` say so in their help, and a bad `--echo` is a usage error before anything starts.
 * The echo peer itself answering a browser's call with audio runs in e2e/calls.spec.ts (the
 * server's default `echo`).
 */
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UsageError } from './command.js';
import type { CliIo } from './main.js';
import { createPeerCommand } from './peer.js';
import { createServeCommand } from './serve.js';

function captureIo(): CliIo & { readonly outText: () => string } {
  let out = '';
  return { out: (t) => void (out += t), err: () => {}, stdin: async () => new Uint8Array(), outText: () => out };
}

describe('echo peer options', () => {
  it('peer --help and serve --help name them', async () => {
    const peerIo = captureIo();
    expect(await createPeerCommand().run(['--help'], peerIo)).toBe(0);
    expect(peerIo.outText()).toContain('--echo NAME');
    const serveIo = captureIo();
    expect(await createServeCommand().run(['--help'], serveIo)).toBe(0);
    expect(serveIo.outText()).toContain('--no-echo');
  });

  it('an empty --echo name is a usage error, found before any directory or network is touched', async () => {
    const dir = join(tmpdir(), `chordphone-echo-${process.pid}-${Date.now()}`);
    await expect(createPeerCommand().run(['--config', 'http://127.0.0.1:9/', '--echo', '  ', '--data', dir], captureIo())).rejects.toThrow(/--echo needs a user name/);
    expect(existsSync(dir)).toBe(false);
    await expect(createServeCommand().run(['--no-echo=yes'], captureIo())).rejects.toBeInstanceOf(UsageError);
  });
});
