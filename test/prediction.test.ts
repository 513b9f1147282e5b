import { appNamespace } from '../src/delivery/namespace.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../src/kernel/clock.ts';
import { daily } from '../src/sim/index.ts';
import type { TestPolis } from './support/test-polis.ts';
import { startTestPolis } from './support/test-polis.ts';

/**
 * Predictive autoscaling in the running product, in virtual time: the scaling controller keeps each predicted
 * component's load history (5-minute buckets) and hands it to the decision. Two components with the same daily
 * cycle (night 15 req/s, 150 req/s at 09:00 Asia/Shanghai):
 * - the demo's pension portal, whose history the controller rebuilds from the metrics source's range at its first
 *   evaluation (the simulated city existed before this process, as a Prometheus retention would tell);
 * - a component applied now, whose history the controller must gather itself over two simulated days.
 * Both must be raised ahead of the morning peak by the prediction, with a `Scaled` event that says so.
 */
const HOUR = 3_600_000;
const START = Date.parse('2026-11-23T16:00:00Z'); // 00:00 in Asia/Shanghai
const PEAK = (day: number) => START + day * 24 * HOUR + 9 * HOUR;
const STEP = 60_000;
let t: TestPolis;
let clock: ManualClock;

async function step(ms = STEP): Promise<void> {
  t.polis.sim!.advance(ms);
  await t.polis.scaling!.evaluateAll();
  await t.polis.feed.idle();
  await t.polis.delivery.idle();
}

interface EventView {
  spec: { reason: string; message: string; involvedObject: { name: string }; firstTimestamp: string };
}
async function predictedScaleUps(tenant: string, app: string): Promise<number[]> {
  const r = await t.request('GET', `/apis/polis.io/v1/tenants/${tenant}/events?limit=1000`, { token: t.adminToken });
  return (r.json() as { items: EventView[] }).items
    .filter((e) => e.spec.involvedObject.name === app && e.spec.reason === 'Scaled')
    .filter((e) => /set by the prediction/.test(e.spec.message) && /daily cycle/.test(e.spec.message))
    .map((e) => Date.parse(e.spec.firstTimestamp))
    .sort((a, b) => a - b);
}

beforeAll(async () => {
  clock = new ManualClock(new Date(START).toISOString());
  t = await startTestPolis({ controllers: true, virtualTime: true, clock });
  await t.polis.clusters.probeAll();
  const r = await t.request('POST', '/api/v1/apply', {
    token: t.adminToken,
    body: [
      {
        apiVersion: 'core.oam.dev/v1beta1',
        kind: 'Application',
        metadata: { name: 'clinic-booking', tenant: 'health' },
        spec: {
          components: [
            {
              name: 'web',
              type: 'webservice',
              properties: { image: 'registry.example.gov.cn/health/clinic:1.0', cpu: '250m', memory: '256Mi' },
              traits: [{ type: 'scaler', properties: { replicas: 2 } }],
            },
          ],
          policies: [
            {
              name: 'learn-the-day',
              type: 'autoscaling',
              properties: {
                components: [
                  {
                    name: 'web',
                    minReplicas: 2,
                    maxReplicas: 20,
                    targets: { requestsPerReplica: 15 },
                    prediction: { enabled: true, horizonMinutes: 15 },
                  },
                ],
              },
            },
          ],
        },
      },
    ],
  });
  expect(r.statusCode, r.body).toBeLessThan(300);
  for (let i = 0; i < 30; i++) await step(1000);
  // Only now does its load begin: nothing before this instant could tell the controller about it.
  t.polis.sim!.setScenario(
    appNamespace('health', 'clinic-booking'),
    'web',
    daily({ base: 15, peak: 150, peakHours: [9], widthHours: 2.5, utcOffsetHours: 8 }),
  );
}, 120_000);
afterAll(async () => {
  await t?.stop();
});

describe('predictive autoscaling', () => {
  it('raises the demo’s pension portal ahead of its first morning peak, from the rebuilt history', async () => {
    while (clock.now().getTime() < PEAK(0)) await step();
    const ups = await predictedScaleUps('hrss', 'pension-certification');
    expect(ups.length, 'a Scaled event set by the prediction').toBeGreaterThan(0);
    expect(ups[0]!).toBeLessThan(PEAK(0));
    // Not at night: the forecast raised it during the morning rise (the rush starts at 06:30).
    expect(ups[0]!).toBeGreaterThan(START + 6 * HOUR);
  }, 600_000);

  it('learns a new component’s daily cycle over two simulated days and raises it ahead of the third morning', async () => {
    expect(await predictedScaleUps('health', 'clinic-booking')).toEqual([]);
    while (clock.now().getTime() < PEAK(2)) await step();
    const ups = await predictedScaleUps('health', 'clinic-booking');
    expect(ups.length, 'a Scaled event set by the prediction').toBeGreaterThan(0);
    // Two days of history are needed, so the first is on the third morning, before its peak.
    expect(ups[0]!).toBeGreaterThan(PEAK(1));
    expect(ups[0]!).toBeLessThan(PEAK(2));
    const app = await t.request('GET', '/apis/core.oam.dev/v1beta1/tenants/health/applications/clinic-booking', {
      token: t.adminToken,
    });
    const scaling = (app.json() as { status: { scaling: { components: Record<string, { desired: number }> } } }).status
      .scaling;
    // 150 req/s at 15 per replica: ten replicas by the peak.
    expect(scaling.components.web!.desired).toBeGreaterThanOrEqual(10);
  }, 900_000);
});
