/**
 * Reads a capture with Wireshark's `tshark`, RELOAD framing (RFC 6940 §6.6.2) dissected on UDP
 * 6084, and returns per packet whether tshark found it malformed and the message codes it
 * decoded. For tests and checks of simulator captures; needs Debian's tshark package.
 */
import { execFileSync } from 'node:child_process';
import { RELOAD_PCAP_PORT } from './pcap-tap.js';

export interface TsharkReloadRow {
  /** Non-empty when tshark flagged the packet malformed (`_ws.malformed`). */
  readonly malformed: string;
  /** `reload.message.code` values decoded in the packet (decimal strings). */
  readonly codes: readonly string[];
}

export function tsharkReloadFields(file: string): TsharkReloadRow[] {
  let out: string;
  try {
    out = execFileSync(
      'tshark',
      [
        '-r', file,
        '-d', `udp.port==${RELOAD_PCAP_PORT},reload-framing`,
        '-T', 'fields', '-E', 'separator=|', '-E', 'occurrence=a', '-E', 'aggregator=,',
        '-e', '_ws.malformed', '-e', 'reload.message.code',
      ],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 512 * 1024 * 1024 },
    );
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw new Error("tshark is not installed: this check needs Debian's tshark package (.ci/run installs it)");
    throw e;
  }
  return out
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => {
      const [malformed = '', codes = ''] = l.split('|');
      return { malformed, codes: codes === '' ? [] : codes.split(',') };
    });
}
