import { sql, type Kysely, type Transaction } from 'kysely';
import type { Fence } from '../../kernel/leader-lease.ts';
import type { AlertRow, AlertStateStore, NotificationRow, WindowRow, WindowSlotRow } from '../alert-state.ts';
import { checkFence } from './lease-rows.ts';
import type { Schema, SqlDialectHooks } from './schema.ts';

/** Rows per INSERT statement: well below SQLite's and PostgreSQL's bound-variable limits. */
const BATCH = 500;
/** Bytes of slot rows per INSERT statement (a row is a department's series in one slot: up to tens of KB). */
const SLOT_BYTES = 1 << 20;

/**
 * AlertStateStore over the SQL store's connection, outside the group commit (these rows advance no revision).
 * Every write is one transaction (`saveAlerts`: a reader never sees half an evaluation), and with `fence` it first
 * checks the term inside it, as a controller's object write does (lease-rows.ts checkFence, `fenceLock`).
 */
export function alertRows(
  db: Kysely<Schema>,
  hooks: Pick<SqlDialectHooks, 'nowMs' | 'fenceLock'>,
  fence?: () => Fence,
): AlertStateStore {
  const write = <T>(fn: (trx: Transaction<Schema>) => Promise<T>): Promise<T> =>
    db.transaction().execute(async (trx) => {
      if (fence) await checkFence(trx, hooks.nowMs, hooks.fenceLock, fence());
      return fn(trx);
    });
  const notification = (r: {
    id: number | string;
    tenant: string;
    at: number | string;
    next_retry_at: number | string | null;
    data: string;
  }): NotificationRow => ({
    id: Number(r.id),
    tenant: r.tenant,
    at: Number(r.at),
    nextRetryAt: r.next_retry_at === null ? null : Number(r.next_retry_at),
    data: r.data,
  });
  return {
    async loadAlerts(filter = {}) {
      let q = db.selectFrom('alert_state').selectAll();
      if (filter.tenants !== undefined) {
        if (filter.tenants.length === 0) return [];
        q = q.where('tenant', 'in', [...filter.tenants]);
      }
      const rows = await q.orderBy('key').execute();
      return rows.map((r): AlertRow => ({
        key: r.key,
        tenant: r.tenant,
        data: r.data,
        updatedAt: Number(r.updated_at),
      }));
    },

    async saveAlerts(put) {
      await write(async (trx) => {
        const keep = new Set(put.map((r) => r.key));
        const had = await trx.selectFrom('alert_state').select('key').execute();
        const gone = had.map((r) => r.key).filter((k) => !keep.has(k));
        for (let i = 0; i < gone.length; i += BATCH)
          await trx
            .deleteFrom('alert_state')
            .where('key', 'in', gone.slice(i, i + BATCH))
            .execute();
        for (let i = 0; i < put.length; i += BATCH) {
          const batch = put
            .slice(i, i + BATCH)
            .map((r) => ({ key: r.key, tenant: r.tenant, data: r.data, updated_at: r.updatedAt }));
          await trx
            .insertInto('alert_state')
            .values(batch)
            .onConflict((oc) =>
              oc.column('key').doUpdateSet({
                tenant: sql`excluded.tenant`,
                data: sql`excluded.data`,
                updated_at: sql`excluded.updated_at`,
              }),
            )
            .execute();
        }
      });
    },

    async loadWindows() {
      const series = await db.selectFrom('alert_series').select(['id', 'tenant', 'key']).orderBy('id').execute();
      const slots = await db
        .selectFrom('alert_slots')
        .selectAll()
        .orderBy('tenant')
        .orderBy('window_ms')
        .orderBy('slot')
        .execute();
      const legacy = await db
        .selectFrom('alert_windows')
        .selectAll()
        .orderBy('tenant')
        .orderBy('window_ms')
        .orderBy('slot')
        .execute();
      return {
        series: series.map((r) => ({ id: Number(r.id), tenant: r.tenant, key: r.key })),
        slots: slots.map((r): WindowSlotRow => ({
          tenant: r.tenant,
          windowMs: Number(r.window_ms),
          slot: Number(r.slot),
          data: r.data,
          updatedAt: Number(r.updated_at),
        })),
        legacy: legacy.map((r): WindowRow => ({
          tenant: r.tenant,
          windowMs: Number(r.window_ms),
          slot: Number(r.slot),
          data: r.data,
          updatedAt: Number(r.updated_at),
        })),
      };
    },

    async windowSeriesIds(series) {
      if (series.length === 0) return [];
      const ids = new Map<string, number>();
      await write(async (trx) => {
        for (let i = 0; i < series.length; i += BATCH) {
          const keys = series.slice(i, i + BATCH).map((s) => s.key);
          const rows = await trx.selectFrom('alert_series').select(['id', 'key']).where('key', 'in', keys).execute();
          for (const r of rows) ids.set(r.key, Number(r.id));
        }
        const missing = [...new Map(series.filter((s) => !ids.has(s.key)).map((s) => [s.key, s])).values()];
        if (missing.length === 0) return;
        const top = await trx
          .selectFrom('alert_series')
          .select((eb) => eb.fn.max('id').as('max'))
          .executeTakeFirst();
        let next = Number(top?.max ?? 0) + 1;
        for (let i = 0; i < missing.length; i += BATCH) {
          const batch = missing.slice(i, i + BATCH).map((s) => ({ id: next++, tenant: s.tenant, key: s.key }));
          await trx.insertInto('alert_series').values(batch).execute();
          for (const r of batch) ids.set(r.key, r.id);
        }
      });
      return series.map((s) => ids.get(s.key)!);
    },

    async saveWindows(c) {
      await write(async (trx) => {
        await trx.deleteFrom('alert_slots').where('updated_at', '<', c.pruneBefore).execute();
        await trx.deleteFrom('alert_windows').where('updated_at', '<', c.pruneBefore).execute();
        for (let i = 0; i < c.dropSeries.length; i += BATCH)
          await trx
            .deleteFrom('alert_series')
            .where('id', 'in', c.dropSeries.slice(i, i + BATCH))
            .execute();
        for (const r of c.replaced)
          await trx.deleteFrom('alert_slots').where('window_ms', '=', r.windowMs).where('slot', '=', r.slot).execute();
        // A statement per megabyte of rows or BATCH rows, whichever comes first.
        for (let i = 0; i < c.put.length;) {
          let bytes = 0;
          let j = i;
          while (j < c.put.length && j - i < BATCH && (j === i || bytes + c.put[j]!.data.length <= SLOT_BYTES))
            bytes += c.put[j++]!.data.length;
          await trx
            .insertInto('alert_slots')
            .values(
              c.put.slice(i, j).map((r) => ({
                tenant: r.tenant,
                window_ms: r.windowMs,
                slot: r.slot,
                data: r.data,
                updated_at: r.updatedAt,
              })),
            )
            .onConflict((oc) =>
              oc
                .columns(['tenant', 'window_ms', 'slot'])
                .doUpdateSet({ data: sql`excluded.data`, updated_at: sql`excluded.updated_at` }),
            )
            .execute();
          i = j;
        }
      });
    },

    fenced(next) {
      return alertRows(db, hooks, next);
    },

    async putNotification(row) {
      await write((trx) =>
        trx
          .insertInto('notification_records')
          .values({ id: row.id, tenant: row.tenant, at: row.at, next_retry_at: row.nextRetryAt, data: row.data })
          .onConflict((oc) =>
            oc.column('id').doUpdateSet({
              tenant: sql`excluded.tenant`,
              at: sql`excluded.at`,
              next_retry_at: sql`excluded.next_retry_at`,
              data: sql`excluded.data`,
            }),
          )
          .execute(),
      );
    },

    async listNotifications(filter = {}) {
      let q = db.selectFrom('notification_records').selectAll();
      if (filter.tenants !== undefined) {
        if (filter.tenants.length === 0) return [];
        q = q.where('tenant', 'in', [...filter.tenants]);
      }
      if (filter.pending) q = q.where('next_retry_at', 'is not', null);
      return (await q.orderBy('id').execute()).map(notification);
    },

    async lastNotificationId() {
      const r = await db
        .selectFrom('notification_records')
        .select((eb) => eb.fn.max('id').as('max'))
        .executeTakeFirst();
      return Number(r?.max ?? 0);
    },

    pruneNotifications(beforeMs, keep) {
      return write(async (trx) => {
        const old = await trx
          .deleteFrom('notification_records')
          .where('next_retry_at', 'is', null)
          .where('at', '<', beforeMs)
          .executeTakeFirst();
        let removed = Number(old.numDeletedRows ?? 0);
        const settled = await trx
          .selectFrom('notification_records')
          .select('id')
          .where('next_retry_at', 'is', null)
          .orderBy('id', 'desc')
          .offset(keep)
          .limit(1)
          .executeTakeFirst();
        if (settled) {
          const r = await trx
            .deleteFrom('notification_records')
            .where('next_retry_at', 'is', null)
            .where('id', '<=', Number(settled.id))
            .executeTakeFirst();
          removed += Number(r.numDeletedRows ?? 0);
        }
        return removed;
      });
    },
  };
}
