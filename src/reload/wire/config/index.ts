// RFC 6940 §11.1 overlay configuration document: types, parser, producer, signed text.
export type {
  BootstrapNode,
  Configuration,
  DiagnosticKind,
  ForeignAttribute,
  ForeignElement,
  Kind,
  KindBlock,
  KindParameters,
  OverlayConfiguration,
  SelfSignedPermitted,
  SignatureElement,
} from './overlay-configuration.js';
export {
  AccessControl,
  CHORDPHONE_BOOTSTRAP_WS_NAMESPACE,
  CONFIG_BASE_NAMESPACE,
  CONFIG_CHORD_NAMESPACE,
  CONFIG_DIAGNOSTICS_NAMESPACE,
  ConfigurationDefaults,
  DataModel,
  OVERLAY_CONFIGURATION_MEDIA_TYPE,
  SELF_TUNING_NAMESPACE,
  SUPPORTED_CONFIGURATION_NAMESPACES,
  SelfSignedDigest,
  TopologyPlugin,
  configurationWithDefaults,
  unsupportedMandatoryExtensions,
} from './overlay-configuration.js';
export { ConfigurationError } from './configuration-error.js';
export { parseOverlayConfiguration, parseOverlayConfigurationWithSource, type ParsedOverlayConfiguration } from './parse-configuration.js';
export { produceOverlayConfiguration } from './produce-configuration.js';
export { configurationSignatureInput, kindSignatureInput, type ConfigurationSource } from './configuration-signature.js';
