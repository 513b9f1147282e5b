/**
 * The fake API server at the scale of bench/kubernetes: it runs in its own process with the same API and RBAC, and
 * its store, scheduler, garbage collector and apply decoding do work in proportion to what changed, not to
 * everything stored (what made 1,000 applications take minutes), while behaving as before.
 */
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { PODS } from './support/fake-kube/controller-kit.ts';
import { startControllers } from './support/fake-kube/controller-manager.ts';
import { copyJson } from './support/fake-kube/copy.ts';
import { GarbageCollector } from './support/fake-kube/garbage-collector.ts';
import { startFakeKube, startFakeKubeProcess } from './support/fake-kube/index.ts';
import { Registry } from './support/fake-kube/registry.ts';
import { findByKind, type ResourceDef } from './support/fake-kube/resources.ts';
import { Store } from './support/fake-kube/store.ts';

type Any = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const NAMESPACES = findByKind('v1', 'Namespace') as ResourceDef;
const CONFIG_MAPS = findByKind('v1', 'ConfigMap') as ResourceDef;
const role = readFileSync(new URL('../deploy/member-cluster/polis-agent-rbac.yaml', import.meta.url), 'utf8');

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** A store, registry and garbage collector without a server or controllers. */
function parts() {
  const store = new Store(1000);
  const registry = new Registry(store);
  const gc = new GarbageCollector(registry);
  cleanups.push(() => gc.stop());
  return { store, registry, gc };
}

const namespace = (name: string) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
const configMap = (name: string, extra: Any = {}) => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, ...extra },
  data: { a: '1' },
});
const turn = () => new Promise((r) => setImmediate(r));

describe('fake-kube in its own process', () => {
  it('serves the API with the role enforced, counts requests, and is gone once stopped', async () => {
    const fake = await startFakeKubeProcess({ rbac: [role], readyAfterMs: 0 });
    cleanups.push(() => fake.stop());
    expect(fake.pid).not.toBe(process.pid);
    const headers = { Authorization: 'Bearer fake-token', 'Content-Type': 'application/apply-patch+yaml' };
    const applied = await fetch(`${fake.url}/api/v1/namespaces/scale-a?fieldManager=polis`, {
      method: 'PATCH',
      headers,
      body: JSON.stringify(namespace('scale-a')),
    });
    expect(applied.status).toBe(201);
    // The shipped role grants no access to nodes' status subresource writes: refused as a real server would.
    const refused = await fetch(`${fake.url}/api/v1/nodes/node-1/status?fieldManager=polis`, {
      method: 'PATCH',
      headers,
      body: '{"apiVersion":"v1","kind":"Node","metadata":{"name":"node-1"}}',
    });
    expect(refused.status).toBe(403);
    const counts = await fake.counts();
    expect(counts.writes).toBe(2);
    expect(counts.refused).toBe(1);
    expect(fake.kubeconfig()).toContain(fake.url);
    await fake.resetCounts();
    expect((await fake.counts()).writes).toBe(0);

    await fake.stop();
    cleanups.pop();
    expect(() => process.kill(fake.pid, 0)).toThrow();
  });
});

describe('fake-kube work in proportion to the change', () => {
  it('copies JSON as structuredClone does, keeping undefined properties, sharing nothing', () => {
    const original: Any = { a: [1, 'x', null, { b: true, c: undefined }], d: { e: { f: 2.5 } } };
    const copy = copyJson(original);
    expect(copy).toStrictEqual(structuredClone(original));
    expect('c' in copy.a[3]).toBe(true);
    copy.d.e.f = 3;
    copy.a.push(4);
    expect(original.d.e.f).toBe(2.5);
    expect(original.a).toHaveLength(4);
  });

  it('lists one namespace without looking at the objects of the others', () => {
    const { store, registry } = parts();
    for (const ns of ['scale-a', 'scale-b']) {
      registry.create(NAMESPACES, undefined, namespace(ns), { manager: 'test' });
      for (const n of ['x', 'y']) registry.create(CONFIG_MAPS, ns, configMap(n), { manager: 'test' });
    }
    const seen: string[] = [];
    const found = store.list(CONFIG_MAPS, 'scale-b', (o) => {
      seen.push(`${o.metadata?.namespace}/${o.metadata?.name}`);
      return true;
    });
    expect(seen.sort()).toEqual(['scale-b/x', 'scale-b/y']);
    expect(found.map((o) => o.metadata?.name)).toEqual(['x', 'y']);
    expect(store.list(CONFIG_MAPS).map((o) => `${o.metadata?.namespace}/${o.metadata?.name}`)).toEqual([
      'scale-a/x',
      'scale-a/y',
      'scale-b/x',
      'scale-b/y',
    ]);
  });

  it('makes no garbage-collection pass over every object for a change that leaves nothing to collect', async () => {
    const { store, registry } = parts();
    registry.create(NAMESPACES, undefined, namespace('scale-a'), { manager: 'test' });
    const owner = registry.create(CONFIG_MAPS, 'scale-a', configMap('owner'), { manager: 'test' });
    const ref = { apiVersion: 'v1', kind: 'ConfigMap', name: 'owner', uid: owner.metadata?.uid as string };
    await turn();
    const passes = vi.spyOn(store, 'objectsWithDefs');
    registry.create(CONFIG_MAPS, 'scale-a', configMap('dependent', { ownerReferences: [ref] }), { manager: 'test' });
    const changed = registry.get(CONFIG_MAPS, 'scale-a', 'dependent');
    (changed as Any).data = { a: '2' };
    registry.update(CONFIG_MAPS, 'scale-a', 'dependent', changed, { manager: 'test' });
    await turn();
    await turn();
    expect(passes).not.toHaveBeenCalled();

    // Its owner deleted: the collector passes and removes the dependent, as before.
    store.remove(CONFIG_MAPS, 'scale-a', 'owner');
    await expect.poll(() => store.get(CONFIG_MAPS, 'scale-a', 'dependent')).toBeUndefined();
    expect(passes).toHaveBeenCalled();
  });

  it("binds pods from node usage it keeps, without scanning every pod, and frees a deleted pod's room", async () => {
    const { store, registry, gc } = parts();
    const ctx = startControllers(registry, gc, {
      readyAfterMs: 0,
      nodes: [{ name: 'node-1', cpu: '1', memory: '1Gi', pods: 1 }],
    });
    cleanups.push(() => ctx.stop());
    registry.create(NAMESPACES, undefined, namespace('scale-a'), { manager: 'test' });
    const scans = vi.spyOn(store, 'scan');
    const pod = (name: string) => ({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name },
      spec: { containers: [{ name: 'c', image: 'i', resources: { requests: { cpu: '100m' } } }] },
    });
    registry.create(PODS, 'scale-a', pod('first'), { manager: 'test' });
    await expect.poll(() => (store.get(PODS, 'scale-a', 'first') as Any).status?.phase).toBe('Running');
    registry.create(PODS, 'scale-a', pod('second'), { manager: 'test' });
    await expect
      .poll(() => (store.get(PODS, 'scale-a', 'second') as Any).status?.conditions?.[0]?.reason)
      .toBe('Unschedulable');
    expect(scans.mock.calls.filter(([d]) => d === PODS)).toHaveLength(0);

    store.remove(PODS, 'scale-a', 'first');
    await expect.poll(() => (store.get(PODS, 'scale-a', 'second') as Any).spec.nodeName).toBe('node-1');
  });
});

describe('fake-kube apply bodies', () => {
  it('takes a JSON apply body as YAML does, and refuses one that repeats a key as YAML does', async () => {
    const fake = await startFakeKube({});
    cleanups.push(() => fake.stop());
    const send = (body: string) =>
      fetch(`${fake.url}/api/v1/namespaces/scale-a?fieldManager=polis`, {
        method: 'PATCH',
        headers: { Authorization: 'Bearer fake-token', 'Content-Type': 'application/apply-patch+yaml' },
        body,
      });
    const repeated = await send(
      '{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"scale-a","name":"scale-a"}}',
    );
    expect(repeated.status).toBe(400);
    expect(await repeated.text()).toMatch(/YAML/);
    const json = await send(
      '{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"scale-a","annotations":{"note":"a: b, {c}"}}}',
    );
    expect(json.status).toBe(201);
    expect(fake.get('v1', 'Namespace', undefined, 'scale-a')?.metadata).toMatchObject({
      annotations: { note: 'a: b, {c}' },
    });
  });
});
