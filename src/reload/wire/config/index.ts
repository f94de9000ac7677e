// RFC 6940 §11.1 overlay configuration document: types, parser, producer, signed text.
export type {
  BootstrapNode,
  Configuration,
  DiagnosticKind,
  DomainRestriction,
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
  CONFIG_SIP_NAMESPACE,
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
export { PosixEreError } from './posix-ere.js';
export { domainPatterns, isSipRegistrationKind, type DomainPattern } from './domain-restriction.js';
export { compileWholeMatch, MAX_PROGRAM_SIZE, type WholeMatcher } from './posix-ere-matcher.js';
export { parseOverlayConfiguration, parseOverlayConfigurationWithSource, type ParsedOverlayConfiguration } from './parse-configuration.js';
export { produceOverlayConfiguration } from './produce-configuration.js';
export { configurationSignatureInput, kindSignatureInput, type ConfigurationSource } from './configuration-signature.js';
export { utcDateTimeMs } from './configuration-values.js';
