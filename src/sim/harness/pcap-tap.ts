/**
 * Captures the link traffic of a sample of simulated peers as a pcap file that Wireshark's
 * `reload-framing` dissector reads: each frame on the memory network (one FramedMessage, RFC 6940
 * §6.6.2) becomes one UDP datagram on port 6084 (the dissector's default port) between IPv4
 * addresses: the peer's own when its memory-network address is `a.b.c.d:port` (as the Chord
 * simulator's are, matching what its Attaches carry), else a synthetic one per address
 * (172.16.0.0/12, numbered in order of first appearance); timestamped at a fixed epoch plus
 * virtual time.
 *
 * The capture point is each sampled peer's interface: frames it sends are recorded even when the
 * network then loses them; frames sent to it only when they arrive (they are recorded at send time,
 * the receiver's time being send time + latency would reorder nothing that matters here).
 */
import type { MemoryFrame } from '../../reload/links/memory/index.js';
import { PcapWriter } from '../../reload/wire/pcap/index.js';

/** Port 6084 (RFC 6940 §14.2, TCP reload-config): where Wireshark's reload-framing dissector looks by default. */
export const RELOAD_PCAP_PORT = 6084;

/** Virtual time 0 in the capture: 2026-01-01T00:00:00Z. */
export const PCAP_EPOCH_MS = Date.UTC(2026, 0, 1);

const IPV4_WITH_PORT = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3}):\d+$/;

/** Largest UDP payload in an IPv4 datagram; larger frames are counted and left out. */
const MAX_UDP_PAYLOAD = 65_507;

export interface PcapTapInit {
  /** Addresses of the peers whose traffic is captured. */
  readonly addresses: Iterable<string>;
  /** Stop recording after this many packets (memory bound); default 200 000. */
  readonly maxPackets?: number;
}

export interface PcapTapStats {
  readonly packets: number;
  /** Frames left out: over the packet limit or too large for one UDP datagram. */
  readonly skipped: number;
}

export class PcapTap {
  private readonly writer = new PcapWriter();
  private readonly sample: Set<string>;
  private readonly ips = new Map<string, string>();
  private readonly maxPackets: number;
  private readonly untap: () => void;
  private skipped = 0;
  private synthetic = 0;

  constructor(network: { tap(fn: (frame: MemoryFrame) => void): () => void }, init: PcapTapInit) {
    this.sample = new Set(init.addresses);
    this.maxPackets = init.maxPackets ?? 200_000;
    this.untap = network.tap((f) => this.onFrame(f));
  }

  /** Add a peer to the sample (e.g. one that joined later). */
  addAddress(address: string): void {
    this.sample.add(address);
  }

  /** The IPv4 address a peer address is shown with. */
  ipOf(address: string): string {
    let ip = this.ips.get(address);
    if (!ip) {
      const own = IPV4_WITH_PORT.exec(address);
      if (own && own.slice(1, 5).every((o) => Number(o) <= 255)) ip = `${own[1]}.${own[2]}.${own[3]}.${own[4]}`;
      else {
        const n = ++this.synthetic;
        if (n >= 1 << 20) throw new RangeError('more than 2^20 synthetic addresses in one capture');
        ip = `172.${16 + ((n >>> 16) & 0x0f)}.${(n >>> 8) & 0xff}.${n & 0xff}`;
      }
      this.ips.set(address, ip);
    }
    return ip;
  }

  private onFrame(f: MemoryFrame): void {
    const fromSample = this.sample.has(f.from);
    const toSample = !f.dropped && this.sample.has(f.to);
    if (!fromSample && !toSample) return;
    if (this.writer.recordCount >= this.maxPackets || f.bytes.length > MAX_UDP_PAYLOAD) {
      this.skipped++;
      return;
    }
    this.writer.addUdp({
      timestampMs: PCAP_EPOCH_MS + f.at,
      src: { ip: this.ipOf(f.from), port: RELOAD_PCAP_PORT },
      dst: { ip: this.ipOf(f.to), port: RELOAD_PCAP_PORT },
      payload: f.bytes,
    });
  }

  stats(): PcapTapStats {
    return { packets: this.writer.recordCount, skipped: this.skipped };
  }

  /** Stop capturing; the file so far stays available through `toBytes`. */
  close(): void {
    this.untap();
  }

  /** The pcap file. */
  toBytes(): Uint8Array {
    return this.writer.toBytes();
  }

  /** The pcap file as consecutive parts, without a copy (PcapWriter.parts). */
  parts(): Uint8Array[] {
    return this.writer.parts();
  }
}
