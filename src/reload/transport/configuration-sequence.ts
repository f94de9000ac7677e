/**
 * RFC 6940 §6.3.2.1 configuration sequence check at a destination node: "When a destination node
 * receives a request, it MUST check that the configuration_sequence field is equal to its own
 * configuration sequence number. If they do not match, the node MUST generate an error, either
 * Error_Config_Too_Old or Error_Config_Too_New." "The one exception to this rule is that if the
 * configuration_sequence field is equal to 65535 and the message type is ConfigUpdate, then the
 * message MUST be accepted regardless of the receiving node's configuration sequence number."
 *
 * OUR READING of "monotonically increasing mod 65535 ... greater than or less than are interpreted
 * by modulo arithmetic as in TCP": sequences run 0..65534 (65535 is the special value), and the
 * request is newer when (theirs − ours) mod 65535 is in 1..32767, older otherwise.
 */
import { ErrorCode, MessageCode } from '../wire/message-codes.js';

/** RFC 6940 §6.3.2.1: the special configuration_sequence accepted with a ConfigUpdate. */
export const ANY_CONFIGURATION_SEQUENCE = 65535;
const MODULUS = 65535;

/** Whether sequence `theirs` is newer than `ours`: (theirs − ours) mod 65535 in 1..32767 (see above). */
export function isNewerSequence(theirs: number, ours: number): boolean {
  const ahead = (((theirs - ours) % MODULUS) + MODULUS) % MODULUS;
  return ahead >= 1 && ahead <= 32767;
}

export type ConfigurationSequenceError = typeof ErrorCode.Error_Config_Too_Old | typeof ErrorCode.Error_Config_Too_New;

/** The error for a request carrying `theirs` at a node whose sequence is `ours`, or undefined if it may proceed. */
export function checkConfigurationSequence(theirs: number, ours: number, messageCode: number): ConfigurationSequenceError | undefined {
  if (theirs === ours) return undefined;
  if (theirs === ANY_CONFIGURATION_SEQUENCE && messageCode === MessageCode.config_update_req) return undefined;
  return isNewerSequence(theirs, ours) ? ErrorCode.Error_Config_Too_New : ErrorCode.Error_Config_Too_Old;
}
