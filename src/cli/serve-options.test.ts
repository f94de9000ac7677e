import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { memoryNodeNetwork } from '../server/testing/memory-node-network.js';
import { CONFIG_FILE } from '../server/overlay-document.js';
import { UsageError } from './command.js';
import type { CliIo } from './main.js';
import { createServeCommand } from './serve.js';

function captureIo(): CliIo & { readonly outText: () => string; readonly errText: () => string } {
  let out = '';
  let err = '';
  return { out: (t) => void (out += t), err: (t) => void (err += t), stdin: async () => new Uint8Array(), outText: () => out, errText: () => err };
}

let dir: string;
let dist: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'chordphone-serve-opts-'));
  dist = join(dir, 'dist');
  await mkdir(dist);
  await writeFile(join(dist, 'index.html'), '<!doctype html><title>Chordphone</title>');
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const stopAtOnce = () => Promise.resolve('test');

describe('chordphone serve options', () => {
  it('serves with every option: overlay name, data directory, HTTPS, extra peers, ICE servers, capture', async () => {
    const io = captureIo();
    const data = join(dir, 'data');
    const pcap = join(dir, 'serve.pcap');
    const cmd = createServeCommand({ distDir: dist, network: memoryNodeNetwork(), untilStopped: stopAtOnce });
    const exit = await cmd.run(['--port', '0', '--https-port', '0', '--overlay', 'Workshop.Example', '--data', data, '--peers', '2', '--stun', '192.0.2.1:3478', '--turn', 'u:p@192.0.2.2', '--pcap', pcap], io);
    expect(exit).toBe(0);
    const out = io.outText();
    expect(out).toMatch(/^Chordphone is being served at http:\/\/127\.0\.0\.1:\d+\/$/m);
    expect(out).toContain('overlay workshop.example');
    expect(out).toContain('2 more peers joined');
    expect(out).toContain(`Capturing RELOAD traffic to ${pcap}`);
    expect(out).toContain('stopped (test)');
    const xml = await import('node:fs/promises').then((f) => f.readFile(join(data, CONFIG_FILE), 'utf8'));
    expect(xml).toContain('stun:192.0.2.1:3478');
    expect(xml).toContain('instance-name="workshop.example"');
  });

  it('lists every option in its help', async () => {
    const io = captureIo();
    expect(await createServeCommand({ distDir: dist }).run(['--help'], io)).toBe(0);
    for (const option of ['--port', '--https-port', '--overlay', '--data', '--peers', '--stun', '--turn', '--pcap']) expect(io.outText()).toContain(option);
  });

  it.each([
    ['--https-port', 'x'],
    ['--peers', '-1'],
    ['--peers', '1000'],
    ['--overlay', 'not a name'],
    ['--stun', 'a b'],
    ['--turn', 'no-credentials.example'],
    ['--data', ''],
  ])('rejects %s %j in one line', async (option, value) => {
    const cmd = createServeCommand({ distDir: dist, network: memoryNodeNetwork(), untilStopped: stopAtOnce });
    await expect(cmd.run([option, value], captureIo())).rejects.toBeInstanceOf(UsageError);
  });

  it('fails with one line for a corrupt configuration, an unusable data directory or capture file', async () => {
    const data = join(dir, 'corrupt');
    await mkdir(data);
    await writeFile(join(data, CONFIG_FILE), 'not xml at all');
    const cmd = () => createServeCommand({ distDir: dist, network: memoryNodeNetwork(), untilStopped: stopAtOnce });
    const escaped = join(data, CONFIG_FILE).replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    await expect(cmd().run(['--port', '0', '--https-port', 'off', '--data', data], captureIo())).rejects.toThrow(
      new RegExp(`^${escaped} is not a valid overlay configuration \\([^\\n]+\\); repair it or delete it to publish a new one$`),
    );
    await writeFile(join(dir, 'plain-file'), 'x');
    await expect(cmd().run(['--port', '0', '--https-port', 'off', '--data', join(dir, 'plain-file')], captureIo())).rejects.toThrow(
      /^the data directory .*plain-file is not a directory; pass --data to choose another$/,
    );
    await expect(cmd().run(['--port', '0', '--https-port', 'off', '--data', join(dir, 'pcapdata'), '--pcap', join(dir, 'no-such-dir', 'x.pcap')], captureIo())).rejects.toThrow(
      /^cannot write the capture file .*x\.pcap \(ENOENT\)$/,
    );
  });
});
