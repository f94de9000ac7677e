/** app/store: the app's own data in IndexedDB (contacts, call history, chat threads). */
export {
  openAppStore,
  appStoreName,
  AppStoreError,
  DEFAULT_APP_STORE_LIMITS,
  MAX_AOR,
  MAX_RECORD_ID,
  type AppStore,
  type AppStoreErrorCode,
  type AppStoreLimits,
  type OpenAppStoreOptions,
  type ContactsApi,
  type HistoryApi,
  type ChatApi,
  type ThreadSummary,
  type Contact,
  type CallRecord,
  type CallDirection,
  type CallOutcome,
  type ChatRecord,
  type ChatDirection,
  type ChatStatus,
} from './app-store.js';
export { appStoreHub, createAppStoreHub, type AppStoreHub, type AppStoreHubDeps, type AppStoreView } from './app-store-hub.js';
export { useAppStore, useStoreQuery, useMissedCallCount, useUnreadMessageCount, type StoreQuery } from './use-app-store.js';
