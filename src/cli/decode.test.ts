import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { toHex } from '../reload/wire/codec/hex.js';
import { encodeFramedMessage } from '../reload/wire/framing.js';
import { UNFRAGMENTED } from '../reload/wire/forwarding-header.js';
import { encodeReloadMessage, type ReloadMessage } from '../reload/wire/reload-message.js';
import { PcapWriter } from '../reload/wire/pcap/index.js';
import { main, type CliIo } from './main.js';

const nodeId = Uint8Array.from({ length: 16 }, (_, i) => 0xa0 + i);

const ping: ReloadMessage = {
  forwardingHeader: {
    overlay: 0x0badcafe,
    configurationSequence: 7,
    version: 0x0a,
    ttl: 100,
    fragment: UNFRAGMENTED,
    length: 0,
    transactionId: 0x1122334455667788n,
    maxResponseLength: 0,
    viaList: [],
    destinationList: [{ kind: 'node', nodeId }],
    options: [],
  },
  body: { name: 'ping_req', value: { padding: new Uint8Array(0) } },
  extensions: [],
  securityBlock: {
    certificates: [],
    signature: { algorithm: { hash: 4, signature: 1 }, identity: { identityType: 1, hashAlg: 4, hash: new Uint8Array(32).fill(7) }, signatureValue: new Uint8Array(64).fill(9) },
  },
};

function captureIo(stdin = new Uint8Array()): CliIo & { outText: () => string; errText: () => string } {
  let out = '';
  let err = '';
  return { out: (t) => void (out += t), err: (t) => void (err += t), stdin: async () => stdin, outText: () => out, errText: () => err };
}

describe('chordphone decode', () => {
  it('prints a hex message as JSON with ids in hex and codes by RFC name', async () => {
    const io = captureIo();
    expect(await main(['decode', toHex(encodeReloadMessage(ping))], io)).toBe(0);
    const json = JSON.parse(io.outText());
    expect(json.message.messageCode).toBe(0x17);
    expect(json.message.messageCodeName).toBe('ping_req');
    expect(json.message.forwardingHeader.transactionId).toBe('1122334455667788');
    expect(json.message.forwardingHeader.destinationList[0].nodeId).toBe(toHex(nodeId));
    expect(io.errText()).toBe('');
  });

  it('decodes every datagram of a pcap, framing included, and an error answer by name', async () => {
    const error: ReloadMessage = { ...ping, body: { name: 'error', value: { errorCode: 0x14, errorInfo: new TextEncoder().encode('bad') } } };
    const pcap = new PcapWriter()
      .addUdp({ timestampMs: 1, src: { ip: '10.0.0.1', port: 6084 }, dst: { ip: '10.0.0.2', port: 6084 }, payload: encodeFramedMessage({ kind: 'data', sequence: 5, message: encodeReloadMessage(ping) }) })
      .addUdp({ timestampMs: 2, src: { ip: '10.0.0.2', port: 6084 }, dst: { ip: '10.0.0.1', port: 6084 }, payload: encodeFramedMessage({ kind: 'ack', ackSequence: 5, received: 1 }) })
      .addUdp({ timestampMs: 3, src: { ip: '10.0.0.2', port: 6084 }, dst: { ip: '10.0.0.1', port: 6084 }, payload: encodeReloadMessage(error) })
      .toBytes();
    const dir = mkdtempSync(join(tmpdir(), 'chordphone-decode-'));
    const file = join(dir, 'three.pcap');
    writeFileSync(file, pcap);
    const io = captureIo();
    try {
      expect(await main(['decode', file], io)).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    const lines = io.outText().trim().split('\n').map((l) => JSON.parse(l));
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatchObject({ frame: 1, src: '10.0.0.1:6084', framing: { type: 'data', sequence: 5 }, message: { messageCodeName: 'ping_req' } });
    expect(lines[1]).toMatchObject({ frame: 2, framing: { type: 'ack', ackSequence: 5, received: 1 } });
    expect(lines[2].message.body).toMatchObject({ errorCode: 0x14, errorCodeName: 'Error_Invalid_Message', errorInfoText: 'bad' });
  });

  it('reads hex from standard input', async () => {
    const io = captureIo(new TextEncoder().encode(`${toHex(encodeReloadMessage(ping))}\n`));
    expect(await main(['decode', '-'], io)).toBe(0);
    expect(JSON.parse(io.outText()).message.messageCodeName).toBe('ping_req');
  });

  it('rejects a bad message with one line naming structure, field and offset', async () => {
    const io = captureIo();
    expect(await main(['decode', `${toHex(encodeReloadMessage(ping))}00`], io)).toBe(1);
    expect(io.outText()).toBe('');
    expect(io.errText()).toMatch(/^chordphone decode: argument: .*ForwardingHeader\.length: .* \(at byte 16\)\n$/);
  });

  it('rejects input that is neither a file, hex nor a pcap', async () => {
    const io = captureIo();
    expect(await main(['decode', 'not-hex-and-not-a-file'], io)).toBe(1);
    expect(io.errText().trim().split('\n')).toHaveLength(1);
  });

  it('the installed command exits non-zero with the one-line error and no stack trace', async () => {
    const bad = `${toHex(encodeReloadMessage(ping)).slice(0, 60)}`;
    const run = promisify(execFile);
    const err = await run(process.execPath, ['bin/chordphone.mjs', 'decode', bad]).then(
      () => undefined,
      (e: { code: number; stderr: string }) => e,
    );
    expect(err?.code).toBe(1);
    expect(err?.stderr.trim().split('\n')).toHaveLength(1);
    expect(err?.stderr).not.toMatch(/\n\s+at /);
    expect(err?.stderr).toMatch(/DecodeError|needs|exceeds|length/);
  });
});
