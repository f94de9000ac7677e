/** phone: the softphone API the UI uses (a JsSIP UA over the overlay), browser and Node alike. */
export { Phone, type PhoneDeps, type PhoneInit, type PhoneState, type PhoneSnapshot, type ChatMessage } from './phone.js';
export { PhoneCall, type CallState, type CallSnapshot, type AnswerCallOptions } from './phone-call.js';
export { PhoneError, phoneErrorFor, microphoneDenied, type PhoneErrorCode, type SipFailure } from './phone-error.js';
export { parseCallAddress, AddressError, type AddressErrorCode, type CallAddress } from './address.js';
export { aorDomainsOf, type AorDomains } from '../usages/sip/index.js';
export { OverlaySocket, type OverlaySocketDeps, type OverlaySocketInit, type OverlaySocketStats } from './overlay-socket.js';
export { LocalMedia, type MediaLease, type LocalMediaOptions, type GetMedia } from './local-media.js';
