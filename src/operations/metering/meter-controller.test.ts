import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { forEachBackend } from '../../../test/setup/backends.ts';
import { ManualClock } from '../../kernel/clock.ts';
import type { StoredObject } from '../../resources/envelope.ts';
import type { Store } from '../../resources/store.ts';
import type { MetricsSource } from '../../observe/index.ts';
import { MINUTE_MS, tickBuckets } from './meter-buckets.ts';
import { MeterController } from './meter-controller.ts';

const T0 = '2026-12-01T00:00:00Z'; // 08:00 in UTC+8

function app(tenant: string, name: string, placement: Record<string, Record<string, number>>): StoredObject {
  return {
    apiVersion: 'core.oam.dev/v1beta1',
    kind: 'Application',
    metadata: {
      name,
      tenant,
      uid: `uid-${tenant}-${name}`,
      resourceVersion: '1',
      generation: 1,
      creationTimestamp: T0,
    },
    spec: {
      components: [
        {
          name: 'web',
          type: 'webservice',
          properties: { image: 'nginx:1.27', cpu: '500m', memory: '1Gi' },
          traits: [
            {
              type: 'storage',
              properties: { pvc: [{ name: 'data', mountPath: '/data', resources: { requests: { storage: '10Gi' } } }] },
            },
          ],
        },
      ],
    },
    status: { placement },
  };
}

function cluster(name: string, health = 'Ready'): StoredObject {
  return {
    apiVersion: 'polis.io/v1',
    kind: 'Cluster',
    metadata: { name, uid: `uid-${name}`, resourceVersion: '1', generation: 1, creationTimestamp: T0 },
    spec: { provider: 'simulated', vendor: 'v', region: 'r', zone: 'z', networkZone: 'n', role: 'primary' },
    status: { health, allocatable: { cpuMilli: 16_000, memoryBytes: 64 * 2 ** 30, pods: 110 } },
  };
}

async function put(store: Store, objs: StoredObject[]): Promise<void> {
  await store.transaction(async (tx) => {
    for (const o of objs) {
      const rev = await tx.nextRevision();
      await tx.put({ ...o, metadata: { ...o.metadata, resourceVersion: String(rev) } }, 'ADDED');
    }
  });
}

/** Every component at 40% of its request on every cluster, with all replicas ready. */
const busy: MetricsSource = {
  name: 'fixed',
  async signals() {
    return {
      at: 0,
      readyPods: 3,
      perCluster: { east: { cpuUtilization: 0.4, readyPods: 2 }, west: { readyPods: 1, cpuUtilization: 2 } },
    };
  },
  async history() {
    return [];
  },
};

describe('meter buckets', () => {
  it('splits a gap across local hours and days, sums days and months, and caps the gap', () => {
    const at = Date.parse('2026-12-01T16:05:00Z'); // 00:05 on 12-02 local
    const b = tickBuckets(at - 10 * MINUTE_MS, at, { offsetMinutes: 480, maxGapMinutes: 60 });
    expect(b).toEqual([
      { period: 'hour', start: '2026-12-01T23', minutes: 5 },
      { period: 'hour', start: '2026-12-02T00', minutes: 5 },
      { period: 'day', start: '2026-12-01', minutes: 5 },
      { period: 'day', start: '2026-12-02', minutes: 5 },
      { period: 'month', start: '2026-12', minutes: 10 },
    ]);
    expect(
      tickBuckets(at - 1000 * MINUTE_MS, at, { offsetMinutes: 480, maxGapMinutes: 60 }).find(
        (x) => x.period === 'month',
      )?.minutes,
    ).toBe(60);
    expect(tickBuckets(undefined, at, { offsetMinutes: 480, maxGapMinutes: 60 })).toHaveLength(3);
  });
});

forEachBackend('metering', (backend) => {
  let store: Store;
  beforeEach(async () => {
    store = await backend.open();
    await put(store, [
      cluster('east'),
      cluster('west'),
      cluster('gone', 'Unreachable'),
      app('edu', 'enrol', { web: { east: 2, west: 1, gone: 4 } }),
      app('tax', 'invoice', { web: { east: 1 } }),
    ]);
  });
  afterEach(() => store.close());

  it('rolls every minute into hour, day and month once, through a restart mid-hour and a duplicate tick', async () => {
    // The first tick, at 08:01 local, meters the minute 08:00–08:01.
    const clock = new ManualClock(new Date(Date.parse(T0) + MINUTE_MS));
    let meter = new MeterController({ store, clock, metrics: busy });
    for (let m = 0; m < 30; m++) {
      expect((await meter.tick()).recorded).toBe(true);
      clock.advance(MINUTE_MS);
    }
    // A restart: a new controller, which first meters the minute the old one already did (nothing is added) …
    clock.advance(-MINUTE_MS);
    meter = new MeterController({ store, clock, metrics: busy });
    expect((await meter.tick()).recorded).toBe(false);
    // … then is down for 7 minutes; its next tick covers them with its sample, and two replicas racing for one
    // minute add it once.
    clock.advance(8 * MINUTE_MS);
    const racer = new MeterController({ store, clock, metrics: busy });
    const outcomes = await Promise.all([meter.tick(), racer.tick()]);
    expect(outcomes.filter((o) => o.recorded)).toHaveLength(1);
    for (let m = 38; m < 60; m++) {
      clock.advance(MINUTE_MS);
      await meter.tick();
    }
    const hour = await store.ledger.meterRows({ period: 'hour', from: '2026-12-01T08', to: '2026-12-01T08' });
    const edu = hour.filter((r) => r.tenant === 'edu');
    expect(edu.map((r) => r.cluster).sort()).toEqual(['east', 'west']);
    const east = edu.find((r) => r.cluster === 'east')!;
    expect(east.minutes).toBe(60);
    expect(east.replicaMinutes).toBe(120);
    expect(east.cpuRequest).toBe(2 * 500 * 60);
    expect(east.cpuUsage).toBe(Math.round(0.4 * 500 * 2) * 60);
    expect(east.cpuMax).toBe(2 * 500 * 60);
    expect(east.memRequest).toBe(2 * 1024 * 60);
    expect(east.storage).toBe(10 * 1024 * 60);
    // Usage above requests is billed: max(request, usage).
    const west = edu.find((r) => r.cluster === 'west')!;
    expect(west.cpuUsage).toBe(1000 * 60);
    expect(west.cpuMax).toBe(1000 * 60);
    const day = await store.ledger.meterRows({ period: 'day', from: '2026-12-01', to: '2026-12-01', tenants: ['edu'] });
    const month = await store.ledger.meterRows({ period: 'month', from: '2026-12', to: '2026-12', tenants: ['edu'] });
    expect(day.map((r) => ({ ...r, period: 'hour', start: '' }))).toEqual(
      edu.map((r) => ({ ...r, period: 'hour', start: '' })),
    );
    expect(month.map((r) => r.cpuMax)).toEqual(edu.map((r) => r.cpuMax));
    const capacity = await store.ledger.capacityRows({ period: 'hour', from: '2026-12-01T08', to: '2026-12-01T08' });
    expect(capacity.map((c) => [c.cluster, c.minutes, c.cpu])).toEqual([
      ['east', 60, 16_000 * 60],
      ['west', 60, 16_000 * 60],
    ]);
    // Three usage rows (edu on east and west, tax on east) and two capacity rows.
    expect(await store.ledger.pruneMeter('hour', '2026-12-02')).toBe(5);
    expect(await store.ledger.meterRows({ period: 'hour', from: '2026-12-01', to: '2026-12-02' })).toEqual([]);
  });

  it('closes a cost day once', async () => {
    const lines = [
      {
        day: '2026-12-01',
        cluster: 'east',
        vendor: 'v',
        tenant: 'edu',
        app: 'enrol',
        component: 'web',
        item: 'cpu',
        fen: 120,
      },
    ];
    expect(
      await store.ledger.closeCostDay('2026-12-01', [{ day: '2026-12-01', cluster: 'east', totalFen: 120 }], lines),
    ).toBe(true);
    expect(
      await store.ledger.closeCostDay('2026-12-01', [{ day: '2026-12-01', cluster: 'east', totalFen: 120 }], lines),
    ).toBe(false);
    expect(await store.ledger.costLines({ from: '2026-12-01', to: '2026-12-31', tenants: ['edu'] })).toEqual(lines);
    expect(await store.ledger.costLines({ from: '2026-12-01', to: '2026-12-31', tenants: ['tax'] })).toEqual([]);
    expect(await store.ledger.costTotals({ from: '2026-12-01', to: '2026-12-01' })).toEqual([
      { day: '2026-12-01', cluster: 'east', totalFen: 120 },
    ]);
  });
});
