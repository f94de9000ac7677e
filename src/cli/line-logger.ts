/**
 * `--log LEVEL` of `chordphone serve` (and the e2e server): the overlay's log as one line per
 * entry on stderr — the time, the level, which peer of this process wrote it, the message and
 * its fields as JSON — so that a join or a lookup that does not finish can be followed request by
 * request (which method, to which Node-ID or Resource-ID, over which hop, and what came back).
 */
import { logEntryText, type Logger } from '../reload/runtime/components.js';
import { UsageError } from './command.js';

export const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** `--log` values: one of LOG_LEVELS. */
export function parseLogLevel(text: string): LogLevel {
  const level = LOG_LEVELS.find((l) => l === text.trim().toLowerCase());
  if (!level) throw new UsageError(`--log must be one of ${LOG_LEVELS.join(', ')}, not "${text}"`);
  return level;
}

/** Loggers that write `write(line)` for entries at `level` or above, each named after its peer. */
export function lineLoggers(level: LogLevel, write: (line: string) => void, now: () => Date = () => new Date()): (name: string) => Logger {
  const min = LOG_LEVELS.indexOf(level);
  return (name) => {
    const entry = (l: LogLevel) =>
      LOG_LEVELS.indexOf(l) < min
        ? () => {}
        : (message: string, fields?: Record<string, unknown>) => write(`${now().toISOString()} ${l} ${name} ${logEntryText(message, fields)}\n`);
    return { debug: entry('debug'), info: entry('info'), warn: entry('warn'), error: entry('error'), debugEnabled: min === 0 };
  };
}
