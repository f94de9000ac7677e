/** Settings (issue 7). Placeholder until its helper lands. */
import type { ViewProps } from '../views.js';
import { Panel } from '../Panel.js';

export function SettingsView(_: ViewProps) {
  return <Panel title="Settings">{null}</Panel>;
}
