/**
 * Runs Debian's Kamailio in the foreground on loopback for the bench's baseline, with the
 * configuration of `kamailio-config.ts` on free ports, and stops it again. A missing Kamailio or
 * websocket module is reported as one line saying how to install it, not an exception.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { connect, createServer } from 'node:net';
import { createSocket } from 'node:dgram';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { kamailioConfig } from './kamailio-config.js';

export const KAMAILIO_INSTALL_HINT = 'Kamailio is not installed: apt-get install -y kamailio kamailio-websocket-modules (then stop the stock service on :5060)';

const BINARIES = ['/usr/sbin/kamailio', '/usr/local/sbin/kamailio'];
const MODULE_DIRS = ['/usr/lib/x86_64-linux-gnu/kamailio/modules', '/usr/lib/aarch64-linux-gnu/kamailio/modules', '/usr/lib/kamailio/modules', '/usr/local/lib64/kamailio/modules'];

export interface KamailioInstall {
  readonly binary: string;
  readonly modulesDir: string;
}

/** Where Kamailio and its websocket module are, or the line that says what to install. */
export function findKamailio(): KamailioInstall | { readonly missing: string } {
  const binary = BINARIES.find((b) => existsSync(b));
  if (!binary) return { missing: KAMAILIO_INSTALL_HINT };
  const modulesDir = MODULE_DIRS.find((d) => existsSync(join(d, 'tm.so')));
  if (!modulesDir) return { missing: KAMAILIO_INSTALL_HINT };
  if (!existsSync(join(modulesDir, 'websocket.so'))) return { missing: 'Kamailio has no websocket module: apt-get install -y kamailio-websocket-modules' };
  return { binary, modulesDir };
}

export interface RunningKamailio {
  /** ws://127.0.0.1:PORT, the UAs' WebSocket server. */
  readonly wsUrl: string;
  /** What Kamailio wrote to stderr so far (for a failure report). */
  log(): string;
  stop(): Promise<void>;
}

async function freeTcpPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no free TCP port');
  return address.port;
}

async function freeUdpPort(): Promise<number> {
  const socket = createSocket('udp4');
  await new Promise<void>((resolve, reject) => socket.once('error', reject).bind(0, '127.0.0.1', resolve));
  const { port } = socket.address();
  await new Promise<void>((resolve) => socket.close(() => resolve()));
  return port;
}

const accepts = (port: number) =>
  new Promise<boolean>((resolve) => {
    const s = connect(port, '127.0.0.1');
    s.once('connect', () => (s.destroy(), resolve(true)));
    s.once('error', () => resolve(false));
  });

/** Start Kamailio (-DD: foreground, workers still fork; -E: log to stderr); resolves once its WebSocket port accepts. */
export async function startKamailio(install: KamailioInstall): Promise<RunningKamailio> {
  const dir = await mkdtemp(join(tmpdir(), 'chordphone-kamailio-'));
  const wsPort = await freeTcpPort();
  const udpPort = await freeUdpPort();
  const cfg = join(dir, 'kamailio.cfg');
  await writeFile(cfg, kamailioConfig({ wsPort, udpPort, modulesDir: install.modulesDir }));
  let stderr = '';
  const child: ChildProcess = spawn(install.binary, ['-f', cfg, '-DD', '-E', '-m', '64', '-M', '8', '-P', join(dir, 'kamailio.pid'), '-Y', dir], { stdio: ['ignore', 'ignore', 'pipe'] });
  child.stderr?.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-8000);
  });
  let exited = false;
  const exit = new Promise<void>((resolve) => child.once('exit', () => ((exited = true), resolve())));
  const stop = async () => {
    // SIGTERM to the main process stops the forked workers too.
    if (!exited) child.kill('SIGTERM');
    await Promise.race([exit, new Promise((r) => setTimeout(r, 3000))]);
    if (!exited) child.kill('SIGKILL');
    await rm(dir, { recursive: true, force: true });
  };
  const deadline = performance.now() + 10_000;
  while (!(await accepts(wsPort))) {
    if (exited || performance.now() > deadline) {
      await stop();
      throw new Error(`Kamailio did not start on 127.0.0.1:${wsPort}:\n${stderr.trim().split('\n').slice(-10).join('\n')}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return { wsUrl: `ws://127.0.0.1:${wsPort}`, log: () => stderr, stop };
}
