/**
 * The values a DataStore holds when it is created, judged by the KindRules it is created with.
 *
 * RFC 7904 §3.3's check ("Before a Store is permitted, the Storing Peer MUST check that: The AOR
 * of the request is a valid Resource Name with respect to the namespaces defined in the overlay
 * configuration document") made on the values already held: a new configuration (RFC 6940 §6.5.4
 * ConfigUpdate; the peer starts again with it and the same backend, configuration-update.ts) may
 * bring a rule, such as a §3.4 domain-restriction, that values stored under the old one fail.
 * OUR CHOICE (neither RFC says what becomes of data held when the configuration changes): they are
 * deleted, so they are neither served nor replicated (a replica Store would leave them out anyway,
 * DataStore ruleRefused); a Store of them now would be refused, and so will their storers'
 * refreshes be. Their locations keep their generation counters, as those of expired values do. A
 * rule judges the signer the value was accepted from (StoredRecord.storerUser, storerNode,
 * KindRuleRequest); the signature is not verified again.
 *
 * A backend failure stops no more than it must: a Kind at a Resource-ID whose values could not be
 * read or deleted is left unjudged and the pass goes on; the DataStore judges it again before it
 * serves that Kind there, and serves the other Kinds there meanwhile. A pass that could not list
 * the Resource-IDs judged none, and runs again (DataStore).
 *
 * OUR CHOICE: the pass runs at every start, over the values of the ruled Kinds only (SIP-REGISTRATION
 * for RFC 7904), not only when the rules changed: a KindRule is code (`check`), with nothing to
 * compare with the rules the values were stored under, short of a version each usage would have
 * to keep and the backends to store (RFC 7904's rule closes over the configuration's domains; its
 * name does not change with them). Even then a recorded digest would miss values another writer
 * stored under other rules (the peer before a same-name rejoin in one tab, its connection to the
 * same database still open under an older configuration while it closes:
 * StorageBackend.exclusively) and a release that changed a check's code. The cost: one
 * read of each ruled value per start (none when the configuration has no rule).
 */
import type { Logger } from '../runtime/components.js';
import type { ResourceId } from '../wire/ids.js';
import { kindRuleRefusal, type KindRule } from './access-control.js';
import type { KindDefinition, KindTable } from './kind-table.js';
import { hexKey } from './ring-range.js';
import type { StorageBackend } from './storage-backend.js';
import { recordKeyOf, type RecordRef } from './stored-record.js';

export class KindRulePass {
  /** The Kinds some rule judges, that the configuration has. */
  private readonly ruledKinds: readonly KindDefinition[];
  /** The Kinds at each Resource-ID (by hexKey) the last pass could not judge, until they are. */
  private readonly unjudged = new Map<string, Set<number>>();

  constructor(
    private readonly deps: { readonly backend: StorageBackend; readonly logger: Logger },
    kinds: KindTable,
    private readonly rules: readonly KindRule[],
  ) {
    this.ruledKinds = [...new Set(rules.map((r) => r.kind))].flatMap((k) => kinds.get(k) ?? []);
  }

  /**
   * Judges the values of each ruled Kind at every Resource-ID holding one, deleting those refused.
   * Rejects only when it could not list them: then it judged none.
   */
  async run(): Promise<void> {
    const held: { readonly kind: KindDefinition; readonly ids: readonly ResourceId[] }[] = [];
    for (const kind of this.ruledKinds) held.push({ kind, ids: await this.deps.backend.resources({ kind: kind.id }) });
    let dropped = 0;
    for (const { kind, ids } of held) {
      for (const id of ids) {
        try {
          dropped += await this.judge(id, kind);
        } catch (e) {
          this.markUnjudged(id, kind.id);
          this.deps.logger.warn('the held values of a Kind at a Resource-ID could not be judged by the KindRules; they will be before they are served', { resource: hexKey(id), kind: kind.id, error: String(e) });
        }
      }
    }
    if (dropped > 0) this.deps.logger.info('dropped the held values the KindRules refuse', { dropped });
  }

  /** Whether the last pass left any values unjudged, anywhere. */
  get leftUnjudged(): boolean {
    return this.unjudged.size > 0;
  }

  /** Whether the last pass could not judge the values of any of `kinds` (every Kind if undefined) at `resourceId`. */
  isUnjudged(resourceId: ResourceId, kinds?: readonly number[]): boolean {
    return this.unjudgedKinds(resourceId, kinds).length > 0;
  }

  /** Judges again the values of `kinds` (every Kind if undefined) at `resourceId` the last pass could not; rejects if it still cannot. */
  async judgeAgain(resourceId: ResourceId, kinds?: readonly number[]): Promise<void> {
    for (const kind of this.unjudgedKinds(resourceId, kinds)) await this.judge(resourceId, kind);
  }

  private unjudgedKinds(resourceId: ResourceId, kinds: readonly number[] | undefined): KindDefinition[] {
    const entry = this.unjudged.get(hexKey(resourceId));
    return entry ? this.ruledKinds.filter((k) => entry.has(k.id) && (kinds === undefined || kinds.includes(k.id))) : [];
  }

  private markUnjudged(resourceId: ResourceId, kind: number): void {
    const key = hexKey(resourceId);
    const kinds = this.unjudged.get(key) ?? new Set<number>();
    kinds.add(kind);
    this.unjudged.set(key, kinds);
  }

  /** Deletes the values of the ruled `kind` at `resourceId` the rules refuse; resolves with how many went. */
  private async judge(resourceId: ResourceId, kind: KindDefinition): Promise<number> {
    const deletes: RecordRef[] = [];
    for (const r of (await this.deps.backend.kindState(resourceId, kind.id)).records) {
      const refusal = kindRuleRefusal(this.rules, { resourceId, kind, value: r.data.value, signer: { userName: r.storerUser, nodeId: r.storerNode } });
      if (refusal === undefined) continue;
      deletes.push({ resourceId, kind: kind.id, key: recordKeyOf(r.data.value) });
      this.deps.logger.info('a held value the KindRules now refuse is dropped', { resource: hexKey(resourceId), refusal });
    }
    if (deletes.length > 0) await this.deps.backend.write({ deletes });
    const key = hexKey(resourceId);
    const kinds = this.unjudged.get(key);
    kinds?.delete(kind.id);
    if (kinds?.size === 0) this.unjudged.delete(key);
    return deletes.length;
  }
}
