/** Contacts with presence (issue 7). Placeholder until its helper lands. */
import type { ViewProps } from '../views.js';
import { Panel } from '../Panel.js';

export function ContactsView(_: ViewProps) {
  return <Panel title="Contacts">{null}</Panel>;
}
