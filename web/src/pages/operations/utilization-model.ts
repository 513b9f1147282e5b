import type { Utilization } from './operations-api.ts';

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
