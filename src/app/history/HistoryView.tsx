/** Call history (issue 7). Placeholder until its helper lands. */
import type { ViewProps } from '../views.js';
import { Panel } from '../Panel.js';

export function HistoryView(_: ViewProps) {
  return <Panel title="History">{null}</Panel>;
}
