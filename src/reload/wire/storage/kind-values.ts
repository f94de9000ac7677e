import type { Reader } from '../codec/reader.js';
import type { Writer } from '../codec/writer.js';
import { encoderModel, modelOfKind, UnknownKinds, type DataModel, type KindModels } from './data-model.js';
import { checkModels } from './stored-data.js';

/**
 * The per-Kind block that RFC 6940 §7.4.1.1 StoreKindData, §7.4.2.2 FetchKindResponse and
 * §7.4.3.2 StatKindResponse share, byte for byte:
 *
 *     KindId  kind;
 *     uint64  generation;           (generation_counter in StoreKindData)
 *     V       values<0..2^32-1>;    (each V in the Kind's data model)
 *
 * `T` is the structure's own type and `V` its value type (StoredData or StoredMetaData). Build
 * a layout with `kindValuesLayout` and read and write the block with the functions below.
 */
export interface KindValues<V> {
  readonly kind: number;
  readonly values: readonly V[];
}

export interface KindValuesLayout<T extends KindValues<V>, V> {
  /** The structure's RFC name: the scope of its error paths. */
  readonly structure: string;
  /** The camelCase name of its uint64 field. */
  readonly generationField: string;
  readonly readValue: (r: Reader, model: DataModel) => V;
  readonly writeValue: (w: Writer, v: V) => void;
  /** The data model arm a value is in (checked against the Kind's on encode). */
  readonly modelOf: (v: V) => { readonly model: DataModel };
  readonly make: (kind: number, generation: bigint, values: V[]) => T;
  readonly generationOf: (t: T) => bigint;
  /** EncodeError field names, made once (`Structure.kind`, …). */
  readonly fields: { readonly kind: string; readonly generation: string; readonly values: string };
}

export function kindValuesLayout<T extends KindValues<V>, V>(layout: Omit<KindValuesLayout<T, V>, 'fields'>): KindValuesLayout<T, V> {
  const { structure, generationField } = layout;
  return { ...layout, fields: { kind: `${structure}.kind`, generation: `${structure}.${generationField}`, values: `${structure}.values` } };
}

/** The block, with its Kind resolved by `model` (undefined: unknown, values skipped). */
function readKindValuesBody<T extends KindValues<V>, V>(r: Reader, layout: KindValuesLayout<T, V>, model: (kind: number, at: number) => DataModel | undefined): T | undefined {
  return r.scope(layout.structure, () => {
    const at = r.offset;
    const kind = r.u32('kind');
    const generation = r.u64(layout.generationField);
    const m = model(kind, at);
    if (m === undefined) {
      // RFC 6940 §7.4.1.2: the values' length prefix lets us skip them and list every unknown Kind.
      r.opaque('values', 4);
      return undefined;
    }
    return layout.make(kind, generation, r.vector('values', 4, (s) => layout.readValue(s, m)));
  });
}

/** One block; an unknown Kind raises UnknownKindError. */
export function readKindValues<T extends KindValues<V>, V>(r: Reader, layout: KindValuesLayout<T, V>, kinds: KindModels): T {
  // modelOfKind throws for an unknown Kind, so the body is always read.
  return readKindValuesBody(r, layout, (kind, at) => modelOfKind(r, kinds, kind, at)) ?? r.fail('kind', 'unknown Kind');
}

/**
 * `T field<0..2^32-1>`, the last field of StoreReq, FetchAns and StatAns. Unknown Kinds are all
 * collected, then raised together as one UnknownKindError (§7.4.1.2).
 */
export function readKindValuesList<T extends KindValues<V>, V>(r: Reader, field: string, layout: KindValuesLayout<T, V>, kinds: KindModels): T[] {
  const unknown = new UnknownKinds();
  const list = r
    .vector(field, 4, (s) => readKindValuesBody(s, layout, (kind, at) => unknown.model(s, kinds, kind, at)))
    .filter((v): v is T => v !== undefined);
  unknown.throwIfAny();
  return list;
}

/** Writes one block; with `kinds`, every value must be in the Kind's model. */
export function writeKindValues<T extends KindValues<V>, V>(w: Writer, layout: KindValuesLayout<T, V>, v: T, kinds?: KindModels): void {
  const { fields } = layout;
  checkModels(fields.values, encoderModel(fields.kind, kinds, v.kind), v.values.map(layout.modelOf));
  w.u32(v.kind, fields.kind);
  w.u64(layout.generationOf(v), fields.generation);
  w.prefixed(4, () => v.values.forEach((d) => layout.writeValue(w, d)), fields.values);
}

export function writeKindValuesList<T extends KindValues<V>, V>(w: Writer, field: string, layout: KindValuesLayout<T, V>, list: readonly T[], kinds?: KindModels): void {
  w.prefixed(4, () => list.forEach((k) => writeKindValues(w, layout, k, kinds)), field);
}
