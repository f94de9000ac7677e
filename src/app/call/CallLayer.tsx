/** Incoming-call screen and in-call controls, shown above every view (issue 7). Placeholder until its helper lands. */
import type { ViewProps } from '../views.js';

export function CallLayer(_: ViewProps) {
  return null;
}
