import type { CostLineRow } from '../../resources/ledger-store.ts';

/** One line of a bill: fen per application, cluster, vendor and item over the month. */
export interface BillLine {
  readonly app: string;
  readonly cluster: string;
  readonly vendor: string;
  readonly item: string;
  readonly fen: number;
}

/** A department's monthly bill (pure result; amounts in fen, the display in yuan is `fen / 100`). */
export interface Bill {
  readonly tenant: string;
  readonly month: string;
  /** The days of the month closed so far (a month in progress has fewer than its length). */
  readonly closedDays: number;
  readonly daysInMonth: number;
  readonly totalFen: number;
  readonly lines: readonly BillLine[];
  readonly byApplication: Readonly<Record<string, number>>;
  readonly byCluster: Readonly<Record<string, number>>;
  readonly byVendor: Readonly<Record<string, number>>;
  readonly byItem: Readonly<Record<string, number>>;
  /** Fen per closed day, in day order (the trend). */
  readonly daily: readonly { readonly day: string; readonly fen: number }[];
  /** The month-end forecast: month to date + the mean of the last (up to) 7 closed days × the days left. */
  readonly forecastFen: number;
}

const FORECAST_WINDOW = 7;

/** The bill of `tenant` for `month` from its closed cost lines (pure; lines of other departments are ignored). */
export function buildBill(tenant: string, month: string, daysInMonth: number, rows: readonly CostLineRow[]): Bill {
  const lines = new Map<string, { app: string; cluster: string; vendor: string; item: string; fen: number }>();
  const byApplication: Record<string, number> = {};
  const byCluster: Record<string, number> = {};
  const byVendor: Record<string, number> = {};
  const byItem: Record<string, number> = {};
  const daily = new Map<string, number>();
  let total = 0;
  for (const r of rows) {
    if (r.tenant !== tenant || !r.day.startsWith(month)) continue;
    const key = [r.app, r.cluster, r.vendor, r.item].join('\u0000');
    const l = lines.get(key) ?? { app: r.app, cluster: r.cluster, vendor: r.vendor, item: r.item, fen: 0 };
    l.fen += r.fen;
    lines.set(key, l);
    byApplication[r.app] = (byApplication[r.app] ?? 0) + r.fen;
    byCluster[r.cluster] = (byCluster[r.cluster] ?? 0) + r.fen;
    byVendor[r.vendor] = (byVendor[r.vendor] ?? 0) + r.fen;
    byItem[r.item] = (byItem[r.item] ?? 0) + r.fen;
    daily.set(r.day, (daily.get(r.day) ?? 0) + r.fen);
    total += r.fen;
  }
  const closed = [...new Set(rows.filter((r) => r.day.startsWith(month)).map((r) => r.day))].length;
  const days = [...daily].sort(([a], [b]) => (a < b ? -1 : 1)).map(([day, fen]) => ({ day, fen }));
  return {
    tenant,
    month,
    closedDays: closed,
    daysInMonth,
    totalFen: total,
    lines: [...lines.values()].sort(
      (a, b) => a.app.localeCompare(b.app) || a.cluster.localeCompare(b.cluster) || a.item.localeCompare(b.item),
    ),
    byApplication,
    byCluster,
    byVendor,
    byItem,
    daily: days,
    forecastFen: forecast(
      total,
      days.map((d) => d.fen),
      closed,
      daysInMonth,
    ),
  };
}

/** Month to date plus the mean of the last few closed days for each day left (whole fen). */
export function forecast(monthToDate: number, dailyFen: readonly number[], closedDays: number, daysInMonth: number) {
  const recent = dailyFen.slice(-FORECAST_WINDOW);
  const mean = recent.length > 0 ? recent.reduce((s, x) => s + x, 0) / recent.length : 0;
  return monthToDate + Math.round(mean * Math.max(0, daysInMonth - closedDays));
}

/** Fen as yuan with two decimals ('1234.50'), exact for any integer fen. */
export function yuanText(fen: number): string {
  const sign = fen < 0 ? '-' : '';
  const a = Math.abs(fen);
  return `${sign}${Math.floor(a / 100)}.${String(a % 100).padStart(2, '0')}`;
}

/** The thresholds (percent of `budgetFen`) that `spentFen` has reached and that were not yet alerted. */
export function newThresholds(
  spentFen: number,
  budgetFen: number,
  thresholds: readonly number[],
  alerted: readonly number[],
): number[] {
  if (!(budgetFen > 0)) return [];
  return [...new Set(thresholds)]
    .sort((a, b) => a - b)
    .filter((t) => !alerted.includes(t) && spentFen * 100 >= t * budgetFen);
}

/** Cost lines grouped by department. */
export function linesByTenant<T extends { readonly tenant: string }>(rows: readonly T[]): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const r of rows) {
    if (r.tenant === '') continue;
    const list = out.get(r.tenant) ?? [];
    list.push(r);
    out.set(r.tenant, list);
  }
  return out;
}
