/** app/presence: contacts' online state from their SIP-REGISTRATION, without a lookup storm. */
export { createPresenceScheduler, type PresenceScheduler, type PresenceDeps, type PresenceInit, type PresenceEntry, type PresenceState, type PresenceClock } from './presence-scheduler.js';
export { registrationLookup } from './registration-lookup.js';
export { sessionPresence, createSessionPresence, usePresence, type SessionPresence, type SessionPresenceDeps } from './session-presence.js';
