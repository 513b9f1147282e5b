import type { Kysely } from 'kysely';
import { GENESIS_HASH } from '../audit-log.ts';
import { keyOf, describeKey } from '../envelope.ts';
import { ConflictError } from '../../kernel/errors.ts';
import type { LedgerRecord, LedgerTable, SnapshotCounts, SnapshotLoad, StoreSnapshot } from '../store.ts';
import { LEDGER_TABLES } from '../store.ts';
import { auditPages, checkLimit, toAuditRow } from './audit-rows.ts';
import { loadMeterUsage, meterUsagePage } from './ledger-rows.ts';
import type { Schema } from './schema.ts';

/**
 * The whole store as read through `q`, which the caller makes one consistent snapshot (a read transaction). Pages
 * are keyset-ordered on the primary keys, so each is one index range scan.
 */
export async function snapshotView(q: Kysely<Schema>): Promise<StoreSnapshot> {
  const counter = await q
    .selectFrom('revision_counter')
    .select('revision')
    .where('id', '=', 1)
    .executeTakeFirstOrThrow();
  return {
    revision: Number(counter.revision),
    counts: () => countAll(q),
    async *objects(pageSize: number): AsyncIterable<readonly string[]> {
      const size = checkLimit(pageSize, 'pageSize')!;
      let after: { kind: string; tenant: string; name: string } | undefined;
      for (;;) {
        let s = q.selectFrom('objects').select(['kind', 'tenant', 'name', 'body']);
        if (after !== undefined) {
          const a = after;
          s = s.where((eb) => eb(eb.refTuple('kind', 'tenant', 'name'), '>', eb.tuple(a.kind, a.tenant, a.name)));
        }
        const rows = await s.orderBy('kind').orderBy('tenant').orderBy('name').limit(size).execute();
        if (rows.length === 0) return;
        yield rows.map((r) => r.body);
        if (rows.length < size) return;
        const last = rows[rows.length - 1]!;
        after = { kind: last.kind, tenant: last.tenant, name: last.name };
      }
    },
    audit: (pageSize: number) => auditPages(() => q, pageSize),
    async *ledger(pageSize: number): AsyncIterable<readonly LedgerRecord[]> {
      const size = checkLimit(pageSize, 'pageSize')!;
      for (const table of LEDGER_TABLES) {
        // Ordered on the primary key; offsets are stable inside the snapshot's one read transaction.
        for (let offset = 0; ; offset += size) {
          let rows: Array<Record<string, string | number | null>>;
          // meter_usage is carried in its logical shape (names and text keys), stored compactly (ledger-rows.ts).
          if (table === 'meter_usage') rows = await meterUsagePage(q, size, offset);
          else {
            let s = q.selectFrom(table).selectAll();
            for (const column of LEDGER_KEYS[table]) s = s.orderBy(column as never);
            rows = (await s.limit(size).offset(offset).execute()) as Array<Record<string, string | number | null>>;
          }
          if (rows.length === 0) break;
          // PostgreSQL returns BIGINT as text: every ledger figure is an integer, given back as a number.
          yield rows.map((row) => ({ table, row: numeric(table, row) }));
          if (rows.length < size) break;
        }
      }
    },
  };
}

/** The primary key columns of each ledger table (the order pages are read in; meter_usage has its own). */
const LEDGER_KEYS: Record<Exclude<LedgerTable, 'meter_usage'>, readonly string[]> = {
  meter_capacity: ['period', 'start', 'cluster'],
  meter_state: ['id'],
  cost_lines: ['day', 'cluster', 'tenant', 'app', 'component', 'item'],
  cost_days: ['day', 'cluster'],
  alert_state: ['key'],
  notification_records: ['id'],
  alert_windows: ['tenant', 'window_ms', 'slot'],
  alert_series: ['id'],
  alert_slots: ['tenant', 'window_ms', 'slot'],
};
/** Binary columns of the ledger tables: base64 text in a backup. */
const LEDGER_BYTES: Partial<Record<LedgerTable, string>> = { alert_slots: 'data' };
/** Text columns of the ledger tables; every other column holds an integer (or NULL). */
const LEDGER_TEXT = new Set([
  'period',
  'start',
  'tenant',
  'app',
  'component',
  'cluster',
  'day',
  'vendor',
  'item',
  'key',
  'data',
]);

function numeric(table: LedgerTable, row: Record<string, unknown>): Record<string, string | number | null> {
  const out: Record<string, string | number | null> = {};
  const bytes = LEDGER_BYTES[table];
  for (const [k, v] of Object.entries(row))
    out[k] =
      k === bytes
        ? Buffer.from(v as Uint8Array).toString('base64')
        : LEDGER_TEXT.has(k) || v === null
          ? (v as string | null)
          : Number(v);
  return out;
}

/** A backup's ledger row as the table takes it: base64 text back to bytes (see LEDGER_BYTES). */
function stored(table: LedgerTable, row: Readonly<Record<string, string | number | null>>): Record<string, unknown> {
  const bytes = LEDGER_BYTES[table];
  if (bytes === undefined) return row;
  const v = row[bytes];
  return { ...row, [bytes]: typeof v === 'string' ? new Uint8Array(Buffer.from(v, 'base64')) : v };
}

async function ledgerCount(q: Kysely<Schema>): Promise<number> {
  let n = 0;
  for (const table of LEDGER_TABLES) {
    const r = await q
      .selectFrom(table === 'meter_usage' ? 'meter_rollups' : table)
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirst();
    n += Number(r?.n ?? 0);
  }
  return n;
}

async function countAll(q: Kysely<Schema>): Promise<SnapshotCounts> {
  const byKind = await q
    .selectFrom('objects')
    .select((eb) => ['kind', eb.fn.countAll<number>().as('n')])
    .groupBy('kind')
    .orderBy('kind')
    .execute();
  const head = await q.selectFrom('audit').select(['seq', 'hash']).orderBy('seq', 'desc').limit(1).executeTakeFirst();
  const anchorRow = await q.selectFrom('audit_anchor').select(['seq', 'hash']).where('id', '=', 1).executeTakeFirst();
  const anchor = anchorRow ? { seq: Number(anchorRow.seq), hash: anchorRow.hash } : { seq: 0, hash: GENESIS_HASH };
  const objectsByKind = Object.fromEntries(byKind.map((r) => [r.kind, Number(r.n)]));
  return {
    ledgerRows: await ledgerCount(q),
    objects: byKind.reduce((sum, r) => sum + Number(r.n), 0),
    objectsByKind,
    // seq numbers are dense after the anchor (the chain checks it), so the count is the head's seq past it.
    auditEntries: head ? Number(head.seq) - anchor.seq : 0,
    auditHead: head ? { seq: Number(head.seq), hash: head.hash } : anchor,
    auditAnchor: anchor,
  };
}

/** Rows per INSERT statement: well under SQLite's and PostgreSQL's bound-parameter limits (15 columns × 500). */
const INSERT_ROWS = 500;

/**
 * Store.load inside a write transaction that holds the writer lock: refuses a store that is not empty, inserts
 * objects and audit rows verbatim, sets the counter (history starts at `revision`), then runs `check`.
 */
export async function loadSnapshot(trx: Kysely<Schema>, input: SnapshotLoad): Promise<void> {
  if (!Number.isSafeInteger(input.revision) || input.revision < 0)
    throw new RangeError(`load: revision must be a non-negative integer, got ${input.revision}`);
  const before = await snapshotView(trx);
  const counts = await before.counts();
  if (
    before.revision !== 0 ||
    counts.objects !== 0 ||
    counts.auditEntries !== 0 ||
    counts.auditAnchor.seq !== 0 ||
    counts.ledgerRows !== 0
  ) {
    throw new ConflictError(
      `the store is not empty (${counts.objects} objects, ${counts.auditEntries} audit entries, revision ${before.revision}): a backup is restored only into an empty store`,
      [
        {
          path: 'store',
          code: 'StoreNotEmpty',
          params: { objects: counts.objects, auditEntries: counts.auditEntries, revision: before.revision },
          message: 'restore into a new, empty database (or data folder); nothing was changed',
        },
      ],
    );
  }
  for await (const batch of input.batches) {
    for (let i = 0; i < batch.objects.length; i += INSERT_ROWS) {
      const rows = batch.objects.slice(i, i + INSERT_ROWS).map((obj) => {
        const revision = Number(obj.metadata.resourceVersion);
        if (!Number.isSafeInteger(revision) || revision < 1 || revision > input.revision)
          throw new RangeError(
            `${describeKey(keyOf(obj))}: resourceVersion '${obj.metadata.resourceVersion}' is not a revision from 1 to ${input.revision}`,
          );
        return {
          ...keyOf(obj),
          uid: obj.metadata.uid,
          revision,
          body: JSON.stringify(obj),
          labels: JSON.stringify(obj.metadata.labels ?? {}),
        };
      });
      await trx.insertInto('objects').values(rows).execute();
    }
    for (let i = 0; i < batch.audit.length; i += INSERT_ROWS)
      await trx
        .insertInto('audit')
        .values(batch.audit.slice(i, i + INSERT_ROWS).map(toAuditRow))
        .execute();
    for (const table of LEDGER_TABLES) {
      const rows = (batch.ledger ?? []).filter((r) => r.table === table).map((r) => stored(table, r.row));
      if (table === 'meter_usage') {
        // Its columns are never NULL (the reader lets NULL through for the alert tables' next_retry_at).
        await loadMeterUsage(trx, rows as Array<Readonly<Record<string, string | number>>>);
        continue;
      }
      for (let i = 0; i < rows.length; i += INSERT_ROWS)
        await trx
          .insertInto(table)
          .values(rows.slice(i, i + INSERT_ROWS) as never)
          .execute();
    }
  }
  if (input.auditAnchor && input.auditAnchor.seq !== 0)
    await trx
      .updateTable('audit_anchor')
      .set({ seq: input.auditAnchor.seq, hash: input.auditAnchor.hash })
      .where('id', '=', 1)
      .execute();
  await trx
    .updateTable('revision_counter')
    .set({ revision: input.revision, compacted_through: input.revision })
    .where('id', '=', 1)
    .execute();
  if (input.check) await input.check(await snapshotView(trx));
}
