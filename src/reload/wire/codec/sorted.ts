/**
 * Binary search over an array sorted ascending by a key: the one search the layers share (piece
 * offsets in reassembly, Resource-IDs of a ring range, Chord's routing table, the memory backend's
 * kinds and slots).
 */
export type SortKey = number | string | bigint;

/** The index of the first item whose key is greater than `target` (items.length when none is). */
export function upperBound<T, K extends SortKey>(items: readonly T[], key: (item: T) => K, target: K): number {
  return firstPast(items, key, target, true);
}

/** The index of the first item whose key is at least `target` (items.length when none is). */
export function lowerBound<T, K extends SortKey>(items: readonly T[], key: (item: T) => K, target: K): number {
  return firstPast(items, key, target, false);
}

/** The item itself, for arrays sorted by their own value. */
export const itself = <K extends SortKey>(k: K): K => k;

function firstPast<T, K extends SortKey>(items: readonly T[], key: (item: T) => K, target: K, equalToo: boolean): number {
  let lo = 0;
  let hi = items.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const k = key(items[mid] as T);
    if (k < target || (equalToo && k === target)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
