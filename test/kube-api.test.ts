import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestPolis } from './support/test-polis.ts';
import { startTestPolis } from './support/test-polis.ts';

/** The Kubernetes API as polis serves it, through Fastify's inject (kubectl itself: test/kubectl.test.ts). */
let t: TestPolis;
const APPS = '/apis/core.oam.dev/v1beta1';
const TABLE = 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json';

const app = (name: string, extra: Record<string, unknown> = {}) => ({
  apiVersion: 'core.oam.dev/v1beta1',
  kind: 'Application',
  metadata: { name, ...extra },
  spec: {
    components: [{ name: 'web', type: 'webservice', properties: { image: 'nginx:1.27', cpu: '100m', memory: '64Mi' } }],
  },
});

/** The newline-delimited watch events of a response (objects read field by field, as JSON). */
const events = (body: string) =>
  body
    .split('\n')
    .filter((l) => l !== '')
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- test reads of arbitrary JSON
    .map((l) => JSON.parse(l) as { type: string; object: Record<string, any> });

beforeAll(async () => {
  t = await startTestPolis();
});
afterAll(async () => {
  await t?.stop();
});

describe('Kubernetes discovery', () => {
  it('serves /version, /api, /api/v1, /apis, a group and a group version as Kubernetes does', async () => {
    const admin = t.adminToken;
    const version = (await t.request('GET', '/version')).json();
    expect(version).toMatchObject({ major: '1', gitVersion: expect.stringMatching(/^v1\./) });
    expect(version.version).toBeTypeOf('string');
    expect((await t.request('GET', '/api', { token: admin })).json()).toMatchObject({
      kind: 'APIVersions',
      versions: ['v1'],
    });
    const core = (await t.request('GET', '/api/v1', { token: admin })).json();
    expect(core.resources).toEqual([
      expect.objectContaining({ name: 'namespaces', namespaced: false, verbs: ['get', 'list'] }),
    ]);
    const groups = (await t.request('GET', '/apis', { token: admin })).json();
    expect(groups.kind).toBe('APIGroupList');
    expect(groups.groups.map((g: { name: string }) => g.name)).toEqual([
      'core.oam.dev',
      'market.polis.io',
      'observe.polis.io',
      'polis.io',
    ]);
    // The polis CLI and console still read the kinds from the same body.
    expect(groups.resources.some((r: { kind: string }) => r.kind === 'Application')).toBe(true);
    expect((await t.request('GET', '/apis/core.oam.dev', { token: admin })).json()).toMatchObject({
      kind: 'APIGroup',
      preferredVersion: { groupVersion: 'core.oam.dev/v1beta1', version: 'v1beta1' },
    });
    const list = (await t.request('GET', APPS, { token: admin })).json();
    expect(list).toMatchObject({ kind: 'APIResourceList', groupVersion: 'core.oam.dev/v1beta1' });
    expect(list.resources).toContainEqual(
      expect.objectContaining({
        name: 'applications',
        singularName: 'application',
        namespaced: true,
        kind: 'Application',
        shortNames: ['app', 'apps'],
        categories: ['polis'],
        verbs: expect.arrayContaining(['get', 'list', 'watch', 'create', 'update', 'patch', 'delete']),
      }),
    );
    expect(list.resources).toContainEqual(
      expect.objectContaining({ name: 'applications/status', kind: 'Application' }),
    );
    const polis = (await t.request('GET', '/apis/polis.io/v1', { token: admin })).json();
    expect(polis.resources).toContainEqual(expect.objectContaining({ name: 'clusters', namespaced: false }));
    expect((await t.request('GET', '/apis/nope.io', { token: admin })).statusCode).toBe(404);
    expect((await t.request('GET', '/apis', {})).statusCode).toBe(401);
  });

  it('serves OpenAPI v3 per group version, each kind marked with its group, version and kind', async () => {
    const index = (await t.request('GET', '/openapi/v3', { token: t.adminToken })).json();
    const url = index.paths['apis/core.oam.dev/v1beta1'].serverRelativeURL as string;
    expect(url).toMatch(/^\/openapi\/v3\/apis\/core\.oam\.dev\/v1beta1\?hash=/);
    const doc = (await t.request('GET', url, { token: t.adminToken })).json();
    const schema = doc.components.schemas['dev.oam.core.v1beta1.Application'];
    expect(schema['x-kubernetes-group-version-kind']).toEqual([
      { group: 'core.oam.dev', version: 'v1beta1', kind: 'Application' },
    ]);
    expect(schema.properties.spec.properties.components.type).toBe('array');
    expect(JSON.stringify(doc)).not.toContain('#/$defs/');
    expect(index.paths['api/v1']).toBeDefined();
  });
});

describe('departments as namespaces', () => {
  it('creates through the namespaced path into the same service, and shows metadata.namespace beside tenant', async () => {
    const created = await t.request('POST', `${APPS}/namespaces/edu/applications`, {
      token: t.tokens['edu-admin'],
      body: app('kube-made', { namespace: 'edu' }),
    });
    expect(created.statusCode).toBe(201);
    expect(created.json().metadata).toMatchObject({ name: 'kube-made', namespace: 'edu', tenant: 'edu' });
    // The same object through polis's own path, and an audit record of the write.
    const own = await t.request('GET', `${APPS}/tenants/edu/applications/kube-made`, { token: t.tokens['edu-admin'] });
    expect(own.statusCode).toBe(200);
    const viaKube = (
      await t.request('GET', `${APPS}/namespaces/edu/applications/kube-made`, { token: t.tokens['edu-admin'] })
    ).json();
    expect(viaKube.metadata).toMatchObject({ namespace: 'edu', tenant: 'edu', uid: own.json().metadata.uid });
    const audit = (await t.request('GET', '/api/v1/audit?limit=1000', { token: t.adminToken })).json();
    expect(audit.items.some((e: { target?: string; verb?: string }) => JSON.stringify(e).includes('kube-made'))).toBe(
      true,
    );
  });

  it('refuses a body naming another namespace than the path, naming the field', async () => {
    const r = await t.request('POST', `${APPS}/namespaces/edu/applications`, {
      token: t.tokens['edu-admin'],
      body: app('elsewhere', { namespace: 'tax' }),
    });
    expect(r.statusCode).toBe(400);
    expect(r.json()).toMatchObject({
      kind: 'Status',
      apiVersion: 'v1',
      status: 'Failure',
      reason: 'BadRequest',
      details: { causes: [{ field: 'metadata.namespace', reason: 'NamespaceMismatch' }] },
    });
  });

  it('authorizes the namespaced paths as the tenants paths: another department is forbidden', async () => {
    const r = await t.request('GET', `${APPS}/namespaces/tax/applications`, { token: t.tokens['edu-admin'] });
    expect(r.statusCode).toBe(403);
    expect(r.json()).toMatchObject({ kind: 'Status', status: 'Failure', reason: 'Forbidden', code: 403 });
  });

  it('lists across namespaces only the departments the caller may see, each item with its namespace', async () => {
    const r = (await t.request('GET', `${APPS}/applications`, { token: t.tokens['vendor-dev'] })).json();
    const namespaces = new Set(r.items.map((i: { metadata: { namespace: string } }) => i.metadata.namespace));
    expect([...namespaces].sort()).toEqual(['edu', 'health']);
    const selected = (
      await t.request('GET', `${APPS}/applications?fieldSelector=metadata.namespace%3Dhealth`, {
        token: t.tokens['vendor-dev'],
      })
    ).json();
    expect(new Set(selected.items.map((i: { metadata: { namespace: string } }) => i.metadata.namespace))).toEqual(
      new Set(['health']),
    );
    // A field selector narrows, never widens.
    const other = (
      await t.request('GET', `${APPS}/applications?fieldSelector=metadata.namespace%3Dtax`, {
        token: t.tokens['vendor-dev'],
      })
    ).json();
    expect(other.items).toEqual([]);
  });

  it('lists the departments a caller may see as namespaces, read-only', async () => {
    const mine = (await t.request('GET', '/api/v1/namespaces', { token: t.tokens['edu-admin'] })).json();
    expect(mine).toMatchObject({ kind: 'NamespaceList', apiVersion: 'v1' });
    expect(mine.items.map((n: { metadata: { name: string } }) => n.metadata.name)).toEqual(['edu']);
    const all = (await t.request('GET', '/api/v1/namespaces', { token: t.tokens.auditor })).json();
    expect(all.items.length).toBeGreaterThanOrEqual(5);
    expect((await t.request('GET', '/api/v1/namespaces/tax', { token: t.tokens['edu-admin'] })).statusCode).toBe(403);
    const edu = (await t.request('GET', '/api/v1/namespaces/edu', { token: t.tokens['edu-admin'] })).json();
    expect(edu).toMatchObject({ kind: 'Namespace', metadata: { name: 'edu' }, status: { phase: 'Active' } });
    expect((await t.request('DELETE', '/api/v1/namespaces/edu', { token: t.adminToken })).statusCode).toBe(404);
  });
});

describe('Tables', () => {
  it('answers as=Table with the print columns and metadata-only rows', async () => {
    const r = await t.request('GET', `${APPS}/namespaces/edu/applications`, {
      token: t.tokens['edu-admin'],
      headers: { accept: TABLE },
    });
    const body = r.json();
    expect(body).toMatchObject({ kind: 'Table', apiVersion: 'meta.k8s.io/v1' });
    expect(body.columnDefinitions.map((c: { name: string }) => c.name)).toEqual([
      'Name',
      'Components',
      'Phase',
      'Healthy',
      'Age',
    ]);
    const row = body.rows.find((x: { cells: unknown[] }) => x.cells[0] === 'enrolment-portal');
    expect(row.object).toMatchObject({ kind: 'PartialObjectMetadata', metadata: { namespace: 'edu' } });
    expect(row.object.spec).toBeUndefined();
    const one = (
      await t.request('GET', `${APPS}/namespaces/edu/applications/enrolment-portal?includeObject=Object`, {
        token: t.tokens['edu-admin'],
        headers: { accept: TABLE },
      })
    ).json();
    expect(one.rows).toHaveLength(1);
    expect(one.rows[0].object.spec).toBeDefined();
  });
});

describe('Kubernetes watch and list protocol', () => {
  it('streams newline-delimited watch events to a client that does not ask for server-sent events', async () => {
    const r = await t.request('GET', `${APPS}/namespaces/edu/applications?watch=true&timeoutSeconds=1`, {
      token: t.tokens['edu-admin'],
      headers: { accept: 'application/json' },
    });
    expect(r.headers['content-type']).toBe('application/json');
    const evs = events(r.body);
    expect(evs.length).toBeGreaterThan(0);
    expect(evs.every((e) => e.type === 'ADDED')).toBe(true);
    expect(evs[0]!.object.metadata.namespace).toBe('edu');
    // The console's server-sent events are still there by content negotiation.
    const sse = await t.request('GET', `${APPS}/namespaces/edu/applications?watch=true&timeoutSeconds=1`, {
      token: t.tokens['edu-admin'],
      headers: { accept: 'text/event-stream' },
    });
    expect(sse.body).toMatch(/^event: ADDED\ndata: /m);
  });

  it('sends bookmarks only when asked, honours field selectors and resumes after a resourceVersion', async () => {
    const list = (
      await t.request('GET', `${APPS}/namespaces/edu/applications`, { token: t.tokens['edu-admin'] })
    ).json();
    const rv = list.metadata.resourceVersion as string;
    await t.request('POST', `${APPS}/namespaces/edu/applications`, {
      token: t.tokens['edu-admin'],
      body: app('unwatched'),
    });
    await t.request('POST', `${APPS}/namespaces/edu/applications`, {
      token: t.tokens['edu-admin'],
      body: app('watched'),
    });
    // Resumed from the list's revision, the stream replays both writes from history: no race with the writes.
    const watched = await t.request(
      'GET',
      `${APPS}/applications?watch=true&timeoutSeconds=1&allowWatchBookmarks=true&resourceVersion=${rv}&fieldSelector=metadata.name%3Dwatched`,
      { token: t.tokens['edu-admin'], headers: { accept: 'application/json' } },
    );
    const evs = events(watched.body);
    const objects = evs.filter((e) => e.type !== 'BOOKMARK');
    expect(objects.map((e) => `${e.type} ${e.object.metadata.name}`)).toEqual(['ADDED watched']);
    expect(objects[0]!.object.metadata.namespace).toBe('edu');
    expect(evs.some((e) => e.type === 'BOOKMARK')).toBe(true);
    const quiet = await t.request(
      'GET',
      `${APPS}/namespaces/edu/applications?watch=true&timeoutSeconds=1&resourceVersion=${rv}`,
      {
        token: t.tokens['edu-admin'],
        headers: { accept: 'application/json' },
      },
    );
    expect(events(quiet.body).some((e) => e.type === 'BOOKMARK')).toBe(false);
  });

  it('answers 410 Gone for a compacted resourceVersion, as a Status', async () => {
    await t.polis.store.compact(1);
    const r = await t.request('GET', `${APPS}/namespaces/edu/applications?watch=true&resourceVersion=1`, {
      token: t.tokens['edu-admin'],
      headers: { accept: 'application/json' },
    });
    expect(r.statusCode).toBe(410);
    expect(r.json()).toMatchObject({ kind: 'Status', status: 'Failure', reason: 'Gone', code: 410 });
  });

  it('pages lists with limit and continue, and refuses an exact resourceVersion it cannot serve', async () => {
    const seen: string[] = [];
    let next: string | undefined;
    do {
      const q = `limit=2${next ? `&continue=${encodeURIComponent(next)}` : ''}`;
      const page = (await t.request('GET', `${APPS}/applications?${q}`, { token: t.adminToken })).json();
      expect(page.items.length).toBeLessThanOrEqual(2);
      seen.push(
        ...page.items.map(
          (i: { metadata: { namespace: string; name: string } }) => `${i.metadata.namespace}/${i.metadata.name}`,
        ),
      );
      next = page.metadata.continue;
    } while (next);
    const all = (await t.request('GET', `${APPS}/applications`, { token: t.adminToken })).json();
    expect(seen).toEqual(
      all.items.map(
        (i: { metadata: { namespace: string; name: string } }) => `${i.metadata.namespace}/${i.metadata.name}`,
      ),
    );
    const rv = Number(all.metadata.resourceVersion);
    expect(
      (
        await t.request('GET', `${APPS}/applications?resourceVersion=${rv}&resourceVersionMatch=NotOlderThan`, {
          token: t.adminToken,
        })
      ).statusCode,
    ).toBe(200);
    expect(
      (
        await t.request('GET', `${APPS}/applications?resourceVersion=${rv - 1}&resourceVersionMatch=Exact`, {
          token: t.adminToken,
        })
      ).statusCode,
    ).toBe(410);
    expect(
      (await t.request('GET', `${APPS}/applications?resourceVersion=${rv + 1000}`, { token: t.adminToken })).statusCode,
    ).toBe(400);
    expect(
      (await t.request('GET', `${APPS}/applications?resourceVersionMatch=Exact`, { token: t.adminToken })).statusCode,
    ).toBe(400);
  });
});
