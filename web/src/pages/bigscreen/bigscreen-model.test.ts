import { describe, expect, it, vi } from 'vitest';
import type { Cluster, DepartmentUsage, PolisEvent } from '../../api/types.ts';
import { capacityTotals } from '../overview/overview-model.ts';
import { appTotals, costTotals, healthCounts, heartbeatAge, tileHealth, tileScreens } from './bigscreen-model.ts';
import { BoundedList, EventFeed } from './event-feed.ts';

const cluster = (name: string, networkZone: string, region: string, health: string, cpu = 100_000): Cluster =>
  ({
    apiVersion: 'polis.io/v1',
    kind: 'Cluster',
    metadata: { name },
    spec: { provider: 'simulated', vendor: 'v', region, zone: 'z', networkZone, role: 'primary' },
    status: {
      health,
      allocatable: { cpuMilli: cpu, memoryBytes: 1e9 },
      requested: { cpuMilli: cpu / 2, memoryBytes: 5e8 },
      lastHeartbeat: '2026-11-24T09:00:00Z',
    },
  }) as Cluster;

describe('the big screen’s figures', () => {
  it('reads Ready as healthy, Unreachable as unreachable and anything else as degraded', () => {
    const cs = [
      cluster('a', 'z', 'r', 'Ready'),
      cluster('b', 'z', 'r', 'Suspect'),
      cluster('c', 'z', 'r', 'Unreachable'),
      cluster('d', 'z', 'r', 'PermissionDenied'),
    ];
    expect(cs.map(tileHealth)).toEqual(['healthy', 'degraded', 'unreachable', 'degraded']);
    expect(healthCounts(cs)).toEqual({ healthy: 1, degraded: 2, unreachable: 1 });
  });

  it('does not count an unreachable cluster’s capacity as available', () => {
    const t = capacityTotals([cluster('a', 'z', 'r', 'Ready', 64_000), cluster('b', 'z', 'r', 'Unreachable', 32_000)]);
    expect(t.allocatableCpu).toBe(64);
    expect(t.unreachable).toMatchObject({ clusters: 1, allocatableCpu: 32 });
  });

  it('tiles clusters by network zone and region, and cuts them into screens that keep the group headings', () => {
    const cs = [
      cluster('w2', 'e-gov-extranet', 'west', 'Ready'),
      cluster('i1', 'internet', 'east', 'Ready'),
      cluster('e1', 'e-gov-extranet', 'east', 'Ready'),
      cluster('w1', 'e-gov-extranet', 'west', 'Ready'),
    ];
    const screens = tileScreens(cs, 3);
    expect(screens.map((s) => s.map((g) => [g.key, g.clusters.map((c) => c.metadata.name)]))).toEqual([
      [
        ['e-gov-extranet/east', ['e1']],
        ['e-gov-extranet/west', ['w1', 'w2']],
      ],
      [['internet/east', ['i1']]],
    ]);
    expect(
      tileScreens(cs, 24, new Set(['w1']))
        .flat()
        .flatMap((g) => g.clusters.map((c) => c.metadata.name)),
    ).toEqual(['w1']);
  });

  it('counts applications by health and replicas per cluster', () => {
    const t = appTotals([
      { tenant: 'edu', phase: 'Running', healthy: true, clusters: { a: 2, b: 1 } },
      { tenant: 'tax', phase: 'Degraded', healthy: false, clusters: { a: 1 } },
    ]);
    expect(t).toEqual({ total: 2, healthy: 1, byPhase: { Running: 1, Degraded: 1 }, replicas: { a: 3, b: 1 } });
  });

  it('sums the cost per hour and ranks departments by it', () => {
    const u = (tenant: string, costPerHour: number) =>
      ({ tenant, costPerHour, placed: { cpu: 1 }, quota: { cpu: 4 } }) as unknown as DepartmentUsage;
    const c = costTotals([u('a', 1), u('b', 3), u('c', 2)], 2);
    expect(c.perHour).toBe(6);
    expect(c.top.map((x) => x.tenant)).toEqual(['b', 'c']);
    expect([c.placedCpu, c.quotaCpu]).toEqual([3, 12]);
  });

  it('gives the heartbeat age in seconds', () => {
    expect(heartbeatAge(cluster('a', 'z', 'r', 'Ready'), Date.parse('2026-11-24T09:00:42Z'))).toBe(42);
  });
});

const event = (name: string, type: 'Normal' | 'Warning', count = 1): PolisEvent => ({
  apiVersion: 'polis.io/v1',
  kind: 'Event',
  metadata: { name, tenant: 'edu' },
  spec: { involvedObject: { kind: 'Application', name: 'x' }, type, reason: 'R', message: 'm', count },
});

describe('the big screen’s event buffers', () => {
  it('keep the newest items only, one per key, however many arrive', () => {
    const l = new BoundedList<number>(3, String);
    for (let i = 0; i < 10_000; i++) l.push(i % 50);
    expect(l.size).toBe(3);
    expect(l.values()).toEqual([49, 48, 47]);
    l.push(48);
    expect(l.values()).toEqual([48, 49, 47]);
    l.remove('49');
    expect(l.values()).toEqual([48, 47]);
  });

  it('keep Warning events apart from the latest, bounded, and publish in batches', () => {
    vi.useFakeTimers();
    try {
      const feed = new EventFeed({ path: '/e', recent: 10, limit: 5 });
      let published = 0;
      feed.subscribe(() => published++);
      for (let i = 0; i < 1000; i++) feed.apply('ADDED', event(`e${i}`, i % 3 === 0 ? 'Warning' : 'Normal'));
      vi.advanceTimersByTime(300);
      expect(published).toBe(1);
      const s = feed.getSnapshot();
      expect(s.latest.map((e) => e.metadata.name)).toEqual(['e999', 'e998', 'e997', 'e996', 'e995']);
      expect(s.warnings.map((e) => e.metadata.name)).toEqual(['e999', 'e996', 'e993', 'e990', 'e987']);
      feed.apply('DELETED', event('e999', 'Warning'));
      vi.advanceTimersByTime(300);
      expect(feed.getSnapshot().warnings[0]!.metadata.name).toBe('e996');
      feed.stop();
    } finally {
      vi.useRealTimers();
    }
  });
});
