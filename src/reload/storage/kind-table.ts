import { KindId } from '../wire/message-codes.js';
import type { Configuration, Kind } from '../wire/config/overlay-configuration.js';
import { dataModelFromName, type DataModel, type KindModels } from '../wire/storage/data-model.js';

/**
 * One Kind as storage needs it (RFC 6940 §7.4.5 "the definition MUST include ... the data model
 * ... the access control model"; §11.1 max-count, max-size, max-node-multiple).
 */
export interface KindDefinition {
  readonly id: number;
  /** The IANA name, when the configuration named the Kind (`SIP-REGISTRATION`). */
  readonly name?: string;
  readonly dataModel: DataModel;
  /** A §7.3 policy name (`USER-MATCH` …) or an extension's (RFC 7374 `NODE-ID-MATCH`). */
  readonly accessControl: string;
  /** §11.1 max-count: the most values at one Resource-ID for this Kind. */
  readonly maxCount: number;
  /** §11.1 max-size: the largest value, in bytes (of DataValue.value). */
  readonly maxSize: number;
  /** §11.1 max-node-multiple: the largest i for NODE-MULTIPLE. */
  readonly maxNodeMultiple?: number;
}

/** The Kinds a peer stores: those of its overlay configuration. */
export interface KindTable {
  readonly kinds: readonly KindDefinition[];
  get(kindId: number): KindDefinition | undefined;
  /** For decoding Store/Fetch/Stat bodies (rfc6940-readings #13): only these Kinds are known. */
  readonly models: KindModels;
}

/** A Kind definition that breaks a rule of RFC 6940 §7.3 / §11.1. */
export class KindDefinitionError extends Error {
  override readonly name: string = 'KindDefinitionError';
}

/** What the IANA registrations fix for a registered Kind (RFC 6940 §14.6, RFC 7904 §7, RFC 7374 §6). */
interface IanaKind {
  readonly id: number;
  readonly dataModel: DataModel;
  readonly accessControl: string;
  readonly maxNodeMultiple?: number;
}

/**
 * Registered Kinds. RFC 6940 §11.1: for a Kind registered with IANA "the data-model and
 * access-control elements MUST match those in the Kind registration, and clients MUST ignore
 * them in favor of the IANA versions".
 */
export const IANA_KINDS: ReadonlyMap<string, IanaKind> = new Map<string, IanaKind>([
  // RFC 7904 §7: dictionary keyed by the storing peer's Node-ID, USER-NODE-MATCH.
  ['SIP-REGISTRATION', { id: KindId.SIP_REGISTRATION, dataModel: 'dictionary', accessControl: 'USER-NODE-MATCH' }],
  // RFC 6940 §9: single value, NODE-MULTIPLE "with a maximum iteration of counter 20".
  ['TURN-SERVICE', { id: KindId.TURN_SERVICE, dataModel: 'single', accessControl: 'NODE-MULTIPLE', maxNodeMultiple: 20 }],
  // RFC 6940 §8.
  ['CERTIFICATE_BY_NODE', { id: KindId.CERTIFICATE_BY_NODE, dataModel: 'array', accessControl: 'NODE-MATCH' }],
  ['CERTIFICATE_BY_USER', { id: KindId.CERTIFICATE_BY_USER, dataModel: 'array', accessControl: 'USER-MATCH' }],
  // RFC 7374 §6: dictionary keyed by the provider's Node-ID, its own NODE-ID-MATCH policy.
  ['REDIR', { id: KindId.REDIR, dataModel: 'dictionary', accessControl: 'NODE-ID-MATCH' }],
]);

const IANA_BY_ID = new Map([...IANA_KINDS].map(([name, k]) => [k.id, { ...k, name }]));

const CONFIG_MODELS: Readonly<Record<string, DataModel>> = { SINGLE: 'single', ARRAY: 'array', DICTIONARY: 'dictionary' };

/** A KindDefinition from a configuration `<kind>` (§11.1), IANA registrations applied. */
export function kindFromConfiguration(kind: Kind, where = 'kind'): KindDefinition {
  const iana = kind.name !== undefined ? IANA_KINDS.get(kind.name) : IANA_BY_ID.get(kind.id);
  if (kind.name !== undefined && !iana) throw new KindDefinitionError(`${where}: ${kind.name} is not a Kind name registered with IANA`);
  const dataModel = iana?.dataModel ?? CONFIG_MODELS[kind.dataModel] ?? dataModelFromName(kind.dataModel);
  if (!dataModel) throw new KindDefinitionError(`${where}: unknown data model ${kind.dataModel}`);
  const maxNodeMultiple = kind.maxNodeMultiple ?? iana?.maxNodeMultiple;
  const name = kind.name ?? (iana && IANA_BY_ID.get(iana.id)?.name);
  return {
    id: iana?.id ?? (kind.id as number),
    ...(name !== undefined ? { name } : {}),
    dataModel,
    accessControl: iana?.accessControl ?? kind.accessControl,
    maxCount: kind.maxCount,
    maxSize: kind.maxSize,
    ...(maxNodeMultiple !== undefined ? { maxNodeMultiple } : {}),
  };
}

/** Checks the definitions (RFC 6940 §7.3, §11.1) and indexes them by Kind-ID. */
export function createKindTable(definitions: readonly KindDefinition[]): KindTable {
  const byId = new Map<number, KindDefinition>();
  for (const d of definitions) {
    const where = `Kind ${d.name ?? d.id}`;
    if (!Number.isInteger(d.id) || d.id < 1 || d.id > 0xffffffff) throw new KindDefinitionError(`${where}: Kind-ID must be in 1..2^32-1`);
    if (byId.has(d.id)) throw new KindDefinitionError(`${where}: Kind-ID ${d.id} is defined twice`);
    if (!Number.isInteger(d.maxCount) || d.maxCount < 0) throw new KindDefinitionError(`${where}: max-count must be a non-negative integer`);
    if (!Number.isInteger(d.maxSize) || d.maxSize < 0) throw new KindDefinitionError(`${where}: max-size must be a non-negative integer`);
    // §7.3.3: "The USER-NODE-MATCH policy may be used only with dictionary types."
    if (d.accessControl === 'USER-NODE-MATCH' && d.dataModel !== 'dictionary') {
      throw new KindDefinitionError(`${where}: USER-NODE-MATCH may be used only with dictionary Kinds`);
    }
    // §7.3.4 / §11.1: NODE-MULTIPLE needs max-node-multiple, "an integer greater than 0".
    if (d.accessControl === 'NODE-MULTIPLE' && !(Number.isInteger(d.maxNodeMultiple) && (d.maxNodeMultiple as number) > 0)) {
      throw new KindDefinitionError(`${where}: NODE-MULTIPLE needs max-node-multiple > 0`);
    }
    byId.set(d.id, d);
  }
  const kinds = [...byId.values()];
  return {
    kinds,
    get: (kindId) => byId.get(kindId),
    models: (kindId) => byId.get(kindId)?.dataModel,
  };
}

/** The Kind table of a configuration: its required-kinds (§11.1). */
export function kindTableFromConfiguration(configuration: Configuration): KindTable {
  return createKindTable(configuration.requiredKinds.map((block, i) => kindFromConfiguration(block.kind, `required-kinds[${i}]`)));
}
