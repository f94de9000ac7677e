/** localStorage, or undefined where there is none or touching it throws (sandboxed frames, some privacy modes). */
export function safeLocalStorage(): Storage | undefined {
  try {
    return globalThis.localStorage ?? undefined;
  } catch {
    return undefined;
  }
}
