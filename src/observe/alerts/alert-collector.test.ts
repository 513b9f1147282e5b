import { describe, expect, it } from 'vitest';
import type { StoredObject } from '../../resources/envelope.ts';
import type { ListQuery } from '../../resources/store.ts';
import type { ComponentSignals, MetricsSource } from '../metrics-source.ts';
import { alertApp, collectSignals } from './alert-collector.ts';
import { RingSignalWindows } from './signal-windows.ts';
import { seriesKey } from './signals.ts';

const app = {
  apiVersion: 'core.oam.dev/v1beta1',
  kind: 'Application',
  metadata: { name: 'portal', tenant: 'edu', labels: {} },
  spec: {
    components: [
      { name: 'web', type: 'webservice' },
      { name: 'report', type: 'task' },
    ],
    policies: [{ type: 'slo', properties: { availability: 99, latency: { thresholdMs: 100 } } }],
  },
  status: {
    phase: 'Running',
    conditions: [{ type: 'Ready', status: 'True', message: 'a long message nobody samples' }],
    placement: { web: { 'gov-east': 2 } },
    components: [
      { name: 'web', desiredReplicas: 2, phase: 'Running', clusters: [] },
      { name: 'report', desiredReplicas: 0, workload: 'Job', runs: { lastResult: 'Failed', startedAt: 'x' } },
    ],
    crashLoops: [{ component: 'web' }, { component: 'report', movedAt: '2026-03-01T00:00:00Z' }],
    saturation: { web: { cpu: 0.95 } },
  },
} as unknown as StoredObject;

const store = {
  list: (q: ListQuery) => Promise.resolve({ items: q.kind === 'Application' ? [app] : [], resourceVersion: '1' }),
};
/** Every component serves 50 req/s, 1 % of them failing, p99 180 ms (over the policy's 100 ms objective). */
const SIGNALS: ComponentSignals = {
  at: 0,
  readyPods: 2,
  requestsPerSecond: 50,
  latencyP99Ms: 180,
  errorRatio: 0.01,
  perCluster: {},
};
const metrics: MetricsSource = {
  name: 'fake',
  signals: () => Promise.resolve(SIGNALS),
  history: () => Promise.resolve([]),
};

async function collected(deps: Parameters<typeof collectSignals>[0]) {
  const samples: [string, number][] = [];
  const targets = await collectSignals(deps, { record: (k, _at, v) => void samples.push([k, v]) }, 1000);
  return { targets, samples: samples.sort(([a], [b]) => (a < b ? -1 : 1)) };
}

describe('alert collection', () => {
  it('samples the same from an index of alertApp views as from the stored applications', async () => {
    const fromStore = await collected({ store, metrics });
    const view = alertApp(app);
    const fromIndex = await collected({ store, metrics, applications: () => Promise.resolve([view]) });
    expect(fromIndex).toEqual(fromStore);
    expect(fromStore.samples.map(([k]) => k.slice(0, k.indexOf('{')))).toContain('slowSample');
    expect(fromStore.samples).toContainEqual([expect.stringMatching(/^crashLooping\{.*component="web"/), 1]);
    expect(fromStore.samples).toContainEqual([expect.stringMatching(/^jobFailed\{/), 1]);
    // The view keeps what is sampled, not the conditions and messages of the status.
    expect(JSON.stringify(view)).not.toContain('nobody samples');
  });

  it('counts the load a component with no ready pod should take as failing: its last hour’s rate, not a trickle', async () => {
    const windows = new RingSignalWindows();
    windows.want('requestsPerSecond', 3_600_000);
    const web = { tenant: 'edu', app: 'portal', component: 'web' };
    const rps = seriesKey('requestsPerSecond', web);
    // Half an hour at 50 req/s; then nothing ready, and the source (as Prometheus) sees no requests at all.
    for (let t = 0; t < 1_800_000; t += 15_000) windows.record(rps, t, 50);
    const down: MetricsSource = {
      ...metrics,
      signals: () => Promise.resolve({ at: 0, readyPods: 0, requestsPerSecond: 0, perCluster: {} }),
    };
    for (let t = 1_800_000; t <= 2_400_000; t += 15_000) await collectSignals({ store, metrics: down }, windows, t);
    const at = 2_400_000;
    expect(windows.aggregate(rps, 15_000, 'last', at)).toBeCloseTo(50);
    expect(windows.aggregate(seriesKey('errorsPerSecond', web), 15_000, 'last', at)).toBeCloseTo(50);
    // Without windows to read (a plain sink), one failed request a second.
    const { samples } = await collected({ store, metrics: down });
    expect(samples).toContainEqual([expect.stringMatching(/^errorsPerSecond\{.*component="web"/), 1]);
  });

  it('samples memory against the limit per component and the busiest node per reachable cluster', async () => {
    const cluster = (name: string, health: string) =>
      ({ kind: 'Cluster', metadata: { name }, status: { health } }) as unknown as StoredObject;
    const withClusters = {
      list: (q: ListQuery) =>
        Promise.resolve({
          items:
            q.kind === 'Application'
              ? [app]
              : q.kind === 'Cluster'
                ? [cluster('gov-east', 'Ready'), cluster('gov-west', 'Unreachable')]
                : [],
          resourceVersion: '1',
        }),
    };
    const source: MetricsSource = {
      ...metrics,
      signals: () => Promise.resolve({ ...SIGNALS, memoryOfLimit: 0.93 }),
      nodeCpu: () =>
        Promise.resolve(
          new Map([
            ['gov-east', 0.97],
            ['gov-west', 1],
          ]),
        ),
    };
    const { samples } = await collected({ store: withClusters, metrics: source });
    expect(samples).toContainEqual([expect.stringMatching(/^memoryOfLimit\{.*component="web"/), 0.93]);
    expect(samples).toContainEqual(['nodeCpuMax{cluster="gov-east"}', 0.97]);
    // An unreachable cluster's nodes are not read: its own page says so.
    expect(samples.map(([k]) => k)).not.toContain('nodeCpuMax{cluster="gov-west"}');

    // Each ready node of a reachable cluster is a target of its own (node-cpu-above-normal), with its pods' CPU.
    const withNodes: MetricsSource = {
      ...source,
      nodes: () =>
        Promise.resolve([
          { cluster: 'gov-east', node: 'n1', cpu: 0.92, podsCpu: 0.02 },
          { cluster: 'gov-west', node: 'w1', cpu: 0.5, podsCpu: 0.5 },
          { cluster: 'gone', node: 'g1', cpu: 0.5 },
        ]),
    };
    const got = await collected({ store: withClusters, metrics: withNodes });
    expect(got.targets.filter((t) => t.scope === 'node').map((t) => t.labels)).toEqual([
      { cluster: 'gov-east', node: 'n1' },
    ]);
    expect(got.samples).toContainEqual(['nodeCpu{cluster="gov-east",node="n1"}', 0.92]);
    expect(got.samples).toContainEqual(['nodePodsCpu{cluster="gov-east",node="n1"}', 0.02]);
    expect(got.samples.map(([k]) => k).filter((k) => k.includes('w1') || k.includes('g1'))).toEqual([]);
  });

  it('samples a crash loop from the clusters’ reports at once, without waiting for a failover record', async () => {
    const looping = (phase: string) =>
      ({
        ...app,
        status: {
          placement: { web: { 'gov-east': 2, 'gov-west': 2 } },
          components: [
            {
              name: 'web',
              desiredReplicas: 4,
              phase: 'Degraded',
              clusters: [
                { cluster: 'gov-east', phase: 'Running', desiredReplicas: 2, readyReplicas: 2 },
                { cluster: 'gov-west', phase, reason: 'CrashLoopBackOff', desiredReplicas: 2, readyReplicas: 0 },
              ],
            },
          ],
        },
      }) as unknown as StoredObject;
    const crash = async (phase: string) => {
      const view = alertApp(looping(phase));
      const { samples } = await collected({ store, metrics, applications: () => Promise.resolve([view]) });
      return samples.find(([k]) => k.startsWith('crashLooping{'))?.[1];
    };
    expect(await crash('Failed')).toBe(1);
    // A pod restarting between back-offs shows Running: not a loop the cluster reports.
    expect(await crash('Running')).toBe(0);
    // The view keeps the flag, not the clusters' reports it was read from.
    expect(alertApp(looping('Failed')).status.components?.[0]).toMatchObject({ crashing: true });
    const signals: Partial<ComponentSignals> = { cpuThrottled: 0.8 };
    const throttled: MetricsSource = { ...metrics, signals: () => Promise.resolve({ ...SIGNALS, ...signals }) };
    const { samples } = await collected({ store, metrics: throttled });
    expect(samples).toContainEqual([expect.stringMatching(/^cpuThrottled\{.*component="web"/), 0.8]);
  });
});
