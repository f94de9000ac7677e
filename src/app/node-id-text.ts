/** A Node-ID in the app's text and tables: its first 8 hex digits (the full one goes in `title` / `data-*`). */
export function shortNodeId(nodeId: string): string {
  return nodeId.length > 8 ? `${nodeId.slice(0, 8)}…` : nodeId;
}
