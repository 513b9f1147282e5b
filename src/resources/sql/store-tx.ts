import type { Kysely, Transaction } from 'kysely';
import { auditHash, GENESIS_HASH, type AuditEntry, type AuditEntryInput } from '../audit-log.ts';
import { describeKey, keyOf, type ObjectKey, type StoredObject } from '../envelope.ts';
import { NotFoundError } from '../../kernel/errors.ts';
import type { StoreTx } from '../store.ts';
import { normalizeAuditInput, toAuditRow } from './audit-rows.ts';
import type { CounterRow, Schema } from './schema.ts';

/**
 * A write transaction that holds the writer lock. The revision counter and the audit head are read once under the
 * lock and advanced in memory (no other writer can move them meanwhile); `flush` writes the counter back before
 * commit. Each revision handed out by `nextRevision` must be used by exactly one put or remove before the callback
 * resolves (else the transaction fails and rolls back), so every committed revision has exactly one event and the
 * current revision is always the newest event's: a change feed waiting for `currentRevision()` never waits for a
 * revision that has no event.
 */
export class SqlStoreTx implements StoreTx {
  readonly #trx: Transaction<Schema>;
  readonly #startRevision: number;
  #revision: number;
  readonly #unused = new Set<number>();
  #auditHead: { seq: number; hash: string } | undefined;
  #open = true;

  constructor(trx: Transaction<Schema>, counter: CounterRow) {
    this.#trx = trx;
    this.#startRevision = counter.revision;
    this.#revision = counter.revision;
  }

  async nextRevision(): Promise<number> {
    this.#checkOpen();
    this.#revision++;
    this.#unused.add(this.#revision);
    return this.#revision;
  }

  async get(key: ObjectKey): Promise<StoredObject | undefined> {
    this.#checkOpen();
    return getObject(this.#trx, key);
  }

  async listAll(kinds: readonly string[], tenant: string): Promise<StoredObject[]> {
    this.#checkOpen();
    if (kinds.length === 0) return [];
    const rows = await this.#trx
      .selectFrom('objects')
      .select('body')
      .where('kind', 'in', [...kinds])
      .where('tenant', '=', tenant)
      .orderBy('kind')
      .orderBy('name')
      .execute();
    return rows.map((r) => JSON.parse(r.body) as StoredObject);
  }

  async put(obj: StoredObject, type: 'ADDED' | 'MODIFIED'): Promise<void> {
    this.#checkOpen();
    const revision = this.#take(obj);
    const key = keyOf(obj);
    const body = JSON.stringify(obj);
    const labels = JSON.stringify(obj.metadata.labels ?? {});
    await this.#trx
      .insertInto('objects')
      .values({ ...key, uid: obj.metadata.uid, revision, body, labels })
      .onConflict((oc) =>
        oc.columns(['kind', 'tenant', 'name']).doUpdateSet({ uid: obj.metadata.uid, revision, body, labels }),
      )
      .execute();
    await this.#trx
      .insertInto('events')
      .values({ revision, type, ...key, body })
      .execute();
  }

  async remove(last: StoredObject): Promise<void> {
    this.#checkOpen();
    const revision = this.#take(last);
    const key = keyOf(last);
    const result = await this.#trx
      .deleteFrom('objects')
      .where('kind', '=', key.kind)
      .where('tenant', '=', key.tenant)
      .where('name', '=', key.name)
      .executeTakeFirst();
    if (Number(result.numDeletedRows) === 0) throw new NotFoundError(`${describeKey(key)} does not exist`);
    await this.#trx
      .insertInto('events')
      .values({ revision, type: 'DELETED', ...key, body: JSON.stringify(last) })
      .execute();
  }

  async appendAudit(input: AuditEntryInput): Promise<AuditEntry> {
    this.#checkOpen();
    const head = this.#auditHead ?? (await this.#readAuditHead());
    const fields = normalizeAuditInput(input);
    const seq = head.seq + 1;
    const entry: AuditEntry = { seq, ...fields, prevHash: head.hash, hash: auditHash(head.hash, seq, fields) };
    await this.#trx.insertInto('audit').values(toAuditRow(entry)).execute();
    this.#auditHead = { seq, hash: entry.hash };
    return entry;
  }

  /** Writes the advanced counter; call once, after `fn` resolved and before commit. Ends the transaction's use. */
  async flush(): Promise<void> {
    this.#checkOpen();
    this.#open = false;
    if (this.#unused.size > 0) {
      throw new Error(
        `revision ${[...this.#unused].join(', ')} was taken from nextRevision but not used by a put or remove; take a revision only for a write`,
      );
    }
    if (this.#revision !== this.#startRevision) {
      await this.#trx.updateTable('revision_counter').set({ revision: this.#revision }).where('id', '=', 1).execute();
    }
  }

  /** Marks the transaction over (after commit or rollback), so a leaked StoreTx fails loudly. */
  close(): void {
    this.#open = false;
  }

  async #readAuditHead(): Promise<{ seq: number; hash: string }> {
    const row = await this.#trx
      .selectFrom('audit')
      .select(['seq', 'hash'])
      .orderBy('seq', 'desc')
      .limit(1)
      .executeTakeFirst();
    if (row) return { seq: Number(row.seq), hash: row.hash };
    // Every live entry was archived and pruned: the chain continues from the anchor.
    const anchor = await this.#trx
      .selectFrom('audit_anchor')
      .select(['seq', 'hash'])
      .where('id', '=', 1)
      .executeTakeFirst();
    return anchor ? { seq: Number(anchor.seq), hash: anchor.hash } : { seq: 0, hash: GENESIS_HASH };
  }

  #take(obj: StoredObject): number {
    const text = obj.metadata.resourceVersion;
    const revision = Number(text);
    if (!this.#unused.has(revision) || String(revision) !== text) {
      throw new Error(
        `${describeKey(keyOf(obj))}: metadata.resourceVersion '${text}' is not an unused revision of this transaction (take one from nextRevision)`,
      );
    }
    this.#unused.delete(revision);
    return revision;
  }

  #checkOpen(): void {
    if (!this.#open) throw new Error('this store transaction has ended; use the StoreTx only inside its callback');
  }
}

/** The object at `key`, freshly parsed. */
export async function getObject(db: Kysely<Schema>, key: ObjectKey): Promise<StoredObject | undefined> {
  const row = await db
    .selectFrom('objects')
    .select('body')
    .where('kind', '=', key.kind)
    .where('tenant', '=', key.tenant)
    .where('name', '=', key.name)
    .executeTakeFirst();
  return row ? (JSON.parse(row.body) as StoredObject) : undefined;
}
