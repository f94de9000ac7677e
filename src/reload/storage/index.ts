// RFC 6940 §7 storage: kinds, data models, access control, StoredData signatures, replication,
// and the backends behind one interface. Browser-safe: the Node-only SQLite backend is in ./node.
export type { StorageBackend, KindState, ResourceQuery, WriteBatch, GenerationUpdate, Usage, UsageScope } from './storage-backend.js';
export { MAX_GENERATION, StorageClosedError, StorageTooNewError } from './storage-backend.js';
export type { StoredRecord, RecordKey, RecordRef } from './stored-record.js';
export { recordKeyOf, storedDataSize } from './stored-record.js';
export type { RingRange } from './ring-range.js';
export { compareIds, inRingRange, ringFrom } from './ring-range.js';
export { createMemoryBackend } from './memory-backend.js';
export { openIdbBackend, idbDatabaseName, type IdbBackendInit } from './idb-backend.js';
export type { KindDefinition, KindTable } from './kind-table.js';
export { createKindTable, kindFromConfiguration, kindTableFromConfiguration, KindDefinitionError, IANA_KINDS } from './kind-table.js';
export type { AccessPolicy, AccessRequest, KindRule, KindRuleRequest } from './access-control.js';
export { BASE_ACCESS_POLICIES, USER_MATCH, NODE_MATCH, USER_NODE_MATCH, NODE_MULTIPLE, nodeMultipleResourceName, kindRuleRefusal } from './access-control.js';
export type { ResourceIdHash } from './resource-id-hash.js';
export type { ResponsibilityOracle } from './responsibility-oracle.js';
export type { StorageLimits } from './storage-limits.js';
export { DEFAULT_STORAGE_LIMITS } from './storage-limits.js';
export { unknownKindError, generationTooLowError } from './storage-errors.js';
export type { DataStore, DataStoreDeps, DataStoreInit, FetchResult, KindSnapshot, StoreContext, StoreResult } from './data-store.js';
export type { HeldCertificate } from './held-certificates.js';
export { closeBackendAfterStores, createDataStore } from './data-store.js';
export type { Replicator, ReplicaPeer, ReplicaSender, ReplicaSource, ReplicatorDeps, ReplicatorInit, ReplicationReport } from './replication.js';
export { createReplicator, remainingLifetime, newReplicas, storeReplica } from './replication.js';
