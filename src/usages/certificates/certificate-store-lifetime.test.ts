/**
 * The Certificate Store Usage (RFC 6940 §8 "A user/node MUST store its certificate") over the
 * lifetime of the stored values (§7 "lifetime: The validity period for the data"), on a manual
 * clock and one storing peer that honours lifetimes: a peer's certificate stays fetchable for as
 * long as the peer runs (a re-publish extends it in place; keepPublished re-publishes before it
 * expires), and no longer once it closed.
 */
import { describe, expect, it } from 'vitest';
import type { FetchOutcome, OverlayPeer, StoreValue } from '../../reload/overlay/overlay-types.js';
import { CertificateCache, type CachedCertificate } from '../../reload/security/certificate-cache.js';
import type { ReloadCertificate } from '../../reload/security/reload-certificate.js';
import { fixedWallClock } from '../../reload/security/security-components.js';
import { ManualClock } from '../../reload/testing/manual-clock.js';
import { toHex } from '../../reload/wire/codec/hex.js';
import { KindId } from '../../reload/wire/message-codes.js';
import { ARRAY_APPEND_INDEX, syntheticNonexistentSignature, type StoredData } from '../../reload/wire/storage/stored-data.js';
import { CertificateStore, type CertificateStoreInit } from './certificate-store.js';

/** A tiny DER SEQUENCE that passes the value codec's framing check. */
const DER = new Uint8Array([0x30, 0x03, 0x02, 0x01, 0x05]);
const NODE = new Uint8Array(16).fill(3);
const certificate = { der: DER, nodeIds: [NODE], userName: 'alice@chordphone.test' } as unknown as ReloadCertificate;
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/** One storing peer that honours lifetimes (default 86 400 s, as OverlayPeer's), on `clock`; `failing` makes its Stores fail. */
function expiringOverlay(clock: ManualClock) {
  const data = new Map<string, { index: number; value: Uint8Array; expiresAt: number }[]>();
  const k = (id: Uint8Array | string, kind: number) => `${typeof id === 'string' ? id : toHex(id)}/${kind}`;
  const live = (id: Uint8Array | string, kind: number) => (data.get(k(id, kind)) ?? []).filter((e) => e.expiresAt > clock.now());
  const o = {
    stores: 0,
    failing: false,
    /** The live entries' indices of `kind` at every Resource-ID. */
    indices: (kind: number) => [...data.keys()].filter((key) => key.endsWith(`/${kind}`)).flatMap((key) => (data.get(key) ?? []).filter((e) => e.expiresAt > clock.now()).map((e) => e.index)),
    overlay: {
      store: async (id, kind, values: readonly StoreValue[]) => {
        o.stores++;
        if (o.failing) throw new Error('no answer');
        const list = live(id, kind);
        for (const v of values) {
          const index = v.index === ARRAY_APPEND_INDEX ? list.length : v.index!;
          const entry = { index, value: v.value, expiresAt: clock.now() + (v.lifetime ?? 86_400) * 1000 };
          const at = list.findIndex((e) => e.index === index);
          if (at >= 0) list[at] = entry;
          else list.push(entry);
        }
        data.set(k(id, kind), list);
        return { answer: { kindResponses: [] }, hops: 1, responder: NODE };
      },
      fetch: async (id, specs): Promise<FetchOutcome> => {
        const kind = specs[0]!.kind;
        const values: StoredData[] = live(id, kind).map((e) => ({
          storageTime: 0n,
          lifetime: Math.round((e.expiresAt - clock.now()) / 1000),
          value: { model: 'array', arrayEntry: { index: e.index, value: { exists: true, value: e.value } } },
          signature: syntheticNonexistentSignature(),
        }));
        return { answer: { kindResponses: [{ kind, generation: 0n, values }] }, hops: 1, responder: NODE, rejected: [] };
      },
    } satisfies Pick<OverlayPeer, 'store' | 'fetch'>,
  };
  return o;
}

function setup(init?: CertificateStoreInit) {
  const clock = new ManualClock(0);
  const o = expiringOverlay(clock);
  const validator = () => ({ cache: new CertificateCache(), addCertificate: async () => ({ certificate }) as unknown as CachedCertificate });
  const storeOf = () => new CertificateStore({ overlay: o.overlay, resourceIdHash: async (name) => name.subarray(0, 16), validator: validator(), clock, wallClock: fixedWallClock(0) }, init);
  /** Whether another peer (empty cache) finds the certificate by Node-ID (§6.3.4 omitted certificate) and by user name. */
  const found = async () => {
    const other = storeOf();
    return (await other.byNode(NODE)) !== undefined && (await other.byUser(certificate.userName)) !== undefined;
  };
  return { clock, o, mine: storeOf(), found };
}

/** Lets the Stores and Fetches a timer started run (each answers at once). */
const settle = () => new Promise((r) => setImmediate(r));

describe('Certificate Store Usage: the published certificate outlives its stored lifetime (RFC 6940 §8)', () => {
  it('a re-publish of a certificate already listed stores it again at its index: published every 50 minutes, it is stored at all times for 26 hours', async () => {
    const { clock, o, mine, found } = setup();
    const missingAt: number[] = [];
    for (let min = 0; min <= 26 * 60; min += 5) {
      clock.advance(min * MINUTE - clock.now());
      if (min % 50 === 0) await mine.publish(certificate, NODE);
      if (!(await found())) missingAt.push(min);
    }
    expect(missingAt).toEqual([]);
    // Refreshed in place, never appended again: one entry in each list, at index 0.
    expect(o.indices(KindId.CERTIFICATE_BY_NODE)).toEqual([0]);
    expect(o.indices(KindId.CERTIFICATE_BY_USER)).toEqual([0]);
  });

  it('keepPublished keeps it fetchable at all times for 26 hours of a running peer, with no other call', async () => {
    const { clock, o, mine, found } = setup();
    expect((await mine.keepPublished(certificate, NODE)).sort()).toEqual([KindId.CERTIFICATE_BY_NODE, KindId.CERTIFICATE_BY_USER].sort());
    const missingAt: number[] = [];
    for (let min = 5; min <= 26 * 60; min += 5) {
      clock.advance(5 * MINUTE);
      await settle();
      if (!(await found())) missingAt.push(min);
    }
    expect(missingAt).toEqual([]);
    expect(o.indices(KindId.CERTIFICATE_BY_NODE)).toEqual([0]);
  });

  it('after close, nothing is stored again and the certificate expires with its lifetime', async () => {
    const { clock, o, mine, found } = setup();
    await mine.keepPublished(certificate, NODE);
    clock.advance(20 * HOUR); // one refresh (at 0.8 of 24 h)
    await settle();
    const stores = o.stores;
    expect(stores).toBe(4);
    mine.close();
    for (let h = 0; h < 48; h++) {
      clock.advance(HOUR);
      await settle();
    }
    expect(o.stores).toBe(stores);
    expect(clock.pendingTimers).toBe(0);
    expect(await found()).toBe(false);
  });

  it('a failed refresh is tried again after retryMs, and the certificate stays stored', async () => {
    const { clock, o, mine, found } = setup({ lifetime: 600, retryMs: 30_000 });
    await mine.keepPublished(certificate, NODE);
    o.failing = true;
    clock.advance(480_000); // the refresh at 0.8 of 600 s fails
    await settle();
    o.failing = false;
    clock.advance(30_000); // tried again
    await settle();
    clock.advance(200_000); // past the first lifetime
    expect(await found()).toBe(true);
    mine.close();
  });

  it('a first publish that fails is reported and still tried again while the peer runs', async () => {
    const { clock, o, mine, found } = setup({ retryMs: 30_000 });
    o.failing = true;
    await expect(mine.keepPublished(certificate, NODE)).rejects.toThrow('no answer');
    o.failing = false;
    clock.advance(30_000);
    await settle();
    expect(await found()).toBe(true);
    mine.close();
  });
});
