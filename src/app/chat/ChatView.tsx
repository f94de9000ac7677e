/** Chat threads (issue 7). Placeholder until its helper lands. */
import type { ViewProps } from '../views.js';
import { Panel } from '../Panel.js';

export function ChatView(_: ViewProps) {
  return <Panel title="Chat">{null}</Panel>;
}
