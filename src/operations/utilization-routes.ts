import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Clock } from '../kernel/clock.ts';
import { NotAllowedError, codedCause } from '../kernel/errors.ts';
import { msg } from '../kernel/messages/index.ts';
import { parseBytes, parseCpu } from '../kernel/quantity.ts';
import type { StoredObject } from '../resources/envelope.ts';
import type { Store } from '../resources/store.ts';
import { allowedTenants } from '../tenancy/authorization.ts';
import type { Quota } from '../tenancy/quota.ts';
import { principalOf } from '../tenancy/request-principal.ts';
import { DEFAULT_OFFSET_MINUTES } from './metering/meter-buckets.ts';
import { intervalsOf, parseUtilizationRange, utilizationHistory } from './utilization/utilization-series.ts';

export interface UtilizationRouteDeps {
  readonly store: Store;
  readonly clock: Clock;
  readonly offsetMinutes?: number;
  /** Days the meter keeps hour roll-ups (MeterController.hourRetentionDays; default 14). */
  readonly hourRetentionDays?: number;
}

type Quotas = Map<string, { cpuMilli?: number; memoryBytes?: number }>;

function param(req: FastifyRequest, name: string): string | undefined {
  const v = (req.query as Record<string, unknown> | undefined)?.[name];
  return typeof v === 'string' && v !== '' ? v : undefined;
}

/** A department's quota in base units; a quantity that does not parse counts as no limit (admission checks them). */
function quotaOf(tenant: StoredObject | undefined): { cpuMilli?: number; memoryBytes?: number } {
  const q = (tenant?.spec as { quota?: Quota } | undefined)?.quota;
  const read = (v: string | number | undefined, parse: (x: string | number) => number) => {
    if (v === undefined) return undefined;
    try {
      return parse(v);
    } catch {
      return undefined;
    }
  };
  const cpuMilli = read(q?.cpu, parseCpu);
  const memoryBytes = read(q?.memory, parseBytes);
  return { ...(cpuMilli !== undefined ? { cpuMilli } : {}), ...(memoryBytes !== undefined ? { memoryBytes } : {}) };
}

/**
 * Requested, used and capacity over time (issue 17 point 5; docs/operations.md), read from the metering roll-ups:
 * per department (capacity: its quota) and per cluster (capacity: allocatable). A department's route, and the
 * cross-department route for a department-bound reader, carry only that department's rows: its share of each
 * cluster, never the cluster's capacity or other tenants. Platform-wide readers (the data bureau) see everything.
 */
export function registerUtilizationRoutes(app: FastifyInstance, deps: UtilizationRouteDeps): void {
  const offset = deps.offsetMinutes ?? DEFAULT_OFFSET_MINUTES;
  const history = async (req: FastifyRequest, tenants: 'all' | readonly string[]) => {
    const r = parseUtilizationRange(param(req, 'range'), param(req, 'step'), deps.hourRetentionDays);
    const now = deps.clock.now().getTime();
    const intervals = intervalsOf(now, r.hours, r.step, offset);
    const span = { period: r.step, from: intervals[0]!, to: intervals.at(-1)! };
    const platform = tenants === 'all';
    const quotas: Quotas = new Map();
    if (platform) {
      let cont: string | undefined;
      do {
        const page = await deps.store.list({ kind: 'Tenant', limit: 500, continue: cont });
        for (const t of page.items) quotas.set(t.metadata.name, quotaOf(t));
        cont = page.continue;
      } while (cont);
    } else
      for (const t of tenants) quotas.set(t, quotaOf(await deps.store.get({ kind: 'Tenant', tenant: '', name: t })));
    const [totals, capacity] = await Promise.all([
      deps.store.ledger.meterTotals({ ...span, ...(platform ? {} : { tenants: [...tenants] }) }),
      deps.store.ledger.capacityRows(span),
    ]);
    return {
      kind: 'UtilizationHistory',
      range: r.range,
      step: r.step,
      intervals,
      ...utilizationHistory({ intervals, totals, capacity, departments: quotas, platform }),
    };
  };

  app.get(
    '/api/v1/utilization/history',
    {
      schema: {
        tags: ['operations'],
        summary: 'Requested, used and capacity over a range (1h–90d), per department and cluster, from metering',
      },
    },
    async (req) => {
      const allowed = allowedTenants(principalOf(req), 'list', 'Application', 'workload');
      return history(req, allowed);
    },
  );

  app.get(
    '/api/v1/tenants/:tenant/utilization/history',
    {
      schema: {
        tags: ['operations'],
        summary: "A department's requested, used and quota over a range, and its own share of each cluster",
      },
    },
    async (req) => {
      const { tenant } = req.params as { tenant: string };
      const allowed = allowedTenants(principalOf(req), 'list', 'Application', 'workload');
      if (allowed !== 'all' && !allowed.includes(tenant)) {
        const m = msg('UtilizationNotAllowed', { tenant });
        throw new NotAllowedError(m, [codedCause('tenant', m)]);
      }
      return history(req, [tenant]);
    },
  );
}
