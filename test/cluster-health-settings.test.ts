import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/kernel/config.ts';
import { ManualClock } from '../src/kernel/clock.ts';
import type { TestPolis } from './support/test-polis.ts';
import { startTestPolis } from './support/test-polis.ts';

/** Heartbeat and health thresholds: the platform's defaults (2 s, Unreachable after 3 missed), and per cluster. */
let t: TestPolis;
const CLUSTER = '/apis/polis.io/v1/clusters';

beforeAll(async () => {
  t = await startTestPolis({ controllers: true, virtualTime: true, clock: new ManualClock('2026-11-24T10:00:00Z') });
  await t.polis.clusters.probeAll();
});
afterAll(async () => t?.stop());

describe('cluster health settings', () => {
  it('marks a cluster Unreachable after 3 missed heartbeats by default, and after its own count when set', async () => {
    const r = await t.request('PATCH', `${CLUSTER}/gov-west`, {
      token: t.adminToken,
      contentType: 'application/merge-patch+json',
      body: { spec: { health: { suspectAfter: 1, unreachableAfter: 1, heartbeatSeconds: 1 } } },
    });
    expect(r.statusCode, r.body).toBe(200);
    await t.polis.feed.idle();
    t.polis.sim!.cluster('gov-west')!.down();
    t.polis.sim!.cluster('gov-east')!.down();
    const states: string[][] = [];
    for (let i = 0; i < 3; i++) {
      t.polis.sim!.advance(2000);
      await t.polis.clusters.probeAll();
      states.push([t.polis.clusters.health('gov-east')!.state, t.polis.clusters.health('gov-west')!.state]);
    }
    expect(states).toEqual([
      ['Suspect', 'Unreachable'],
      ['Suspect', 'Unreachable'],
      ['Unreachable', 'Unreachable'],
    ]);
    t.polis.sim!.cluster('gov-west')!.restore();
    t.polis.sim!.cluster('gov-east')!.restore();
  });

  it('refuses thresholds out of order, naming the field', async () => {
    const r = await t.request('PATCH', `${CLUSTER}/gov-west`, {
      token: t.adminToken,
      contentType: 'application/merge-patch+json',
      body: { spec: { health: { suspectAfter: 4, unreachableAfter: 2 } } },
    });
    expect(r.statusCode).toBe(422);
    expect(r.body).toContain('spec.health.suspectAfter');
    const zero = await t.request('PATCH', `${CLUSTER}/gov-west`, {
      token: t.adminToken,
      contentType: 'application/merge-patch+json',
      body: { spec: { health: { heartbeatSeconds: 0 } } },
    });
    expect(zero.statusCode).toBe(422);
    expect(zero.body).toContain('spec.health.heartbeatSeconds');
  });

  it('takes the platform’s thresholds from the environment and refuses them out of order', () => {
    const c = loadConfig({ POLIS_HEALTH_UNREACHABLE_AFTER: '5', POLIS_HEARTBEAT_MS: '1000' });
    expect(c.health).toEqual({ suspectAfter: 1, unreachableAfter: 5, recoverAfter: 2 });
    expect(c.heartbeatMs).toBe(1000);
    expect(() => loadConfig({ POLIS_HEALTH_SUSPECT_AFTER: '4', POLIS_HEALTH_UNREACHABLE_AFTER: '3' })).toThrow(
      /POLIS_HEALTH_SUSPECT_AFTER/,
    );
  });
});
