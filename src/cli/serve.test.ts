import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { holdAsAnotherProcess, recordsFileBusy } from '../reload/storage/node/testing/records-file.js';
import { SCHEMA_VERSION } from '../reload/storage/node/sqlite-schema.js';
import { createServeCommand } from './serve.js';
import { UsageError } from './command.js';
import type { CliIo } from './main.js';

function captureIo(): CliIo & { readonly outText: () => string; readonly errText: () => string } {
  let out = '';
  let err = '';
  return {
    out: (t) => void (out += t),
    err: (t) => void (err += t),
    stdin: async () => new Uint8Array(),
    outText: () => out,
    errText: () => err,
  };
}

/** A stop trigger the test fires by hand instead of a signal. */
function manualStop(): { readonly untilStopped: () => Promise<string>; readonly stop: (reason: string) => void; readonly started: Promise<void> } {
  let stop: (reason: string) => void = () => {};
  let markStarted: () => void = () => {};
  const started = new Promise<void>((r) => (markStarted = r));
  return {
    untilStopped: () => {
      markStarted();
      return new Promise((r) => (stop = r));
    },
    stop: (reason) => stop(reason),
    started,
  };
}

describe('chordphone serve', () => {
  let dir: string;
  let dist: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'chordphone-serve-'));
    dist = join(dir, 'dist');
    await mkdir(dist);
    await writeFile(join(dist, 'index.html'), '<!doctype html><title>Chordphone</title>');
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('serves dist/ until stopped, printing the URL', async () => {
    const io = captureIo();
    const control = manualStop();
    const exit = createServeCommand({ distDir: dist, untilStopped: control.untilStopped }).run(['--port', '0'], io);
    await control.started;
    const url = /http:\/\/127\.0\.0\.1:\d+\//.exec(io.outText())?.[0];
    expect(url).toBeDefined();
    const res = await fetch(url as string);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('<title>Chordphone</title>');
    control.stop('SIGINT');
    expect(await exit).toBe(0);
    expect(io.outText()).toContain('stopped (SIGINT)');
    await expect(fetch(url as string)).rejects.toThrow();
  });

  it('--log-file writes the peers\' log there (its directory made when missing), one line per entry naming the peer (its first request and hop included)', async () => {
    const io = captureIo();
    const control = manualStop();
    // A clean clone has no tmp/: the e2e server's log went nowhere ("ENOENT … tmp/e2e-server-4173.log").
    const logFile = join(dir, 'not-yet', 'serve.log');
    const exit = createServeCommand({ distDir: dist, untilStopped: control.untilStopped }).run(['--port', '0', '--https-port', 'off', '--data', join(dir, 'data-log'), '--log-file', logFile], io);
    await control.started;
    control.stop('SIGTERM');
    expect(await exit).toBe(0);
    const lines = (await readFile(logFile, 'utf8')).trim().split('\n');
    expect(lines[0]).toMatch(/^\d{4}-\d\d-\d\dT[\d:.]+Z debug server:[0-9a-f]{8} peer created \{"nodeId":"[0-9a-f]{32}"/);
    // The first peer stores its certificate (RFC 6940 §8): the request, as it left, logged.
    expect(lines.some((l) => / debug server:[0-9a-f]{8} request sent \{"method":"store_req"/.test(l))).toBe(true);
    expect(io.errText()).toBe('');
  });

  it('tells to build first when dist/index.html is missing', async () => {
    const cmd = createServeCommand({ distDir: join(dir, 'nowhere'), untilStopped: manualStop().untilStopped });
    const run = cmd.run([], captureIo());
    await expect(run).rejects.toBeInstanceOf(UsageError);
    await expect(run).rejects.toThrow(/index\.html does not exist; run `npm run build` first$/);
  });

  it.each([['--port', 'abc'], ['--port', '70000'], ['--port', '-1'], ['--port', '8080.5'], ['--bogus'], ['extra'], ['--host', '']])(
    'rejects bad arguments: %s %s',
    async (...args: string[]) => {
      const cmd = createServeCommand({ distDir: dist, untilStopped: manualStop().untilStopped });
      await expect(cmd.run(args, captureIo())).rejects.toBeInstanceOf(UsageError);
    },
  );

  it('prints help', async () => {
    const io = captureIo();
    expect(await createServeCommand({ distDir: dist }).run(['--help'], io)).toBe(0);
    expect(io.outText()).toContain('serve [--port N] [--host H]');
  });

  it('a data directory another serve is using fails with one clear line', async () => {
    const data = join(dir, 'data-held');
    await mkdir(data);
    // The other `chordphone serve` (another process) holding the first peer's records, as it does.
    const theirs = holdAsAnotherProcess(join(data, 'server.records.sqlite'));
    try {
      const cmd = createServeCommand({ distDir: dist, untilStopped: manualStop().untilStopped });
      await expect(cmd.run(['--port', '0', '--https-port', 'off', '--data', data], captureIo())).rejects.toThrow(/^the records file \S+server\.records\.sqlite is already in use by another peer /);
    } finally {
      theirs.close();
    }
  });

  it('a data directory whose records a newer chordphone wrote fails with one clear line, and the file is left as it was', async () => {
    const data = join(dir, 'data-newer');
    await mkdir(data);
    const records = join(data, 'server.records.sqlite');
    // In SQLite's default journal mode (a rollback journal), which the open must not switch to WAL.
    const newer = new Database(records);
    newer.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    newer.close();
    const before = await readFile(records);
    const cmd = createServeCommand({ distDir: dist, untilStopped: manualStop().untilStopped });
    await expect(cmd.run(['--port', '0', '--https-port', 'off', '--data', data], captureIo())).rejects.toThrow(
      new RegExp(`^the records file \\S+server\\.records\\.sqlite was written by a newer chordphone \\(schema ${SCHEMA_VERSION + 1}, this build knows up to ${SCHEMA_VERSION}\\): upgrade, or pass --data for another directory$`),
    );
    expect((await readFile(records)).equals(before)).toBe(true);
    expect((await readdir(data)).filter((name) => name.startsWith('server.records.sqlite'))).toEqual(['server.records.sqlite']);
    // Not held (not 'database is locked'), and no tables made in it.
    expect(recordsFileBusy(records)).toMatch(/no such table: records/);
  });

  // The HTTP port and the HTTPS port (which listens on every address), each taken by another server.
  describe.each([
    ['the port', '127.0.0.1', (port: number) => ['--port', String(port)], '--port'],
    ['the HTTPS port', '0.0.0.0', (port: number) => ['--port', '0', '--https-port', String(port), '--data', join(dir, 'data-https-taken')], '--https-port'],
  ])('with %s taken', (_name, host, args, option) => {
    let blocker: Server;
    let port: number;
    beforeAll(async () => {
      blocker = createServer();
      await new Promise<void>((r) => blocker.listen(0, host, r));
      const address = blocker.address();
      port = typeof address === 'object' && address ? address.port : 0;
    });
    afterAll(async () => {
      await new Promise<void>((r) => blocker.close(() => r()));
    });

    it(`fails with one clear line naming the option that moves it (${option})`, async () => {
      const cmd = createServeCommand({ distDir: dist, untilStopped: manualStop().untilStopped });
      await expect(cmd.run(args(port), captureIo())).rejects.toThrow(new RegExp(`^port ${port} is already in use; pass ${option} to pick another$`));
    });
  });
});
