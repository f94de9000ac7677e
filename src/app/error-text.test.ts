import { describe, expect, it } from 'vitest';
import { StorageClosedError, StorageTooNewError } from '../reload/storage/index.js';
import { ReloadError } from '../reload/runtime/reload-error.js';
import { carriesOwnAdvice, describeError } from './error-text.js';

describe('describeError', () => {
  // What the failed join step shows (the overlay's and the phone session's `error`) when this
  // browser's records or key store were written by a newer chordphone (a tab of a newer build).
  it.each([
    ['the records', new StorageTooNewError('the database chordphone-storage/chordphone.local/5f1c', 5, 4)],
    ['the key store', new StorageTooNewError('the database chordphone-identity', 2, 1)],
    ['a database whose version the browser does not list', new StorageTooNewError('the database chordphone-identity', undefined, 1)],
  ])('a StorageTooNewError of %s says what is wrong and what to do in a browser: reload, or clear the data', (_what, e) => {
    const text = describeError(e);
    expect(text.startsWith(e.message)).toBe(true);
    expect(text).toMatch(/a newer Chordphone has been open in this browser/i);
    expect(text).toMatch(/reload the page/i);
    expect(text).toContain('“Clear identity and data” in Settings');
    expect(text).not.toContain('\n');
  });

  // What Contacts, History, Chat or a join show when the tab's IndexedDB connection was closed under
  // it (another tab upgrading the database, the browser clearing the site's data).
  it.each([
    ['the app store', new StorageClosedError("the app's store chordphone-app/chordphone.local/alice is closed")],
    ['the key store', new StorageClosedError('the key store is closed')],
  ])('a StorageClosedError of %s says the data was closed under the tab and to reload, as its own advice', (_what, e) => {
    const text = describeError(e);
    expect(text.startsWith(e.message)).toBe(true);
    expect(text).toMatch(/connection to its data is closed/);
    expect(text).toMatch(/reload the page to open it again\.$/);
    expect(carriesOwnAdvice(e)).toBe(true);
    expect(carriesOwnAdvice(new Error(e.message))).toBe(false);
  });

  it('keeps the other errors as they were: a RELOAD error by its code name, else the message', () => {
    expect(describeError(new Error('the configuration lists no bootstrap WebSocket URL to join through'))).toBe('the configuration lists no bootstrap WebSocket URL to join through');
    expect(describeError('plain')).toBe('plain');
    expect(describeError(new ReloadError(8, new TextEncoder().encode('who?')))).toBe('Error_Data_Too_Large: who?');
    // No error_info: no dangling colon; error_info that is not UTF-8 is not shown as mojibake.
    expect(describeError(new ReloadError(8))).toBe('Error_Data_Too_Large');
    expect(describeError(new ReloadError(8, Uint8Array.of(0xff, 0xfe)))).toBe(new ReloadError(8, Uint8Array.of(0xff, 0xfe)).message);
  });
});
