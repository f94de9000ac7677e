/**
 * The checks a destination node makes on a verified request before its handler runs (RFC 6940
 * §6.3.2.1, §6.3.2.3, §6.3.3), as a pure function: the error to answer with, or undefined.
 */
import { ReloadError } from '../runtime/reload-error.js';
import type { OverlayParameters } from '../forwarding/index.js';
import type { ForwardingHeader } from '../wire/forwarding-header.js';
import { checkForwardingOptions } from '../wire/forwarding-option.js';
import { checkCriticalExtensions, type MessageContents } from '../wire/message-contents.js';
import { checkConfigurationSequence } from './configuration-sequence.js';

const utf8 = (s: string) => new TextEncoder().encode(s);

export function checkRequestAtDestination(
  header: ForwardingHeader,
  contents: MessageContents,
  parameters: OverlayParameters,
  understoodOptions: ReadonlySet<number>,
  understoodExtensions: ReadonlySet<number>,
): ReloadError | undefined {
  // §6.3.2.3: "If the DESTINATION_CRITICAL flag is set, any node that generates a response to the
  // message but does not understand the forwarding option MUST reject the request with an
  // Error_Unsupported_Forwarding_Option error response."
  if (checkForwardingOptions(header.options, understoodOptions, 'destination') !== undefined) {
    return ReloadError.of('Error_Unsupported_Forwarding_Option', 'a DESTINATION_CRITICAL forwarding option this node does not understand');
  }
  // §6.3.2.1: "it MUST check that the configuration_sequence field is equal to its own".
  const seq = checkConfigurationSequence(header.configurationSequence, parameters.configurationSequence, contents.messageCode);
  if (seq !== undefined) {
    return new ReloadError(seq, utf8(`configuration sequence ${header.configurationSequence}, ours is ${parameters.configurationSequence}`));
  }
  // §6.3.3: "If critical = True and the recipient does not understand the [extension], it MUST
  // generate an Error_Unknown_Extension error."
  if (checkCriticalExtensions(contents.extensions, understoodExtensions) !== undefined) {
    return ReloadError.of('Error_Unknown_Extension', 'a critical message extension this node does not understand');
  }
  return undefined;
}
