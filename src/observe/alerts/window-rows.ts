import type { WindowRow } from '../../resources/alert-state.ts';
import type { BucketDump, RingSignalWindows } from './signal-windows.ts';

/** The data format of a window row; a row of another version (or another bucket count) is left unread. */
const VERSION = 1;

interface WindowData {
  readonly v: number;
  readonly slots: number;
  readonly buckets: readonly BucketDump[];
}

const TENANT = /[{,]tenant="([^"]*)"/;

/** The department a series key belongs to ('' for the platform's: clusters). */
export function tenantOfSeries(key: string): string {
  return TENANT.exec(key)?.[1] ?? '';
}

/**
 * The slots of a `windowMs` ring written to in `(sinceMs, nowMs]` (every slot when `sinceMs` is not finite or
 * the span covers the ring): a bucket closed before the last checkpoint has not changed since.
 */
export function slotsWritten(windowMs: number, slots: number, sinceMs: number, nowMs: number): Set<number> {
  const width = windowMs / slots;
  const to = Math.floor(nowMs / width);
  const from = Number.isFinite(sinceMs) ? Math.floor(sinceMs / width) : -Infinity;
  const out = new Set<number>();
  if (to - from + 1 >= slots) for (let i = 0; i < slots; i++) out.add(i);
  else for (let b = from; b <= to; b++) out.add(((b % slots) + slots) % slots);
  return out;
}

/**
 * A checkpoint of the windows as store rows, one per department ('' the platform's), window and bucket slot, at
 * `nowMs`: only the slots written to since the checkpoint at `sinceMs` (a 5-minute window's four newest 15-second
 * buckets a minute, a 3-day window's one open bucket), so a checkpoint costs a small part of the whole. What
 * AlertStateStore.saveWindows keeps lets a restarted process, or a new leader, read the same aggregates (a
 * `min over 2m` neither fires on the first sample after a restart nor forgets the samples before it). `only`: the
 * rows of that window alone (a caller spreads a large checkpoint over several turns of the event loop).
 */
export function windowRows(windows: RingSignalWindows, sinceMs: number, nowMs: number, only?: number): WindowRow[] {
  const n = windows.slotCount;
  const none = new Set<number>();
  const dumped = windows.dumpSlots(nowMs, (w) =>
    only === undefined || w === only ? slotsWritten(w, n, sinceMs, nowMs) : none,
  );
  const rows: WindowRow[] = [];
  for (const [windowMs, bySlot] of [...dumped].sort(([a], [b]) => a - b))
    for (const [slot, buckets] of [...bySlot].sort(([a], [b]) => a - b)) {
      const byTenant = new Map<string, BucketDump[]>();
      for (const d of buckets) {
        const tenant = tenantOfSeries(d[0]);
        let list = byTenant.get(tenant);
        if (list === undefined) byTenant.set(tenant, (list = []));
        list.push(d);
      }
      for (const [tenant, list] of [...byTenant].sort(([a], [b]) => a.localeCompare(b)))
        rows.push({
          tenant,
          windowMs,
          slot,
          data: JSON.stringify({ v: VERSION, slots: n, buckets: list } satisfies WindowData),
          updatedAt: nowMs,
        });
    }
  return rows;
}

/** Loads stored rows into `windows`; returns the buckets taken up (rows of another format are skipped). */
export function loadWindowRows(windows: RingSignalWindows, rows: readonly WindowRow[]): number {
  let n = 0;
  for (const row of rows) {
    let data: WindowData;
    try {
      data = JSON.parse(row.data) as WindowData;
    } catch {
      continue;
    }
    if (data.v !== VERSION || data.slots !== windows.slotCount || !Array.isArray(data.buckets)) continue;
    windows.loadBuckets(row.windowMs, data.buckets);
    n += data.buckets.length;
  }
  return n;
}
