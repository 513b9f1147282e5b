import { describe, expect, it } from 'vitest';
import { orderedResults } from './assessment-model.ts';
import { budgetUse, formatFen, groupBill, reconcileByCluster, trendSeries } from './cost-model.ts';
import type { ApplicationRecommendations, Bill, BillLine, CheckResult } from './operations-api.ts';
import { recommendationRows, totalSaving } from './recommendation-model.ts';
import { utilizationSeries } from './utilization-model.ts';

const line = (app: string, cluster: string, vendor: string, item: string, fen: number): BillLine => ({
  app,
  cluster,
  vendor,
  item,
  fen,
});

describe('the bill on the cost page', () => {
  const lines = [
    line('enrolment', 'gov-east', 'inspur', 'cpu', 12_345),
    line('enrolment', 'gov-east', 'inspur', 'memory', 1),
    line('enrolment', 'burst-aliyun', 'aliyun', 'premium', 99),
    line('pg', 'gov-east', 'inspur', 'shared', 2_708),
    line('meals', 'gov-west', 'huawei', 'cpu', 2_708),
  ];

  it('groups lines by application, cluster, vendor and item, largest first, adding up to the total in fen', () => {
    const byApp = groupBill(lines, 'app');
    expect(byApp.totalFen).toBe(17_861);
    expect(byApp.groups.map((g) => [g.key, g.fen])).toEqual([
      ['enrolment', 12_445],
      ['meals', 2_708], // same fen as pg: by name
      ['pg', 2_708],
    ]);
    for (const by of ['app', 'cluster', 'vendor', 'item'] as const) {
      const g = groupBill(lines, by);
      expect(g.groups.reduce((s, x) => s + x.fen, 0)).toBe(17_861);
      expect(g.groups.reduce((s, x) => s + x.lines.length, 0)).toBe(lines.length);
    }
    expect(groupBill(lines, 'vendor').groups[0]).toMatchObject({ key: 'inspur', fen: 15_054 });
    expect(groupBill(lines, 'item').groups.map((g) => g.key)).toEqual(['cpu', 'shared', 'premium', 'memory']);
  });

  it('shows yuan to the fen, exactly, grouped by thousands', () => {
    expect(formatFen(1_234_506)).toBe('¥12,345.06');
    expect(formatFen(7)).toBe('¥0.07');
    expect(formatFen(-50)).toBe('-¥0.50');
    expect(formatFen(0)).toBe('¥0.00');
    // 0.1 + 0.2 in yuan would not be exact; in fen it is.
    expect(formatFen(10 + 20)).toBe('¥0.30');
  });

  it('colours a budget amber from 80% and red from 100%, comparing whole fen', () => {
    expect(budgetUse(7_999, 100)).toEqual({ percent: 80, level: 'ok' }); // 79.99% rounds to 80.0 but is under
    expect(budgetUse(8_000, 100)).toEqual({ percent: 80, level: 'warning' });
    expect(budgetUse(9_999, 100)).toEqual({ percent: 100, level: 'warning' });
    expect(budgetUse(10_000, 100)).toEqual({ percent: 100, level: 'exceeded' });
    expect(budgetUse(11_250, 100)).toEqual({ percent: 112.5, level: 'exceeded' });
    expect(budgetUse(0, 20_000)).toEqual({ percent: 0, level: 'ok' });
  });

  it('reconciles each cluster: allocations + idle + shared = total, and says when it does not', () => {
    const day = (d: string, cluster: string, a: number, i: number, s: number, total = a + i + s) => ({
      day: d,
      cluster,
      totalFen: total,
      linesFen: a + i + s,
      allocatedFen: a,
      idleFen: i,
      sharedFen: s,
    });
    const ok = reconcileByCluster([
      day('2026-11-01', 'gov-east', 100, 50, 10),
      day('2026-11-02', 'gov-east', 200, 40, 10),
      day('2026-11-01', 'burst-aliyun', 30, 0, 0),
    ]);
    expect(ok.clusters.map((c) => [c.cluster, c.totalFen, c.balanced])).toEqual([
      ['burst-aliyun', 30, true],
      ['gov-east', 410, true],
    ]);
    expect(ok.city).toMatchObject({ allocatedFen: 330, idleFen: 90, sharedFen: 20, totalFen: 440, balanced: true });
    const off = reconcileByCluster([day('2026-11-01', 'gov-east', 100, 50, 10, 161)]);
    expect(off.clusters[0]!.balanced).toBe(false);
    expect(off.city.balanced).toBe(false);
  });

  it('draws the trend with month to date and a forecast line ending at the month-end forecast', () => {
    const bill: Bill = {
      tenant: 'edu',
      month: '2026-11',
      closedDays: 2,
      daysInMonth: 30,
      totalFen: 300,
      lines: [],
      byApplication: {},
      byCluster: {},
      byVendor: {},
      byItem: {},
      daily: [
        { day: '2026-11-01', fen: 100 },
        { day: '2026-11-02', fen: 200 },
      ],
      forecastFen: 300 + 150 * 28,
    };
    const s = trendSeries(bill);
    expect(s.days).toHaveLength(30);
    expect(s.daily.slice(0, 3)).toEqual([1, 2, null]);
    expect(s.cumulative.slice(0, 3)).toEqual([1, 3, null]);
    expect(s.forecast[0]).toBeNull();
    expect(s.forecast[1]).toBe(3);
    expect(s.forecast.at(-1)).toBe(45);
  });
});

describe('the recommendations table', () => {
  const option = (cpuMilli: number, yuan: number) => ({
    cpuMilli,
    memoryBytes: 2 ** 30,
    yuanPerMonth: yuan,
    risk: { violationMinutes: 0, minutes: 100, share: 0 },
  });
  const comp = (component: string, saving: number, profile: 'vpa' | 'percentile' | 'current' = 'vpa') => ({
    component,
    replicas: 2,
    current: option(2000, 400),
    recommended: { ...option(profile === 'current' ? 2000 : 250, 400 - saving), profile },
    savingYuanPerMonth: saving,
    notes: [],
  });
  const lists: ApplicationRecommendations[] = [
    { tenant: 'edu', application: 'big', components: [comp('web', 300), comp('db', 5)], savingYuanPerMonth: 305 },
    { tenant: 'edu', application: 'small', components: [comp('api', 120)], savingYuanPerMonth: 120 },
    { tenant: 'edu', application: 'new', components: [comp('web', 0, 'current')], savingYuanPerMonth: 0 },
  ];

  it('lists components by saving, largest first, and offers apply only where there is a change', () => {
    const rows = recommendationRows(lists);
    expect(rows.map((r) => r.key)).toEqual(['edu/big/web', 'edu/small/api', 'edu/big/db', 'edu/new/web']);
    expect(rows.map((r) => r.applicable)).toEqual([true, true, true, false]);
    expect(totalSaving(rows)).toBe(425);
  });
});

describe('the scorecard', () => {
  it('shows failed checks first, danger before warning before info', () => {
    const r = (check: string, severity: CheckResult['severity'], passed: boolean): CheckResult => ({
      check,
      severity,
      passed,
      mandatory: false,
    });
    const ordered = orderedResults([
      r('description', 'info', false),
      r('cpu-request', 'danger', true),
      r('liveness-probe', 'warning', false),
      r('run-as-non-root', 'danger', false),
    ]);
    expect(ordered.map((x) => x.check)).toEqual(['run-as-non-root', 'liveness-probe', 'description', 'cpu-request']);
  });
});

describe('the utilization chart', () => {
  it('labels each point in the city’s time and draws the requests flat beside the use', () => {
    const s = utilizationSeries({
      from: '2026-12-06T00:00:00.000Z',
      to: '2026-12-06T00:10:00.000Z',
      stepMs: 300_000,
      departments: [{ tenant: 'edu', requested: { cpu: 4, memory: 0 }, used: { cpu: [1, null, 2.5] } }],
    });
    expect(s.times).toEqual(['12-06 08:00', '12-06 08:05', '12-06 08:10']);
    expect(s.departments[0]).toEqual({ tenant: 'edu', used: [1, null, 2.5], requested: [4, 4, 4] });
  });
});
