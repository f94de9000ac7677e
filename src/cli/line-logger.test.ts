import { describe, expect, it } from 'vitest';
import { logsDebug, silentLogger } from '../reload/runtime/components.js';
import { UsageError } from './command.js';
import { lineLoggers, parseLogLevel } from './line-logger.js';

describe('--log (line-logger.ts)', () => {
  it('takes the four levels in any case and refuses anything else with a usage error', () => {
    expect(['debug', 'INFO', ' warn ', 'Error'].map(parseLogLevel)).toEqual(['debug', 'info', 'warn', 'error']);
    expect(() => parseLogLevel('verbose')).toThrow(UsageError);
  });

  it('writes one line per entry at or above the level: time, level, peer, message and the fields as JSON (bigints as text)', () => {
    const lines: string[] = [];
    const loggerFor = lineLoggers('info', (l) => lines.push(l), () => new Date('2026-01-02T03:04:05.006Z'));
    const log = loggerFor('peer-3:ab12cd34');
    log.debug('request sent', { method: 'fetch_req' });
    log.info('link dead: no ack', { link: 'dc7', silenceMs: 4001 });
    log.warn('event loop blocked', {});
    log.error('answer', { transactionId: 12345678901234567890n });
    expect(lines).toEqual([
      '2026-01-02T03:04:05.006Z info peer-3:ab12cd34 link dead: no ack {"link":"dc7","silenceMs":4001}\n',
      '2026-01-02T03:04:05.006Z warn peer-3:ab12cd34 event loop blocked\n',
      '2026-01-02T03:04:05.006Z error peer-3:ab12cd34 answer {"transactionId":"12345678901234567890"}\n',
    ]);
  });

  it('says whether debug entries are kept, so per-hop logging is built only then (logsDebug)', () => {
    const write = () => {};
    expect(logsDebug(lineLoggers('debug', write)('p'))).toBe(true);
    expect(['info', 'warn', 'error'].map((l) => logsDebug(lineLoggers(parseLogLevel(l), write)('p')))).toEqual([false, false, false]);
    expect(logsDebug(silentLogger)).toBe(false);
  });
});
