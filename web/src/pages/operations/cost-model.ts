import type { Bill, BillLine, ReconciliationItem } from './operations-api.ts';

/** Fen as yuan to the fen, grouped by thousands, exact for any integer fen (¥12,345.06, -¥0.50). */
export function formatFen(fen: number): string {
  const sign = fen < 0 ? '-' : '';
  const a = Math.abs(Math.round(fen));
  const yuan = String(Math.floor(a / 100)).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${sign}¥${yuan}.${String(a % 100).padStart(2, '0')}`;
}

export type BillDimension = 'app' | 'cluster' | 'vendor' | 'item';

export interface BillGroup {
  readonly key: string;
  readonly fen: number;
  /** The group's share of the bill's total, 0–1 (0 when the total is not positive). */
  readonly share: number;
  readonly lines: readonly BillLine[];
}

/**
 * A bill's lines grouped by one dimension, largest first (then by name), each group with its lines. The groups'
 * fen add up to the sum of the lines, in integers: nothing is rounded.
 */
export function groupBill(lines: readonly BillLine[], by: BillDimension): { groups: BillGroup[]; totalFen: number } {
  const map = new Map<string, BillLine[]>();
  for (const l of lines) {
    const list = map.get(l[by]) ?? [];
    list.push(l);
    map.set(l[by], list);
  }
  const totalFen = lines.reduce((s, l) => s + l.fen, 0);
  const groups = [...map].map(([key, ls]) => {
    const fen = ls.reduce((s, l) => s + l.fen, 0);
    return { key, fen, share: totalFen > 0 ? fen / totalFen : 0, lines: ls };
  });
  groups.sort((a, b) => b.fen - a.fen || a.key.localeCompare(b.key));
  return { groups, totalFen };
}

export type BudgetLevel = 'ok' | 'warning' | 'exceeded';

/**
 * A budget's use: spent against the amount (yuan, to the fen), compared in whole fen so 80% and 100% are exact.
 * At or over 100%: exceeded (red, with the figure); at or over 80%: warning (amber).
 */
export function budgetUse(spentFen: number, amountYuan: number): { percent: number; level: BudgetLevel } {
  const budgetFen = Math.round(amountYuan * 100);
  if (!(budgetFen > 0)) return { percent: 0, level: spentFen > 0 ? 'exceeded' : 'ok' };
  const percent = Math.round((spentFen * 1000) / budgetFen) / 10;
  const level: BudgetLevel = spentFen >= budgetFen ? 'exceeded' : spentFen * 100 >= budgetFen * 80 ? 'warning' : 'ok';
  return { percent, level };
}

/** Antd colours for a budget's level: red, amber, the default blue. */
export const BUDGET_COLOR: Readonly<Record<BudgetLevel, string>> = {
  exceeded: '#ff4d4f',
  warning: '#faad14',
  ok: '#1677ff',
};

export interface ClusterReconciliation {
  readonly cluster: string;
  readonly allocatedFen: number;
  readonly idleFen: number;
  readonly sharedFen: number;
  readonly totalFen: number;
  /** allocations + idle + shared = total, to the fen. */
  readonly balanced: boolean;
}

/** The month's reconciliation per cluster (its closed days added), and the city's, from the route's day rows. */
export function reconcileByCluster(items: readonly ReconciliationItem[]): {
  clusters: ClusterReconciliation[];
  city: ClusterReconciliation;
} {
  const map = new Map<string, { allocatedFen: number; idleFen: number; sharedFen: number; totalFen: number }>();
  for (const i of items) {
    const c = map.get(i.cluster) ?? { allocatedFen: 0, idleFen: 0, sharedFen: 0, totalFen: 0 };
    c.allocatedFen += i.allocatedFen;
    c.idleFen += i.idleFen;
    c.sharedFen += i.sharedFen;
    c.totalFen += i.totalFen;
    map.set(i.cluster, c);
  }
  const row = (cluster: string, c: { allocatedFen: number; idleFen: number; sharedFen: number; totalFen: number }) => ({
    cluster,
    ...c,
    balanced: c.allocatedFen + c.idleFen + c.sharedFen === c.totalFen,
  });
  const clusters = [...map].sort(([a], [b]) => a.localeCompare(b)).map(([k, c]) => row(k, c));
  const sum = (f: 'allocatedFen' | 'idleFen' | 'sharedFen' | 'totalFen') => clusters.reduce((s, c) => s + c[f], 0);
  const city = row('', {
    allocatedFen: sum('allocatedFen'),
    idleFen: sum('idleFen'),
    sharedFen: sum('sharedFen'),
    totalFen: sum('totalFen'),
  });
  return { clusters, city: { ...city, balanced: city.balanced && clusters.every((c) => c.balanced) } };
}

/**
 * The trend chart's series over every day of the bill's month: the daily cost (yuan; null on days not closed), the
 * month to date (cumulative), and the forecast, a straight line from the last closed day's month to date to the
 * month-end forecast (null before it).
 */
export function trendSeries(bill: Bill): {
  days: string[];
  daily: (number | null)[];
  cumulative: (number | null)[];
  forecast: (number | null)[];
} {
  const days = Array.from({ length: bill.daysInMonth }, (_, i) => `${bill.month}-${String(i + 1).padStart(2, '0')}`);
  const byDay = new Map(bill.daily.map((d) => [d.day, d.fen]));
  const lastClosed = bill.daily.length > 0 ? days.indexOf(bill.daily.at(-1)!.day) : -1;
  let running = 0;
  const daily: (number | null)[] = [];
  const cumulative: (number | null)[] = [];
  days.forEach((d, i) => {
    const fen = byDay.get(d);
    if (fen !== undefined) running += fen;
    daily.push(fen === undefined ? null : fen / 100);
    cumulative.push(i <= lastClosed ? running / 100 : null);
  });
  const start = lastClosed >= 0 ? running : 0;
  const from = Math.max(lastClosed, 0);
  const span = days.length - 1 - from;
  const forecast = days.map((_, i) =>
    i < from
      ? null
      : span > 0
        ? (start + ((bill.forecastFen - start) * (i - from)) / span) / 100
        : bill.forecastFen / 100,
  );
  return { days, daily, cumulative, forecast };
}
