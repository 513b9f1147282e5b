import { describe, expect, it } from 'vitest';
import { constant } from './load-scenarios.ts';
import { LATENCY_BUCKETS_SECONDS, simMetricsText } from './metrics-exposition.ts';
import { deployment, namespace, newCloud, smallCluster } from './sim-fixtures.ts';

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** A strict reader of text format 0.0.4: every line is a comment, a HELP/TYPE line or a sample without timestamp. */
function parse(text: string): { samples: Sample[]; types: Map<string, string> } {
  expect(text.endsWith('\n')).toBe(true);
  const samples: Sample[] = [];
  const types = new Map<string, string>();
  const label = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;
  for (const line of text.trimEnd().split('\n')) {
    const type = /^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|histogram)$/.exec(line);
    if (type) {
      expect(types.has(type[1]!), `${type[1]} typed twice`).toBe(false);
      types.set(type[1]!, type[2]!);
      continue;
    }
    if (line.startsWith('# HELP ')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{.*\})? (\S+)$/.exec(line);
    expect(m, `not a sample line: ${line}`).not.toBeNull();
    const labels: Record<string, string> = {};
    for (const [, k, v] of (m![2] ?? '').matchAll(label))
      labels[k!] = v!.replace(/\\(.)/g, (_, c) => (c === 'n' ? '\n' : c));
    const value = m![3] === '+Inf' ? Infinity : Number(m![3]);
    expect(Number.isNaN(value) && m![3] !== 'NaN', `bad value in ${line}`).toBe(false);
    samples.push({ name: m![1]!, labels, value });
  }
  return { samples, types };
}

const sum = (samples: Sample[], name: string, where: Record<string, string> = {}) =>
  samples
    .filter((s) => s.name === name && Object.entries(where).every(([k, v]) => s.labels[k] === v))
    .reduce((a, s) => a + s.value, 0);

/** The edu department's portal: 3 web pods of 500m and one api pod, 60 rps on web. */
function portal() {
  const world = newCloud({ clusters: [smallCluster('c1'), smallCluster('c2')] });
  for (const c of world.clusters) {
    c.apply(namespace('edu-portal'));
    c.apply(deployment('web', 'edu-portal', { replicas: c.name === 'c1' ? 2 : 1 }));
    c.apply(deployment('api', 'edu-portal', { replicas: 1, cpu: '1' }));
  }
  world.cloud.setScenario('edu-portal', 'web', constant(60));
  world.cloud.advance(10_000);
  return world;
}

describe('the simulated cloud in Prometheus text format', () => {
  it('is valid text format 0.0.4 with one HELP and TYPE per family, under kube-state-metrics and cAdvisor names', () => {
    const { cloud } = portal();
    const { types, samples } = parse(simMetricsText(cloud));
    expect(Object.fromEntries(types)).toMatchObject({
      container_cpu_usage_seconds_total: 'counter',
      http_requests_total: 'counter',
      http_request_duration_seconds: 'histogram',
      kube_pod_container_resource_requests: 'gauge',
      kube_pod_status_ready: 'gauge',
      kube_pod_labels: 'gauge',
      kube_deployment_status_replicas_ready: 'gauge',
      kube_deployment_spec_replicas: 'gauge',
    });
    for (const s of samples) expect(s.labels.cluster).toMatch(/^c[12]$/);
  });

  it('labels pods with their component as kube_pod_labels does, and counts ready pods and requests', () => {
    const { cloud } = portal();
    const { samples } = parse(simMetricsText(cloud));
    const webPods = samples.filter(
      (s) => s.name === 'kube_pod_labels' && s.labels.label_app_oam_dev_component === 'web',
    );
    expect(webPods.map((s) => `${s.labels.cluster}/${s.labels.namespace}`).sort()).toEqual([
      'c1/edu-portal',
      'c1/edu-portal',
      'c2/edu-portal',
    ]);
    expect(webPods[0]!.labels.label_app).toBe('web');
    expect(sum(samples, 'kube_pod_status_ready', { condition: 'true' })).toBe(5);
    expect(sum(samples, 'kube_pod_status_ready', { condition: 'false' })).toBe(0);
    expect(sum(samples, 'kube_deployment_status_replicas_ready', { deployment: 'web' })).toBe(3);
    expect(sum(samples, 'kube_deployment_spec_replicas', { deployment: 'web', cluster: 'c1' })).toBe(2);
    expect(sum(samples, 'kube_pod_container_resource_requests', { resource: 'cpu', unit: 'core' })).toBeCloseTo(
      3 * 0.5 + 2 * 1,
    );
    const web = samples.find(
      (s) => s.name === 'kube_pod_container_resource_requests' && s.labels.pod?.startsWith('web'),
    );
    expect(web!.labels).toMatchObject({ container: 'main', namespace: 'edu-portal' });
  });

  it('integrates CPU use and requests over sim time into counters', () => {
    const { cloud } = portal();
    const before = parse(simMetricsText(cloud)).samples;
    cloud.advance(30_000);
    const after = parse(simMetricsText(cloud)).samples;
    const m = cloud.componentMetrics('edu-portal', 'web');
    const cpu = (s: Sample[]) => sum(s, 'container_cpu_usage_seconds_total');
    expect(cpu(after) - cpu(before)).toBeCloseTo((m.total.cpuUsedMilli / 1000) * 30, 6);
    const requests = (s: Sample[], cluster: string) => sum(s, 'http_requests_total', { service: 'web', cluster });
    expect(requests(after, 'c1') - requests(before, 'c1')).toBeCloseTo(40 * 30, 6);
    expect(requests(after, 'c2') - requests(before, 'c2')).toBeCloseTo(20 * 30, 6);
    // The api component takes no load: its pods use no CPU.
    expect(
      sum(after, 'container_cpu_usage_seconds_total', {
        pod: after.find((s) => s.labels.pod?.startsWith('api'))!.labels.pod!,
      }),
    ).toBe(0);
  });

  it('gives a latency histogram whose 99th percentile is the sim p99 within the buckets resolution', () => {
    const { cloud } = portal();
    cloud.setScenario('edu-portal', 'web', constant(120)); // ρ = 0.8: latency well above base
    const before = parse(simMetricsText(cloud)).samples;
    cloud.advance(10_000);
    const after = parse(simMetricsText(cloud)).samples;
    const increase = (le: string) =>
      sum(after, 'http_request_duration_seconds_bucket', { cluster: 'c1', le }) -
      sum(before, 'http_request_duration_seconds_bucket', { cluster: 'c1', le });
    const bounds = [...LATENCY_BUCKETS_SECONDS, Infinity];
    const counts = bounds.map((b) => increase(b === Infinity ? '+Inf' : String(b)));
    for (let i = 1; i < counts.length; i++) expect(counts[i]!).toBeGreaterThanOrEqual(counts[i - 1]! - 1e-9);
    // histogram_quantile's rule: linear within the bucket the rank falls in.
    const rank = 0.99 * counts.at(-1)!;
    const i = counts.findIndex((c) => c >= rank);
    const lower = i === 0 ? 0 : bounds[i - 1]!;
    const below = i === 0 ? 0 : counts[i - 1]!;
    const p99 = lower + ((bounds[i]! - lower) * (rank - below)) / (counts[i]! - below);
    const expected = cloud.componentMetrics('edu-portal', 'web').clusters.c1!.latencyP99Ms / 1000;
    expect(Math.abs(p99 - expected) / expected).toBeLessThan(0.1);
    const count = sum(after, 'http_request_duration_seconds_count', { cluster: 'c1' });
    expect(count).toBeCloseTo(sum(after, 'http_requests_total', { cluster: 'c1', service: 'web' }), 6);
  });

  it('leaves out a cluster that is down, as its exporters would not answer', () => {
    const { cloud, clusters } = portal();
    clusters[1]!.down();
    const { samples } = parse(simMetricsText(cloud));
    expect(samples.some((s) => s.labels.cluster === 'c2')).toBe(false);
    expect(samples.some((s) => s.labels.cluster === 'c1')).toBe(true);
  });

  it('counts a pod that is not ready as such, with its requests but without CPU use', () => {
    const { cloud, cluster } = newCloud({ clusters: [smallCluster('c1', 1, 1)] });
    cluster.apply(namespace('edu-portal'));
    cluster.apply(deployment('web', 'edu-portal', { replicas: 3 })); // 1 core: two pods of 500m fit
    cloud.setScenario('edu-portal', 'web', constant(10));
    cloud.advance(10_000);
    simMetricsText(cloud);
    cloud.advance(10_000);
    const { samples } = parse(simMetricsText(cloud));
    expect(sum(samples, 'kube_pod_status_ready', { condition: 'true' })).toBe(2);
    expect(sum(samples, 'kube_pod_status_ready', { condition: 'false' })).toBe(1);
    expect(sum(samples, 'kube_pod_status_phase', { phase: 'Pending' })).toBe(1);
    expect(sum(samples, 'kube_pod_container_resource_requests', { resource: 'cpu' })).toBeCloseTo(1.5);
    expect(sum(samples, 'container_cpu_usage_seconds_total')).toBeCloseTo(10 * 0.02 * 10, 6);
  });

  it('names Kubernetes labels as kube-state-metrics does, and is the same text for the same state', () => {
    const { cloud, cluster } = newCloud();
    cluster.apply(namespace('edu'));
    const d = deployment('web', 'edu');
    const meta = (d.spec as { template: { metadata: { labels: Record<string, string> } } }).template.metadata;
    meta.labels['polis.io/data-class'] = 'internal-use';
    cluster.apply(d);
    cloud.advance(10_000);
    const text = simMetricsText(cloud);
    expect(text).toContain('label_polis_io_data_class="internal-use"');
    expect(simMetricsText(cloud)).toBe(text);
  });
});
