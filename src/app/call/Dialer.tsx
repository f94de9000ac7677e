/** The dialer (issue 7). Placeholder until its helper lands. */
import type { ViewProps } from '../views.js';

export function Dialer(_: ViewProps) {
  return null;
}
