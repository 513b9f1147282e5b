import { sql, type Kysely } from 'kysely';
import type { MetricChunkRow, MetricHistoryStore, MetricSeriesRow } from '../metric-history.ts';
import type { Schema } from './schema.ts';

/** Rows per INSERT statement: well below SQLite's 32,766 bound variables and PostgreSQL's 65,535. */
const BATCH = 500;

/**
 * MetricHistoryStore over the SQL store's connection. Writes go straight to the database, outside the group commit:
 * they advance no revision and must not queue behind (or hold up) object writes.
 */
export function metricRows(db: Kysely<Schema>): MetricHistoryStore {
  return {
    async putSeries(rows) {
      for (let i = 0; i < rows.length; i += BATCH) {
        const batch = rows.slice(i, i + BATCH).map((r) => ({
          id: r.id,
          tenant: r.tenant,
          name: r.name,
          labels: r.labels,
          last_at: r.lastAt,
        }));
        await db
          .insertInto('metric_series')
          .values(batch)
          .onConflict((oc) =>
            oc.column('id').doUpdateSet({
              last_at: sql`CASE WHEN excluded.last_at > metric_series.last_at THEN excluded.last_at ELSE metric_series.last_at END`,
            }),
          )
          .execute();
      }
    },

    async listSeries(filter) {
      let q = db.selectFrom('metric_series').select(['id', 'tenant', 'name', 'labels', 'last_at']);
      if (filter.names !== undefined) {
        if (filter.names.length === 0) return [];
        q = q.where('name', 'in', [...filter.names]);
      }
      if (filter.tenants !== undefined) {
        if (filter.tenants.length === 0) return [];
        q = q.where('tenant', 'in', [...filter.tenants]);
      }
      if (filter.seenSince !== undefined) q = q.where('last_at', '>=', filter.seenSince);
      const rows = await q.orderBy('id').execute();
      return rows.map((r): MetricSeriesRow => ({
        id: r.id,
        tenant: r.tenant,
        name: r.name,
        labels: r.labels,
        lastAt: Number(r.last_at),
      }));
    },

    async putChunks(chunks) {
      for (let i = 0; i < chunks.length; i += BATCH) {
        const batch = chunks.slice(i, i + BATCH).map((c) => ({
          series_id: c.series,
          tier: c.tier,
          start_at: c.startAt,
          end_at: c.endAt,
          points: c.points,
          data: c.data,
        }));
        await db
          .insertInto('metric_chunks')
          .values(batch)
          .onConflict((oc) =>
            oc.columns(['series_id', 'tier', 'start_at']).doUpdateSet({
              end_at: sql`excluded.end_at`,
              points: sql`excluded.points`,
              data: sql`excluded.data`,
            }),
          )
          .execute();
      }
    },

    async readChunks(series, tier, fromMs, toMs) {
      const out: MetricChunkRow[] = [];
      for (let i = 0; i < series.length; i += BATCH) {
        const rows = await db
          .selectFrom('metric_chunks')
          .select(['series_id', 'tier', 'start_at', 'end_at', 'points', 'data'])
          .where('series_id', 'in', series.slice(i, i + BATCH))
          .where('tier', '=', tier)
          .where('start_at', '<=', toMs)
          .where('end_at', '>=', fromMs)
          .orderBy('series_id')
          .orderBy('start_at')
          .execute();
        for (const r of rows) {
          out.push({
            series: r.series_id,
            tier: Number(r.tier),
            startAt: Number(r.start_at),
            endAt: Number(r.end_at),
            points: Number(r.points),
            data: new Uint8Array(r.data),
          });
        }
      }
      return out;
    },

    async pruneChunks(tier, beforeMs) {
      const r = await db
        .deleteFrom('metric_chunks')
        .where('tier', '=', tier)
        .where('end_at', '<', beforeMs)
        .executeTakeFirst();
      return Number(r.numDeletedRows);
    },

    async pruneSeries(beforeMs) {
      return db.transaction().execute(async (trx) => {
        const stale = trx.selectFrom('metric_series').select('id').where('last_at', '<', beforeMs);
        await trx.deleteFrom('metric_chunks').where('series_id', 'in', stale).execute();
        const r = await trx.deleteFrom('metric_series').where('last_at', '<', beforeMs).executeTakeFirst();
        return Number(r.numDeletedRows);
      });
    },

    async historyStats() {
      const row = await db
        .selectNoFrom((eb) => [
          eb.selectFrom('metric_series').select(eb.fn.countAll<number>().as('n')).as('series'),
          eb.selectFrom('metric_chunks').select(eb.fn.countAll<number>().as('n')).as('chunks'),
          eb
            .selectFrom('metric_chunks')
            .select(sql<number>`COALESCE(SUM(LENGTH(data)), 0)`.as('n'))
            .as('bytes'),
        ])
        .executeTakeFirstOrThrow();
      return { series: Number(row.series), chunks: Number(row.chunks), dataBytes: Number(row.bytes) };
    },
  };
}
