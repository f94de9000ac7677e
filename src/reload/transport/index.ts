/** reload/transport (RFC 6940 §6.2–6.3): requests, handlers, retransmission, signing. */
export {
  createMessageTransport,
  originatorOf,
  TransportOverloadError,
  type SecurityFailure,
  type MessageTransport,
  type ResponderCheck,
  type TransportDeps,
  type TransportInit,
  type TransportStats,
} from './message-transport.js';
export type { Answer, AnswerNameFor, IncomingRequest, Reply, RequestBody, RequestHandler, RequestName, RequestOptions } from './request-types.js';
export { replyHolding } from './request-types.js';
export { MAX_TRANSMISSIONS, type ClientTransactionState, clientTransactionTransitions } from './client-transaction.js';
export { MAX_REQUEST_LIFETIME_MS } from './answer-cache.js';
export { checkConfigurationSequence, isNewerSequence, ANY_CONFIGURATION_SEQUENCE } from './configuration-sequence.js';
