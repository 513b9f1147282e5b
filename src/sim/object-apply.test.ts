import { describe, expect, it } from 'vitest';
import { InputError, NotFoundError } from '../kernel/errors.ts';
import { manifestKey, type Manifest } from '../kernel/manifest.ts';
import { deployment, deploymentKey, namespace, newCloud } from './sim-fixtures.ts';

type Json = Record<string, unknown>;
const spec = (m: Manifest | undefined) => m?.spec as Json;
const meta = (m: Manifest | undefined) => m?.metadata as Json;

function setup() {
  const env = newCloud();
  env.cluster.apply(namespace('edu'));
  return env;
}

function thrown(fn: () => unknown): Error {
  try {
    fn();
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected an error');
}

describe('apply', () => {
  it('creates, then reports unchanged, then configured when a field differs', () => {
    const { cluster } = setup();
    const d = deployment('web', 'edu');
    expect(cluster.apply(d)).toBe('created');
    expect(cluster.apply(d)).toBe('unchanged');
    expect(cluster.apply(structuredClone(d))).toBe('unchanged');
    expect(cluster.apply(deployment('web', 'edu', { replicas: 5 }))).toBe('configured');
    expect(spec(cluster.get(deploymentKey('web', 'edu'))).replicas).toBe(5);
  });

  it('is unchanged whatever the key order of the manifest', () => {
    const { cluster } = setup();
    const d = deployment('web', 'edu');
    cluster.apply(d);
    const reordered = { spec: d.spec, metadata: d.metadata, kind: d.kind, apiVersion: d.apiVersion } as Manifest;
    expect(cluster.apply(reordered)).toBe('unchanged');
  });

  it('sets uid, resourceVersion, generation and creationTimestamp, and moves generation only on spec change', () => {
    const { cluster, cloud } = setup();
    cluster.apply(deployment('web', 'edu'));
    const first = meta(cluster.get(deploymentKey('web', 'edu')));
    expect(first.uid).toMatch(/^[0-9a-f-]{36}$/);
    expect(first.generation).toBe(1);
    expect(first.creationTimestamp).toBe('2026-03-02T00:00:00Z');
    const labelled = deployment('web', 'edu');
    (labelled.metadata as { labels: Record<string, string> }).labels.extra = 'yes';
    expect(cluster.apply(labelled)).toBe('configured');
    const second = meta(cluster.get(deploymentKey('web', 'edu')));
    expect(second.generation).toBe(1);
    expect(Number(second.resourceVersion)).toBeGreaterThan(Number(first.resourceVersion));
    expect(second.uid).toBe(first.uid);
    cluster.apply(deployment('web', 'edu', { image: 'registry.gov/app:2.0' }));
    expect(meta(cluster.get(deploymentKey('web', 'edu'))).generation).toBe(2);
    cloud.advance(1);
    expect((cluster.get(deploymentKey('web', 'edu'))?.status as Json).observedGeneration).toBe(2);
  });

  it('leaves fields the manifest does not set, and never compares status', () => {
    const { cluster, cloud } = setup();
    cluster.apply(deployment('web', 'edu'));
    cluster.mutate(deploymentKey('web', 'edu'), (o) => {
      o.metadata.annotations = { 'ops/note': 'by hand' };
      o.spec.revisionHistoryLimit = 3;
    });
    cloud.advance(10_000);
    const withStatus = { ...deployment('web', 'edu'), status: { replicas: 99 } };
    expect(cluster.apply(withStatus)).toBe('unchanged');
    const live = cluster.get(deploymentKey('web', 'edu'));
    expect(meta(live).annotations).toEqual({ 'ops/note': 'by hand' });
    expect(spec(live).revisionHistoryLimit).toBe(3);
    expect((live?.status as Json).replicas).toBe(2);
  });

  it('reverts drift on a field the manifest sets', () => {
    const { cluster } = setup();
    const d = deployment('web', 'edu');
    cluster.apply(d);
    cluster.mutate(deploymentKey('web', 'edu'), (o) => {
      o.spec.replicas = 7;
    });
    expect(meta(cluster.get(deploymentKey('web', 'edu'))).generation).toBe(2);
    expect(cluster.apply(d)).toBe('configured');
    expect(spec(cluster.get(deploymentKey('web', 'edu'))).replicas).toBe(2);
    expect(meta(cluster.get(deploymentKey('web', 'edu'))).generation).toBe(3);
  });

  it('sets create-only paths at creation and never changes them afterwards', () => {
    const { cluster } = setup();
    const opts = { createOnlyPaths: ['spec.replicas'] };
    expect(cluster.apply(deployment('web', 'edu', { replicas: 3 }), opts)).toBe('created');
    expect(spec(cluster.get(deploymentKey('web', 'edu'))).replicas).toBe(3);
    cluster.mutate(deploymentKey('web', 'edu'), (o) => {
      o.spec.replicas = 6; // as an HPA would
    });
    expect(cluster.apply(deployment('web', 'edu', { replicas: 3 }), opts)).toBe('unchanged');
    expect(cluster.apply(deployment('web', 'edu', { replicas: 4, image: 'x:2' }), opts)).toBe('configured');
    const live = spec(cluster.get(deploymentKey('web', 'edu')));
    expect(live.replicas).toBe(6);
    expect(JSON.stringify(live.template)).toContain('x:2');
  });

  it('treats `*` as create-only for the whole object', () => {
    const { cluster } = setup();
    const secret: Manifest = {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 's', namespace: 'edu' },
      data: { a: 'MQ==' },
    };
    expect(cluster.apply(secret, { createOnlyPaths: ['*'] })).toBe('created');
    const changed = { ...secret, data: { a: 'Mg==' } };
    expect(cluster.apply(changed, { createOnlyPaths: ['*'] })).toBe('unchanged');
    expect(cluster.get(manifestKey(secret))?.data).toEqual({ a: 'MQ==' });
  });

  it('needs the namespace to exist, as Kubernetes does', () => {
    const { cluster } = newCloud();
    const e = thrown(() => cluster.apply(deployment('web', 'nowhere')));
    expect(e).toBeInstanceOf(NotFoundError);
    expect(e.message).toBe('namespaces "nowhere" not found');
    expect(cluster.list(undefined)).toEqual([]);
  });

  it.each([
    ['example.com/v1', 'VirtualService'],
    ['apps/v1beta1', 'Deployment'],
    ['v1', 'Deployment'],
  ])('refuses %s %s like an API server without that kind', (apiVersion, kind) => {
    const { cluster } = setup();
    const e = thrown(() => cluster.apply({ apiVersion, kind, metadata: { name: 'x', namespace: 'edu' } }));
    expect(e).toBeInstanceOf(InputError);
    expect(e.message).toBe(`no matches for kind "${kind}" in version "${apiVersion}"`);
  });

  it.each<[string, (d: Json) => void, string]>([
    ['a missing name', (d) => delete (d.metadata as Json).name, 'metadata.name: Required value'],
    ['an invalid name', (d) => ((d.metadata as Json).name = 'Web_1'), 'metadata.name: Invalid value: "Web_1"'],
    ['a missing namespace', (d) => delete (d.metadata as Json).namespace, 'metadata.namespace: Required value'],
    [
      'no containers',
      (d) => (((d.spec as Json).template as Json).spec = { containers: [] }),
      'spec.template.spec.containers: Required value',
    ],
    [
      'a container without image',
      (d) => delete firstContainer(d).image,
      'spec.template.spec.containers[0].image: Required value',
    ],
    [
      'a bad quantity',
      (d) => (firstContainer(d).resources = { requests: { cpu: 'lots' } }),
      'resources.requests.cpu: Invalid value',
    ],
    [
      'a selector that misses the template',
      (d) => ((d.spec as Json).selector = { matchLabels: { app: 'other' } }),
      '`selector` does not match template `labels`',
    ],
    [
      'a bad label value',
      (d) => ((d.metadata as Json).labels = { team: 'a b' }),
      'metadata.labels.team: Invalid value',
    ],
  ])('refuses %s with the path at fault', (_why, spoil, message) => {
    const { cluster } = setup();
    const d = structuredClone(deployment('web', 'edu')) as Json;
    spoil(d);
    const e = thrown(() => cluster.apply(d as unknown as Manifest));
    expect(e).toBeInstanceOf(InputError);
    expect(e.message).toContain(message);
  });

  it('refuses a change to an immutable field and keeps the object as it was', () => {
    const { cluster } = setup();
    cluster.apply(deployment('web', 'edu'));
    const changed = structuredClone(deployment('web', 'edu')) as Json;
    (changed.spec as Json).selector = { matchLabels: { app: 'web', tier: 'x' } };
    ((changed.spec as Json).template as { metadata: { labels: Json } }).metadata.labels.tier = 'x';
    expect(thrown(() => cluster.apply(changed as unknown as Manifest)).message).toContain(
      'spec.selector: field is immutable',
    );
    expect(spec(cluster.get(deploymentKey('web', 'edu'))).selector).toEqual({ matchLabels: { app: 'web' } });
  });

  it('lists and keys by label from indexes, sorted by key', () => {
    const { cluster } = setup();
    cluster.apply(namespace('tax'));
    cluster.apply(deployment('b', 'edu', { app: 'one' }));
    cluster.apply(deployment('a', 'edu', { app: 'one' }));
    cluster.apply(deployment('c', 'edu', { app: 'two' }));
    cluster.apply(deployment('a', 'tax', { app: 'one' }));
    expect(cluster.keys('edu', { 'app.oam.dev/name': 'one' })).toEqual([
      deploymentKey('a', 'edu'),
      deploymentKey('b', 'edu'),
    ]);
    expect(cluster.keys(undefined, { 'app.oam.dev/name': 'one' })).toHaveLength(3);
    expect(cluster.list('edu', {}).map((m) => m.metadata.name)).toEqual(['a', 'b', 'c']);
    expect(cluster.keys('edu', { 'app.oam.dev/name': 'none' })).toEqual([]);
    // A label change moves the object in the index.
    cluster.apply(deployment('c', 'edu', { app: 'one' }));
    expect(cluster.keys('edu', { 'app.oam.dev/name': 'one' })).toHaveLength(3);
    expect(cluster.keys('edu', { 'app.oam.dev/name': 'two' })).toEqual([]);
  });

  it('returns copies: changing what get returned changes nothing', () => {
    const { cluster } = setup();
    cluster.apply(deployment('web', 'edu'));
    const got = cluster.get(deploymentKey('web', 'edu')) as Json;
    (got.spec as Json).replicas = 100;
    expect(spec(cluster.get(deploymentKey('web', 'edu'))).replicas).toBe(2);
  });

  it('deletes a namespace with everything in it, and a deployment with its pods', () => {
    const { cluster, cloud } = setup();
    cluster.apply(deployment('web', 'edu'));
    cluster.apply(deployment('api', 'edu'));
    cloud.advance(10_000);
    expect(cluster.pods('edu')).toHaveLength(4);
    expect(cluster.delete(deploymentKey('api', 'edu'))).toBe(true);
    expect(cluster.pods('edu')).toHaveLength(2);
    expect(cluster.capacity().requested.pods).toBe(2);
    expect(cluster.delete('v1/Namespace//edu')).toBe(true);
    expect(cluster.list(undefined)).toEqual([]);
    expect(cluster.capacity().requested).toEqual({ cpuMilli: 0, memoryBytes: 0, pods: 0 });
    expect(cluster.delete('v1/Namespace//edu')).toBe(false);
  });

  it('accepts every kind polis renders and gives claims and services what the API server would', () => {
    const { cluster } = setup();
    const ns = { namespace: 'edu' };
    const objects: Manifest[] = [
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cfg', ...ns }, data: { a: '1' } },
      { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'sa', ...ns } },
      { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', ...ns }, spec: { ports: [{ port: 80 }] } },
      {
        apiVersion: 'v1',
        kind: 'PersistentVolumeClaim',
        metadata: { name: 'data', ...ns },
        spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '10Gi' } } },
      },
      {
        apiVersion: 'v1',
        kind: 'ResourceQuota',
        metadata: { name: 'q', ...ns },
        spec: { hard: { 'requests.cpu': '10' } },
      },
      { apiVersion: 'v1', kind: 'LimitRange', metadata: { name: 'lr', ...ns }, spec: { limits: [] } },
      { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: { name: 'web', ...ns }, spec: {} },
      {
        apiVersion: 'networking.k8s.io/v1',
        kind: 'NetworkPolicy',
        metadata: { name: 'deny', ...ns },
        spec: { podSelector: {} },
      },
      {
        apiVersion: 'policy/v1',
        kind: 'PodDisruptionBudget',
        metadata: { name: 'pdb', ...ns },
        spec: { minAvailable: 1 },
      },
    ];
    for (const o of objects) expect(cluster.apply(o)).toBe('created');
    expect(cluster.get('v1/PersistentVolumeClaim/edu/data')?.status).toMatchObject({
      phase: 'Bound',
      capacity: { storage: '10Gi' },
    });
    expect(spec(cluster.get('v1/Service/edu/web')).clusterIP).toMatch(/^10\.96\./);
    expect(cluster.get('v1/Namespace//edu')?.status).toEqual({ phase: 'Active' });
    // Server-set fields the manifest does not name do not make a repeat apply a change.
    for (const o of objects) expect(cluster.apply(structuredClone(o))).toBe('unchanged');
  });
});

function firstContainer(d: Json): Json {
  return ((((d.spec as Json).template as Json).spec as Json).containers as Json[])[0]!;
}
