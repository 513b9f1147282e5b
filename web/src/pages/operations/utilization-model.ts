import type { Utilization, UtilizationHistory, UtilizationLine } from './operations-api.ts';

/**
 * The utilization chart's series: one time label per point (HH:mm in the city's time, UTC+8), and per department
 * the CPU used (null where unmeasured) and requested (placed now: the route gives today's requests, drawn flat).
 */
export function utilizationSeries(u: Utilization): {
  times: string[];
  departments: { tenant: string; used: (number | null)[]; requested: number[] }[];
} {
  const from = Date.parse(u.from);
  const points = Math.max(0, ...u.departments.map((d) => d.used.cpu.length));
  const times = Array.from({ length: points }, (_, i) =>
    new Date(from + i * u.stepMs + 8 * 3_600_000).toISOString().slice(5, 16).replace('T', ' '),
  );
  return {
    times,
    departments: u.departments.map((d) => ({
      tenant: d.tenant,
      used: [...d.used.cpu],
      requested: Array.from({ length: points }, () => d.requested.cpu),
    })),
  };
}

/** The over-time chart of one resource: requested, used and capacity per interval (null: not metered, or none). */
export interface HistoryChart {
  readonly labels: string[];
  readonly requested: (number | null)[];
  readonly used: (number | null)[];
  /** Absent when there is no capacity to draw (a department without a quota; a department's view of clusters). */
  readonly capacity?: (number | null)[];
}

/**
 * The over-time chart of `resource` (CPU in cores, memory in GiB) for one department, or, with `tenant` undefined,
 * the whole city: the sum over the clusters shown (their capacity only when every cluster has one).
 */
export function historyChart(h: UtilizationHistory, resource: 'cpu' | 'memory', tenant?: string): HistoryChart {
  const scale = resource === 'memory' ? 1 / 2 ** 30 : 1;
  const labels = h.intervals.map((k) => (k.length === 13 ? `${k.slice(5, 10)} ${k.slice(11)}:00` : k));
  const pick = (s: UtilizationLine['requested'] | undefined) => s?.[resource];
  const sum = (lines: readonly (readonly (number | null)[] | undefined)[]): (number | null)[] | undefined => {
    if (lines.length === 0 || lines.some((l) => l === undefined)) return undefined;
    return h.intervals.map((_, i) => {
      let total: number | null = null;
      for (const l of lines) {
        const v = l![i];
        if (v !== null && v !== undefined) total = (total ?? 0) + v;
      }
      return total === null ? null : Math.round(total * scale * 1000) / 1000;
    });
  };
  const lines: readonly UtilizationLine[] =
    tenant === undefined ? h.clusters : h.departments.filter((d) => d.tenant === tenant);
  const empty = h.intervals.map(() => null);
  const capacity = sum(lines.map((l) => pick(l.capacity)));
  return {
    labels,
    requested: sum(lines.map((l) => pick(l.requested))) ?? empty,
    used: sum(lines.map((l) => pick(l.used))) ?? empty,
    ...(capacity ? { capacity } : {}),
  };
}
