// Node-only parts of the identity layer: key and certificate files, the enrollment name registry.
// Never imported by browser code.
export { FileKeyStore, PRIVATE_KEY_FILE_MODE, type FileKeyStoreInit } from './file-key-store.js';
export { FileNameRegistry } from './file-name-registry.js';
