/** reload/topology (RFC 6940 §6.4): the topology plug-in contract. Implementations live in sub-folders (chord). */
export type {
  TopologyPlugin,
  TopologyResponsibility,
  TopologyStatus,
  TopologyEvent,
  LinkConnector,
  AttachOptions,
  DataTransfer,
  DataMoveReport,
  IdRange,
} from './topology-plugin.js';
