import type { WindowRow } from '../../resources/alert-state.ts';
import type { RingSignalWindows, SeriesDump } from './signal-windows.ts';

/** The data format of a window row; a row of another version (or another bucket count) is left unread. */
const VERSION = 1;

interface WindowData {
  readonly v: number;
  readonly slots: number;
  /** [key, last, lastAt, rings] per series. */
  readonly series: ReadonlyArray<readonly [string, number, number, SeriesDump['rings']]>;
}

const TENANT = /[{,]tenant="([^"]*)"/;

/** The department a series key belongs to ('' for the platform's: clusters). */
export function tenantOfSeries(key: string): string {
  return TENANT.exec(key)?.[1] ?? '';
}

/**
 * The windows as store rows, one per department ('' the platform's), at `now`: what AlertStateStore.saveWindows
 * keeps so a restarted process, or a new leader, reads the same aggregates (a `min over 2m` neither fires on the
 * first sample after a restart nor forgets the samples before it).
 */
export function windowRows(windows: RingSignalWindows, now: number): WindowRow[] {
  const byTenant = new Map<string, Array<WindowData['series'][number]>>();
  for (const d of windows.dump(now)) {
    const tenant = tenantOfSeries(d.key);
    let list = byTenant.get(tenant);
    if (list === undefined) byTenant.set(tenant, (list = []));
    list.push([d.key, d.last, d.lastAt, d.rings]);
  }
  return [...byTenant]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([tenant, series]) => ({
      tenant,
      data: JSON.stringify({ v: VERSION, slots: windows.slotCount, series } satisfies WindowData),
      updatedAt: now,
    }));
}

/** Loads stored rows into `windows`; returns the series taken up (rows of another format are skipped). */
export function loadWindowRows(windows: RingSignalWindows, rows: readonly WindowRow[]): number {
  let n = 0;
  for (const row of rows) {
    let data: WindowData;
    try {
      data = JSON.parse(row.data) as WindowData;
    } catch {
      continue;
    }
    if (data.v !== VERSION || data.slots !== windows.slotCount || !Array.isArray(data.series)) continue;
    windows.load(data.series.map(([key, last, lastAt, rings]) => ({ key, last, lastAt, rings })));
    n += data.series.length;
  }
  return n;
}
