import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../src/kernel/clock.ts';
import type { MetricsSource } from '../src/observe/index.ts';
import { RecommendationService } from '../src/operations/rightsizing/recommendation-service.ts';
import type { TestPolis } from './support/test-polis.ts';
import { startTestPolis } from './support/test-polis.ts';

/**
 * Memory use measured on the simulated cloud reaches metering (the meter's memUsage, what `max` billing charges) and
 * the rightsizing recommender's memory figure (issue 17: memory history for rightsizing).
 */
let t: TestPolis;
const MIB = 2 ** 20;

async function placed(): Promise<boolean> {
  const r = await t.request('GET', '/apis/core.oam.dev/v1beta1/tenants/tax/applications/e-invoice', {
    token: t.adminToken,
  });
  const st = r.json().status as { placement?: Record<string, Record<string, number>> } | undefined;
  return Object.keys(st?.placement ?? {}).length > 0;
}

beforeAll(async () => {
  t = await startTestPolis({ controllers: true, virtualTime: true, clock: new ManualClock('2026-12-01T08:00:00Z') });
  for (let i = 0; i < 300 && !(await placed()); i++) {
    await t.polis.clusters.probeAll();
    await t.polis.delivery.idle();
    t.polis.sim!.advance(1000);
    await new Promise((r) => setTimeout(r, 20));
  }
  // Pods ready: a minute of virtual time.
  for (let i = 0; i < 60; i++) t.polis.sim!.advance(1000);
}, 120_000);

afterAll(async () => {
  await t?.stop();
});

describe('memory use in metering and rightsizing', () => {
  it('meters the memory the pods use and recommends memory from that history', async () => {
    expect(await placed()).toBe(true);
    t.polis.sim!.advance(60_000);
    const tick = await t.polis.meter.tick();
    expect(tick.recorded).toBe(true);
    const rows = (
      await t.polis.store.ledger.meterRows({
        period: 'hour',
        from: '2026-12-01T00',
        to: '2026-12-01T23',
        tenants: ['tax'],
      })
    ).filter((r) => r.app === 'e-invoice');
    expect(rows.length).toBeGreaterThan(0);
    for (const r of rows) {
      // A simulated pod at rest uses 40% of its memory request: per replica and minute, in MiB.
      const perReplica = r.memUsage / r.replicaMinutes;
      const request = r.memRequest / r.replicaMinutes;
      expect(perReplica, `${r.component} on ${r.cluster}`).toBeCloseTo(0.4 * request, 0);
      expect(r.memMax).toBe(r.memRequest);
    }
    // The recommender reads that history: memory below the request, no "no memory history" note.
    const now = t.polis.sim!.now();
    const cpu: MetricsSource = {
      name: 'recorded',
      signals: async () => undefined,
      history: async (_ref, _signal, from, to, step) =>
        Array.from({ length: Math.floor((to - from) / step) + 1 }, () => 0.1),
    };
    const service = new RecommendationService({
      resources: t.polis.resources,
      metrics: cpu,
      ledger: t.polis.store.ledger,
      now: () => now,
    });
    const app = await t.polis.resources.get('Application', 'tax', 'e-invoice');
    const recs = await service.forApplication(app, { cpuCoreHour: 0.12, memoryGiBHour: 0.016 });
    const metered = new Set(rows.map((r) => r.component));
    for (const c of recs.components.filter((x) => metered.has(x.component))) {
      expect(c.notes.map((n) => n.code)).not.toContain('RightsizingNoMemoryHistory');
      expect(c.vpa.memoryBytes).toBeLessThan(c.current.memoryBytes);
      expect(c.vpa.memoryBytes).toBeGreaterThanOrEqual(250 * MIB);
    }
  });
});
