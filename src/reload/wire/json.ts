import { toHex } from './codec/hex.js';

/** A JSON value (what `toJsonValue` produces). */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/**
 * Plain wire data → JSON: opaque bytes and ids as lowercase hex, uint64 as lowercase hex when the
 * field is an id (`transactionId`, `…Id`) and as a decimal string otherwise (JSON numbers lose
 * precision past 2^53).
 */
export function toJsonValue(value: unknown, key = ''): JsonValue {
  if (value === null || value === undefined) return null;
  if (value instanceof Uint8Array) return toHex(value);
  if (typeof value === 'bigint') return /id$/i.test(key) ? value.toString(16).padStart(16, '0') : value.toString();
  if (typeof value === 'number' || typeof value === 'string' || typeof value === 'boolean') return value;
  if (Array.isArray(value)) return value.map((v) => toJsonValue(v, key));
  if (typeof value === 'object') {
    const out: { [key: string]: JsonValue } = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      if (v !== undefined) out[k] = toJsonValue(v, k);
    }
    return out;
  }
  return String(value);
}
