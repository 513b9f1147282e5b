import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readXlsx } from '../src/audit/xlsx.ts';
import { ManualClock } from '../src/kernel/clock.ts';
import type { Bill } from '../src/operations/billing/bill.ts';
import type { BudgetAlert } from '../src/operations/billing/billing-controller.ts';
import { MeterController } from '../src/operations/metering/meter-controller.ts';
import type { TestPolis } from './support/test-polis.ts';
import { startTestPolis } from './support/test-polis.ts';

/**
 * A month of the demo city in virtual time (December 2026, Shanghai time): the meter samples every three hours (each
 * tick covers the hours since the last), the billing controller closes each day as it ends, and every day every cluster
 * reconciles to the fen. On the way: a private cluster goes down and comes back (failover), and a peak overflows into
 * the public cloud (bursting) and recedes. Coarse ticks keep the run light (each is a durable commit): the
 * minute-level meter is the same code.
 */
const HOUR = 3_600_000;
const STEP_HOURS = 3;
let t: TestPolis;

async function settle(rounds = 8): Promise<void> {
  for (let i = 0; i < rounds; i++) {
    await t.polis.clusters.probeAll();
    await t.polis.delivery.resyncAll();
    await t.polis.feed.idle();
    await t.polis.delivery.idle();
    t.polis.sim!.advance(1000);
  }
}

async function call(method: string, url: string, body?: unknown, token = t.adminToken) {
  const r = await t.request(method, url, {
    token,
    body,
    ...(method === 'PATCH' ? { contentType: 'application/merge-patch+json' } : {}),
  });
  expect(r.statusCode, `${method} ${url}: ${r.body}`).toBeLessThan(300);
  return r;
}

function peak(replicas: number) {
  return {
    apiVersion: 'core.oam.dev/v1beta1',
    kind: 'Application',
    metadata: { name: 'exam-results', tenant: 'edu' },
    spec: {
      components: [
        {
          name: 'web',
          type: 'webservice',
          properties: { image: 'registry.example.gov.cn/edu/exam-results:1.0', cpu: '4', memory: '4Gi' },
          traits: [{ type: 'scaler', properties: { replicas } }],
        },
      ],
      policies: [
        { name: 'burst', type: 'placement', properties: { division: 'capacity', overflow: ['burst-aliyun'] } },
      ],
    },
  };
}

const alerts: BudgetAlert[] = [];
// 00:00 on 1 December in Shanghai.
const manual = new ManualClock('2026-11-30T16:00:00Z');

beforeAll(async () => {
  t = await startTestPolis({ controllers: true, virtualTime: true, clock: manual });
  await call('PATCH', '/apis/polis.io/v1/tenants/edu', { spec: { quota: { cpu: '1000', memory: '4Ti' } } });
  // Prices beyond the sandbox's: a lease on the private clusters, storage, a burst premium.
  for (const c of ['gov-east', 'gov-west'])
    await call('PATCH', `/apis/polis.io/v1/clusters/${c}`, {
      spec: { prices: { cpuCoreHour: 0.12, memoryGiBHour: 0.016, storageGiBMonth: 0.35, fixedMonthly: 30_000.01 } },
    });
  await call('PATCH', '/apis/polis.io/v1/clusters/burst-aliyun', {
    spec: { prices: { cpuCoreHour: 0.22, memoryGiBHour: 0.03, storageGiBMonth: 0.5, burstPremiumPercent: 15 } },
  });
  await call('POST', '/api/v1/apply', {
    apiVersion: 'polis.io/v1',
    kind: 'CostPolicy',
    metadata: { name: 'default' },
    spec: { basis: 'max', idle: 'line', platform: { rule: 'even' } },
  });
  await call(
    'POST',
    '/api/v1/tenants/edu/apply',
    { apiVersion: 'polis.io/v1', kind: 'Budget', metadata: { name: 'monthly', tenant: 'edu' }, spec: { amount: 100 } },
    t.tokens['edu-admin'],
  );
  await settle(20);
}, 120_000);
afterAll(async () => t?.stop());

describe('a month of metering and billing in the demo city', () => {
  it('reconciles every day, through failover and bursting, and bills each department', async () => {
    const sim = t.polis.sim!;
    const meter = new MeterController({
      store: t.polis.store,
      clock: manual,
      metrics: t.polis.metricsSource,
      maxGapMinutes: STEP_HOURS * 60,
    });
    const closedDays: string[] = [];
    let burstDays = 0;
    for (let day = 1; day <= 31; day++) {
      if (day === 10) {
        t.polis.sim!.cluster('gov-west')!.down();
        await settle(12);
      }
      if (day === 12) {
        t.polis.sim!.cluster('gov-west')!.restore();
        await settle(12);
      }
      if (day === 20) {
        await call('POST', '/api/v1/tenants/edu/apply', peak(24), t.tokens['edu-admin']);
        await settle();
      }
      if (day === 22) {
        await call('POST', '/api/v1/tenants/edu/apply', peak(2), t.tokens['edu-admin']);
        await settle();
      }
      const start = manual.now().getTime();
      for (let h = STEP_HOURS; h <= 24; h += STEP_HOURS) {
        // Land exactly on the hour (settling moved the clock a few seconds), then meter the hours behind.
        sim.advance(start + h * HOUR - (start % HOUR) - manual.now().getTime());
        const tick = await meter.tick();
        expect(tick.recorded).toBe(true);
      }
      const run = await t.polis.billing.run();
      alerts.push(...run.alerts);
      closedDays.push(...run.closed);
      // Closing again adds nothing: a restart repeats no day.
      expect((await t.polis.billing.closeDays()).length).toBe(0);
      const rec = (await call('GET', '/api/v1/cost-reconciliation?month=2026-12')).json() as {
        balanced: boolean;
        items: { day: string; cluster: string; totalFen: number; linesFen: number }[];
      };
      expect(rec.balanced, JSON.stringify(rec.items.filter((i) => i.totalFen !== i.linesFen))).toBe(true);
      if (rec.items.some((i) => i.cluster === 'burst-aliyun' && i.day === closedDays.at(-1) && i.totalFen > 0))
        burstDays++;
    }
    expect(closedDays).toHaveLength(31);
    expect(closedDays[0]).toBe('2026-12-01');
    expect(burstDays).toBeGreaterThanOrEqual(2);
    // A private cluster's day: capacity × prices + the lease's daily share, all of it allocated, idle or shared.
    const rec = (await call('GET', '/api/v1/cost-reconciliation?month=2026-12')).json() as {
      items: { day: string; cluster: string; totalFen: number }[];
    };
    const eastMonth = rec.items.filter((i) => i.cluster === 'gov-east').reduce((s, i) => s + i.totalFen, 0);
    expect(eastMonth).toBeGreaterThan(3_000_001);

    const bill = (
      await call('GET', '/api/v1/tenants/edu/bill?month=2026-12', undefined, t.tokens['edu-admin'])
    ).json() as Bill;
    expect(bill.closedDays).toBe(31);
    expect(bill.totalFen).toBeGreaterThan(0);
    expect(Object.values(bill.byCluster).reduce((s, x) => s + x, 0)).toBe(bill.totalFen);
    expect(Object.values(bill.byApplication).reduce((s, x) => s + x, 0)).toBe(bill.totalFen);
    expect(bill.byCluster['burst-aliyun']).toBeGreaterThan(0);
    expect(bill.byItem.premium).toBeGreaterThan(0);
    expect(bill.lines.every((l) => l.app !== '' || l.item === 'idle' || l.item === 'shared')).toBe(true);
    const xlsx = await t.request('GET', '/api/v1/tenants/edu/bill?month=2026-12&format=xlsx', {
      token: t.tokens['edu-admin'],
    });
    expect(xlsx.statusCode).toBe(200);
    const sheets = readXlsx(xlsx.rawPayload);
    expect(sheets.get('lines')![0]).toEqual([
      'department',
      'month',
      'application',
      'cluster',
      'vendor',
      'item',
      'yuan',
    ]);
    expect(sheets.get('lines')!.at(-1)!.at(-1)).toBe(String(bill.totalFen / 100));
    const csv = await t.request('GET', '/api/v1/tenants/edu/bill?month=2026-12&format=csv', {
      token: t.tokens['edu-admin'],
    });
    expect(csv.body).toContain('"exam-results"');

    // The budget (¥100) was alerted at 80% and at 100% in December, once each, as coded events; on 1 January
    // the new month starts from nothing.
    const december = alerts.filter((a) => a.tenant === 'edu' && a.month === '2026-12');
    expect(
      december.map((a) => a.threshold),
      `edu spent ${bill.totalFen} fen`,
    ).toEqual([80, 100]);
    const budget = (await call('GET', '/apis/polis.io/v1/tenants/edu/budgets/monthly')).json() as {
      status: { month: string; alerted: number[] };
    };
    expect(budget.status).toMatchObject({ month: '2027-01', alerted: [] });
    const events = await call('GET', '/apis/polis.io/v1/tenants/edu/events');
    expect(events.body).toContain('BudgetThresholdReached');
    expect(events.body).toContain('BudgetExceeded');
  }, 600_000);
});
