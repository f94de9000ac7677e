/**
 * Reading a RELOAD capture (the app's "Download capture", the server's --pcap) with tshark's
 * `reload` dissector, for the e2e specs (overlay, settings): the message codes it found and any
 * malformed packet.
 */
import { execFileSync } from 'node:child_process';

export interface CaptureDecode {
  /** RFC 6940 §14.8 message codes seen. */
  readonly codes: Set<number>;
  /** The rows tshark marked malformed. */
  readonly malformed: string[];
  readonly packets: number;
}

export function tsharkDecode(file: string): CaptureDecode {
  const out = execFileSync('tshark', ['-r', file, '-d', 'udp.port==6084,reload-framing', '-T', 'fields', '-E', 'separator=|', '-E', 'occurrence=a', '-E', 'aggregator=,', '-e', '_ws.malformed', '-e', 'reload.message.code'], {
    encoding: 'utf8',
  });
  const rows = out.split('\n').filter((l) => l !== '');
  const codes = new Set<number>();
  const malformed: string[] = [];
  for (const row of rows) {
    const [bad = '', list = ''] = row.split('|');
    if (bad !== '') malformed.push(row);
    for (const c of list.split(',')) if (c !== '') codes.add(Number(c));
  }
  return { codes, malformed, packets: rows.length };
}
