import { describe, expect, it } from 'vitest';
import { FaultSpecSchema, type FaultSpec } from './fault-spec.ts';
import { constant } from './load-scenarios.ts';
import { deployment, namespace, newCloud, smallCluster } from './sim-fixtures.ts';
import type { TelemetrySeries } from './telemetry.ts';

/** web → api → db, three pods each, 1 core requested per pod, 30 req/s from the citizens at web. */
function shop(seed = 7) {
  const env = newCloud({ seed, clusters: [smallCluster('c1', 3, 8)] });
  const { cluster, cloud } = env;
  cluster.apply(namespace('shop'));
  for (const c of ['web', 'api', 'db'])
    cluster.apply(deployment(c, 'shop', { replicas: 3, cpu: '1', memory: '1Gi', image: `reg/${c}:1` }));
  cloud.advance(30_000);
  cloud.setScenario('shop', 'web', constant(30));
  cloud.mesh.declare({ namespace: 'shop', component: 'web', calls: [{ to: { namespace: 'shop', component: 'api' } }] });
  cloud.mesh.declare({
    namespace: 'shop',
    component: 'api',
    calls: [{ to: { namespace: 'shop', component: 'db' }, perRequest: 2 }],
  });
  cloud.startTelemetry(15_000);
  cloud.advance(10 * 60_000);
  return env;
}

const last = (series: TelemetrySeries[], name: string, signal: string, extra: Partial<TelemetrySeries> = {}) => {
  const s = series.find(
    (x) =>
      x.name === name &&
      x.signal === signal &&
      Object.entries(extra).every(([k, v]) => (x as unknown as Record<string, unknown>)[k] === v),
  );
  return s?.points[s.points.length - 1]?.[1];
};

function inject(spec: unknown, minutes = 3) {
  const env = shop();
  const fault = env.cloud.faults.add(FaultSpecSchema.parse(spec) as FaultSpec);
  env.cloud.advance(minutes * 60_000);
  const now = env.clock.now().getTime() / 1000;
  return { ...env, fault, series: env.cloud.telemetry.series(now - 60, now) };
}

describe('the call mesh', () => {
  it('sends each caller’s calls to its callees, as Istio would count them per edge', () => {
    const { cloud, clock } = shop();
    const now = clock.now().getTime() / 1000;
    const series = cloud.telemetry.series(now - 60, now);
    expect(last(series, 'shop/web', 'requests')).toBeCloseTo(30, -1);
    expect(last(series, 'shop/api', 'requests')).toBeCloseTo(30, -1);
    expect(last(series, 'shop/db', 'requests')).toBeCloseTo(60, -1);
    expect(last(series, 'shop/api', 'outboundRequests', { peer: 'shop/db' })).toBeCloseTo(60, -1);
    // A caller's latency includes its callees': web waits for api, which waits twice for db.
    const web = last(series, 'shop/web', 'latency', { quantile: 0.5 })!;
    const db = last(series, 'shop/db', 'latency', { quantile: 0.5 })!;
    expect(web).toBeGreaterThan(3 * db);
  });

  it('replays exactly with the same seed', () => {
    const a = shop(11);
    const b = shop(11);
    const t = a.clock.now().getTime() / 1000;
    expect(a.cloud.telemetry.series(t - 600, t)).toEqual(b.cloud.telemetry.series(t - 600, t));
  });
});

describe('faults in the simulated cloud', () => {
  it('latency injected into a callee shows in its callers, along the call path', () => {
    const { series } = inject({ type: 'latency', target: { namespace: 'shop', component: 'db' }, ms: 400 });
    expect(last(series, 'shop/db', 'latency', { quantile: 0.5 })).toBeGreaterThan(0.4);
    expect(last(series, 'shop/web', 'latency', { quantile: 0.5 })).toBeGreaterThan(0.8);
  });

  it('network loss between two components fails calls on that edge only; the callee sees nothing', () => {
    const { series } = inject({
      type: 'network-loss',
      from: { namespace: 'shop', component: 'api' },
      to: { namespace: 'shop', component: 'db' },
      loss: 0.3,
    });
    expect(last(series, 'shop/api', 'outboundErrors', { peer: 'shop/db' })).toBeGreaterThan(0.2);
    expect(last(series, 'shop/db', 'errors')).toBeLessThan(0.02);
    expect(last(series, 'shop/web', 'errors')).toBeGreaterThan(0.2);
  });

  it('a crash loop restarts the pods and fails the callers’ calls', () => {
    const { series, cloud } = inject({ type: 'crash-loop', target: { namespace: 'shop', component: 'db' } });
    const restarts = series.filter((s) => s.signal === 'restarts' && s.name.startsWith('db-'));
    expect(restarts.some((s) => s.points[s.points.length - 1]![1] > 0)).toBe(true);
    expect(last(series, 'shop/api', 'outboundErrors', { peer: 'shop/db' })).toBeGreaterThan(0.9);
    expect(cloud.telemetry.events(0, Infinity).some((e) => e.reason === 'BackOff')).toBe(true);
  });

  it('a memory leak grows memory until the pods are OOMKilled', () => {
    const { cloud } = inject(
      { type: 'memory-leak', target: { namespace: 'shop', component: 'api' }, mibPerMinute: 200 },
      6,
    );
    expect(cloud.telemetry.events(0, Infinity).filter((e) => e.reason === 'OOMKilling').length).toBeGreaterThan(0);
  });

  it('tells each component’s highest working set over its limit at the last scrape (the memory-near-limit alert’s)', () => {
    const { cloud } = shop();
    const rest = cloud.memoryOfLimit('shop', 'api');
    expect(rest).toBeGreaterThan(0);
    expect(rest).toBeLessThan(0.6);
    cloud.faults.add(
      FaultSpecSchema.parse({
        type: 'memory-leak',
        target: { namespace: 'shop', component: 'api' },
        mibPerMinute: 200,
      }) as FaultSpec,
    );
    let peak = 0;
    for (let i = 0; i < 40; i++) {
      cloud.advance(15_000);
      peak = Math.max(peak, cloud.memoryOfLimit('shop', 'api') ?? 0);
    }
    expect(peak).toBeGreaterThanOrEqual(0.9);
    expect(cloud.memoryOfLimit('shop', 'nope')).toBeUndefined();
  });

  it('a node down is NotReady, silent, and its pods come back elsewhere', () => {
    const { cloud, series } = inject({ type: 'node-down', cluster: 'c1', node: 'c1-n1' });
    expect(last(series, 'c1-n1', 'nodeReady')).toBe(0);
    expect(cloud.telemetry.events(0, Infinity).some((e) => e.reason === 'NodeNotReady' && e.name === 'c1-n1')).toBe(
      true,
    );
  });

  it('a partition silences the cluster’s series and is ended by clear', () => {
    const { cloud, series, fault, clock } = inject({ type: 'cluster-partition', cluster: 'c1' });
    expect(last(series, 'c1', 'reachable')).toBe(0);
    expect(series.some((s) => s.on === 'pod')).toBe(false);
    expect(cloud.faults.clear(fault.id)).toBe(true);
    cloud.advance(60_000);
    const t = clock.now().getTime() / 1000;
    expect(last(cloud.telemetry.series(t - 20, t), 'c1', 'reachable')).toBe(1);
  });

  it('a bad rollout records the revision it rolled out and fails a share of the requests', () => {
    const { cloud, series, fault } = inject({
      type: 'bad-rollout',
      target: { namespace: 'shop', component: 'api' },
      rate: 0.2,
    });
    expect(fault.revision).toBe('api-v2');
    expect(cloud.telemetry.changes(0, Infinity)).toMatchObject([{ component: 'shop/api', revision: 'api-v2' }]);
    expect(last(series, 'shop/api', 'errors')).toBeGreaterThan(0.1);
  });

  it('a CPU hog on a node slows every pod there; a duration ends a fault by itself', () => {
    const env = shop();
    const before = env.cloud.telemetry.series(0, Infinity);
    const f = env.cloud.faults.add({ type: 'cpu-hog', cluster: 'c1', node: 'c1-n1', cores: 7.9, durationSeconds: 120 });
    env.cloud.advance(60_000);
    const t = env.clock.now().getTime() / 1000;
    expect(last(env.cloud.telemetry.series(t - 20, t), 'c1-n1', 'nodeCpu')).toBeGreaterThan(0.95);
    expect(last(env.cloud.telemetry.series(t - 20, t), 'shop/db', 'latency', { quantile: 0.5 })).toBeGreaterThan(
      1.5 * last(before, 'shop/db', 'latency', { quantile: 0.5 })!,
    );
    env.cloud.advance(120_000);
    expect(env.cloud.faults.list().map((x) => x.id)).not.toContain(f.id);
  });

  it('refuses a target that does not exist, naming what does', () => {
    const { cloud } = shop();
    expect(() => cloud.faults.add({ type: 'node-down', cluster: 'c1', node: 'nope' })).toThrow(/nodes: c1-n1/);
    expect(() =>
      cloud.faults.add({ type: 'latency', target: { namespace: 'shop', component: 'nope' }, ms: 10 }),
    ).toThrow(/no component nope/);
  });
});
