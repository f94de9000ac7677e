export {
  MemoryNetwork,
  DEFAULT_MEMORY_LINK_MODEL,
  type MemoryEndpoint,
  type MemoryFrame,
  type MemoryLinkModel,
  type MemoryNetworkDeps,
  type MemoryNetworkInit,
  type MemoryNetworkStats,
} from './memory-network.js';
export { createMemoryAppChannels, type MemoryAppChannelsInit } from './memory-app-channels.js';
