import type { FastifyInstance, FastifyRequest } from 'fastify';
import { InputError, NotAllowedError, codedCause } from '../../kernel/errors.ts';
import { msg } from '../../kernel/messages/index.ts';
import type { Clock } from '../../kernel/clock.ts';
import type { MeterPeriod } from '../../resources/ledger-store.ts';
import type { Store } from '../../resources/store.ts';
import { allowedTenants } from '../../tenancy/authorization.ts';
import { principalOf } from '../../tenancy/request-principal.ts';
import { DEFAULT_OFFSET_MINUTES, daysOfMonth, intervalKeys } from '../metering/meter-buckets.ts';
import { buildBill, linesByTenant } from './bill.ts';
import { billCsv, billXlsx } from './bill-export.ts';

type Query = Record<string, unknown>;

export interface BillingRouteDeps {
  readonly store: Store;
  readonly clock: Clock;
  readonly offsetMinutes?: number;
}

const MONTH = /^\d{4}-(0[1-9]|1[0-2])$/;
const DAY = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;
const HOUR = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])T([01]\d|2[0-3])$/;
const PERIODS: Record<MeterPeriod, RegExp> = { hour: HOUR, day: DAY, month: MONTH };

/** The departments whose costs the caller may read: those whose applications it may list (as /usage). */
function readable(req: FastifyRequest): 'all' | string[] {
  return allowedTenants(principalOf(req), 'list', 'Application', 'workload');
}

function mayRead(req: FastifyRequest, tenant: string): void {
  const allowed = readable(req);
  if (allowed !== 'all' && !allowed.includes(tenant)) {
    const m = msg('BillDepartmentNotAllowed', { tenant });
    throw new NotAllowedError(m, [codedCause('tenant', m)]);
  }
}

function param(req: FastifyRequest, name: string): string | undefined {
  const v = (req.query as Query | undefined)?.[name];
  return typeof v === 'string' && v !== '' ? v : undefined;
}

/**
 * Bills, metering and reconciliation (docs/operations.md). A department's routes answer only to whoever may list
 * its applications; the cross-department list shows only the departments the caller may see; the reconciliation of
 * every cluster is for platform-wide readers.
 */
export function registerBillingRoutes(app: FastifyInstance, deps: BillingRouteDeps): void {
  const offset = deps.offsetMinutes ?? DEFAULT_OFFSET_MINUTES;
  const monthOf = (req: FastifyRequest): string => {
    const v = param(req, 'month');
    if (v === undefined) return intervalKeys(deps.clock.now().getTime(), offset).month;
    if (!MONTH.test(v)) {
      const m = msg('BillMonthInvalid', { value: v });
      throw new InputError(m, [codedCause('query.month', m)]);
    }
    return v;
  };
  const monthLines = (month: string, tenants?: readonly string[]) => {
    const days = daysOfMonth(month);
    return deps.store.ledger.costLines({ from: days[0]!, to: days.at(-1)!, ...(tenants ? { tenants } : {}) });
  };

  app.get(
    '/api/v1/tenants/:tenant/bill',
    { schema: { tags: ['costs'], summary: "A department's monthly bill (JSON, or ?format=csv|xlsx)" } },
    async (req, reply) => {
      const { tenant } = req.params as { tenant: string };
      mayRead(req, tenant);
      const month = monthOf(req);
      const format = param(req, 'format');
      if (format !== undefined && format !== 'csv' && format !== 'xlsx' && format !== 'json') {
        const m = msg('BillFormatInvalid', { value: format });
        throw new InputError(m, [codedCause('query.format', m)]);
      }
      const bill = buildBill(tenant, month, daysOfMonth(month).length, await monthLines(month, [tenant]));
      if (format === 'csv' || format === 'xlsx')
        reply.header('content-disposition', `attachment; filename="polis-bill-${tenant}-${month}.${format}"`);
      if (format === 'csv') return reply.type('text/csv; charset=utf-8').send(billCsv(bill));
      if (format === 'xlsx')
        return reply.type('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet').send(billXlsx(bill));
      return { kind: 'Bill', ...bill };
    },
  );

  app.get(
    '/api/v1/bills',
    { schema: { tags: ['costs'], summary: 'The month’s bill totals of every department the caller may see' } },
    async (req) => {
      const allowed = readable(req);
      const month = monthOf(req);
      if (allowed !== 'all' && allowed.length === 0) return { kind: 'BillList', month, items: [] };
      const rows = await monthLines(month, allowed === 'all' ? undefined : allowed);
      const days = daysOfMonth(month).length;
      const items = [...linesByTenant(rows)]
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([tenant, lines]) => {
          const b = buildBill(tenant, month, days, lines);
          return {
            tenant,
            totalFen: b.totalFen,
            forecastFen: b.forecastFen,
            closedDays: b.closedDays,
            byItem: b.byItem,
          };
        });
      return { kind: 'BillList', month, items };
    },
  );

  app.get(
    '/api/v1/tenants/:tenant/metering',
    {
      schema: { tags: ['costs'], summary: "A department's metered requests, limits and usage per hour, day or month" },
    },
    async (req) => {
      const { tenant } = req.params as { tenant: string };
      mayRead(req, tenant);
      const period = (param(req, 'period') ?? 'day') as MeterPeriod;
      if (!(period in PERIODS)) {
        const m = msg('MeterPeriodInvalid', { value: period });
        throw new InputError(m, [codedCause('query.period', m)]);
      }
      const now = intervalKeys(deps.clock.now().getTime(), offset);
      const bound = (name: 'from' | 'to') => {
        const v = param(req, name) ?? now[period];
        if (!PERIODS[period].test(v)) {
          const m = msg('CostRangeInvalid', { param: name, value: v, accepted: `a ${period} key like ${now[period]}` });
          throw new InputError(m, [codedCause(`query.${name}`, m)]);
        }
        return v;
      };
      const items = await deps.store.ledger.meterRows({
        period,
        from: bound('from'),
        to: bound('to'),
        tenants: [tenant],
      });
      return { kind: 'MeterRowList', period, items };
    },
  );

  app.get(
    '/api/v1/cost-reconciliation',
    { schema: { tags: ['costs'], summary: 'Per day and cluster: the total against the sum of its lines (platform)' } },
    async (req) => {
      if (readable(req) !== 'all') {
        const m = msg('CostReconciliationPlatformOnly');
        throw new NotAllowedError(m, [codedCause('', m)]);
      }
      const month = monthOf(req);
      const days = daysOfMonth(month);
      const [totals, lines] = await Promise.all([
        deps.store.ledger.costTotals({ from: days[0]!, to: days.at(-1)! }),
        monthLines(month),
      ]);
      // Per day and cluster: the sum of its lines, and how much of it is idle and shared (the console shows
      // allocations + idle + shared = total; allocations are the lines that are neither).
      const sums = new Map<string, { lines: number; idle: number; shared: number }>();
      for (const l of lines) {
        const key = `${l.day}/${l.cluster}`;
        const s = sums.get(key) ?? { lines: 0, idle: 0, shared: 0 };
        s.lines += l.fen;
        if (l.item === 'idle') s.idle += l.fen;
        else if (l.item === 'shared') s.shared += l.fen;
        sums.set(key, s);
      }
      const items = totals.map((t) => {
        const s = sums.get(`${t.day}/${t.cluster}`) ?? { lines: 0, idle: 0, shared: 0 };
        return {
          ...t,
          linesFen: s.lines,
          allocatedFen: s.lines - s.idle - s.shared,
          idleFen: s.idle,
          sharedFen: s.shared,
        };
      });
      return { kind: 'CostReconciliation', month, balanced: items.every((i) => i.linesFen === i.totalFen), items };
    },
  );
}
