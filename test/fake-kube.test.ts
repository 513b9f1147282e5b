/**
 * The fake Kubernetes API server (test/support/fake-kube) behaves as the Kubernetes API documentation says, seen
 * through raw HTTP and through @kubernetes/client-node, the client polis's driver uses.
 */
import {
  ApiException,
  AppsV1Api,
  CoreV1Api,
  KubeConfig,
  KubernetesObjectApi,
  PatchStrategy,
  VersionApi,
  Watch,
} from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeKube, startFakeKube } from './support/fake-kube/index.ts';

type Any = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const AUTH = { Authorization: 'Bearer fake-token' };

function clientsFor(fake: FakeKube, auth: 'token' | 'basic' = 'token') {
  const kc = new KubeConfig();
  kc.loadFromString(fake.kubeconfig({ auth }));
  return {
    kc,
    core: kc.makeApiClient(CoreV1Api),
    apps: kc.makeApiClient(AppsV1Api),
    objects: KubernetesObjectApi.makeApiClient(kc),
  };
}

async function call(fake: FakeKube, method: string, path: string, body?: unknown, contentType = 'application/json') {
  const res = await fetch(fake.url + path, {
    method,
    headers: { ...AUTH, 'Content-Type': contentType },
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
  const text = await res.text();
  let json: Any;
  try {
    json = JSON.parse(text) as Any;
  } catch {
    json = { text };
  }
  return { status: res.status, body: json, headers: res.headers };
}

const apply = (fake: FakeKube, path: string, body: unknown, manager: string, force = false) =>
  call(
    fake,
    'PATCH',
    `${path}?fieldManager=${manager}${force ? '&force=true' : ''}`,
    body,
    'application/apply-patch+yaml',
  );

/** Polls until `check` stops throwing (the simulated controllers work asynchronously). */
async function eventually<T>(check: () => T | Promise<T>, limitMs = 60_000): Promise<T> {
  const end = Date.now() + limitMs;
  for (;;) {
    try {
      return await check();
    } catch (e) {
      if (Date.now() > end) throw e;
      await new Promise((r) => setTimeout(r, 10));
    }
  }
}

/** A raw watch: collects the newline-delimited events of one stream. */
function rawWatch(fake: FakeKube, path: string) {
  const events: Any[] = [];
  const controller = new AbortController();
  const done = (async () => {
    const res = await fetch(fake.url + path, { headers: AUTH, signal: controller.signal });
    const decoder = new TextDecoder();
    let buffer = '';
    try {
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        buffer += decoder.decode(chunk, { stream: true });
        let nl: number;
        while ((nl = buffer.indexOf('\n')) >= 0) {
          events.push(JSON.parse(buffer.slice(0, nl)) as Any);
          buffer = buffer.slice(nl + 1);
        }
      }
    } catch {
      // aborted
    }
  })();
  return { events, close: async () => (controller.abort(), await done), done };
}

const namespace = (name: string) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } });

const deployment = (
  name: string,
  ns: string,
  extra: { replicas?: number; image?: string; cpu?: string; env?: Any[] } = {},
) => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name, namespace: ns, labels: { app: name } },
  spec: {
    ...(extra.replicas !== undefined ? { replicas: extra.replicas } : {}),
    selector: { matchLabels: { app: name } },
    template: {
      metadata: { labels: { app: name } },
      spec: {
        containers: [
          {
            name: 'web',
            image: extra.image ?? 'registry.example.gov.cn/web:1.0.0',
            ...(extra.cpu ? { resources: { requests: { cpu: extra.cpu, memory: '128Mi' } } } : {}),
            ...(extra.env ? { env: extra.env } : {}),
          },
        ],
      },
    },
  },
});

const deploymentPath = (ns: string, name: string) => `/apis/apps/v1/namespaces/${ns}/deployments/${name}`;

describe('fake-kube: discovery, authentication and errors', () => {
  let fake: FakeKube;
  beforeAll(async () => {
    fake = await startFakeKube({ basic: [{ username: 'admin', password: 's3cret' }] });
  });
  afterAll(() => fake.stop());

  it('serves /version, /readyz, /livez and the discovery documents', async () => {
    expect((await call(fake, 'GET', '/version')).body).toMatchObject({
      major: '1',
      minor: '31',
      gitVersion: 'v1.31.4',
    });
    expect((await fetch(`${fake.url}/readyz`)).status).toBe(200);
    expect(await (await fetch(`${fake.url}/livez`)).text()).toBe('ok');
    const api = (await call(fake, 'GET', '/api')).body;
    expect(api).toMatchObject({ kind: 'APIVersions', versions: ['v1'] });
    const groups = (await call(fake, 'GET', '/apis')).body;
    expect(groups.kind).toBe('APIGroupList');
    expect(groups.groups.map((g: Any) => g.name)).toEqual(
      expect.arrayContaining([
        'apps',
        'batch',
        'networking.k8s.io',
        'autoscaling',
        'policy',
        'rbac.authorization.k8s.io',
      ]),
    );
    expect(groups.groups.find((g: Any) => g.name === 'autoscaling').preferredVersion).toEqual({
      groupVersion: 'autoscaling/v2',
      version: 'v2',
    });
    const appsV1 = (await call(fake, 'GET', '/apis/apps/v1')).body;
    expect(appsV1).toMatchObject({ kind: 'APIResourceList', groupVersion: 'apps/v1' });
    expect(appsV1.resources).toContainEqual(
      expect.objectContaining({
        name: 'deployments',
        singularName: 'deployment',
        namespaced: true,
        kind: 'Deployment',
      }),
    );
    expect(appsV1.resources.find((r: Any) => r.name === 'deployments').verbs).toEqual(
      expect.arrayContaining(['get', 'list', 'watch', 'create', 'update', 'patch', 'delete']),
    );
    const core = (await call(fake, 'GET', '/api/v1')).body;
    expect(core.resources.find((r: Any) => r.name === 'nodes')).toMatchObject({ namespaced: false, kind: 'Node' });
  });

  it('is reachable through client-node with a token or basic auth kubeconfig', async () => {
    const { kc } = clientsFor(fake);
    expect((await kc.makeApiClient(VersionApi).getCode()).gitVersion).toBe('v1.31.4');
    const basic = clientsFor(fake, 'basic');
    const list = await basic.core.listNamespace();
    expect(list.items.map((n) => n.metadata?.name)).toEqual([
      'default',
      'kube-node-lease',
      'kube-public',
      'kube-system',
    ]);
  });

  it('answers 401 without valid credentials and 404 for unknown resources, as Status objects', async () => {
    const noAuth = await fetch(`${fake.url}/api/v1/namespaces`);
    expect(noAuth.status).toBe(401);
    expect(await noAuth.json()).toMatchObject({ kind: 'Status', status: 'Failure', reason: 'Unauthorized', code: 401 });
    const badToken = await fetch(`${fake.url}/api/v1/namespaces`, { headers: { Authorization: 'Bearer nope' } });
    expect(badToken.status).toBe(401);
    const unknown = await call(fake, 'GET', '/apis/apps/v1/namespaces/default/widgets');
    expect(unknown.status).toBe(404);
    expect(unknown.body).toMatchObject({
      kind: 'Status',
      reason: 'NotFound',
      message: 'the server could not find the requested resource',
    });
    const missing = await call(fake, 'GET', deploymentPath('default', 'web'));
    expect(missing.body).toMatchObject({
      kind: 'Status',
      apiVersion: 'v1',
      status: 'Failure',
      message: 'deployments.apps "web" not found',
      reason: 'NotFound',
      details: { name: 'web', group: 'apps', kind: 'deployments' },
      code: 404,
    });
  });

  it('validates like the API server: 422 Invalid with the field path', async () => {
    const bad = deployment('web', 'default');
    delete (bad.spec.template.spec.containers[0] as Any).image;
    const res = await call(fake, 'POST', '/apis/apps/v1/namespaces/default/deployments', bad);
    expect(res.status).toBe(422);
    expect(res.body).toMatchObject({
      reason: 'Invalid',
      code: 422,
      message: 'Deployment.apps "web" is invalid: spec.template.spec.containers[0].image: Required value',
      details: {
        name: 'web',
        group: 'apps',
        kind: 'Deployment',
        causes: [
          { reason: 'FieldValueRequired', message: 'Required value', field: 'spec.template.spec.containers[0].image' },
        ],
      },
    });
    const svc = await call(fake, 'POST', '/api/v1/namespaces/default/services', {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'web' },
      spec: { ports: [{ port: 70000, targetPort: 8080 }] },
    });
    expect(svc.body.message).toBe(
      'Service "web" is invalid: spec.ports[0].port: Invalid value: 70000: must be between 1 and 65535, inclusive',
    );
    const name = await call(fake, 'POST', '/api/v1/namespaces/default/configmaps', { metadata: { name: 'Bad_Name' } });
    expect(name.status).toBe(422);
    expect(name.body.message).toMatch(
      /^ConfigMap "Bad_Name" is invalid: metadata.name: Invalid value: "Bad_Name": a lowercase RFC 1123 subdomain/,
    );
    const noNs = await call(fake, 'POST', '/api/v1/namespaces/nowhere/configmaps', { metadata: { name: 'x' } });
    expect(noNs.status).toBe(404);
    expect(noNs.body.message).toBe('namespaces "nowhere" not found');
  });

  it('rejects a Job whose pods would restart forever, as batch/v1 does', async () => {
    const res = await call(fake, 'POST', '/apis/batch/v1/namespaces/default/jobs', {
      metadata: { name: 'migrate' },
      spec: { template: { spec: { containers: [{ name: 'm', image: 'busybox' }] } } },
    });
    expect(res.status).toBe(422);
    expect(res.body.message).toBe(
      'Job.batch "migrate" is invalid: spec.template.spec.restartPolicy: Unsupported value: "Always": supported values: "OnFailure", "Never"',
    );
  });

  it('answers 409 AlreadyExists, 409 Conflict on a stale resourceVersion and 415 for an unknown patch type', async () => {
    const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings' }, data: { a: '1' } };
    expect((await call(fake, 'POST', '/api/v1/namespaces/default/configmaps', cm)).status).toBe(201);
    const again = await call(fake, 'POST', '/api/v1/namespaces/default/configmaps', cm);
    expect(again.body).toMatchObject({
      code: 409,
      reason: 'AlreadyExists',
      message: 'configmaps "settings" already exists',
    });
    const current = (await call(fake, 'GET', '/api/v1/namespaces/default/configmaps/settings')).body;
    const updated = await call(fake, 'PUT', '/api/v1/namespaces/default/configmaps/settings', {
      ...current,
      data: { a: '2' },
    });
    expect(updated.status).toBe(200);
    expect(Number(updated.body.metadata.resourceVersion)).toBeGreaterThan(Number(current.metadata.resourceVersion));
    const stale = await call(fake, 'PUT', '/api/v1/namespaces/default/configmaps/settings', {
      ...current,
      data: { a: '3' },
    });
    expect(stale.body).toMatchObject({
      code: 409,
      reason: 'Conflict',
      message:
        'Operation cannot be fulfilled on configmaps "settings": the object has been modified; please apply your changes to the latest version and try again',
    });
    const odd = await call(fake, 'PATCH', '/api/v1/namespaces/default/configmaps/settings', 'a: 1', 'text/plain');
    expect(odd.status).toBe(415);
    expect(odd.body.reason).toBe('UnsupportedMediaType');
  });

  it('requires a fieldManager for server-side apply (422, as PatchOptions validation says)', async () => {
    const res = await call(
      fake,
      'PATCH',
      deploymentPath('default', 'web'),
      deployment('web', 'default'),
      'application/apply-patch+yaml',
    );
    expect(res.status).toBe(422);
    expect(res.body.message).toBe(
      'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch',
    );
  });
});

describe('fake-kube: reads with selectors and pagination', () => {
  let fake: FakeKube;
  beforeAll(async () => {
    fake = await startFakeKube();
    const { core } = clientsFor(fake);
    await core.createNamespace({ body: namespace('shop') });
    const maps: [string, Record<string, string>][] = [
      ['a', { tier: 'web', env: 'prod' }],
      ['b', { tier: 'web', env: 'staging' }],
      ['c', { tier: 'db', env: 'prod' }],
      ['d', { tier: 'cache' }],
    ];
    for (const [name, labels] of maps)
      await core.createNamespacedConfigMap({ namespace: 'shop', body: { metadata: { name, labels } } });
  });
  afterAll(() => fake.stop());

  const names = async (selector: string) => {
    const { core } = clientsFor(fake);
    const list = await core.listNamespacedConfigMap({ namespace: 'shop', labelSelector: selector });
    return list.items.map((i) => i.metadata?.name).filter((n) => n !== 'kube-root-ca.crt');
  };

  it('gets what it created, with server-set metadata', async () => {
    const { core } = clientsFor(fake);
    const cm = await core.readNamespacedConfigMap({ namespace: 'shop', name: 'a' });
    expect(cm.metadata?.uid).toMatch(/^[0-9a-f-]{36}$/);
    expect(cm.metadata?.creationTimestamp).toBeInstanceOf(Date);
    expect(cm.metadata?.resourceVersion).toMatch(/^\d+$/);
  });

  it('filters with every label selector operator', async () => {
    expect(await names('tier=web')).toEqual(['a', 'b']);
    expect(await names('tier==web,env=prod')).toEqual(['a']);
    expect(await names('tier!=web')).toEqual(expect.arrayContaining(['c', 'd']));
    expect(await names('tier in (db,cache)')).toEqual(['c', 'd']);
    expect(await names('tier notin (web),env')).toEqual(['c']);
    expect(await names('!env,tier')).toEqual(['d']);
    expect(await names('env')).toEqual(['a', 'b', 'c']);
  });

  it('filters by metadata.name and metadata.namespace field selectors, across namespaces too', async () => {
    const byName = await call(fake, 'GET', '/api/v1/namespaces/shop/configmaps?fieldSelector=metadata.name%3Db');
    expect(byName.body.items.map((i: Any) => i.metadata.name)).toEqual(['b']);
    const all = await call(
      fake,
      'GET',
      '/api/v1/configmaps?fieldSelector=metadata.namespace%3Dshop,metadata.name!%3Dkube-root-ca.crt',
    );
    expect(all.body.items.map((i: Any) => i.metadata.name)).toEqual(['a', 'b', 'c', 'd']);
    // List items come without kind and apiVersion, as from a real API server.
    expect(all.body.kind).toBe('ConfigMapList');
    expect(all.body.items[0].kind).toBeUndefined();
    const bad = await call(fake, 'GET', '/api/v1/configmaps?fieldSelector=data.x%3D1');
    expect(bad.status).toBe(400);
  });

  it('pages with limit and continue over a consistent snapshot', async () => {
    const first = await call(fake, 'GET', '/api/v1/namespaces/shop/configmaps?limit=2');
    expect(first.body.items.map((i: Any) => i.metadata.name)).toEqual(['a', 'b']);
    expect(first.body.metadata.remainingItemCount).toBe(3);
    await call(fake, 'POST', '/api/v1/namespaces/shop/configmaps', { metadata: { name: 'bb' } });
    const token = encodeURIComponent(first.body.metadata.continue as string);
    const second = await call(fake, 'GET', `/api/v1/namespaces/shop/configmaps?limit=2&continue=${token}`);
    expect(second.body.items.map((i: Any) => i.metadata.name)).toEqual(['c', 'd']);
    expect(second.body.metadata.resourceVersion).toBe(first.body.metadata.resourceVersion);
  });
});

describe('fake-kube: server-side apply', () => {
  let fake: FakeKube;
  beforeAll(async () => {
    fake = await startFakeKube();
    await call(fake, 'POST', '/api/v1/namespaces', namespace('edu-portal'));
  });
  afterAll(() => fake.stop());

  it('creates with client-node PatchStrategy.ServerSideApply and records the manager’s field set', async () => {
    const { objects } = clientsFor(fake);
    const created = (await objects.patch(
      deployment('web', 'edu-portal', { replicas: 2 }),
      undefined,
      undefined,
      'polis',
      false,
      PatchStrategy.ServerSideApply,
    )) as Any;
    expect(created.metadata.generation).toBe(1);
    const entry = created.metadata.managedFields.find((m: Any) => m.manager === 'polis');
    expect(entry).toMatchObject({ operation: 'Apply', apiVersion: 'apps/v1', fieldsType: 'FieldsV1' });
    expect(entry.fieldsV1).toEqual({
      'f:metadata': { 'f:labels': { 'f:app': {} } },
      'f:spec': {
        'f:replicas': {},
        'f:selector': {},
        'f:template': {
          'f:metadata': { 'f:labels': { 'f:app': {} } },
          'f:spec': { 'f:containers': { 'k:{"name":"web"}': { '.': {}, 'f:image': {}, 'f:name': {} } } },
        },
      },
    });
  });

  it('does not bump resourceVersion or generation for an apply that changes nothing', async () => {
    // Wait until the simulated controllers have settled the status, so only the apply could change the object.
    const before = await eventually(() => {
      const d = fake.get('apps/v1', 'Deployment', 'edu-portal', 'web') as Any;
      expect(d.status?.availableReplicas).toBe(2);
      return d;
    });
    const res = await apply(
      fake,
      deploymentPath('edu-portal', 'web'),
      deployment('web', 'edu-portal', { replicas: 2 }),
      'polis',
    );
    expect(res.status).toBe(200);
    expect(res.body.metadata.resourceVersion).toBe(before.metadata.resourceVersion);
    const after = fake.get('apps/v1', 'Deployment', 'edu-portal', 'web') as Any;
    expect(after.metadata.resourceVersion).toBe(before.metadata.resourceVersion);
    expect(after.metadata.generation).toBe(before.metadata.generation);
  });

  it('moves generation on spec changes only', async () => {
    const before = fake.get('apps/v1', 'Deployment', 'edu-portal', 'web') as Any;
    const labelled = deployment('web', 'edu-portal', { replicas: 2 });
    (labelled.metadata.labels as Any).team = 'edu';
    await apply(fake, deploymentPath('edu-portal', 'web'), labelled, 'polis');
    const relabelled = fake.get('apps/v1', 'Deployment', 'edu-portal', 'web') as Any;
    expect(relabelled.metadata.generation).toBe(before.metadata.generation);
    expect(relabelled.metadata.resourceVersion).not.toBe(before.metadata.resourceVersion);
    await apply(fake, deploymentPath('edu-portal', 'web'), deployment('web', 'edu-portal', { replicas: 3 }), 'polis');
    expect((fake.get('apps/v1', 'Deployment', 'edu-portal', 'web') as Any).metadata.generation).toBe(
      before.metadata.generation + 1,
    );
  });

  it('conflicts with a field another manager changed, and force takes it over', async () => {
    fake.edit('apps/v1', 'Deployment', 'edu-portal', 'web', (d) => {
      d.spec.replicas = 5;
    });
    const edited = fake.get('apps/v1', 'Deployment', 'edu-portal', 'web') as Any;
    expect(edited.metadata.managedFields.find((m: Any) => m.manager === 'kubectl-edit')).toMatchObject({
      operation: 'Update',
      fieldsV1: { 'f:spec': { 'f:replicas': {} } },
    });

    const res = await apply(
      fake,
      deploymentPath('edu-portal', 'web'),
      deployment('web', 'edu-portal', { replicas: 3 }),
      'polis',
    );
    expect(res.status).toBe(409);
    expect(res.body).toMatchObject({
      kind: 'Status',
      status: 'Failure',
      reason: 'Conflict',
      code: 409,
      message: 'Apply failed with 1 conflict: conflict with "kubectl-edit" using apps/v1: .spec.replicas',
      details: {
        causes: [
          {
            reason: 'FieldManagerConflict',
            message: 'conflict with "kubectl-edit" using apps/v1',
            field: '.spec.replicas',
          },
        ],
      },
    });
    expect((fake.get('apps/v1', 'Deployment', 'edu-portal', 'web') as Any).spec.replicas).toBe(5);

    const { objects } = clientsFor(fake);
    const error = await objects
      .patch(
        deployment('web', 'edu-portal', { replicas: 3 }),
        undefined,
        undefined,
        'polis',
        false,
        PatchStrategy.ServerSideApply,
      )
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiException);
    expect((error as ApiException<unknown>).code).toBe(409);

    const forced = await apply(
      fake,
      deploymentPath('edu-portal', 'web'),
      deployment('web', 'edu-portal', { replicas: 3 }),
      'polis',
      true,
    );
    expect(forced.status).toBe(200);
    expect(forced.body.spec.replicas).toBe(3);
    const managers = forced.body.metadata.managedFields.map((m: Any) => m.manager);
    expect(managers).not.toContain('kubectl-edit'); // its only field was taken; an empty entry is dropped
  });

  it('shares a field applied with the same value by two managers, without a conflict', async () => {
    const res = await apply(
      fake,
      deploymentPath('edu-portal', 'web'),
      { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' }, spec: { replicas: 3 } },
      'autoscaler',
    );
    expect(res.status).toBe(200);
    const owners = res.body.metadata.managedFields
      .filter((m: Any) => m.fieldsV1['f:spec']?.['f:replicas'])
      .map((m: Any) => m.manager);
    expect(owners.sort()).toEqual(['autoscaler', 'polis']);
    // A shared field stays when one owner stops applying it.
    await apply(fake, deploymentPath('edu-portal', 'web'), deployment('web', 'edu-portal'), 'polis');
    expect((fake.get('apps/v1', 'Deployment', 'edu-portal', 'web') as Any).spec.replicas).toBe(3);
  });

  it('removes fields the manager applied before and omits now, unless another manager owns them', async () => {
    const path = deploymentPath('edu-portal', 'api');
    const env = [
      { name: 'MODE', value: 'prod' },
      { name: 'DEBUG', value: '0' },
    ];
    const withEnv = deployment('api', 'edu-portal', { env });
    (withEnv.metadata as Any).annotations = { 'polis.io/owner': 'edu', 'polis.io/tmp': 'x' };
    expect((await apply(fake, path, withEnv, 'polis')).status).toBe(201);
    fake.edit('apps/v1', 'Deployment', 'edu-portal', 'api', (d) => {
      d.metadata.annotations['ops.gov/ticket'] = 'T-1';
    });

    const without = deployment('api', 'edu-portal', { env: [{ name: 'MODE', value: 'prod' }] });
    (without.metadata as Any).annotations = { 'polis.io/owner': 'edu' };
    const res = await apply(fake, path, without, 'polis');
    expect(res.status).toBe(200);
    expect(res.body.spec.template.spec.containers[0].env).toEqual([{ name: 'MODE', value: 'prod' }]);
    expect(res.body.metadata.annotations).toEqual({ 'polis.io/owner': 'edu', 'ops.gov/ticket': 'T-1' });
    // Defaulted fields nobody applied stay.
    expect(res.body.spec.replicas).toBe(1);
  });

  it('keeps server-allocated fields across re-applies (a Service’s clusterIP), so a re-apply is a no-op', async () => {
    const svc = {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'web', namespace: 'edu-portal' },
      spec: { selector: { app: 'web' }, ports: [{ name: 'http', port: 80, targetPort: 8080 }] },
    };
    const first = await apply(fake, '/api/v1/namespaces/edu-portal/services/web', svc, 'polis');
    expect(first.status).toBe(201);
    expect(first.body.spec).toMatchObject({ type: 'ClusterIP', clusterIP: expect.stringMatching(/^10\.96\./) });
    expect(first.body.spec.ports[0].protocol).toBe('TCP');
    const again = await apply(fake, '/api/v1/namespaces/edu-portal/services/web', svc, 'polis');
    expect(again.body.metadata.resourceVersion).toBe(first.body.metadata.resourceVersion);
    expect(again.body.spec.clusterIP).toBe(first.body.spec.clusterIP);
  });

  it('refuses managedFields in an apply body and stores nothing on dryRun=All', async () => {
    const withFields = { ...deployment('x', 'edu-portal'), metadata: { name: 'x', managedFields: [] } };
    const res = await apply(fake, deploymentPath('edu-portal', 'x'), withFields, 'polis');
    expect(res.status).toBe(400);
    expect(res.body.message).toBe('metadata.managedFields must be nil');
    const dry = await call(
      fake,
      'POST',
      '/apis/apps/v1/namespaces/edu-portal/deployments?dryRun=All',
      deployment('dry', 'edu-portal'),
    );
    expect(dry.status).toBe(201);
    expect(dry.body.metadata.uid).toBeDefined();
    expect(fake.get('apps/v1', 'Deployment', 'edu-portal', 'dry')).toBeUndefined();
  });

  it('accepts YAML apply bodies and merge / strategic merge / JSON patches recorded as Update', async () => {
    const yamlBody = [
      'apiVersion: v1',
      'kind: ConfigMap',
      'metadata:',
      '  name: flags',
      'data:',
      '  enabled: "no"',
    ].join('\n');
    const created = await call(
      fake,
      'PATCH',
      '/api/v1/namespaces/edu-portal/configmaps/flags?fieldManager=polis',
      yamlBody,
      'application/apply-patch+yaml',
    );
    expect(created.status).toBe(201);
    expect(created.body.data).toEqual({ enabled: 'no' });
    const merged = await call(
      fake,
      'PATCH',
      '/api/v1/namespaces/edu-portal/configmaps/flags?fieldManager=ops',
      { data: { extra: '1' } },
      'application/merge-patch+json',
    );
    expect(merged.body.data).toEqual({ enabled: 'no', extra: '1' });
    expect(merged.body.metadata.managedFields.find((m: Any) => m.manager === 'ops')).toMatchObject({
      operation: 'Update',
      fieldsV1: { 'f:data': { 'f:extra': {} } },
    });
    const jsonPatched = await call(
      fake,
      'PATCH',
      '/api/v1/namespaces/edu-portal/configmaps/flags',
      [{ op: 'remove', path: '/data/extra' }],
      'application/json-patch+json',
    );
    expect(jsonPatched.body.data).toEqual({ enabled: 'no' });
    const smp = await call(
      fake,
      'PATCH',
      deploymentPath('edu-portal', 'api'),
      { spec: { template: { spec: { containers: [{ name: 'web', image: 'registry.example.gov.cn/web:2.0.0' }] } } } },
      'application/strategic-merge-patch+json',
    );
    // Strategic merge patches merge containers by name: the env of the container stays.
    expect(smp.body.spec.template.spec.containers[0]).toMatchObject({
      image: 'registry.example.gov.cn/web:2.0.0',
      env: [{ name: 'MODE', value: 'prod' }],
    });
  });
});

describe('fake-kube: deletion', () => {
  let fake: FakeKube;
  beforeAll(async () => {
    fake = await startFakeKube();
    await call(fake, 'POST', '/api/v1/namespaces', namespace('gc'));
  });
  afterAll(() => fake.stop());

  const podsOf = (ns: string, app: string) =>
    fake.get('v1', 'Namespace', undefined, ns)
      ? call(fake, 'GET', `/api/v1/namespaces/${ns}/pods?labelSelector=app%3D${app}`).then((r) => r.body.items as Any[])
      : Promise.resolve([]);

  it('Background (the default): the owner goes at once, its ReplicaSet and pods after it', async () => {
    await apply(fake, deploymentPath('gc', 'bg'), deployment('bg', 'gc', { replicas: 2 }), 'polis');
    await eventually(async () => expect(await podsOf('gc', 'bg')).toHaveLength(2));
    const res = await call(fake, 'DELETE', deploymentPath('gc', 'bg'));
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      kind: 'Status',
      status: 'Success',
      details: { name: 'bg', group: 'apps', kind: 'deployments' },
    });
    expect(fake.get('apps/v1', 'Deployment', 'gc', 'bg')).toBeUndefined();
    await eventually(async () => {
      expect(await podsOf('gc', 'bg')).toHaveLength(0);
      expect(
        (await call(fake, 'GET', '/apis/apps/v1/namespaces/gc/replicasets?labelSelector=app%3Dbg')).body.items,
      ).toHaveLength(0);
    });
  });

  it('Foreground: the owner stays, marked for deletion, until its dependents are gone', async () => {
    await apply(fake, deploymentPath('gc', 'fg'), deployment('fg', 'gc', { replicas: 2 }), 'polis');
    await eventually(async () => expect(await podsOf('gc', 'fg')).toHaveLength(2));
    const seen = rawWatch(fake, '/apis/apps/v1/namespaces/gc/deployments?watch=1&fieldSelector=metadata.name%3Dfg');
    const res = await call(fake, 'DELETE', `${deploymentPath('gc', 'fg')}?propagationPolicy=Foreground`);
    expect(res.status).toBe(200);
    expect(res.body.metadata.deletionTimestamp).toBeDefined();
    expect(res.body.metadata.finalizers).toEqual(['foregroundDeletion']);
    await eventually(() => expect(fake.get('apps/v1', 'Deployment', 'gc', 'fg')).toBeUndefined());
    expect(await podsOf('gc', 'fg')).toHaveLength(0);
    await eventually(() => expect(seen.events.at(-1)?.type).toBe('DELETED'));
    await seen.close();
  });

  it('Orphan: dependents stay, without their ownerReference', async () => {
    await apply(fake, deploymentPath('gc', 'orph'), deployment('orph', 'gc', { replicas: 1 }), 'polis');
    await eventually(async () => expect(await podsOf('gc', 'orph')).toHaveLength(1));
    const { apps } = clientsFor(fake);
    await apps.deleteNamespacedDeployment({ name: 'orph', namespace: 'gc', propagationPolicy: 'Orphan' });
    await eventually(() => expect(fake.get('apps/v1', 'Deployment', 'gc', 'orph')).toBeUndefined());
    const sets = (await call(fake, 'GET', '/apis/apps/v1/namespaces/gc/replicasets?labelSelector=app%3Dorph')).body
      .items as Any[];
    expect(sets).toHaveLength(1);
    expect(sets[0]?.metadata.ownerReferences).toBeUndefined();
    expect(await podsOf('gc', 'orph')).toHaveLength(1);
  });

  it('a Job deleted without a policy orphans its pods and says so in a Warning header', async () => {
    const job = {
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: { name: 'once' },
      spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'm', image: 'busybox' }] } } },
    };
    await call(fake, 'POST', '/apis/batch/v1/namespaces/gc/jobs', job);
    await eventually(async () =>
      expect(
        (await call(fake, 'GET', '/api/v1/namespaces/gc/pods?labelSelector=job-name%3Donce')).body.items,
      ).toHaveLength(1),
    );
    const res = await call(fake, 'DELETE', '/apis/batch/v1/namespaces/gc/jobs/once');
    expect(res.headers.get('warning')).toContain('child pods are preserved by default when jobs are deleted');
    await eventually(() => expect(fake.get('batch/v1', 'Job', 'gc', 'once')).toBeUndefined());
    const pods = (await call(fake, 'GET', '/api/v1/namespaces/gc/pods?labelSelector=job-name%3Donce')).body
      .items as Any[];
    expect(pods).toHaveLength(1);
    expect(pods[0]?.metadata.ownerReferences).toBeUndefined();
  });

  it('deleting a Namespace terminates it, deletes everything in it, then removes it', async () => {
    await call(fake, 'POST', '/api/v1/namespaces', namespace('doomed'));
    await apply(fake, deploymentPath('doomed', 'web'), deployment('web', 'doomed', { replicas: 2 }), 'polis');
    await call(fake, 'POST', '/api/v1/namespaces/doomed/configmaps', { metadata: { name: 'cfg' } });
    await eventually(async () => expect(await podsOf('doomed', 'web')).toHaveLength(2));
    const res = await call(fake, 'DELETE', '/api/v1/namespaces/doomed');
    expect(res.status).toBe(200);
    expect(res.body.status.phase).toBe('Terminating');
    await eventually(() => expect(fake.get('v1', 'Namespace', undefined, 'doomed')).toBeUndefined());
    expect(fake.get('v1', 'ConfigMap', 'doomed', 'cfg')).toBeUndefined();
    expect(fake.get('apps/v1', 'Deployment', 'doomed', 'web')).toBeUndefined();
    const leftovers = (await call(fake, 'GET', '/api/v1/pods')).body.items.filter(
      (p: Any) => p.metadata.namespace === 'doomed',
    );
    expect(leftovers).toEqual([]);
    const protectedNs = await call(fake, 'DELETE', '/api/v1/namespaces/default');
    expect(protectedNs.status).toBe(403);
  });
});

describe('fake-kube: watch', () => {
  let fake: FakeKube;
  beforeAll(async () => {
    fake = await startFakeKube({ bookmarkMs: 20 });
    await call(fake, 'POST', '/api/v1/namespaces', namespace('w'));
  });
  afterAll(() => fake.stop());

  it('streams events after a resourceVersion, with label selectors, through client-node Watch', async () => {
    const start = (await call(fake, 'GET', '/api/v1/namespaces/w/configmaps')).body.metadata.resourceVersion as string;
    await call(fake, 'POST', '/api/v1/namespaces/w/configmaps', {
      metadata: { name: 'one', labels: { watched: 'yes' } },
    });
    await call(fake, 'POST', '/api/v1/namespaces/w/configmaps', { metadata: { name: 'other' } });
    const events: [string, string][] = [];
    const { kc } = clientsFor(fake);
    const controller = await new Watch(kc).watch(
      '/api/v1/namespaces/w/configmaps',
      { resourceVersion: start, labelSelector: 'watched=yes' },
      (type, obj: Any) => events.push([type, obj.metadata.name as string]),
      () => {},
    );
    await call(
      fake,
      'PATCH',
      '/api/v1/namespaces/w/configmaps/one',
      { data: { a: '1' } },
      'application/merge-patch+json',
    );
    // Leaving the selector is seen as DELETED, as the watch cache reports it.
    await call(
      fake,
      'PATCH',
      '/api/v1/namespaces/w/configmaps/one',
      { metadata: { labels: { watched: 'no' } } },
      'application/merge-patch+json',
    );
    await eventually(() =>
      expect(events).toEqual([
        ['ADDED', 'one'],
        ['MODIFIED', 'one'],
        ['DELETED', 'one'],
      ]),
    );
    controller.abort();
  });

  it('starts with ADDED for every current object when resourceVersion is 0 or absent', async () => {
    const w = rawWatch(fake, '/api/v1/namespaces/w/configmaps?watch=true&resourceVersion=0');
    await eventually(() =>
      expect(w.events.map((e) => e.object.metadata.name).sort()).toEqual(['kube-root-ca.crt', 'one', 'other']),
    );
    expect(w.events.every((e) => e.type === 'ADDED' && e.object.kind === 'ConfigMap')).toBe(true);
    await w.close();
  });

  it('sends BOOKMARK events with the current resourceVersion when asked, once the type had events', async () => {
    const w = rawWatch(fake, '/api/v1/namespaces/w/configmaps?watch=1&allowWatchBookmarks=true');
    await call(fake, 'POST', '/api/v1/namespaces/w/configmaps', {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'bookmarked' },
    });
    await eventually(() => expect(w.events.some((e) => e.type === 'BOOKMARK')).toBe(true));
    const bookmark = w.events.find((e) => e.type === 'BOOKMARK');
    expect(bookmark?.object).toEqual({
      kind: 'ConfigMap',
      apiVersion: 'v1',
      metadata: { resourceVersion: expect.stringMatching(/^\d+$/) },
    });
    await w.close();
  });

  it('sends no BOOKMARK on a watch of a type that had no events since it began, as kube-apiserver', async () => {
    const w = rawWatch(fake, '/apis/batch/v1/namespaces/w/cronjobs?watch=1&allowWatchBookmarks=true');
    // Ten bookmark intervals (20 ms each) of silence.
    await new Promise((r) => setTimeout(r, 200));
    expect(w.events.filter((e) => e.type === 'BOOKMARK')).toEqual([]);
    await w.close();
  });

  it('ends a watch after timeoutSeconds', async () => {
    const w = rawWatch(fake, '/api/v1/namespaces/w/configmaps?watch=1&timeoutSeconds=0');
    await w.done;
    expect(w.events.length).toBeGreaterThan(0);
  });

  it('answers a resourceVersion older than the history with an ERROR event (410 Expired), and a consistent list with 410', async () => {
    const old = (await call(fake, 'GET', '/api/v1/namespaces/w/configmaps')).body.metadata.resourceVersion as string;
    await call(fake, 'POST', '/api/v1/namespaces/w/configmaps', { metadata: { name: 'after' } });
    fake.compact();
    const w = rawWatch(fake, `/api/v1/namespaces/w/configmaps?watch=1&resourceVersion=${old}`);
    await w.done;
    expect(w.events).toHaveLength(1);
    expect(w.events[0]).toMatchObject({
      type: 'ERROR',
      object: {
        kind: 'Status',
        status: 'Failure',
        reason: 'Expired',
        code: 410,
        message: expect.stringMatching(/^too old resource version: \d+ \(\d+\)$/),
      },
    });
    const list = await call(
      fake,
      'GET',
      `/api/v1/namespaces/w/configmaps?resourceVersion=${old}&resourceVersionMatch=Exact`,
    );
    expect(list.status).toBe(410);
    expect(list.body.reason).toBe('Expired');
  });

  it('keeps only historyLimit events for resumption', async () => {
    const small = await startFakeKube({ historyLimit: 3 });
    try {
      await call(small, 'POST', '/api/v1/namespaces', namespace('h'));
      await eventually(() => expect(small.get('v1', 'ServiceAccount', 'h', 'default')).toBeDefined());
      const rv = (await call(small, 'GET', '/api/v1/namespaces/h/configmaps')).body.metadata.resourceVersion as string;
      for (const n of ['a', 'b', 'c', 'd'])
        await call(small, 'POST', '/api/v1/namespaces/h/configmaps', { metadata: { name: n } });
      const w = rawWatch(small, `/api/v1/namespaces/h/configmaps?watch=1&resourceVersion=${rv}`);
      await w.done;
      expect(w.events[0]).toMatchObject({ type: 'ERROR', object: { code: 410 } });
    } finally {
      await small.stop();
    }
  });
});

describe('fake-kube: authorization by the forbid list', () => {
  let fake: FakeKube;
  beforeAll(async () => {
    fake = await startFakeKube({
      forbid: [
        { verb: 'patch', resource: 'deployments', group: 'apps' },
        { verb: 'list', resource: 'secrets' },
      ],
    });
    await call(fake, 'POST', '/api/v1/namespaces', namespace('edu-portal'));
  });
  afterAll(() => fake.stop());

  it('answers 403 with the API server’s message, through client-node too', async () => {
    const res = await apply(fake, deploymentPath('edu-portal', 'web'), deployment('web', 'edu-portal'), 'polis');
    expect(res.status).toBe(403);
    expect(res.body).toMatchObject({
      kind: 'Status',
      reason: 'Forbidden',
      code: 403,
      message:
        'deployments.apps "web" is forbidden: User "system:serviceaccount:polis-system:polis" cannot patch resource "deployments" in API group "apps" in the namespace "edu-portal"',
      details: { name: 'web', group: 'apps', kind: 'deployments' },
    });
    const { core } = clientsFor(fake);
    const error = (await core.listSecretForAllNamespaces().catch((e: unknown) => e)) as ApiException<string>;
    expect(error.code).toBe(403);
    expect(JSON.parse(error.body).message).toBe(
      'secrets is forbidden: User "system:serviceaccount:polis-system:polis" cannot list resource "secrets" in API group "" at the cluster scope',
    );
    // Other verbs stay allowed.
    expect(
      (await call(fake, 'POST', '/apis/apps/v1/namespaces/edu-portal/deployments', deployment('web', 'edu-portal')))
        .status,
    ).toBe(201);
  });
});

describe('fake-kube: simulated workload controllers', () => {
  let fake: FakeKube;
  beforeAll(async () => {
    fake = await startFakeKube({
      readyAfterMs: 30,
      nodes: [
        { name: 'node-1', cpu: '2', memory: '8Gi', pods: 110 },
        { name: 'node-2', cpu: '2', memory: '8Gi', pods: 110 },
        { name: 'node-3', cpu: '2', memory: '8Gi', pods: 110, ready: false },
      ],
    });
    await call(fake, 'POST', '/api/v1/namespaces', namespace('apps'));
  });
  afterAll(() => fake.stop());

  it('nodes carry capacity, allocatable and a Ready condition', async () => {
    const { core } = clientsFor(fake);
    const nodes = (await core.listNode()).items;
    expect(nodes.map((n) => n.metadata?.name)).toEqual(['node-1', 'node-2', 'node-3']);
    expect(nodes[0]?.status?.allocatable).toMatchObject({ cpu: '2', memory: '8Gi', pods: '110' });
    expect(nodes[0]?.status?.conditions?.find((c) => c.type === 'Ready')?.status).toBe('True');
    expect(nodes[2]?.status?.conditions?.find((c) => c.type === 'Ready')?.status).toBe('Unknown');
  });

  it('makes a Deployment ready: ReplicaSet, pods on Ready nodes by requests, status and conditions', async () => {
    const { objects, apps, core } = clientsFor(fake);
    await objects.patch(
      deployment('web', 'apps', { replicas: 3, cpu: '500m' }),
      undefined,
      undefined,
      'polis',
      false,
      PatchStrategy.ServerSideApply,
    );
    const ready = await eventually(async () => {
      const d = await apps.readNamespacedDeployment({ namespace: 'apps', name: 'web' });
      expect(d.status?.readyReplicas).toBe(3);
      return d;
    });
    expect(ready.status).toMatchObject({
      observedGeneration: 1,
      replicas: 3,
      updatedReplicas: 3,
      availableReplicas: 3,
    });
    expect(ready.status?.conditions?.map((c) => [c.type, c.status, c.reason])).toEqual([
      ['Available', 'True', 'MinimumReplicasAvailable'],
      ['Progressing', 'True', 'NewReplicaSetAvailable'],
    ]);
    const pods = (await core.listNamespacedPod({ namespace: 'apps', labelSelector: 'app=web' })).items;
    expect(pods).toHaveLength(3);
    for (const p of pods) {
      expect(p.metadata?.name).toMatch(/^web-[a-z0-9]+-[a-z0-9]{5}$/);
      expect(p.metadata?.ownerReferences?.[0]).toMatchObject({ kind: 'ReplicaSet', controller: true });
      expect(p.status?.phase).toBe('Running');
      expect(p.status?.conditions?.find((c) => c.type === 'Ready')?.status).toBe('True');
      expect(p.spec?.containers[0]?.resources?.requests).toEqual({ cpu: '500m', memory: '128Mi' });
    }
    const nodes = pods.map((p) => p.spec?.nodeName).sort();
    expect(new Set(nodes)).toEqual(new Set(['node-1', 'node-2'])); // round-robin over Ready nodes only
  });

  it('scales, replaces pods on a template change, and leaves pods that fit nowhere Pending', async () => {
    const { core } = clientsFor(fake);
    await apply(fake, deploymentPath('apps', 'web'), deployment('web', 'apps', { replicas: 1, cpu: '500m' }), 'polis');
    await eventually(async () =>
      expect((await core.listNamespacedPod({ namespace: 'apps', labelSelector: 'app=web' })).items).toHaveLength(1),
    );
    const before = (await core.listNamespacedPod({ namespace: 'apps', labelSelector: 'app=web' })).items[0]?.metadata
      ?.name;
    await apply(
      fake,
      deploymentPath('apps', 'web'),
      deployment('web', 'apps', { replicas: 1, cpu: '500m', image: 'registry.example.gov.cn/web:2.0.0' }),
      'polis',
    );
    await eventually(async () => {
      const pods = (await core.listNamespacedPod({ namespace: 'apps', labelSelector: 'app=web' })).items;
      expect(pods.map((p) => [p.spec?.containers[0]?.image, p.status?.phase])).toEqual([
        ['registry.example.gov.cn/web:2.0.0', 'Running'],
      ]);
      expect(pods[0]?.metadata?.name).not.toBe(before);
    });
    await eventually(() =>
      expect((fake.get('apps/v1', 'Deployment', 'apps', 'web') as Any).status.readyReplicas).toBe(1),
    );

    await apply(fake, deploymentPath('apps', 'big'), deployment('big', 'apps', { replicas: 1, cpu: '3' }), 'polis');
    const pending = await eventually(async () => {
      const [p] = (await core.listNamespacedPod({ namespace: 'apps', labelSelector: 'app=big' })).items;
      expect(p?.status?.conditions?.[0]).toMatchObject({
        type: 'PodScheduled',
        status: 'False',
        reason: 'Unschedulable',
      });
      return p;
    });
    expect(pending?.status?.conditions?.[0]?.message).toBe(
      '0/3 nodes are available: 2 Insufficient cpu, 1 node(s) had untolerated taint {node.kubernetes.io/not-ready: }.',
    );
    const big = fake.get('apps/v1', 'Deployment', 'apps', 'big') as Any;
    expect(big.status.readyReplicas).toBeUndefined(); // zero counts are omitted, as the Go types do
    expect(big.status.conditions[0]).toMatchObject({ type: 'Available', status: 'False' });
  });

  it('runs StatefulSets in order with stable names and claims, and completes Jobs', async () => {
    const sts = {
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      metadata: { name: 'db' },
      spec: {
        replicas: 2,
        serviceName: 'db',
        selector: { matchLabels: { app: 'db' } },
        template: { metadata: { labels: { app: 'db' } }, spec: { containers: [{ name: 'pg', image: 'postgres:16' }] } },
        volumeClaimTemplates: [
          {
            metadata: { name: 'data' },
            spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
          },
        ],
      },
    };
    await apply(fake, '/apis/apps/v1/namespaces/apps/statefulsets/db', sts, 'polis');
    await eventually(() =>
      expect((fake.get('apps/v1', 'StatefulSet', 'apps', 'db') as Any).status.readyReplicas).toBe(2),
    );
    expect(fake.get('v1', 'Pod', 'apps', 'db-0')).toBeDefined();
    expect((fake.get('v1', 'Pod', 'apps', 'db-1') as Any).spec.volumes).toContainEqual({
      name: 'data',
      persistentVolumeClaim: { claimName: 'data-db-1' },
    });
    await eventually(() =>
      expect((fake.get('v1', 'PersistentVolumeClaim', 'apps', 'data-db-0') as Any).status.phase).toBe('Bound'),
    );

    const job = {
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: { name: 'migrate' },
      spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'm', image: 'busybox' }] } } },
    };
    await apply(fake, '/apis/batch/v1/namespaces/apps/jobs/migrate', job, 'polis');
    const done = await eventually(() => {
      const j = fake.get('batch/v1', 'Job', 'apps', 'migrate') as Any;
      expect(j.status.succeeded).toBe(1);
      return j;
    });
    expect(done.status.conditions).toEqual([expect.objectContaining({ type: 'Complete', status: 'True' })]);
    expect(done.status.completionTime).toBeDefined();
  });
});

describe('fake-kube: request log, counts and faults', () => {
  let fake: FakeKube;
  beforeAll(async () => {
    fake = await startFakeKube();
  });
  afterAll(() => fake.stop());

  it('counts client requests by verb, never the controllers’ writes', async () => {
    await call(fake, 'POST', '/api/v1/namespaces', namespace('count'));
    fake.resetCounts();
    await apply(fake, deploymentPath('count', 'web'), deployment('web', 'count', { replicas: 2 }), 'polis');
    await eventually(() =>
      expect((fake.get('apps/v1', 'Deployment', 'count', 'web') as Any).status?.readyReplicas).toBe(2),
    );
    await call(fake, 'GET', deploymentPath('count', 'web'));
    await call(fake, 'GET', '/apis/apps/v1/namespaces/count/deployments');
    await call(fake, 'GET', '/apis/apps/v1'); // discovery is logged but not counted
    expect(fake.counts()).toEqual({ reads: 2, writes: 1, byVerb: { patch: 1, get: 1, list: 1 } });
    const last = fake.requests.at(-1);
    expect(last).toMatchObject({ method: 'GET', path: '/apis/apps/v1', verb: 'get' });
    const patch = fake.requests.find((r) => r.verb === 'patch');
    expect(patch).toMatchObject({
      resource: 'deployments',
      group: 'apps',
      namespace: 'count',
      name: 'web',
      contentType: 'application/apply-patch+yaml',
      query: { fieldManager: 'polis' },
      status: 201,
    });
    fake.resetCounts();
    expect(fake.counts()).toEqual({ reads: 0, writes: 0, byVerb: {} });
  });

  it('answers 503 while unavailable, hangs while hung, and heals', async () => {
    fake.setDown('unavailable');
    const down = await call(fake, 'GET', '/api/v1/namespaces');
    expect(down.status).toBe(503);
    expect(down.body.reason).toBe('ServiceUnavailable');
    fake.setDown('hang');
    const hung = await fetch(`${fake.url}/api/v1/namespaces`, {
      headers: AUTH,
      signal: AbortSignal.timeout(100),
    }).catch((e: unknown) => e);
    expect((hung as Error).name).toBe('TimeoutError');
    fake.setDown(false);
    expect((await call(fake, 'GET', '/api/v1/namespaces')).status).toBe(200);
  });

  it('silences open watches while hung and cuts them when it heals, so clients re-watch', async () => {
    const w = rawWatch(fake, '/api/v1/namespaces/count/configmaps?watch=1');
    await eventually(() => expect(w.events.length).toBeGreaterThan(0));
    const seen = w.events.length;
    fake.setDown('hang');
    fake.edit('v1', 'ConfigMap', 'count', 'kube-root-ca.crt', (cm) => {
      cm.data.extra = 'x';
    });
    fake.setDown(false);
    await w.done; // the stream ends: the client must resume from its last resourceVersion
    expect(w.events).toHaveLength(seen);
  });

  it('destroys a hung request’s socket after timeoutMs', async () => {
    fake.setDown('hang', { timeoutMs: 10 });
    const res = await fetch(`${fake.url}/api/v1/namespaces`, { headers: AUTH }).catch((e: unknown) => e);
    expect(res).toBeInstanceOf(TypeError); // fetch failed: the socket was closed without an answer
    fake.setDown(false);
  });
});
