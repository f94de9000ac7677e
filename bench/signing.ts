/**
 * The cost of RELOAD's message signatures (RFC 6940 §6.3.4) with real keys and certificates:
 * signing one message, and verifying it at the receiver — warm (the signer's certificate already
 * validated and cached: one signature check) and cold (a new peer: certificate parsed, chain
 * validated to the root-cert, key imported, then the signature). RSASSA-PKCS1-v1_5/SHA-256 with
 * 2048-bit keys (mandatory) and ECDSA P-256/SHA-256, through WebCrypto as in the browser.
 *
 * The message is a StoreReq-sized one: the §6.3.4 input over a 1 KB MessageContents. One operation
 * at a time (latency, not the thread pool's throughput); the median of BENCH_ROUNDS rounds.
 */
import { MessageCode } from '../src/reload/wire/message-codes.js';
import { messageSignatureInput } from '../src/reload/wire/message-signature-input.js';
import type { SignatureKeyType } from '../src/reload/security/signature-algorithm.js';
import { TestPki } from '../src/reload/testing/test-pki.js';
import { fmt, table, type BenchModule, type BenchOptions } from './bench.js';

/** Operations per second of an async `op`, run one at a time: warm-up, then the median of rounds. */
async function asyncOpsPerSecond(op: () => Promise<unknown>, options: BenchOptions): Promise<number> {
  const round = async (ms: number): Promise<number> => {
    let n = 0;
    const start = performance.now();
    let elapsed = 0;
    while (elapsed < ms) {
      await op();
      n++;
      elapsed = performance.now() - start;
    }
    return (n * 1000) / elapsed;
  };
  await round(options.roundMs / 4);
  const rates: number[] = [];
  for (let i = 0; i < options.rounds; i++) rates.push(await round(options.roundMs));
  rates.sort((a, b) => a - b);
  return rates[Math.floor(rates.length / 2)] ?? 0;
}

async function runSigning(options: BenchOptions): Promise<{ ok: boolean }> {
  const pki = await TestPki.create();
  const body = new Uint8Array(1024).map((_, i) => (i * 31) & 0xff);
  const rows: string[][] = [];
  for (const type of ['rsa', 'ecdsa-p256'] as SignatureKeyType[]) {
    const peer = await pki.peer(`bench-${type}@chordphone.test`, { keyType: type });
    const signer = await peer.signer();
    const input = messageSignatureInput(0x2a3b4c5d, 42n, { messageCode: MessageCode.store_req, messageBody: body, extensions: [] }, signer.identity());
    const signature = await signer.sign(input);
    const certificates = signer.certificates();
    const warm = pki.verifier();
    await warm.verify(input, signature, certificates);

    const sign = await asyncOpsPerSecond(() => signer.sign(input), options);
    const verifyWarm = await asyncOpsPerSecond(() => warm.verify(input, signature, certificates), options);
    const verifyCold = await asyncOpsPerSecond(() => pki.verifier().verify(input, signature, certificates), options);
    const us = (rate: number) => `${fmt(1e6 / rate, 0)} µs`;
    rows.push([
      type === 'rsa' ? 'RSA-2048 PKCS#1 v1.5/SHA-256' : 'ECDSA P-256/SHA-256',
      `${signature.signatureValue.length} B`,
      us(sign),
      fmt(sign),
      us(verifyWarm),
      fmt(verifyWarm),
      us(verifyCold),
      fmt(verifyCold),
    ]);
  }
  console.log(table(['algorithm', 'signature', 'sign', 'sign/s', 'verify (cached cert)', 'verify/s', 'verify (new cert)', 'verify/s'], rows));
  console.log('verify (cached cert) = one signature check; (new cert) = parse the certificate, validate its chain to the root-cert (RSA-2048 CA), import its key, check.');
  return { ok: true };
}

export const signingBench: BenchModule = {
  name: 'signing',
  description: 'sign and verify one RELOAD message (§6.3.4) with real keys and certificates',
  run: runSigning,
};
