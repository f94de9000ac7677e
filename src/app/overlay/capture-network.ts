/**
 * Captures a peer's RELOAD traffic as a pcap file (issue 5 "Captures": `--pcap` on serve and
 * peer, "Download capture" in the browser) by wrapping its PeerNetwork: every link the peer opens
 * or accepts is wrapped, and every RELOAD message sent or received on it is written as one
 * FramedMessage data frame (RFC 6940 §6.6.2, sequence numbered per link and direction) in a UDP
 * datagram on port 6084, where Wireshark's `reload-framing` dissector looks (the simulator's
 * PcapTap does the writing, src/sim/harness/pcap-tap.ts).
 *
 * What is captured is the RELOAD layer as the link carries it; the link's own acks and probes
 * and the WebSocket / SCTP-DTLS-ICE underneath are not (browsers give scripts no access to them).
 * A peer's own address shows as itself when it is an IPv4 `a.b.c.d:port`, and every other
 * endpoint as a synthetic 172.16.0.0/12 address (PcapTap.ipOf).
 */
import type { MemoryFrame } from '../../reload/links/memory/index.js';
import type { PeerNetwork } from '../../reload/overlay/overlay-types.js';
import { encodeFramedMessage } from '../../reload/wire/framing.js';
import { PCAP_EPOCH_MS, PcapTap } from '../../sim/harness/pcap-tap.js';
import { proxyLink, wrapNetworkLinks } from './wrap-network-links.js';

export interface CaptureNetworkInit {
  /** Stop recording after this many packets; default 200 000. */
  readonly maxPackets?: number;
  /** Epoch ms now (default Date.now). */
  readonly now?: () => number;
}

/** A pcap recording of the RELOAD traffic of one or more peers' networks. */
export interface TrafficCapture {
  /** `inner`, recording every message its links carry (its other members are kept). */
  wrap<N extends PeerNetwork>(inner: N): N;
  /** The pcap file so far. */
  toBytes(): Uint8Array;
  /** The pcap file so far as consecutive parts, without a copy; bytes handed out never change (PcapWriter.parts). */
  parts(): Uint8Array[];
  /** Packets recorded so far. */
  packets(): number;
  /** Stop recording (the bytes so far stay available). */
  stop(): void;
}

/**
 * A capture. Each wrapped network is a capture point (like capturing on every interface): a
 * message between two wrapped peers of one process is recorded twice, as sent and as received.
 */
export function createTrafficCapture(init: CaptureNetworkInit = {}): TrafficCapture {
  const now = init.now ?? (() => Date.now());
  const listeners = new Set<(frame: MemoryFrame) => void>();
  const tap = new PcapTap({ tap: (fn) => (listeners.add(fn), () => listeners.delete(fn)) }, { addresses: [], ...(init.maxPackets ? { maxPackets: init.maxPackets } : {}) });
  let stopped = false;
  const record = (from: string, to: string, sequence: number, message: Uint8Array) => {
    if (stopped) return;
    const frame: MemoryFrame = { at: now() - PCAP_EPOCH_MS, from, to, bytes: encodeFramedMessage({ kind: 'data', sequence, message }), dropped: false };
    for (const l of listeners) l(frame);
  };
  const wrapNetwork = <N extends PeerNetwork>(inner: N): N => {
    tap.addAddress(inner.address);
    return wrapNetworkLinks(inner, (link) => {
      let sent = 0;
      let received = 0;
      const remote = link.remoteAddress;
      link.onMessage((m) => record(remote, inner.address, received++ >>> 0, m));
      return proxyLink(link, {
        send(message) {
          const ok = link.send(message);
          if (ok) record(inner.address, remote, sent++ >>> 0, message);
          return ok;
        },
      });
    });
  };
  return {
    wrap: wrapNetwork,
    toBytes: () => tap.toBytes(),
    parts: () => tap.parts(),
    packets: () => tap.stats().packets,
    stop() {
      stopped = true;
      tap.close();
    },
  };
}
