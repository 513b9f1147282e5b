import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppStatus } from '../src/delivery/app-status.ts';
import { ManualClock } from '../src/kernel/clock.ts';
import type { TestPolis } from './support/test-polis.ts';
import { startTestPolis } from './support/test-polis.ts';

/**
 * Bursting into the sandbox's public clouds, in virtual time: a peak the private cloud cannot hold overflows to
 * burst-aliyun then burst-huawei within the limits of the application and its department, burst replicas go first
 * when the peak ends, residency keeps an internal-only application home, and burst use shows in status, events
 * and /metrics. The private cloud (gov-east, gov-west: 48 cores each) is filled by one big component.
 */
let t: TestPolis;
const BASE = '/apis/core.oam.dev/v1beta1/tenants/edu/applications';

function peakApp(replicas: number, burst?: Record<string, unknown>, extra: Record<string, unknown>[] = []) {
  return {
    apiVersion: 'core.oam.dev/v1beta1',
    kind: 'Application',
    metadata: { name: 'exam-results', tenant: 'edu' },
    spec: {
      components: [
        {
          name: 'web',
          type: 'webservice',
          properties: { image: 'registry.example.gov.cn/edu/exam-results:1.0', cpu: '4', memory: '4Gi' },
          traits: [{ type: 'scaler', properties: { replicas } }],
        },
      ],
      policies: [
        {
          name: 'burst',
          type: 'placement',
          properties: { division: 'capacity', overflow: ['burst-aliyun', 'burst-huawei'] },
        },
        ...(burst
          ? [
              {
                name: 'limits',
                type: 'autoscaling',
                properties: {
                  components: [{ name: 'web', minReplicas: 1, maxReplicas: 200, targets: { cpuUtilization: 90 } }],
                  preview: true,
                  burst,
                },
              },
            ]
          : []),
        ...extra,
      ],
    },
  };
}

async function settle(rounds = 8): Promise<void> {
  for (let i = 0; i < rounds; i++) {
    await t.polis.clusters.probeAll();
    await t.polis.delivery.resyncAll();
    await t.polis.feed.idle();
    await t.polis.delivery.idle();
    t.polis.sim!.advance(1000);
  }
}

async function apply(doc: unknown): Promise<void> {
  const r = await t.request('POST', '/api/v1/tenants/edu/apply', { token: t.tokens['edu-admin'], body: doc });
  expect(r.statusCode, r.body).toBeLessThan(300);
  await settle();
}

async function status(): Promise<AppStatus> {
  return (await t.request('GET', `${BASE}/exam-results`, { token: t.adminToken })).json().status;
}

const onBurst = (s: AppStatus) => (s.placement.web?.['burst-aliyun'] ?? 0) + (s.placement.web?.['burst-huawei'] ?? 0);
const onPrivate = (s: AppStatus) => (s.placement.web?.['gov-east'] ?? 0) + (s.placement.web?.['gov-west'] ?? 0);

beforeAll(async () => {
  // 09:00 in Shanghai on enrolment day.
  t = await startTestPolis({ controllers: true, virtualTime: true, clock: new ManualClock('2026-07-01T01:00:00Z') });
  // A quota large enough for the peak: the limits under test are the burst limits.
  const q = await t.request('PATCH', '/apis/polis.io/v1/tenants/edu', {
    token: t.adminToken,
    contentType: 'application/merge-patch+json',
    body: { spec: { quota: { cpu: '1000', memory: '4Ti' } } },
  });
  expect(q.statusCode, q.body).toBe(200);
  await settle(20);
}, 60_000);
afterAll(async () => t?.stop());

describe('bursting', () => {
  it('overflows a peak the private cloud cannot hold into the burst clusters, in declared order', async () => {
    await apply(peakApp(24));
    const s = await status();
    expect(onPrivate(s)).toBeGreaterThan(5);
    expect(s.placement.web!['burst-aliyun']).toBeGreaterThan(0);
    expect(onPrivate(s) + onBurst(s)).toBe(24);
    expect(s.burst).toMatchObject({ replicas: onBurst(s) });
    expect(s.burst!.costPerHour).toBeGreaterThan(0);
    const events = await t.request('GET', '/apis/polis.io/v1/tenants/edu/events', { token: t.tokens['edu-admin'] });
    expect(events.body).toContain('Bursting');
  });

  it('shrinks burst first when the peak ends', async () => {
    const before = await status();
    const privateBefore = onPrivate(before);
    await apply(peakApp(privateBefore));
    const s = await status();
    expect(onBurst(s)).toBe(0);
    expect(onPrivate(s)).toBe(privateBefore);
    expect(s.burst).toBeUndefined();
    const events = await t.request('GET', '/apis/polis.io/v1/tenants/edu/events', { token: t.tokens['edu-admin'] });
    expect(events.body).toContain('BurstReleased');
  });

  it('holds to the application’s maximum of burst replicas and says so in status, events and the reasons', async () => {
    await apply(peakApp(60, { maxReplicas: 4 }));
    const s = await status();
    expect(onBurst(s)).toBe(4);
    expect(s.burst).toMatchObject({ replicas: 4, limits: ['application: 4 replicas'] });
    expect(s.burst!.heldBack).toBeGreaterThan(0);
    const web = s.components.find((c) => c.name === 'web')!;
    expect(web.burstHeldBack).toBe(s.burst!.heldBack);
    expect(s.message).toContain('held back by the burst limits');
    const events = await t.request('GET', '/apis/polis.io/v1/tenants/edu/events', { token: t.tokens['edu-admin'] });
    expect(events.body).toContain('BurstLimited');
  });

  it('holds to a budget in yuan per hour at the burst clusters’ prices', async () => {
    // One replica (4 cores, 4 GiB) costs 4 × 0.22 + 4 × 0.03 = ¥1.00/h on burst-aliyun.
    await apply(peakApp(60, { budgetYuanPerHour: 3.5 }));
    const s = await status();
    expect(onBurst(s)).toBe(3);
    expect(s.burst!.costPerHour).toBeCloseTo(3, 2);
  });

  it('bursts only inside the allowed windows', async () => {
    // 09:00 Shanghai now; the window opens at 20:00.
    await apply(
      peakApp(60, {
        windows: [{ name: 'evening', cron: '0 20 * * *', timezone: 'Asia/Shanghai', durationMinutes: 60 }],
      }),
    );
    const s = await status();
    expect(onBurst(s)).toBe(0);
    expect(s.burst?.closed).toContain('evening');
  });

  it('holds to the department’s limit across its applications', async () => {
    const tenant = await t.request('PATCH', '/apis/polis.io/v1/tenants/edu', {
      token: t.adminToken,
      contentType: 'application/merge-patch+json',
      body: { spec: { burst: { maxReplicas: 2 } } },
    });
    expect(tenant.statusCode, tenant.body).toBe(200);
    await apply(peakApp(60));
    const s = await status();
    expect(onBurst(s)).toBe(2);
    expect(s.burst!.limits![0]).toContain('department: 2 replicas');
    const metrics = await t.request('GET', '/metrics', { token: t.adminToken });
    expect(metrics.body).toMatch(/polis_burst_replicas\{tenant="edu"\} 2/);
    await t.request('PATCH', '/apis/polis.io/v1/tenants/edu', {
      token: t.adminToken,
      contentType: 'application/merge-patch+json',
      body: { spec: { burst: null } },
    });
  });

  it('never bursts an application whose residency keeps it on the extranet', async () => {
    await apply(
      peakApp(60, undefined, [{ name: 'stay', type: 'residency', properties: { networkZones: ['e-gov-extranet'] } }]),
    );
    const s = await status();
    expect(onBurst(s)).toBe(0);
    const reasons = s.components.find((c) => c.name === 'web')!.excluded.map((e) => e.reason);
    expect(reasons.some((r) => r.startsWith('outside residency'))).toBe(true);
  });

  it('refuses invalid limits with the field named, on the application and the department', async () => {
    const bad = await t.request('POST', '/api/v1/tenants/edu/apply?dryRun=All', {
      token: t.tokens['edu-admin'],
      body: peakApp(5, { maxReplicas: -1 }),
    });
    expect(bad.statusCode).toBe(422);
    expect(bad.body).toContain('burst.maxReplicas');
    const tz = await t.request('PATCH', '/apis/polis.io/v1/tenants/edu', {
      token: t.adminToken,
      contentType: 'application/merge-patch+json',
      body: { spec: { burst: { windows: [{ cron: '0 25 * * *', durationMinutes: 5 }] } } },
    });
    expect(tz.statusCode).toBe(422);
    expect(tz.body).toContain('spec.burst.windows[0].cron');
  });
});
