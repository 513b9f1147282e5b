import type { Kysely, Transaction } from 'kysely';
import type {
  CapacityRow,
  CostLineRow,
  CostTotalRow,
  LedgerStore,
  MeterPeriod,
  MeterRow,
  MeterTick,
  MeterTotalRow,
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
  /** Series key (tenant NUL app NUL component NUL cluster) → id, of committed rows. */
  const seriesIds = new Map<string, number>();
  return {
    async lastMeterTick() {
      const row = await reader().selectFrom('meter_state').select('last_tick').where('id', '=', 1).executeTakeFirst();
      return row ? Number(row.last_tick) : undefined;
    },

    recordMeterTick(tick: MeterTick) {
      const fresh = new Map<string, number>();
      const recorded = write(async (trx) => {
        const row = await trx.selectFrom('meter_state').select('last_tick').where('id', '=', 1).executeTakeFirst();
        const last = row ? Number(row.last_tick) : undefined;
        if (last !== tick.since || (last !== undefined && tick.at <= last)) return false;
        const ids = await resolveSeries(trx, tick.samples, seriesIds, fresh);
        // One row per bucket and series, in key order: the hour rows append at the end of the table.
        const usage = tick.buckets
          .flatMap((b) =>
            tick.samples.map((s, i) => ({
              start: keyDigits(b.start),
              series: ids[i]!,
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
          )
          .sort((x, y) => x.start - y.start || x.series - y.series);
        for (let i = 0; i < usage.length; i += CHUNK) {
          await trx
            .insertInto('meter_rollups')
            .values(usage.slice(i, i + CHUNK))
            .onConflict((oc) =>
              oc.columns(['start', 'series']).doUpdateSet((eb) => {
                const add = (c: Exclude<keyof Schema['meter_rollups'], 'start' | 'series'>) =>
                  eb(`meter_rollups.${c}`, '+', eb.ref(`excluded.${c}`));
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
      // Series ids learnt in the transaction are cached only once it committed (they are never renumbered).
      return recorded.then((ok) => {
        for (const [k, id] of fresh) seriesIds.set(k, id);
        return ok;
      });
    },

    async meterRows(q) {
      const [lo, hi] = keyRange(q.period, q.from, q.to);
      let query = reader()
        .selectFrom('meter_rollups as r')
        .innerJoin('meter_series as s', 's.id', 'r.series')
        .selectAll('r')
        .select(['s.tenant', 's.app', 's.component', 's.cluster'])
        .where('r.start', '>=', lo)
        .where('r.start', '<', hi);
      if (q.tenants) {
        if (q.tenants.length === 0) return [];
        query = query.where('s.tenant', 'in', q.tenants);
      }
      const rows = await query
        .orderBy('r.start')
        .orderBy('s.tenant')
        .orderBy('s.app')
        .orderBy('s.component')
        .orderBy('s.cluster')
        .execute();
      return rows.map((r): MeterRow => ({
        period: q.period,
        start: keyText(Number(r.start)),
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

    async meterTotals(q) {
      const [lo, hi] = keyRange(q.period, q.from, q.to);
      let query = reader()
        .selectFrom('meter_rollups as r')
        .innerJoin('meter_series as s', 's.id', 'r.series')
        .select((eb) => [
          'r.start',
          's.tenant',
          's.cluster',
          eb.fn.sum<number>('r.replica_minutes').as('replica_minutes'),
          eb.fn.sum<number>('r.cpu_request').as('cpu_request'),
          eb.fn.sum<number>('r.cpu_usage').as('cpu_usage'),
          eb.fn.sum<number>('r.mem_request').as('mem_request'),
          eb.fn.sum<number>('r.mem_usage').as('mem_usage'),
        ])
        .where('r.start', '>=', lo)
        .where('r.start', '<', hi);
      if (q.tenants) {
        if (q.tenants.length === 0) return [];
        query = query.where('s.tenant', 'in', q.tenants);
      }
      const rows = await query
        .groupBy(['r.start', 's.tenant', 's.cluster'])
        .orderBy('r.start')
        .orderBy('s.tenant')
        .orderBy('s.cluster')
        .execute();
      return rows.map((r): MeterTotalRow => ({
        period: q.period,
        start: keyText(Number(r.start)),
        tenant: r.tenant,
        cluster: r.cluster,
        replicaMinutes: Number(r.replica_minutes),
        cpuRequest: Number(r.cpu_request),
        cpuUsage: Number(r.cpu_usage),
        memRequest: Number(r.mem_request),
        memUsage: Number(r.mem_usage),
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
        const [lo] = keyRange(period, '', '');
        const a = await trx
          .deleteFrom('meter_rollups')
          .where('start', '>=', lo)
          .where('start', '<', keyBound(period, before))
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

/** Digits of each period's interval key: an hour 2026120108, a day 20261201, a month 202612. */
const WIDTH: Record<MeterPeriod, number> = { hour: 10, day: 8, month: 6 };

/** An interval key ('2026-12-01T08', '2026-12-01', '2026-12') as the integer stored in meter_rollups.start. */
export function keyDigits(key: string): number {
  return Number(key.replace(/\D/g, ''));
}

/** The interval key of a stored start: its width says the period. */
export function keyText(start: number): string {
  const d = String(start);
  if (d.length === WIDTH.hour) return `${d.slice(0, 4)}-${d.slice(4, 6)}-${d.slice(6, 8)}T${d.slice(8)}`;
  if (d.length === WIDTH.day) return `${d.slice(0, 4)}-${d.slice(4, 6)}-${d.slice(6)}`;
  return `${d.slice(0, 4)}-${d.slice(4)}`;
}

/**
 * The first stored start sorting at or after `key` as text, among `period`'s keys: a shorter key (a day for hours)
 * names its first interval, so comparisons keep the meaning they had on the text keys.
 */
function keyBound(period: MeterPeriod, key: string): number {
  const width = WIDTH[period];
  const digits = key.replace(/\D/g, '').slice(0, width);
  return Number(digits.padEnd(width, '0'));
}

/** [lo, hi): the stored starts of `period` between keys `from` and `to` (inclusive, as text; '' for no bound). */
function keyRange(period: MeterPeriod, from: string, to: string): [number, number] {
  const width = WIDTH[period];
  const lo = from === '' ? 10 ** (width - 1) : keyBound(period, from);
  const toDigits = to.replace(/\D/g, '').slice(0, width);
  // A full key includes its own interval; a shorter one (a day for hours) stops before its first.
  const hi = to === '' ? 10 ** width : toDigits.length === width ? Number(toDigits) + 1 : keyBound(period, to);
  return [lo, hi];
}

function seriesKey(s: { tenant: string; app: string; component: string; cluster: string }): string {
  return `${s.tenant}\u0000${s.app}\u0000${s.component}\u0000${s.cluster}`;
}

/**
 * The series id of every sample, in order: from the cache, else read, else inserted (a racing writer's insert is
 * taken as is). Ids found here go to `fresh`, cached by the caller once the transaction commits.
 */
async function resolveSeries(
  trx: Transaction<Schema>,
  samples: MeterTick['samples'],
  cache: ReadonlyMap<string, number>,
  fresh: Map<string, number>,
): Promise<number[]> {
  const keys = samples.map(seriesKey);
  const known = (k: string) => cache.get(k) ?? fresh.get(k);
  const read = async (tenants: readonly string[]) => {
    for (let i = 0; i < tenants.length; i += CHUNK) {
      const rows = await trx
        .selectFrom('meter_series')
        .selectAll()
        .where('tenant', 'in', tenants.slice(i, i + CHUNK))
        .execute();
      for (const r of rows) if (!cache.has(seriesKey(r))) fresh.set(seriesKey(r), Number(r.id));
    }
  };
  const missingTenants = () => [
    ...new Set(samples.filter((_, i) => known(keys[i]!) === undefined).map((s) => s.tenant)),
  ];
  let tenants = missingTenants();
  if (tenants.length > 0) await read(tenants);
  const missing = samples.filter((_, i) => known(keys[i]!) === undefined);
  if (missing.length > 0) {
    const rows = [...new Map(missing.map((s) => [seriesKey(s), s])).values()]
      .map((s) => ({ tenant: s.tenant, app: s.app, component: s.component, cluster: s.cluster }))
      .sort((x, y) => seriesKey(x).localeCompare(seriesKey(y)));
    for (let i = 0; i < rows.length; i += CHUNK)
      await trx
        .insertInto('meter_series')
        .values(rows.slice(i, i + CHUNK))
        .onConflict((oc) => oc.columns(['tenant', 'app', 'component', 'cluster']).doNothing())
        .execute();
    tenants = missingTenants();
    await read(tenants);
  }
  return keys.map((k) => {
    const id = known(k);
    if (id === undefined) throw new Error(`meter series ${k.replaceAll('\u0000', '/')} has no id`);
    return id;
  });
}

/** The logical meter_usage rows (as the backup carries them): roll-ups with their names and text keys. */
export async function meterUsagePage(
  q: Kysely<Schema>,
  limit: number,
  offset: number,
): Promise<Record<string, string | number>[]> {
  const rows = await q
    .selectFrom('meter_rollups as r')
    .innerJoin('meter_series as s', 's.id', 'r.series')
    .selectAll('r')
    .select(['s.tenant', 's.app', 's.component', 's.cluster'])
    .orderBy('r.start')
    .orderBy('r.series')
    .limit(limit)
    .offset(offset)
    .execute();
  return rows.map(({ start, series, tenant, app, component, cluster, ...figures }) => {
    void series;
    const key = keyText(Number(start));
    const period = key.length === 13 ? 'hour' : key.length === 10 ? 'day' : 'month';
    const out: Record<string, string | number> = { period, start: key, tenant, app, component, cluster };
    for (const [k, v] of Object.entries(figures)) out[k] = Number(v);
    return out;
  });
}

/** Writes logical meter_usage rows (a backup's) into meter_series and meter_rollups. */
export async function loadMeterUsage(
  trx: Transaction<Schema> | Kysely<Schema>,
  rows: readonly Readonly<Record<string, string | number>>[],
): Promise<void> {
  const series = [
    ...new Map(
      rows.map((r) => {
        const s = {
          tenant: String(r.tenant),
          app: String(r.app),
          component: String(r.component),
          cluster: String(r.cluster),
        };
        return [seriesKey(s), s];
      }),
    ).values(),
  ];
  for (let i = 0; i < series.length; i += CHUNK)
    await trx
      .insertInto('meter_series')
      .values(series.slice(i, i + CHUNK))
      .onConflict((oc) => oc.columns(['tenant', 'app', 'component', 'cluster']).doNothing())
      .execute();
  const ids = new Map<string, number>();
  // Only the series of this batch's departments: a backup's batches stay proportional to their own rows.
  const tenants = [...new Set(series.map((x) => x.tenant))];
  for (let i = 0; i < tenants.length; i += CHUNK)
    for (const r of await trx
      .selectFrom('meter_series')
      .selectAll()
      .where('tenant', 'in', tenants.slice(i, i + CHUNK))
      .execute())
      ids.set(seriesKey(r), Number(r.id));
  const out = rows.map((r) => ({
    start: keyDigits(String(r.start)),
    series: ids.get(
      seriesKey({
        tenant: String(r.tenant),
        app: String(r.app),
        component: String(r.component),
        cluster: String(r.cluster),
      }),
    )!,
    minutes: Number(r.minutes),
    replica_minutes: Number(r.replica_minutes),
    cpu_request: Number(r.cpu_request),
    cpu_limit: Number(r.cpu_limit),
    cpu_usage: Number(r.cpu_usage),
    cpu_max: Number(r.cpu_max),
    mem_request: Number(r.mem_request),
    mem_limit: Number(r.mem_limit),
    mem_usage: Number(r.mem_usage),
    mem_max: Number(r.mem_max),
    storage: Number(r.storage),
  }));
  for (let i = 0; i < out.length; i += CHUNK)
    await trx
      .insertInto('meter_rollups')
      .values(out.slice(i, i + CHUNK))
      .execute();
}
