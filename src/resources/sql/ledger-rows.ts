import type { Kysely, Transaction } from 'kysely';
import type {
  CapacityRow,
  CostLineRow,
  CostTotalRow,
  LedgerStore,
  MeterPeriod,
  MeterRow,
  MeterTick,
} from '../ledger-store.ts';
import type { Schema } from './schema.ts';

/** Rows per multi-row INSERT: 17 parameters each, well inside SQLite's and PostgreSQL's parameter limits. */
const CHUNK = 400;

type Write = <T>(fn: (trx: Transaction<Schema>) => Promise<T>) => Promise<T>;

/**
 * The ledger over the SQL schema (resources/ledger-store.ts). Writes go through the store's serialized writer
 * (`write`), so the compare-and-set of a meter tick and a day's close cannot interleave with another's.
 */
export function sqlLedger(reader: () => Kysely<Schema>, write: Write): LedgerStore {
  return {
    async lastMeterTick() {
      const row = await reader().selectFrom('meter_state').select('last_tick').where('id', '=', 1).executeTakeFirst();
      return row ? Number(row.last_tick) : undefined;
    },

    recordMeterTick(tick: MeterTick) {
      return write(async (trx) => {
        const row = await trx.selectFrom('meter_state').select('last_tick').where('id', '=', 1).executeTakeFirst();
        const last = row ? Number(row.last_tick) : undefined;
        if (last !== tick.since || (last !== undefined && tick.at <= last)) return false;
        const usage = tick.buckets.flatMap((b) =>
          tick.samples.map((s) => ({
            period: b.period,
            start: b.start,
            tenant: s.tenant,
            app: s.app,
            component: s.component,
            cluster: s.cluster,
            minutes: b.minutes,
            replica_minutes: s.replicas * b.minutes,
            cpu_request: s.cpuRequest * b.minutes,
            cpu_limit: s.cpuLimit * b.minutes,
            cpu_usage: s.cpuUsage * b.minutes,
            cpu_max: s.cpuMax * b.minutes,
            mem_request: s.memRequest * b.minutes,
            mem_limit: s.memLimit * b.minutes,
            mem_usage: s.memUsage * b.minutes,
            mem_max: s.memMax * b.minutes,
            storage: s.storage * b.minutes,
          })),
        );
        for (let i = 0; i < usage.length; i += CHUNK) {
          await trx
            .insertInto('meter_usage')
            .values(usage.slice(i, i + CHUNK))
            .onConflict((oc) =>
              oc.columns(['period', 'start', 'tenant', 'app', 'component', 'cluster']).doUpdateSet((eb) => {
                const add = (
                  c: Exclude<
                    keyof Schema['meter_usage'],
                    'period' | 'start' | 'tenant' | 'app' | 'component' | 'cluster'
                  >,
                ) => eb(`meter_usage.${c}`, '+', eb.ref(`excluded.${c}`));
                return {
                  minutes: add('minutes'),
                  replica_minutes: add('replica_minutes'),
                  cpu_request: add('cpu_request'),
                  cpu_limit: add('cpu_limit'),
                  cpu_usage: add('cpu_usage'),
                  cpu_max: add('cpu_max'),
                  mem_request: add('mem_request'),
                  mem_limit: add('mem_limit'),
                  mem_usage: add('mem_usage'),
                  mem_max: add('mem_max'),
                  storage: add('storage'),
                };
              }),
            )
            .execute();
        }
        const capacity = tick.buckets.flatMap((b) =>
          tick.capacity.map((c) => ({
            period: b.period,
            start: b.start,
            cluster: c.cluster,
            minutes: b.minutes,
            cpu: c.cpu * b.minutes,
            mem: c.mem * b.minutes,
          })),
        );
        for (let i = 0; i < capacity.length; i += CHUNK) {
          await trx
            .insertInto('meter_capacity')
            .values(capacity.slice(i, i + CHUNK))
            .onConflict((oc) =>
              oc.columns(['period', 'start', 'cluster']).doUpdateSet((eb) => ({
                minutes: eb('meter_capacity.minutes', '+', eb.ref('excluded.minutes')),
                cpu: eb('meter_capacity.cpu', '+', eb.ref('excluded.cpu')),
                mem: eb('meter_capacity.mem', '+', eb.ref('excluded.mem')),
              })),
            )
            .execute();
        }
        await trx
          .insertInto('meter_state')
          .values({ id: 1, last_tick: tick.at })
          .onConflict((oc) => oc.column('id').doUpdateSet({ last_tick: tick.at }))
          .execute();
        return true;
      });
    },

    async meterRows(q) {
      let query = reader()
        .selectFrom('meter_usage')
        .selectAll()
        .where('period', '=', q.period)
        .where('start', '>=', q.from)
        .where('start', '<=', q.to);
      if (q.tenants) {
        if (q.tenants.length === 0) return [];
        query = query.where('tenant', 'in', q.tenants);
      }
      const rows = await query
        .orderBy('start')
        .orderBy('tenant')
        .orderBy('app')
        .orderBy('component')
        .orderBy('cluster')
        .execute();
      return rows.map((r): MeterRow => ({
        period: r.period as MeterPeriod,
        start: r.start,
        tenant: r.tenant,
        app: r.app,
        component: r.component,
        cluster: r.cluster,
        minutes: Number(r.minutes),
        replicaMinutes: Number(r.replica_minutes),
        cpuRequest: Number(r.cpu_request),
        cpuLimit: Number(r.cpu_limit),
        cpuUsage: Number(r.cpu_usage),
        cpuMax: Number(r.cpu_max),
        memRequest: Number(r.mem_request),
        memLimit: Number(r.mem_limit),
        memUsage: Number(r.mem_usage),
        memMax: Number(r.mem_max),
        storage: Number(r.storage),
      }));
    },

    async capacityRows(q) {
      const rows = await reader()
        .selectFrom('meter_capacity')
        .selectAll()
        .where('period', '=', q.period)
        .where('start', '>=', q.from)
        .where('start', '<=', q.to)
        .orderBy('start')
        .orderBy('cluster')
        .execute();
      return rows.map((r): CapacityRow => ({
        period: r.period as MeterPeriod,
        start: r.start,
        cluster: r.cluster,
        minutes: Number(r.minutes),
        cpu: Number(r.cpu),
        mem: Number(r.mem),
      }));
    },

    pruneMeter(period, before) {
      return write(async (trx) => {
        const a = await trx
          .deleteFrom('meter_usage')
          .where('period', '=', period)
          .where('start', '<', before)
          .executeTakeFirst();
        const b = await trx
          .deleteFrom('meter_capacity')
          .where('period', '=', period)
          .where('start', '<', before)
          .executeTakeFirst();
        return Number(a.numDeletedRows) + Number(b.numDeletedRows);
      });
    },

    closeCostDay(day, totals, lines) {
      return write(async (trx) => {
        const clusters = [...new Set(totals.map((t) => t.cluster))];
        if (clusters.length > 0) {
          const closed = await trx
            .selectFrom('cost_days')
            .select('cluster')
            .where('day', '=', day)
            .where('cluster', 'in', clusters)
            .executeTakeFirst();
          if (closed) return false;
        }
        const dayTotals = totals.map((t) => ({ day, cluster: t.cluster, total_fen: t.totalFen }));
        for (let i = 0; i < dayTotals.length; i += CHUNK)
          await trx
            .insertInto('cost_days')
            .values(dayTotals.slice(i, i + CHUNK))
            .execute();
        const rows = lines.map((l) => ({ ...l, day }));
        for (let i = 0; i < rows.length; i += CHUNK)
          await trx
            .insertInto('cost_lines')
            .values(rows.slice(i, i + CHUNK))
            .execute();
        return true;
      });
    },

    async costLines(q) {
      let query = reader().selectFrom('cost_lines').selectAll().where('day', '>=', q.from).where('day', '<=', q.to);
      if (q.tenants) {
        if (q.tenants.length === 0) return [];
        query = query.where('tenant', 'in', q.tenants);
      }
      const rows = await query
        .orderBy('day')
        .orderBy('cluster')
        .orderBy('tenant')
        .orderBy('app')
        .orderBy('component')
        .orderBy('item')
        .execute();
      return rows.map((r): CostLineRow => ({ ...r, fen: Number(r.fen) }));
    },

    async costTotals(q) {
      const rows = await reader()
        .selectFrom('cost_days')
        .selectAll()
        .where('day', '>=', q.from)
        .where('day', '<=', q.to)
        .orderBy('day')
        .orderBy('cluster')
        .execute();
      return rows.map((r): CostTotalRow => ({ day: r.day, cluster: r.cluster, totalFen: Number(r.total_fen) }));
    },
  };
}
