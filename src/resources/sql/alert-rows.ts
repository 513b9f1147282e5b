import { sql, type Kysely } from 'kysely';
import type { AlertRow, AlertStateStore, NotificationRow, WindowRow } from '../alert-state.ts';
import type { Schema } from './schema.ts';

/** Rows per INSERT statement: well below SQLite's and PostgreSQL's bound-variable limits. */
const BATCH = 500;

/**
 * AlertStateStore over the SQL store's connection, outside the group commit (these rows advance no revision).
 * `saveAlerts` is one transaction, so a reader never sees half an evaluation.
 */
export function alertRows(db: Kysely<Schema>): AlertStateStore {
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
      await db.transaction().execute(async (trx) => {
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
      const rows = await db
        .selectFrom('alert_windows')
        .selectAll()
        .orderBy('tenant')
        .orderBy('window_ms')
        .orderBy('slot')
        .execute();
      return rows.map((r): WindowRow => ({
        tenant: r.tenant,
        windowMs: Number(r.window_ms),
        slot: Number(r.slot),
        data: r.data,
        updatedAt: Number(r.updated_at),
      }));
    },

    async saveWindows(put, pruneBefore) {
      await db.transaction().execute(async (trx) => {
        await trx.deleteFrom('alert_windows').where('updated_at', '<', pruneBefore).execute();
        // A row can be large (a department's series): one per statement.
        for (const r of put)
          await trx
            .insertInto('alert_windows')
            .values({ tenant: r.tenant, window_ms: r.windowMs, slot: r.slot, data: r.data, updated_at: r.updatedAt })
            .onConflict((oc) =>
              oc
                .columns(['tenant', 'window_ms', 'slot'])
                .doUpdateSet({ data: sql`excluded.data`, updated_at: sql`excluded.updated_at` }),
            )
            .execute();
      });
    },

    async putNotification(row) {
      await db
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
        .execute();
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

    async pruneNotifications(beforeMs, keep) {
      const old = await db
        .deleteFrom('notification_records')
        .where('next_retry_at', 'is', null)
        .where('at', '<', beforeMs)
        .executeTakeFirst();
      let removed = Number(old.numDeletedRows ?? 0);
      const settled = await db
        .selectFrom('notification_records')
        .select('id')
        .where('next_retry_at', 'is', null)
        .orderBy('id', 'desc')
        .offset(keep)
        .limit(1)
        .executeTakeFirst();
      if (settled) {
        const r = await db
          .deleteFrom('notification_records')
          .where('next_retry_at', 'is', null)
          .where('id', '<=', Number(settled.id))
          .executeTakeFirst();
        removed += Number(r.numDeletedRows ?? 0);
      }
      return removed;
    },
  };
}
