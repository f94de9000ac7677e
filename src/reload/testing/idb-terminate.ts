/**
 * For tests over fake-indexeddb: the browser closing an IndexedDB connection under its page (its
 * storage cleared in the settings or DevTools, the disk gone), which `idb` tells as `terminated`.
 */
import { forceCloseDatabase } from 'fake-indexeddb';

export interface WatchedConnection {
  /**
   * Closes the connection as the browser does. W3C Indexed Database API 3.0 "close a database
   * connection" with the forced flag: "Set connection's close pending flag to true. If forced is
   * true, then for each transaction created using connection run abort a transaction with
   * transaction and a newly created "AbortError" DOMException. Wait for all transactions created
   * using connection to complete. [...] If forced is true, then fire an event named close at
   * connection." fake-indexeddb's forceCloseDatabase does all but the aborts, so they are done here.
   * The aborts and the close pending flag come at once, the `close` event in a later task.
   */
  terminate(): void;
  /**
   * Runs `action` in the `complete` event of the next transaction made on the connection, before
   * the code awaiting that transaction goes on (its listener comes first): e.g. `terminate` between
   * two transactions of one operation.
   */
  afterNextTransaction(action: () => void): void;
}

/**
 * The next connection `indexedDB.open` makes (the raw IDBDatabase, not idb's wrapper, which its
 * owner keeps to itself), watched for its transactions so that `terminate` can abort those still running.
 */
export function watchNextConnection(): WatchedConnection {
  const factory = indexedDB;
  const open = factory.open.bind(factory);
  let connection: IDBDatabase | undefined;
  const live = new Set<IDBTransaction>();
  let next: (() => void) | undefined;
  factory.open = (name, version) => {
    factory.open = open;
    const request = open(name, version);
    request.addEventListener('success', () => {
      const db = request.result;
      connection = db;
      const transaction = db.transaction.bind(db);
      db.transaction = (...args: Parameters<IDBDatabase['transaction']>) => {
        const tx = transaction(...args);
        live.add(tx);
        for (const end of ['complete', 'abort'] as const) tx.addEventListener(end, () => live.delete(tx));
        const action = next;
        next = undefined;
        if (action) tx.addEventListener('complete', action);
        return tx;
      };
    });
    return request;
  };
  return {
    terminate() {
      if (!connection) throw new Error('no connection was opened');
      const db = connection;
      for (const tx of live) {
        try {
          tx.abort();
        } catch {
          // Committing already: it completes.
        }
      }
      // The close pending flag now; the `close` event a task later, as the browser, which closes
      // from outside the page's script, queues it. (fake-indexeddb's forceCloseDatabase fires it at
      // once when no transaction is live, under the code that called it.)
      db.close();
      setTimeout(() => forceCloseDatabase(db as unknown as Parameters<typeof forceCloseDatabase>[0]), 0);
    },
    afterNextTransaction(action) {
      next = action;
    },
  };
}
