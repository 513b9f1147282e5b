import { afterAll, beforeAll, describe, expect, it, onTestFinished, vi } from 'vitest';
import { ManualClock } from '../src/kernel/clock.ts';
import type { AppStatus } from '../src/delivery/app-status.ts';
import type { TestPolis } from './support/test-polis.ts';
import { startTestPolis } from './support/test-polis.ts';

/**
 * The core loop end to end, in virtual time: the demo city's example applications are placed on the sandbox's
 * clusters, rendered, applied to the simulated cloud and observed until they run; then scaled, rolled back,
 * drift-repaired, and deleted while a cluster is unreachable.
 */
let t: TestPolis;
let clock: ManualClock;

const APPS = '/apis/core.oam.dev/v1beta1/tenants';

async function settle(rounds = 40, until?: () => Promise<boolean>): Promise<void> {
  const p = t.polis;
  for (let i = 0; i < rounds; i++) {
    await p.clusters.probeAll();
    await p.delivery.idle();
    p.sim!.advance(1000);
    await p.delivery.idle();
    if (until && (await until())) return;
  }
}

async function app(tenant: string, name: string) {
  const r = await t.request('GET', `${APPS}/${tenant}/applications/${name}`, { token: t.adminToken });
  return r.json() as { metadata: { generation: number }; status?: AppStatus };
}

async function allRunning(names: [string, string][]): Promise<boolean> {
  for (const [tenant, name] of names) if ((await app(tenant, name)).status?.phase !== 'Running') return false;
  return true;
}

const EXAMPLES: [string, string][] = [
  ['edu', 'enrolment-portal'],
  ['tax', 'e-invoice'],
  ['health', 'appointment'],
  ['hrss', 'social-security-query'],
  ['health', 'vaccination-records'],
];

beforeAll(async () => {
  clock = new ManualClock('2026-11-24T08:00:00Z');
  t = await startTestPolis({ controllers: true, virtualTime: true, clock });
  await settle(60, () => allRunning(EXAMPLES));
}, 120_000);

afterAll(async () => {
  await t?.stop();
});

describe('delivery of the example applications in the sandbox', () => {
  it('brings every example application to Running on the clusters its policies allow', async () => {
    for (const [tenant, name] of EXAMPLES) {
      const a = await app(tenant, name);
      expect({ name, phase: a.status?.phase, message: a.status?.message }).toEqual({
        name,
        phase: 'Running',
        message: undefined,
      });
      expect(a.status?.observedGeneration).toBe(a.metadata.generation);
    }
    // Residency: tax data stays on the extranet, weighted 2:1 towards the east.
    const invoice = (await app('tax', 'e-invoice')).status!;
    expect(invoice.placement.gateway).toEqual({ 'gov-east': 4, 'gov-west': 2 });
    // Enrolment spreads across both private regions and uses no burst cluster while the private cloud has room.
    const enrolment = (await app('edu', 'enrolment-portal')).status!;
    expect(Object.keys(enrolment.placement.web!).sort()).toEqual(['gov-east', 'gov-west']);
    // KubeVela topology steps: the full count on each named cluster.
    const sis = (await app('hrss', 'social-security-query')).status!;
    expect(sis.placement.query).toEqual({ 'gov-east': 2, 'gov-west': 2 });
  });

  it('counts its work in /metrics', async () => {
    const metrics = (await t.request('GET', '/metrics', { token: t.adminToken })).body;
    const reconciles = Number(/^polis_delivery_reconciles_total (\d+)/m.exec(metrics)?.[1]);
    expect(reconciles).toBeGreaterThan(0);
    expect(metrics).toMatch(/^polis_delivery_errors_total 0$/m);
  });

  it('runs what it placed as pods in the simulated clusters, labelled as KubeVela labels them', () => {
    const east = t.polis.sim!.cluster('gov-east')!;
    const deployments = east.list('tax--e-invoice', { 'app.oam.dev/name': 'e-invoice' });
    const gateway = deployments.find((m) => m.kind === 'Deployment' && m.metadata.name === 'gateway')!;
    expect(gateway.metadata.labels).toMatchObject({
      'app.oam.dev/name': 'e-invoice',
      'app.oam.dev/component': 'gateway',
      'polis.io/tenant': 'tax',
    });
    expect((gateway as unknown as { spec: { replicas: number } }).spec.replicas).toBe(4);
    expect(t.polis.sim!.cluster('burst-aliyun')!.list('tax--e-invoice', {})).toEqual([]);
  });

  it('reconciles the settled applications again without writing anything, to the store or to a cluster', async () => {
    // bench/delivery's no-op resync in small: a pass over applications that need nothing costs no commit.
    const p = t.polis;
    await p.feed.idle();
    await p.delivery.idle();
    const revision = await p.store.currentRevision();
    const changed = p.delivery.stats.objectsChanged;
    const reconciles = p.delivery.stats.reconciles;
    await p.delivery.resyncAll();
    await p.delivery.idle();
    await p.feed.idle();
    expect(p.delivery.stats.reconciles - reconciles).toBeGreaterThanOrEqual(EXAMPLES.length);
    expect(await p.store.currentRevision()).toBe(revision);
    expect(p.delivery.stats.objectsChanged).toBe(changed);
  });

  it('leaves out of the periodic resync an application that only waits for room and holds nothing', async () => {
    const p = t.polis;
    const skipped = async () => {
      const full = await p.delivery.resyncAll();
      const periodic = await p.delivery.resyncAll({ periodic: true });
      await p.delivery.idle();
      return full - periodic;
    };
    const before = await skipped();
    const created = await t.request('POST', `${APPS}/edu/applications`, {
      token: t.tokens['edu-admin'],
      body: {
        apiVersion: 'core.oam.dev/v1beta1',
        kind: 'Application',
        metadata: { name: 'no-room' },
        spec: { components: [{ name: 'web', type: 'worker', properties: { image: 'nginx', cpu: '50' } }] },
      },
    });
    expect(created.statusCode, created.body).toBe(201);
    await settle(3);
    expect((await app('edu', 'no-room')).status?.phase).toBe('Pending');
    expect(await skipped()).toBe(before + 1);
    // Nothing else changed for it: a capacity change or its own change still queues it (requeueForRoom, the watch).
    const gone = await t.request('DELETE', `${APPS}/edu/applications/no-room`, { token: t.tokens['edu-admin'] });
    expect(gone.statusCode, gone.body).toBeLessThan(300);
    await settle(3);
    expect(await skipped()).toBe(before);
  });

  it('stops at a suspend step until someone approves it, then delivers the next step', async () => {
    await settle(10);
    let license = (await app('samr', 'business-license')).status!;
    expect(license.phase).toBe('Suspended');
    expect(Object.keys(license.placement.license!)).toEqual(['gov-east']);
    const r = await t.request('POST', `${APPS}/samr/applications/business-license/resume`, {
      token: t.tokens['samr-admin'],
      body: {},
    });
    expect(r.statusCode, r.body).toBe(200);
    await settle(30, async () => (await app('samr', 'business-license')).status?.phase === 'Running');
    license = (await app('samr', 'business-license')).status!;
    expect(license.phase).toBe('Running');
    expect(license.placement.license).toEqual({ 'gov-east': 2, 'gov-west': 2 });
  });

  it("waits at depends-on-app for an application of its own department, never another department's", async () => {
    const create = (name: string, dependsOn: string) =>
      t.request('POST', `${APPS}/edu/applications`, {
        token: t.tokens['edu-admin'],
        body: {
          apiVersion: 'core.oam.dev/v1beta1',
          kind: 'Application',
          metadata: { name },
          spec: {
            components: [{ name: 'web', type: 'webservice', properties: { image: 'nginx', cpu: '100m' } }],
            workflow: {
              steps: [
                { name: 'wait', type: 'depends-on-app', properties: { name: dependsOn, namespace: 'tax' } },
                { name: 'deploy', type: 'deploy' },
              ],
            },
          },
        },
      });
    // e-invoice runs, but in the tax department: edu's application never sees it.
    expect((await create('after-invoice', 'e-invoice')).statusCode).toBe(201);
    expect((await create('after-portal', 'enrolment-portal')).statusCode).toBe(201);
    await settle(30, async () => (await app('edu', 'after-portal')).status?.phase === 'Running');
    expect((await app('edu', 'after-portal')).status?.phase).toBe('Running');
    const blocked = (await app('edu', 'after-invoice')).status;
    expect(blocked?.phase).not.toBe('Running');
    // Nothing was delivered for it on any cluster, while after-portal's pods run.
    const objects = (ns: string) =>
      t.polis.clusters.names().flatMap((c) => t.polis.sim!.cluster(c)?.list(ns, {}) ?? []);
    expect(objects('edu--after-invoice')).toEqual([]);
    expect(objects('edu--after-portal').length).toBeGreaterThan(0);
  });

  it('runs a KubeVela workflow: apply-component in a step group, an export2config object in the own namespace, a recorded notification', async () => {
    const created = await t.request('POST', `${APPS}/edu/applications`, {
      token: t.tokens['edu-admin'],
      body: {
        apiVersion: 'core.oam.dev/v1beta1',
        kind: 'Application',
        metadata: { name: 'flow', namespace: 'prod' },
        spec: {
          components: [
            { name: 'db', type: 'worker', properties: { image: 'postgres', cpu: '100m' } },
            { name: 'web', type: 'webservice', properties: { image: 'nginx', cpu: '100m' } },
          ],
          workflow: {
            steps: [
              {
                name: 'backend',
                type: 'step-group',
                subSteps: [{ name: 'apply-db', type: 'apply-component', properties: { component: 'db' } }],
              },
              {
                name: 'endpoints',
                type: 'export2config',
                properties: { configName: 'flow-endpoints', namespace: 'prod', data: { db: 'db:5432' } },
              },
              { name: 'rest', type: 'apply-remaining' },
              {
                name: 'tell',
                type: 'notification',
                properties: {
                  slack: { url: { value: 'https://chat.example.gov.cn/hooks/edu' }, message: { text: 'flow is up' } },
                },
              },
            ],
          },
        },
      },
    });
    expect(created.statusCode, created.body).toBe(201);
    await settle(40, async () => (await app('edu', 'flow')).status?.phase === 'Running');
    const s = (await app('edu', 'flow')).status!;
    expect(s.phase).toBe('Running');
    expect(s.workflow?.steps.map((x) => `${x.name}:${x.phase}`)).toEqual([
      'backend:succeeded',
      'apply-db:succeeded',
      'endpoints:succeeded',
      'rest:succeeded',
      'tell:succeeded',
    ]);
    const objects = t.polis.clusters.names().flatMap((c) => t.polis.sim!.cluster(c)?.list('edu--flow', {}) ?? []);
    const cm = objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name === 'flow-endpoints');
    expect(cm?.metadata.namespace).toBe('edu--flow');
    expect(objects.some((o) => o.kind === 'Deployment' && o.metadata.name === 'web')).toBe(true);
    // The notification is recorded as an event of the application; nothing left polis (the default notifier).
    await settle(20, async () => {
      const ev = await t.request('GET', '/apis/polis.io/v1/tenants/edu/events', { token: t.tokens['edu-admin'] });
      return ev.body.includes('NotificationRecorded');
    });
    const ev = await t.request('GET', '/apis/polis.io/v1/tenants/edu/events', { token: t.tokens['edu-admin'] });
    expect(ev.body).toContain('NotificationRecorded');
  });

  it('gives a new application the delivery finalizer at creation, so delivery writes only its status', async () => {
    const stats = t.polis.delivery.stats;
    const echoes = stats.byTrigger['app-change'] ?? 0;
    const writes = stats.statusWrites;
    const created = await t.request('POST', `${APPS}/edu/applications`, {
      token: t.tokens['edu-admin'],
      body: {
        apiVersion: 'core.oam.dev/v1beta1',
        kind: 'Application',
        metadata: { name: 'finalized' },
        spec: { components: [{ name: 'web', type: 'webservice', properties: { image: 'nginx', cpu: '100m' } }] },
      },
    });
    expect(created.statusCode, created.body).toBe(201);
    const body = created.json() as { metadata: { finalizers?: string[]; resourceVersion: string } };
    expect(body.metadata.finalizers).toEqual(['polis.io/delivery']);
    await settle(40, async () => (await app('edu', 'finalized')).status?.phase === 'Running');
    expect((await app('edu', 'finalized')).status?.phase).toBe('Running');
    // Its status was written several times on the way (placed, progressing, running), and the change event of each
    // of those writes queued no further reconcile (Memory.ownWrite).
    expect(stats.statusWrites - writes).toBeGreaterThan(1);
    expect(stats.byTrigger['app-change'] ?? 0).toBe(echoes);
    // Every change delivery made to it since is a status write: the generation and metadata stay as created.
    const events = (await t.polis.store.changesSince(Number(body.metadata.resourceVersion), 10_000)).filter(
      (e) => e.object.kind === 'Application' && e.object.metadata.name === 'finalized',
    );
    expect(events.length).toBeGreaterThan(0);
    for (const e of events) {
      expect(e.object.metadata.finalizers).toEqual(['polis.io/delivery']);
      expect(e.object.metadata.generation).toBe(1);
    }
    await t.request('DELETE', `${APPS}/edu/applications/finalized`, { token: t.tokens['edu-admin'] });
    await settle(
      20,
      async () => (await t.polis.store.get({ kind: 'Application', tenant: 'edu', name: 'finalized' })) === undefined,
    );
  });

  it('keeps its finalizer through a PUT that omits it, and skips a change to an annotation it does not read', async () => {
    const p = t.polis;
    const path = `${APPS}/edu/applications/noted`;
    const doc = (annotations: Record<string, string>, labels: Record<string, string> = {}) => ({
      apiVersion: 'core.oam.dev/v1beta1',
      kind: 'Application',
      metadata: { name: 'noted', labels, annotations },
      spec: { components: [{ name: 'web', type: 'webservice', properties: { image: 'nginx', cpu: '100m' } }] },
    });
    const created = await t.request('POST', `${APPS}/edu/applications`, {
      token: t.tokens['edu-admin'],
      body: doc({ note: 'v0' }),
    });
    expect(created.statusCode, created.body).toBe(201);
    await settle(40, async () => (await app('edu', 'noted')).status?.phase === 'Running');
    const quiet = async () => {
      await p.feed.idle();
      await p.delivery.idle();
      await p.feed.idle();
    };
    const put = async (body: unknown) => {
      const r = await t.request('PUT', path, { token: t.tokens['edu-admin'], body });
      expect(r.statusCode, r.body).toBe(200);
      return r.json() as { metadata: { finalizers?: string[]; generation: number; resourceVersion: string } };
    };
    await quiet();
    // This application's reconciles only: another's timed recheck may run meanwhile on a loaded machine.
    let reconciles = 0;
    const reconcile = p.delivery.reconcile.bind(p.delivery);
    const spy = vi.spyOn(p.delivery, 'reconcile').mockImplementation((key: string) => {
      if (key === 'edu/noted') reconciles++;
      return reconcile(key);
    });
    onTestFinished(() => spy.mockRestore());
    // A note changes: stored with the finalizer kept, one write and no reconcile (as a Kubernetes controller
    // skips an update of a generation it observed).
    const noted = await put(doc({ note: 'v1' }));
    expect(noted.metadata.finalizers).toEqual(['polis.io/delivery']);
    expect(noted.metadata.generation).toBe(1);
    await quiet();
    expect(reconciles).toBe(0);
    expect(await p.store.currentRevision()).toBe(Number(noted.metadata.resourceVersion));
    // What delivery reads does bring it back: a label (fair sharing's priority), an annotation it acts on.
    await put(doc({ note: 'v1' }, { tier: 'public' }));
    await quiet();
    expect(reconciles).toBe(1);
    await put(doc({ note: 'v1', 'polis.io/force-conflicts': 'true' }, { tier: 'public' }));
    await quiet();
    expect(reconciles).toBe(2);
    // Sending finalizers replaces them: an empty list lets the next reconcile add the finalizer back.
    const emptied = await put({ ...doc({ note: 'v2' }), metadata: { name: 'noted', finalizers: [] } });
    expect(emptied.metadata.finalizers).toBeUndefined();
    await settle(5, async () => (await app('edu', 'noted')).status?.phase === 'Running');
    const r = await t.request('GET', path, { token: t.adminToken });
    expect((r.json() as { metadata: { finalizers?: string[] } }).metadata.finalizers).toEqual(['polis.io/delivery']);
    await t.request('DELETE', path, { token: t.tokens['edu-admin'] });
    await settle(
      20,
      async () => (await p.store.get({ kind: 'Application', tenant: 'edu', name: 'noted' })) === undefined,
    );
  });

  it('delivers two deploy steps to one cluster in two namespaces as two Deployments, both of the department', async () => {
    const cluster = (await app('edu', 'enrolment-portal')).status!.clusters[0]!;
    const created = await t.request('POST', `${APPS}/edu/applications`, {
      token: t.tokens['edu-admin'],
      body: {
        apiVersion: 'core.oam.dev/v1beta1',
        kind: 'Application',
        metadata: { name: 'stages', namespace: 'prod' },
        spec: {
          components: [{ name: 'web', type: 'webservice', properties: { image: 'nginx', cpu: '100m' } }],
          policies: [
            { name: 'to-prod', type: 'topology', properties: { clusters: [cluster], namespace: 'prod' } },
            { name: 'to-staging', type: 'topology', properties: { clusters: [cluster], namespace: 'staging' } },
          ],
          workflow: {
            steps: [
              { name: 'deploy-prod', type: 'deploy', properties: { policies: ['to-prod'] } },
              { name: 'deploy-staging', type: 'deploy', properties: { policies: ['to-staging'] } },
            ],
          },
        },
      },
    });
    expect(created.statusCode, created.body).toBe(201);
    await settle(40, async () => (await app('edu', 'stages')).status?.phase === 'Running');
    const s = (await app('edu', 'stages')).status!;
    expect(s.phase).toBe('Running');
    expect(s.workflow?.steps.map((x) => `${x.name}:${x.phase}`)).toEqual([
      'deploy-prod:succeeded',
      'deploy-staging:succeeded',
    ]);
    const sim = t.polis.sim!.cluster(cluster)!;
    const deployments = sim.list(undefined, { 'app.oam.dev/name': 'stages' }).filter((o) => o.kind === 'Deployment');
    const namespaces = deployments.map((d) => d.metadata.namespace!).sort();
    expect(namespaces).toHaveLength(2);
    expect(namespaces).toContain('edu--stages');
    // Each namespace is the department's and the application's, by its labels; none is "prod", "staging" or another's.
    for (const ns of namespaces) {
      expect(sim.get(`v1/Namespace//${ns}`)?.metadata.labels).toMatchObject({
        'polis.io/tenant': 'edu',
        'app.oam.dev/name': 'stages',
      });
      expect(ns === 'edu--stages' || ns.startsWith('edu-stages-staging-')).toBe(true);
    }
    expect(s.components.find((c) => c.name === 'web')?.readyReplicas).toBe(2);
    // Deleting the application removes both.
    await t.request('DELETE', `${APPS}/edu/applications/stages`, { token: t.tokens['edu-admin'] });
    await settle(20, async () => sim.list(undefined, { 'app.oam.dev/name': 'stages' }).length === 0);
    expect(sim.list(undefined, { 'app.oam.dev/name': 'stages' })).toEqual([]);
  });

  it("copies ref-objects from a namespace of the department's own, never from another department's", async () => {
    const cluster = (await app('edu', 'enrolment-portal')).status!.clusters[0]!;
    const taxCluster = (await app('tax', 'e-invoice')).status!.clusters[0]!;
    const sim = t.polis.sim!;
    // Objects someone made by hand, beside the department's application and the tax bureau's.
    sim.cluster(cluster)!.apply({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'shared-settings', namespace: 'edu--enrolment-portal' },
      data: { LANG: 'zh_CN.UTF-8' },
    });
    sim.cluster(taxCluster)!.apply({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'tax-db', namespace: 'tax--e-invoice' },
      stringData: { password: 'secret' },
    });
    const post = (name: string, ref: Record<string, unknown>, on: string) =>
      t.request('POST', `${APPS}/edu/applications`, {
        token: t.tokens['edu-admin'],
        body: {
          apiVersion: 'core.oam.dev/v1beta1',
          kind: 'Application',
          metadata: { name },
          spec: {
            components: [
              { name: 'worker', type: 'worker', properties: { image: 'busybox', cpu: '100m' } },
              // Configuration alone is placed nowhere: it goes where the application's workloads run.
              { name: 'settings', type: 'ref-objects', properties: { objects: [ref] } },
            ],
            policies: [{ name: 'here', type: 'topology', properties: { clusters: [on] } }],
          },
        },
      });
    const ok = await post(
      'refs',
      { resource: 'configmap', name: 'shared-settings', namespace: 'edu--enrolment-portal', cluster },
      cluster,
    );
    expect(ok.statusCode, ok.body).toBe(201);
    const peek = await post(
      'peek',
      { resource: 'secret', name: 'tax-db', namespace: 'tax--e-invoice', cluster: taxCluster },
      taxCluster,
    );
    expect(peek.statusCode, peek.body).toBe(201);
    await settle(30, async () => (await app('edu', 'refs')).status?.phase === 'Running');
    expect((await app('edu', 'refs')).status?.phase).toBe('Running');
    const copy = sim.cluster(cluster)!.get('v1/ConfigMap/edu--refs/shared-settings');
    expect(copy?.data).toEqual({ LANG: 'zh_CN.UTF-8' });
    expect(copy?.metadata.labels).toMatchObject({ 'app.oam.dev/name': 'refs', 'workload.oam.dev/type': 'ref-objects' });
    // The tax bureau's Secret is never read: "tax--e-invoice" is mapped into edu's own namespaces, where it is not.
    const events = await t.request('GET', '/apis/polis.io/v1/tenants/edu/events', { token: t.tokens['edu-admin'] });
    expect(events.body).toContain('RefObjectNotFound');
    for (const c of t.polis.clusters.names())
      expect(sim.cluster(c)?.list(undefined, { 'app.oam.dev/name': 'peek' }) ?? []).toEqual([]);
    expect(events.body).not.toContain('secret');
  });

  it("passes what a read-object step read to a later step's inputs, reading only its own department", async () => {
    const post = (name: string, read: string) =>
      t.request('POST', `${APPS}/edu/applications`, {
        token: t.tokens['edu-admin'],
        body: {
          apiVersion: 'core.oam.dev/v1beta1',
          kind: 'Application',
          metadata: { name },
          spec: {
            components: [{ name: 'web', type: 'webservice', properties: { image: 'nginx', cpu: '100m' } }],
            workflow: {
              steps: [
                // The step's ConfigMap goes where the application runs: deployed first.
                { name: 'deploy', type: 'deploy' },
                {
                  name: 'read',
                  type: 'read-object',
                  properties: { name: read },
                  outputs: [{ name: 'phase', valueFrom: 'output.value.status.phase' }],
                },
                {
                  name: 'record',
                  type: 'export2config',
                  inputs: [{ from: 'phase', parameterKey: 'data.portal' }],
                  properties: { configName: 'portal-phase', data: { portal: 'unknown' } },
                },
              ],
            },
          },
        },
      });
    expect((await post('reader', 'enrolment-portal')).statusCode).toBe(201);
    // e-invoice is the tax bureau's: an edu application never finds it, and waits.
    expect((await post('nosy', 'e-invoice')).statusCode).toBe(201);
    const done = async () =>
      (await app('edu', 'reader')).status?.workflow?.steps.at(-1)?.phase === 'succeeded' &&
      (await app('edu', 'nosy')).status?.workflow?.steps[0]?.phase === 'succeeded';
    await settle(30, done);
    const s = (await app('edu', 'reader')).status!;
    expect(s.workflow?.steps.map((x) => `${x.name}:${x.phase}`)).toEqual([
      'deploy:succeeded',
      'read:succeeded',
      'record:succeeded',
    ]);
    const objects = t.polis.clusters.names().flatMap((c) => t.polis.sim!.cluster(c)?.list('edu--reader', {}) ?? []);
    expect(objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name === 'portal-phase')?.data).toEqual({
      portal: 'Running',
    });
    const nosy = (await app('edu', 'nosy')).status!;
    expect(nosy.workflow?.steps.map((x) => `${x.name}:${x.phase}`)).toEqual([
      'deploy:succeeded',
      'read:running',
      'record:pending',
    ]);
    for (const c of t.polis.clusters.names())
      expect(
        t.polis
          .sim!.cluster(c)
          ?.list('edu--nosy', {})
          .filter((o) => o.kind === 'ConfigMap' && o.metadata.name === 'portal-phase') ?? [],
      ).toEqual([]);
  });

  it('scales a component, then rolls back to the first revision', async () => {
    const before = await app('edu', 'enrolment-portal');
    const spec = structuredClone((before as unknown as { spec: { components: { traits: unknown[] }[] } }).spec);
    spec.components[0]!.traits[0] = { type: 'scaler', properties: { replicas: 7 } };
    const put = await t.request('PATCH', `${APPS}/edu/applications/enrolment-portal`, {
      token: t.tokens['edu-admin'],
      body: { spec },
      contentType: 'application/merge-patch+json',
    });
    expect(put.statusCode, put.body).toBe(200);
    await settle(30, async () => {
      const s = (await app('edu', 'enrolment-portal')).status;
      return s?.phase === 'Running' && s.observedGeneration === before.metadata.generation + 1;
    });
    let s = (await app('edu', 'enrolment-portal')).status!;
    expect(Object.values(s.placement.web!).reduce((a, b) => a + b, 0)).toBe(7);
    expect(s.components.find((c) => c.name === 'web')!.readyReplicas).toBe(7);

    const history = await t.request('GET', `${APPS}/edu/applications/enrolment-portal/revisions`, {
      token: t.tokens['edu-admin'],
    });
    expect(history.json().items.map((i: { revision: number }) => i.revision)).toEqual([1, 2]);
    const diff = await t.request('GET', `${APPS}/edu/applications/enrolment-portal/diff?from=1&to=2`, {
      token: t.tokens['edu-admin'],
    });
    expect(diff.json().diff).toMatch(/-\s+replicas: 3\n\+\s+replicas: 7/);

    const undo = await t.request('POST', `${APPS}/edu/applications/enrolment-portal/rollback`, {
      token: t.tokens['edu-admin'],
      body: { revision: 1 },
    });
    expect(undo.statusCode, undo.body).toBe(200);
    await settle(30, async () => {
      const x = (await app('edu', 'enrolment-portal')).status;
      return x?.phase === 'Running' && x.observedGeneration === 3;
    });
    s = (await app('edu', 'enrolment-portal')).status!;
    expect(Object.values(s.placement.web!).reduce((a, b) => a + b, 0)).toBe(3);
    const revs = await t.request('GET', `${APPS}/edu/applications/enrolment-portal/revisions`, {
      token: t.tokens['edu-admin'],
    });
    expect(revs.json().items.at(-1)).toMatchObject({ revision: 3, rollbackOf: 1, current: true });
  });

  it('undoes a change made inside a cluster to an object polis owns, and says so in an event', async () => {
    const s = (await app('health', 'appointment')).status!;
    const cluster = Object.keys(s.placement.web!)[0]!;
    const sim = t.polis.sim!.cluster(cluster)!;
    const key = sim.keys('health--appointment', {}).find((k) => k.includes('/Deployment/') && k.endsWith('/web'))!;
    sim.mutate(key, (o) => {
      const c = (o as { spec: { template: { spec: { containers: { image: string }[] } } } }).spec.template.spec
        .containers[0]!;
      c.image = 'registry.example.gov.cn/health/appointment:tampered';
    });
    await t.polis.delivery.resyncAll();
    await settle(3);
    const live = sim.get(key) as unknown as { spec: { template: { spec: { containers: { image: string }[] } } } };
    expect(live.spec.template.spec.containers[0]!.image).toBe('registry.example.gov.cn/health/appointment:1.8.0');
    const events = await t.request('GET', '/apis/polis.io/v1/tenants/health/events', {
      token: t.tokens['health-admin'],
    });
    const reasons = (events.json().items as { spec: { reason: string; involvedObject: { name: string } } }[])
      .filter((e) => e.spec.involvedObject.name === 'appointment')
      .map((e) => e.spec.reason);
    expect(reasons).toContain('DriftRepaired');
  });

  it('deletes an application while a cluster is unreachable, and cleans that cluster when it returns', async () => {
    const west = t.polis.sim!.cluster('gov-west')!;
    expect(west.list('tax--e-invoice', {}).length).toBeGreaterThan(0);
    west.partition();
    for (let i = 0; i < 4; i++) await t.polis.clusters.probeAll();
    expect(t.polis.clusters.health('gov-west')?.state).toBe('Unreachable');
    const del = await t.request('DELETE', `${APPS}/tax/applications/e-invoice`, { token: t.tokens['tax-admin'] });
    expect(del.statusCode, del.body).toBe(200);
    await settle(5, async () => {
      const r = await t.request('GET', `${APPS}/tax/applications/e-invoice`, { token: t.adminToken });
      return r.statusCode === 404;
    });
    const gone = await t.request('GET', `${APPS}/tax/applications/e-invoice`, { token: t.adminToken });
    expect(gone.statusCode).toBe(404);
    expect(t.polis.sim!.cluster('gov-east')!.list('tax--e-invoice', {})).toEqual([]);
    // The partitioned cluster may still be serving: nothing there was touched, and the leftover is recorded.
    expect(west.runtime.store.select('tax--e-invoice', {}).length).toBeGreaterThan(0);
    const cl = await t.request('GET', '/apis/polis.io/v1/clusters/gov-west', { token: t.adminToken });
    expect(cl.json().status.pendingCleanup).toEqual([{ tenant: 'tax', app: 'e-invoice', namespace: 'tax--e-invoice' }]);

    west.restore();
    for (let i = 0; i < 3; i++) await t.polis.clusters.probeAll();
    await settle(3);
    expect(west.list('tax--e-invoice', {})).toEqual([]);
    const after = await t.request('GET', '/apis/polis.io/v1/clusters/gov-west', { token: t.adminToken });
    expect(after.json().status.pendingCleanup ?? []).toEqual([]);
  });
});
