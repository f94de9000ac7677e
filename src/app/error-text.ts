/**
 * Errors in words for people: the one place the app turns an error into the line a view shows
 * (the overlay's and the phone session's `error`, the app store's, Settings' messages). Apart from
 * the overlay module so that what only needs the words (the app store, Settings) does not depend
 * on it.
 */
import { StorageClosedError } from '../reload/runtime/storage-closed-error.js';
import { StorageTooNewError } from '../reload/runtime/storage-too-new-error.js';
import { GuestSlotsTakenError } from './overlay/device-slot.js';

/**
 * What to do in a browser whose data a newer chordphone wrote (StorageTooNewError of the records,
 * the key store or the app store). A tab of a newer build ran here: reloading gets that build
 * (its "upgrade"), unless an older one is served again; then only clearing the data lets this one run.
 */
const NEWER_DATA_ADVICE =
  'A newer Chordphone has been open in this browser: reload the page to get it (close this site’s other tabs first), or, to use this version, choose “Clear identity and data” in Settings (it deletes this browser’s identity, contacts, history and chat).';

/**
 * What to do in a tab whose data is closed (StorageClosedError: of the app store or the key store,
 * closed under the tab by a tab of a newer build upgrading the database or by the browser clearing
 * this site's data; or of the records, closed as their overlay stopped). The connection does not
 * come back; a reload opens the data again. Says no more of who closed it than the error does.
 */
const CLOSED_DATA_ADVICE = 'This tab’s connection to its data is closed: reload the page to open it again.';

/**
 * One line for people: data of a newer release, or data closed, with what to do; else the message
 * (a RELOAD error's names its code and says its error_info, ReloadError).
 */
export function describeError(e: unknown): string {
  if (e instanceof StorageTooNewError) return `${e.message}. ${NEWER_DATA_ADVICE}`;
  if (e instanceof StorageClosedError) return `${e.message}. ${CLOSED_DATA_ADVICE}`;
  if (e instanceof Error) return e.message;
  return String(e);
}

/**
 * Whether describeError's line for `e` already says what to do, as a whole sentence, so a view adds
 * no advice of its own (Settings' "Reload the page to try again", rejoin.ts): data of a newer
 * release (NEWER_DATA_ADVICE), data closed under the tab (CLOSED_DATA_ADVICE), every guest slot
 * taken (what frees one; a reload would find them taken too).
 */
export function carriesOwnAdvice(e: unknown): boolean {
  return e instanceof StorageTooNewError || e instanceof StorageClosedError || e instanceof GuestSlotsTakenError;
}
