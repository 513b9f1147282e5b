import { describe, expect, it } from 'vitest';
import type { MeterRow } from '../../resources/ledger-store.ts';
import { memoryHistory } from './memory-history.ts';
import { recommend, vpaTarget } from './recommendation.ts';

/**
 * Memory history from metering's hour roll-ups, into the VPA's memory recommendation (peaks over 8 × 24 h, OOM bump
 * ×1.2 and at least 100 MiB, minimum 250 MiB). Worked by hand from the VPA's documented algorithm (docs/operations.md):
 * memory buckets start at 1e7 × (1.05^n − 1) / 0.05 bytes, target = the end of the p90 bucket × 1.15.
 */
const MIB = 2 ** 20;
const OFFSET = 480; // the city's local time, UTC+8
const STEP = 5 * 60_000;

/** 8 local days of hour rows: `web` on two clusters (2 and 1 replicas), 300 MiB each, 500 MiB at noon. */
function rows(): MeterRow[] {
  const out: MeterRow[] = [];
  for (let d = 20; d < 28; d++)
    for (let h = 0; h < 24; h++) {
      const perReplica = h === 12 ? 500 : 300;
      for (const [cluster, replicas] of [
        ['gov-east', 2],
        ['gov-west', 1],
      ] as const)
        out.push({
          period: 'hour',
          start: `2026-11-${d}T${String(h).padStart(2, '0')}`,
          tenant: 'edu',
          app: 'enrol',
          component: 'web',
          cluster,
          minutes: 60,
          replicaMinutes: replicas * 60,
          cpuRequest: 0,
          cpuLimit: 0,
          cpuUsage: 0,
          cpuMax: 0,
          memRequest: replicas * 512 * 60,
          memLimit: 0,
          // MiB-minutes over the replicas there.
          memUsage: replicas * perReplica * 60,
          memMax: replicas * 512 * 60,
          storage: 0,
        });
    }
  // Another component and an hour with no memory measured are left out.
  out.push({ ...out[0]!, component: 'api', memUsage: 999_999 });
  out.push({ ...out[0]!, start: '2026-11-28T00', memUsage: 0 });
  return out;
}

const fromMs = Date.parse('2026-11-20T00:00:00Z') - OFFSET * 60_000;
const toMs = Date.parse('2026-11-29T00:00:00Z') - OFFSET * 60_000;
const history = () => memoryHistory(rows(), 'enrol', 'web', { offsetMinutes: OFFSET, stepMs: STEP, fromMs, toMs });

describe('memory history from metering', () => {
  it('gives one replica’s mean per hour over all clusters, each hour standing for its 5-minute steps', () => {
    const h = history();
    // 8 days × 24 hours × 12 steps; (2 × 300 + 300) × 60 MiB-minutes over 180 replica-minutes = 300 MiB.
    expect(h).toHaveLength(8 * 24 * 12);
    expect(h[0]).toEqual({ at: fromMs, value: 300 * MIB });
    expect(h[12 * 12]).toEqual({ at: fromMs + 12 * 3_600_000, value: 500 * MIB });
    expect(new Set(h.map((s) => s.value / MIB))).toEqual(new Set([300, 500]));
  });

  it('feeds the VPA: p90 of the daily peaks plus 15% (600 MiB), and after an OOM the bump (729 MiB)', () => {
    const cpu = [{ at: fromMs, value: 0.2 }];
    const base = {
      component: 'web',
      replicas: 3,
      current: { cpuMilli: 500, memoryBytes: 1024 * MIB },
      stepMs: STEP,
      cpu,
    };
    // Every day's peak is 500 MiB = 524,288,000 bytes: bucket floor(ln(524,288,000 · 0.05 / 1e7 + 1) / ln 1.05) = 26;
    // its end, start(27) = 2e8 · (1.05^27 − 1) = 546,691,264 bytes; × 1.15 = 628,694,954 → 600 MiB (rounded up).
    expect(vpaTarget({ ...base, memory: history() }).r.memoryBytes).toBe(600 * MIB);
    // An OOM kill on the last day with a 512 MiB request: used = max(512 MiB, the 500 MiB peak) = 536,870,912;
    // needed = max(used + 100 MiB, used × 1.2) = 644,245,094 bytes, the last interval's peak. Intervals weigh 1, 2 …
    // 128 (half-life 24 h): the seven older ones, 127 < 0.9 × 255, so p90 is the bump's bucket:
    // floor(ln(644,245,094 · 0.05 / 1e7 + 1) / ln 1.05) = 29; start(30) = 2e8 · (1.05^30 − 1) = 664,388,475;
    // × 1.15 = 764,046,746 bytes → 729 MiB.
    const ooms = [{ at: toMs - 3_600_000, requestBytes: 512 * MIB }];
    const bumped = vpaTarget({ ...base, memory: history(), ooms });
    expect(bumped.r.memoryBytes).toBe(729 * MIB);
    expect(bumped.oom).toMatchObject({ seen: 1, bumps: 1 });
    // With memory measured, the recommendation no longer keeps the request with RightsizingNoMemoryHistory.
    const rec = recommend({ ...base, memory: history() }, { cpuCoreHour: 0.12, memoryGiBHour: 0.016 }, toMs);
    expect(rec.notes.map((n) => n.code)).not.toContain('RightsizingNoMemoryHistory');
    expect(rec.vpa.memoryBytes).toBe(600 * MIB);
  });
});
