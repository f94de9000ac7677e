/**
 * The size of the messages a WebRTC data channel of the overlay carries (RFC 8841 §6
 * `a=max-message-size`), checked against what RELOAD framing (RFC 6940 §6.6.2) and fragmentation
 * (§6.7) need.
 */
import { DATA_FRAME_OVERHEAD } from '../framed-link.js';
import { NODE_DESTINATION_SIZE } from '../../wire/forwarded-message.js';
import { FORWARDING_HEADER_FIXED_SIZE } from '../../wire/forwarding-header.js';
import { MIN_FRAGMENT_BODY, VIA_LIST_GROWTH_ALLOWANCE } from '../../wire/fragmentation.js';
import { IceParametersError, type IceParameters } from './ice-parameters.js';

/**
 * Largest data-channel message we send: 64 KiB, RFC 8841 §6's default when a peer states no
 * `a=max-message-size` (browsers and libdatachannel state 256 KiB).
 */
export const DATA_CHANNEL_MESSAGE_SIZE = 65_536;

/**
 * The smallest max-message-size we accept from the other end. OUR CHOICE (RFC 8841 §6 sets no
 * floor; any stated size above the 8-byte frame header made a link before, so a remote stating 9
 * to a few hundred bytes got a link that could carry no RELOAD message): room for one fragment
 * RFC 6940 §6.7 fragmentation to work on, for a message with the smallest real forwarding header
 * (the fixed part and a destination list of one Node-ID). The link's frame holds the FramedMessage
 * data header (§6.6.2) and a fragment no larger than "the Path MTU (PMTU) of the next overlay link
 * minus 32 bytes" (§6.7, room for the via list to grow); the fragment is that header and a piece
 * of body. Pieces are "equal-sized" and each "MUST contain at least 256 bytes of the message body"
 * (§6.7), and a body just over the room a fragment leaves is cut in two of about half that room:
 * so the room must be 2 × MIN_FRAGMENT_BODY for every body to split. Each piece is then at least
 * MIN_FRAGMENT_BODY, so a message of max-message-size M takes at most ceil(M / MIN_FRAGMENT_BODY)
 * fragments, the Reassembler's default maxFragmentsPerMessage: the far end reassembles it.
 * Headers with longer lists on so small a link fail one by one with Error_Message_Too_Large
 * (forwarding's sendOver), not silently.
 */
export const MIN_DATA_CHANNEL_MESSAGE_SIZE = DATA_FRAME_OVERHEAD + VIA_LIST_GROWTH_ALLOWANCE + FORWARDING_HEADER_FIXED_SIZE + NODE_DESTINATION_SIZE + 2 * MIN_FRAGMENT_BODY;

/**
 * The largest message our channel to `remote` carries: RFC 8841 §6 has a sender keep under the
 * max-message-size the other end states (0: any size; not stated: 64 KiB), so
 * min(DATA_CHANNEL_MESSAGE_SIZE, that). A stated size below MIN_DATA_CHANNEL_MESSAGE_SIZE can make
 * no usable overlay link: IceParametersError, like other received fields that make no usable SDP,
 * checked before anything starts (the overlay answers the Attach with an error).
 */
export function dataChannelMessageSize(remote: IceParameters): number {
  const stated = remote.dtls.maxMessageSize;
  const size = stated === undefined || stated === 0 ? DATA_CHANNEL_MESSAGE_SIZE : Math.min(DATA_CHANNEL_MESSAGE_SIZE, stated);
  if (size < MIN_DATA_CHANNEL_MESSAGE_SIZE) {
    throw new IceParametersError(`a max-message-size of ${size} bytes is below the ${MIN_DATA_CHANNEL_MESSAGE_SIZE} bytes one RELOAD fragment needs (RFC 6940 §6.7)`);
  }
  return size;
}
