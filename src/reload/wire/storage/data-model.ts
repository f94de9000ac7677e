import { DecodeError, EncodeError } from '../codec/decode-error.js';
import type { Reader } from '../codec/reader.js';
import { KindId } from '../message-codes.js';

/**
 * RFC 6940 §7.2 data models (registry §14.7). The data model of a Kind is not carried on the
 * wire: it comes from the Kind's definition (IANA registry or configuration document).
 */
export type DataModel = 'single' | 'array' | 'dictionary';

/** RFC 6940 §14.7 "RELOAD Data Model" registry names, as written in a configuration document. */
export const DataModelName = {
  single: 'SINGLE',
  array: 'ARRAY',
  dictionary: 'DICTIONARY',
} as const satisfies Record<DataModel, string>;

const modelsByName = new Map<string, DataModel>(
  (Object.entries(DataModelName) as [DataModel, string][]).map(([model, name]) => [name, model]),
);

/**
 * The data model a §14.7 registry name stands for (exactly as the §11.1 grammar spells it:
 * `data-model-type |= "SINGLE"` …), or undefined for INVALID, EXP-DATA, RESERVED and anything
 * unregistered (none of which a codec can decode).
 */
export function dataModelFromName(name: string): DataModel | undefined {
  return modelsByName.get(name);
}

/**
 * Resolves a Kind-ID to its data model; undefined when the Kind is unknown. Decoders of
 * kind-dependent structures (StoredData, StoredDataSpecifier, StoredMetaData) take one, since
 * the bytes alone do not say which arm of the `select (DataModel)` follows (rfc6940-readings #13).
 */
export type KindModels = (kindId: number) => DataModel | undefined;

/**
 * Data models of the IANA-registered Kinds we implement:
 * - SIP-REGISTRATION (RFC 7904 §7): dictionary keyed by the storing peer's Node-ID;
 * - TURN-SERVICE (RFC 6940 §9): single value per Resource-ID;
 * - CERTIFICATE_BY_NODE, CERTIFICATE_BY_USER (RFC 6940 §8): array ("stored at the end of the list");
 * - REDIR (RFC 7374 §6): dictionary keyed by the service provider's Node-ID.
 * Kinds defined in the configuration document (§11.1 `<kind>`) are added by the configuration.
 */
export const IANA_KIND_MODELS: ReadonlyMap<number, DataModel> = new Map<number, DataModel>([
  [KindId.SIP_REGISTRATION, 'dictionary'],
  [KindId.TURN_SERVICE, 'single'],
  [KindId.CERTIFICATE_BY_NODE, 'array'],
  [KindId.CERTIFICATE_BY_USER, 'array'],
  [KindId.REDIR, 'dictionary'],
]);

/** A KindModels that knows only the IANA Kinds of IANA_KIND_MODELS. */
export const ianaKindModels: KindModels = (kindId) => IANA_KIND_MODELS.get(kindId);

/**
 * A KindModels from a table (e.g. the configuration document's Kinds); Kinds missing from it are
 * looked up in `fallback` (by default the IANA Kinds).
 */
export function kindModelsFrom(
  table: ReadonlyMap<number, DataModel> | Iterable<readonly [number, DataModel]>,
  fallback: KindModels = ianaKindModels,
): KindModels {
  const map = table instanceof Map ? (table as ReadonlyMap<number, DataModel>) : new Map(table);
  return (kindId) => map.get(kindId) ?? fallback(kindId);
}

/**
 * A Kind whose data model is not known, met while decoding (RFC 6940 §7.4.1.1: "Implementations
 * MUST reject requests corresponding to unknown Kinds"). The transport answers
 * Error_Unknown_Kind with `kindIds` as `unknown_kinds` (§7.4.1.2: the error lists all the Kinds
 * that were unrecognized). `path` and `offset` point at the first unknown `kind` field.
 */
export class UnknownKindError extends DecodeError {
  override readonly name: string = 'UnknownKindError';
  /** The first unknown Kind-ID met. */
  readonly kindId: number;
  /** Every distinct unknown Kind-ID in the structure, in order of appearance (starts with `kindId`). */
  readonly kindIds: readonly number[];

  constructor(
    at: { path: string; structure: string; field: string; offset: number; reason: string },
    kindIds: readonly [number, ...number[]],
  ) {
    super(at);
    this.kindId = kindIds[0];
    this.kindIds = kindIds;
  }
}

function kindHex(kindId: number): string {
  return `0x${kindId.toString(16)}`;
}

/** The DecodeError the reader would raise at `at` for field `kind` (to learn its path). */
function unknownKindSite(r: Reader, kindId: number, at: number): DecodeError {
  try {
    return r.fail('kind', `unknown Kind ${kindHex(kindId)}: its data model is not known`, at);
  } catch (e) {
    if (e instanceof DecodeError) return e;
    throw e;
  }
}

/**
 * The data model of `kindId`, or an UnknownKindError naming the `kind` field read at `at`.
 * Call inside the structure's scope, after reading `kind`.
 */
export function modelOfKind(r: Reader, kinds: KindModels, kindId: number, at: number): DataModel {
  const model = kinds(kindId);
  if (model === undefined) throw new UnknownKindError(unknownKindSite(r, kindId, at), [kindId]);
  return model;
}

/**
 * Collects the unknown Kinds of one message body, so the error can list all of them (RFC 6940
 * §7.4.1.2) rather than only the first. Every kind-dependent part of a body (StoreKindData.values,
 * StoredDataSpecifier's model_specifier, FetchKindResponse.values, StatKindResponse.values) has a
 * length prefix, so the decoder skips it and goes on; `throwIfAny` at the end of the body.
 */
export class UnknownKinds {
  private first: DecodeError | undefined;
  private readonly ids: number[] = [];

  /** The model of `kindId`, or undefined (noted) when it is unknown. */
  model(r: Reader, kinds: KindModels, kindId: number, at: number): DataModel | undefined {
    const model = kinds(kindId);
    if (model !== undefined) return model;
    this.first ??= unknownKindSite(r, kindId, at);
    if (!this.ids.includes(kindId)) this.ids.push(kindId);
    return undefined;
  }

  throwIfAny(): void {
    const [head, ...tail] = this.ids;
    if (this.first && head !== undefined) {
      const reason = this.ids.length > 1 ? `unknown Kinds ${this.ids.map(kindHex).join(', ')}: their data models are not known` : this.first.reason;
      throw new UnknownKindError({ path: this.first.path, structure: this.first.structure, field: this.first.field, offset: this.first.offset, reason }, [head, ...tail]);
    }
  }
}

/** The model of a Kind for an encoder: from `kinds` when given, else from the values themselves. */
export function encoderModel(field: string, kinds: KindModels | undefined, kind: number): DataModel | undefined {
  if (!kinds) return undefined;
  const model = kinds(kind);
  if (model === undefined) throw new EncodeError(field, `unknown Kind 0x${kind.toString(16)}: its data model is not known`);
  return model;
}
