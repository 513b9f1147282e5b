import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../src/kernel/clock.ts';
import type { AppStatus } from '../src/delivery/app-status.ts';
import { renderMessage, type Params } from '../src/kernel/messages/index.ts';
import type { TestPolis } from './support/test-polis.ts';
import { startTestPolis } from './support/test-polis.ts';

/**
 * The autoscaling loop in virtual time, seeded: the simulated cloud's metrics → the autoscaler → status.scaling →
 * placement and delivery → new pods. A ×10 load step on the enrolment portal's web component (autoscaling policy
 * in examples/apps: CPU target 60%, 3–60 replicas).
 */
let t: TestPolis;
let clock: ManualClock;
const APP = '/apis/core.oam.dev/v1beta1/tenants/edu/applications/enrolment-portal';

async function step(ms = 1000): Promise<void> {
  t.polis.sim!.advance(ms);
  await t.polis.scaling!.evaluateAll();
  await t.polis.feed.idle();
  await t.polis.delivery.idle();
}

async function status(): Promise<
  AppStatus & {
    scaling?: {
      components: Record<string, { desired: number; reason: string; code?: string; params?: Params }>;
    };
  }
> {
  return (await t.request('GET', APP, { token: t.adminToken })).json().status;
}

beforeAll(async () => {
  clock = new ManualClock('2026-11-24T10:00:00Z');
  t = await startTestPolis({ controllers: true, virtualTime: true, clock });
  for (let i = 0; i < 40 && (await status())?.phase !== 'Running'; i++) {
    await t.polis.clusters.probeAll();
    await step();
  }
}, 60_000);
afterAll(async () => {
  await t?.stop();
});

describe('autoscaling in the sandbox', () => {
  it('holds the minimum under the base load', async () => {
    const r = await t.request('POST', '/api/v1/sandbox/tenants/edu/applications/enrolment-portal/load', {
      token: t.tokens['edu-admin'],
      body: { factor: 1, component: 'web' },
    });
    expect(r.statusCode, r.body).toBe(200);
    for (let i = 0; i < 5; i++) await step();
    const s = await status();
    expect(s.scaling?.components.web?.desired ?? 3).toBe(3);
  });

  it('decides more replicas within 2 s of a ×10 step, and the new pods become ready', async () => {
    await t.request('POST', '/api/v1/sandbox/tenants/edu/applications/enrolment-portal/load', {
      token: t.tokens['edu-admin'],
      body: { factor: 10, component: 'web' },
    });
    const stepAt = clock.now().getTime();
    let decidedAt: number | undefined;
    for (let i = 0; i < 2 && decidedAt === undefined; i++) {
      await step();
      if (((await status()).scaling?.components.web?.desired ?? 3) > 3) decidedAt = clock.now().getTime();
    }
    expect(decidedAt, 'a decision within 2 s').toBeDefined();
    expect(decidedAt! - stepAt).toBeLessThanOrEqual(2000);
    const first = await status();
    const web0 = first.scaling!.components.web!;
    expect(web0.reason).toMatch(/cpu/i);
    // The reason is coded too: the console and the CLI render it in the reader's language.
    expect(web0.code).toBe('AutoscaleDecision');
    expect(renderMessage({ code: web0.code!, params: web0.params!, message: web0.reason }, 'en')).toBe(web0.reason);
    expect(renderMessage({ code: web0.code!, params: web0.params!, message: web0.reason }, 'zh')).toContain('CPU');
    // Keep going until the load is served at the target: more replicas, placed and ready.
    for (let i = 0; i < 90; i++) await step();
    const s = await status();
    const desired = s.scaling!.components.web!.desired;
    // About 15 replicas serve ten times the load at the 60% target: the count lands within one of it.
    expect(desired).toBeGreaterThanOrEqual(14);
    expect(desired).toBeLessThanOrEqual(16);
    const web = s.components.find((c) => c.name === 'web')!;
    expect(web.desiredReplicas).toBe(desired);
    expect(web.readyReplicas).toBe(desired);
    const events = await t.request('GET', '/apis/polis.io/v1/tenants/edu/events', { token: t.tokens['edu-admin'] });
    expect(events.body).toContain('Scaled');
    expect(events.body).toContain('"code":"ReactiveSays"');
  });
});

describe('bursting under a citizen peak in the demo', () => {
  it('overflows into the burst clusters under x100, and on the way down gives the burst clusters up first', async () => {
    const load = (factor: number) =>
      t.request('POST', '/api/v1/sandbox/tenants/edu/applications/enrolment-portal/load', {
        token: t.tokens['edu-admin'],
        body: { factor, component: 'web' },
      });
    expect((await load(100)).statusCode).toBe(200);
    let peak: AppStatus | undefined;
    for (let i = 0; i < 180 && !peak; i++) {
      await step();
      const s = await status();
      if ((s.burst?.replicas ?? 0) > 0) peak = s;
    }
    expect(peak, 'replicas on burst clusters').toBeDefined();
    expect(Object.keys(peak!.burst!.clusters)[0]).toBe('burst-aliyun');
    const privateAtPeak = (s: AppStatus) => (s.placement.web?.['gov-east'] ?? 0) + (s.placement.web?.['gov-west'] ?? 0);
    for (let i = 0; i < 60; i++) await step();
    const full = await status();
    expect(full.burst!.replicas).toBeGreaterThan(0);
    const home = privateAtPeak(full);
    // The peak ends: the scale-down window (300 s) passes, then burst replicas go first.
    expect((await load(1)).statusCode).toBe(200);
    let released: AppStatus | undefined;
    for (let i = 0; i < 420 && !released; i++) {
      await step();
      const s = await status();
      if (!s.burst) released = s;
      // While anything remains on burst clusters, the private clusters keep what they had.
      else expect(privateAtPeak(s)).toBe(home);
    }
    expect(released, 'burst released').toBeDefined();
    const events = await t.request('GET', '/apis/polis.io/v1/tenants/edu/events', { token: t.tokens['edu-admin'] });
    expect(events.body).toContain('Bursting');
    expect(events.body).toContain('BurstReleased');
  });
});
