import { createMemoryBackend } from './memory-backend.js';
import { describeStorageBackendContract } from './storage-backend.contract.js';

describeStorageBackendContract('memory', async () => createMemoryBackend());
