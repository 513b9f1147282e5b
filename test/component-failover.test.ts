import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppStatus } from '../src/delivery/app-status.ts';
import { ManualClock } from '../src/kernel/clock.ts';
import type { TestPolis } from './support/test-polis.ts';
import { startTestPolis } from './support/test-polis.ts';

/**
 * Application-level failover in virtual time: the enrolment portal's web image crash-loops on gov-east only (a
 * fault of that cluster); after the toleration web leaves gov-east for gov-west while its other components stay.
 */
let t: TestPolis;
let clock: ManualClock;
const APP = '/apis/core.oam.dev/v1beta1/tenants/edu/applications/enrolment-portal';
const WEB_IMAGE = 'registry.example.gov.cn/edu/enrolment-web:2.3.1';

async function second(): Promise<void> {
  await t.polis.clusters.probeAll();
  await t.polis.delivery.resyncAll();
  await t.polis.feed.idle();
  await t.polis.delivery.idle();
  t.polis.sim!.advance(1000);
}

async function status(): Promise<AppStatus> {
  return (await t.request('GET', APP, { token: t.adminToken })).json().status;
}

beforeAll(async () => {
  clock = new ManualClock('2026-11-24T10:00:00Z');
  t = await startTestPolis({ controllers: true, virtualTime: true, clock });
  // A short toleration for the test: 30 s.
  const r = await t.request('PATCH', APP, {
    token: t.tokens['edu-admin'],
    contentType: 'application/merge-patch+json',
    body: {
      spec: {
        policies: [
          ...((await t.request('GET', APP, { token: t.adminToken })).json().spec.policies as unknown[]),
          { name: 'move-on-crash', type: 'failover', properties: { crashLoopTolerationSeconds: 30 } },
        ],
      },
    },
  });
  expect(r.statusCode, r.body).toBe(200);
  for (let i = 0; i < 40 && (await status())?.phase !== 'Running'; i++) await second();
}, 60_000);
afterAll(async () => t?.stop());

describe('application-level failover', () => {
  it('moves a component crash-looping in one cluster to the healthy one after the toleration, and only it', async () => {
    const before = await status();
    expect(before.placement.web!['gov-east']).toBeGreaterThan(0);
    const apiBefore = before.placement.api;
    t.polis.sim!.cluster('gov-east')!.crashLoop(WEB_IMAGE);
    // The web pods on gov-east restart; they are seen crash-looping, tolerated, then moved.
    let movedAt: number | undefined;
    const start = clock.now().getTime();
    for (let i = 0; i < 240 && movedAt === undefined; i++) {
      await second();
      const s = await status();
      if (!s.placement.web?.['gov-east']) movedAt = clock.now().getTime();
    }
    expect(movedAt, 'web moved off gov-east').toBeDefined();
    const s = await status();
    const record = s.crashLoops?.find((r) => r.component === 'web' && r.cluster === 'gov-east');
    expect(record?.movedAt).toBeDefined();
    // Not before the toleration had passed since the crash loop was first seen.
    expect(Date.parse(record!.movedAt!) - Date.parse(record!.since)).toBeGreaterThanOrEqual(30_000);
    expect(movedAt! - start).toBeGreaterThanOrEqual(30_000);
    expect(s.placement.api).toEqual(apiBefore);
    const web = s.components.find((c) => c.name === 'web')!;
    expect(web.excluded.find((e) => e.cluster === 'gov-east')?.reason).toContain('application-level failover');
    // The replacements become ready on gov-west and the crashing pods are removed from gov-east.
    for (let i = 0; i < 60 && (await status()).phase !== 'Running'; i++) await second();
    const done = await status();
    expect(done.phase).toBe('Running');
    expect(done.components.find((c) => c.name === 'web')!.readyReplicas).toBe(web.desiredReplicas);
    const events = await t.request('GET', '/apis/polis.io/v1/tenants/edu/events', { token: t.tokens['edu-admin'] });
    expect(events.body).toContain('ComponentFailedOver');
  });

  it('makes the cluster eligible again for the component from the next revision', async () => {
    t.polis.sim!.cluster('gov-east')!.clearCrashLoop(WEB_IMAGE);
    const app = (await t.request('GET', APP, { token: t.adminToken })).json();
    const components = app.spec.components.map((c: { name: string; traits?: unknown[] }) =>
      c.name === 'api' ? { ...c, traits: [{ type: 'scaler', properties: { replicas: 5 } }] } : c,
    );
    const r = await t.request('PATCH', APP, {
      token: t.tokens['edu-admin'],
      contentType: 'application/merge-patch+json',
      body: { spec: { components } },
    });
    expect(r.statusCode, r.body).toBe(200);
    for (let i = 0; i < 5; i++) await second();
    const s = await status();
    expect(s.crashLoops).toBeUndefined();
    const reason = s.components.find((c) => c.name === 'web')!.excluded.find((e) => e.cluster === 'gov-east')?.reason;
    expect(reason ?? '').not.toContain('application-level failover');
  });

  it('moves nothing when the failover policy is off, even off an unreachable cluster', async () => {
    const app = (await t.request('GET', APP, { token: t.adminToken })).json();
    const policies = app.spec.policies.map((p: { type: string }) =>
      p.type === 'failover' ? { ...p, properties: { enabled: false } } : p,
    );
    const r = await t.request('PATCH', APP, {
      token: t.tokens['edu-admin'],
      contentType: 'application/merge-patch+json',
      body: { spec: { policies } },
    });
    expect(r.statusCode, r.body).toBe(200);
    for (let i = 0; i < 3; i++) await second();
    const before = (await status()).placement;
    t.polis.sim!.cluster('gov-west')!.down();
    for (let i = 0; i < 15; i++) await second();
    expect(t.polis.clusters.health('gov-west')?.state).toBe('Unreachable');
    expect((await status()).placement).toEqual(before);
    t.polis.sim!.cluster('gov-west')!.restore();
  });
});
