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

/** A Content-Type's media type and parameters (values unquoted, as Go's mime.ParseMediaType reads them). */
const mediaParams = (header: unknown) => {
  const [type, ...rest] = String(header).split(';');
  const params = Object.fromEntries(
    rest.map((p) => p.trim().split('=') as [string, string]).map(([k, v]) => [k, v.replace(/^"|"$/g, '')]),
  );
  return { type: type!.trim(), ...params };
};
const AGGREGATED_V2 = { type: 'application/json', g: 'apidiscovery.k8s.io', v: 'v2', as: 'APIGroupDiscoveryList' };

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
      expect.objectContaining({
        name: 'secrets',
        kind: 'Secret',
        namespaced: true,
        verbs: ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete', 'deletecollection'],
      }),
      expect.objectContaining({
        name: 'events',
        kind: 'Event',
        namespaced: true,
        shortNames: ['ev'],
        verbs: ['get', 'list', 'watch'],
      }),
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

  it('serves aggregated discovery on /api and /apis to clients that ask for it, the same resources as per group', async () => {
    const accept =
      'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json';
    const apis = await t.request('GET', '/apis', { token: t.adminToken, headers: { accept } });
    expect(apis.statusCode).toBe(200);
    expect(mediaParams(apis.headers['content-type'])).toMatchObject(AGGREGATED_V2);
    const doc = apis.json();
    expect(doc).toMatchObject({ kind: 'APIGroupDiscoveryList', apiVersion: 'apidiscovery.k8s.io/v2' });
    const legacy = (await t.request('GET', '/apis', { token: t.adminToken })).json();
    expect(doc.items.map((g: { metadata: { name: string } }) => g.metadata.name)).toEqual(
      legacy.groups.map((g: { name: string }) => g.name),
    );
    const oam = doc.items.find((g: { metadata: { name: string } }) => g.metadata.name === 'core.oam.dev');
    expect(oam.versions[0]).toMatchObject({ version: 'v1beta1', freshness: 'Current' });
    expect(oam.versions[0].resources).toContainEqual({
      resource: 'applications',
      responseKind: { group: 'core.oam.dev', version: 'v1beta1', kind: 'Application' },
      scope: 'Namespaced',
      singularResource: 'application',
      verbs: expect.arrayContaining(['get', 'list', 'watch', 'create', 'update', 'patch', 'delete']),
      shortNames: ['app', 'apps'],
      categories: ['polis'],
      subresources: [
        {
          subresource: 'status',
          responseKind: { group: 'core.oam.dev', version: 'v1beta1', kind: 'Application' },
          verbs: ['get', 'patch', 'update'],
        },
      ],
    });
    // Every resource of every group version, as the per-group documents list them.
    for (const g of doc.items)
      for (const v of g.versions) {
        const perGroup = (
          await t.request('GET', `/apis/${g.metadata.name}/${v.version}`, { token: t.adminToken })
        ).json();
        const names = perGroup.resources.map((r: { name: string }) => r.name).filter((n: string) => !n.includes('/'));
        expect(v.resources.map((r: { resource: string }) => r.resource)).toEqual(names);
      }
    const core = await t.request('GET', '/api', { token: t.adminToken, headers: { accept } });
    expect(mediaParams(core.headers['content-type'])).toMatchObject(AGGREGATED_V2);
    const v1 = core.json().items[0].versions[0];
    expect(v1.version).toBe('v1');
    expect(v1.resources.map((r: { resource: string; scope: string }) => `${r.resource}:${r.scope}`)).toEqual([
      'namespaces:Cluster',
      'secrets:Namespaced',
      'events:Namespaced',
    ]);
    // v2beta1 alone for older clients; no token, no discovery.
    const beta = await t.request('GET', '/apis', {
      token: t.adminToken,
      headers: { accept: 'application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList' },
    });
    expect(beta.json().apiVersion).toBe('apidiscovery.k8s.io/v2beta1');
    expect((await t.request('GET', '/apis', { headers: { accept } })).statusCode).toBe(401);
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
    // How lists merge (strategic merge patch, server-side apply): keyed, set or atomic.
    const components = schema.properties.spec.properties.components;
    expect(components).toMatchObject({
      'x-kubernetes-list-type': 'map',
      'x-kubernetes-list-map-keys': ['name'],
      'x-kubernetes-patch-merge-key': 'name',
      'x-kubernetes-patch-strategy': 'merge',
    });
    const text = JSON.stringify(doc);
    expect(text).toContain('"x-kubernetes-list-map-keys":["type"]'); // traits
    expect(text).toContain('"x-kubernetes-list-type":"atomic"');
    expect(JSON.stringify(doc)).not.toContain('#/$defs/');
    expect(index.paths['api/v1']).toBeDefined();
  });
});

describe('every registered kind speaks the Kubernetes API', () => {
  it('is in discovery with its verbs, short names, category and status, has print columns and an OpenAPI v3 schema', async () => {
    const admin = { token: t.adminToken };
    const defs = t.polis.resources.registry.all();
    const index = (await t.request('GET', '/openapi/v3', admin)).json();
    const groups = (await t.request('GET', '/apis', admin)).json();
    const problems: string[] = [];
    for (const def of defs) {
      const gv = `${def.group}/${def.version}`;
      if (!groups.groups.some((g: { name: string }) => g.name === def.group))
        problems.push(`${def.kind}: group not in /apis`);
      const list = (await t.request('GET', `/apis/${gv}`, admin)).json();
      const entry = list.resources.find((r: { name: string }) => r.name === def.plural);
      if (!entry) {
        problems.push(`${def.kind}: not in /apis/${gv}`);
        continue;
      }
      const expected = {
        kind: def.kind,
        singularName: def.singular,
        namespaced: def.scope === 'tenant',
        verbs: def.verbs.flatMap((v) => (v === 'delete' && def.verbs.includes('list') ? [v, 'deletecollection'] : [v])),
        categories: ['polis'],
        ...(def.shortNames.length > 0 ? { shortNames: [...def.shortNames] } : {}),
      };
      for (const [k, v] of Object.entries(expected))
        if (JSON.stringify(entry[k]) !== JSON.stringify(v))
          problems.push(`${def.kind}: ${k} ${JSON.stringify(entry[k])} ≠ ${JSON.stringify(v)}`);
      const status = list.resources.some((r: { name: string }) => r.name === `${def.plural}/status`);
      if (status !== def.hasStatus)
        problems.push(`${def.kind}: status subresource ${status}, hasStatus ${def.hasStatus}`);
      if (def.printColumns.length === 0) problems.push(`${def.kind}: no print columns`);
      const path = def.scope === 'tenant' ? `/apis/${gv}/namespaces/edu/${def.plural}` : `/apis/${gv}/${def.plural}`;
      const table = await t.request('GET', `${path}?limit=1`, { ...admin, headers: { accept: TABLE } });
      const columns = table.json().columnDefinitions?.map((c: { description: string }) => c.description);
      const want = ['metadata.name', ...def.printColumns.map((c) => c.path), 'metadata.creationTimestamp'];
      if (JSON.stringify(columns) !== JSON.stringify(want))
        problems.push(`${def.kind}: Table columns ${JSON.stringify(columns)} (${table.statusCode})`);
      const url = index.paths[`apis/${gv}`]?.serverRelativeURL as string | undefined;
      if (!url) {
        problems.push(`${def.kind}: no OpenAPI v3 document for ${gv}`);
        continue;
      }
      const doc = (await t.request('GET', url, admin)).json();
      const reversed = def.group.split('.').reverse().join('.');
      const schema = doc.components.schemas[`${reversed}.${def.version}.${def.kind}`];
      if (
        JSON.stringify(schema?.['x-kubernetes-group-version-kind']) !==
        JSON.stringify([{ group: def.group, version: def.version, kind: def.kind }])
      )
        problems.push(`${def.kind}: no OpenAPI v3 schema marked with its group, version and kind`);
      const read = Object.values(doc.paths as Record<string, { get?: Record<string, unknown> }>).some(
        (p) =>
          JSON.stringify(p.get?.['x-kubernetes-group-version-kind']) ===
          JSON.stringify({ group: def.group, version: def.version, kind: def.kind }),
      );
      if (!read) problems.push(`${def.kind}: no read path in OpenAPI v3 (kubectl explain finds kinds by it)`);
    }
    expect(problems).toEqual([]);
    expect(defs.map((d) => d.group)).toContain('market.polis.io');
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

  it('narrows a watch across departments by metadata.namespace, and names an unsupported field with a 400', async () => {
    const rv = (await t.request('GET', `${APPS}/applications`, { token: t.adminToken })).json().metadata
      .resourceVersion as string;
    for (const ns of ['edu', 'tax'])
      await t.request('POST', `${APPS}/namespaces/${ns}/applications`, { token: t.adminToken, body: app(`fs-${ns}`) });
    const watched = await t.request(
      'GET',
      `${APPS}/applications?watch=true&timeoutSeconds=1&resourceVersion=${rv}&fieldSelector=metadata.namespace%3Dtax`,
      { token: t.adminToken, headers: { accept: 'application/json' } },
    );
    const objects = events(watched.body).filter((e) => e.type !== 'BOOKMARK');
    expect(objects.map((e) => `${e.type} ${e.object.metadata.namespace}/${e.object.metadata.name}`)).toEqual([
      'ADDED tax/fs-tax',
    ]);
    for (const url of [
      `${APPS}/applications?watch=true&fieldSelector=spec.owner%3Dx`,
      `${APPS}/applications?fieldSelector=spec.owner%3Dx`,
    ]) {
      const bad = await t.request('GET', url, { token: t.adminToken, headers: { accept: 'application/json' } });
      expect(bad.statusCode, url).toBe(400);
      expect(bad.json()).toMatchObject({ kind: 'Status', reason: 'BadRequest' });
      expect(bad.json().causes[0]).toMatchObject({
        code: 'FieldSelectorUnsupported',
        params: { term: 'spec.owner=x' },
      });
    }
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

describe('paged lists', () => {
  const EDU = `${APPS}/namespaces/edu/applications`;
  const names = (page: { items: Array<{ metadata: { name: string } }> }) => page.items.map((i) => i.metadata.name);
  const page = async (q: string) => {
    const r = await t.request('GET', `${EDU}?${q}`, { token: t.tokens['edu-admin'] });
    expect(r.statusCode).toBe(200);
    return r.json();
  };
  const create = async (name: string) =>
    expect((await t.request('POST', EDU, { token: t.tokens['edu-admin'], body: app(name) })).statusCode).toBe(201);

  it('continues across pages with every object once, in order, at the first page resourceVersion, with writes between pages', async () => {
    for (const n of ['pg-a', 'pg-b', 'pg-c', 'pg-d', 'pg-e', 'pg-f']) await create(n);
    const before = names(await page(''));
    const first = await page('limit=2');
    const rv = first.metadata.resourceVersion as string;
    const seen = names(first);
    // Between pages: an object after the cursor is created, one after it deleted, one already listed changed.
    await create('pg-zz');
    const gone = before.find((n: string) => n > seen.at(-1)! && n !== 'pg-zz' && before.indexOf(n) > 2)!;
    expect((await t.request('DELETE', `${EDU}/${gone}`, { token: t.tokens['edu-admin'] })).statusCode).toBe(200);
    const patched = await t.request('PATCH', `${EDU}/${seen[0]}`, {
      token: t.tokens['edu-admin'],
      headers: { 'content-type': 'application/merge-patch+json' },
      body: { metadata: { labels: { paged: 'yes' } } },
    });
    expect(patched.statusCode).toBe(200);
    let next: string | undefined = first.metadata.continue;
    while (next) {
      const p = await page(`limit=2&continue=${encodeURIComponent(next)}`);
      expect(p.metadata.resourceVersion).toBe(rv);
      seen.push(...names(p));
      next = p.metadata.continue;
    }
    const expected = [...before.filter((n: string) => n !== gone), 'pg-zz'].sort();
    expect(seen).toEqual(expected);
    // A watch from the list's resourceVersion is sent every change made while the pages were read.
    const w = await t.request('GET', `${EDU}?watch=true&resourceVersion=${rv}&timeoutSeconds=1`, {
      token: t.tokens['edu-admin'],
      headers: { accept: 'application/json' },
    });
    const changed = events(w.body).map((e) => `${e.type} ${e.object.metadata.name}`);
    expect(changed).toEqual(expect.arrayContaining(['ADDED pg-zz', `DELETED ${gone}`, `MODIFIED ${seen[0]}`]));
  });

  it('answers 410 Expired for a continue token older than the compacted history, as Kubernetes does', async () => {
    await create('pg-x1');
    await create('pg-x2');
    const first = await page('limit=1');
    expect(first.metadata.continue).toBeTruthy();
    await create('pg-x3');
    await t.polis.store.compact(0);
    const r = await t.request('GET', `${EDU}?limit=1&continue=${encodeURIComponent(first.metadata.continue)}`, {
      token: t.tokens['edu-admin'],
    });
    expect(r.statusCode).toBe(410);
    expect(r.json()).toMatchObject({
      kind: 'Status',
      status: 'Failure',
      reason: 'Expired',
      code: 410,
      details: { causes: [expect.objectContaining({ field: 'continue', reason: 'ContinueExpired' })] },
    });
  });
});

describe('core-group Secrets and Events', () => {
  const CORE = '/api/v1/namespaces/edu';
  const secret = (name: string, value: string) => ({
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name, namespace: 'edu' },
    type: 'Opaque',
    stringData: { password: value },
  });

  it('creates, reads, lists, replaces and deletes Secrets through the same service as polis.io/v1 Secrets', async () => {
    const edu = t.tokens['edu-admin']!;
    const created = await t.request('POST', `${CORE}/secrets`, { token: edu, body: secret('db', 's3cret') });
    expect(created.statusCode, created.body).toBe(201);
    expect(created.json()).toMatchObject({ apiVersion: 'v1', kind: 'Secret', metadata: { namespace: 'edu' } });
    const own = (await t.request('GET', '/apis/polis.io/v1/tenants/edu/secrets/db', { token: edu })).json();
    expect(own.apiVersion).toBe('polis.io/v1');
    const one = (await t.request('GET', `${CORE}/secrets/db`, { token: edu })).json();
    expect(one).toMatchObject({ apiVersion: 'v1', metadata: { uid: own.metadata.uid } });
    expect(Buffer.from(one.data.password, 'base64').toString()).toBe('s3cret');
    // Values stay sealed as on polis's own paths: never in lists, never to who may not read values.
    const list = (await t.request('GET', `${CORE}/secrets`, { token: edu })).json();
    expect(list).toMatchObject({ apiVersion: 'v1', kind: 'SecretList' });
    expect(list.items.find((i: { metadata: { name: string } }) => i.metadata.name === 'db').data).toBeUndefined();
    const dev = (await t.request('GET', `${CORE}/secrets/db`, { token: t.tokens['vendor-dev'] })).json();
    expect(dev.data).toBeUndefined();
    const put = await t.request('PUT', `${CORE}/secrets/db`, {
      token: edu,
      body: { ...secret('db', 'n3w'), metadata: { name: 'db', resourceVersion: one.metadata.resourceVersion } },
    });
    expect(put.statusCode, put.body).toBe(200);
    const wrong = await t.request('POST', `${CORE}/secrets`, {
      token: edu,
      body: { ...secret('x', 'y'), apiVersion: 'polis.io/v1' },
    });
    expect(wrong.statusCode).toBe(400);
    expect(wrong.json().causes[0]).toMatchObject({ path: 'apiVersion', code: 'CoreApiVersionMismatch' });
    const audit = (await t.request('GET', '/api/v1/audit?kind=Secret&limit=100', { token: t.adminToken })).json();
    expect(audit.items.filter((e: { name?: string }) => e.name === 'db').length).toBeGreaterThanOrEqual(2);
    expect((await t.request('DELETE', `${CORE}/secrets/db`, { token: edu })).statusCode).toBe(200);
    expect((await t.request('GET', '/apis/polis.io/v1/tenants/edu/secrets/db', { token: edu })).statusCode).toBe(404);
  });

  it('lists, reads and watches Events as core/v1 Events, Tables included, and serves no writes', async () => {
    const event = {
      apiVersion: 'polis.io/v1',
      kind: 'Event',
      metadata: { name: 'portal-placed', tenant: 'edu' },
      spec: {
        involvedObject: { apiVersion: 'core.oam.dev/v1beta1', kind: 'Application', name: 'enrolment-portal' },
        type: 'Normal',
        reason: 'Placed',
        message: 'placed on c1',
        code: 'Placed',
        params: { cluster: 'c1' },
        source: { component: 'delivery', cluster: 'c1' },
        count: 2,
        firstTimestamp: '2026-12-01T00:00:00Z',
        lastTimestamp: '2026-12-01T00:05:00Z',
      },
    };
    const made = await t.request('POST', '/apis/polis.io/v1/tenants/edu/events', { token: t.adminToken, body: event });
    expect(made.statusCode, made.body).toBe(201);
    const edu = t.tokens['edu-admin']!;
    const one = (await t.request('GET', `${CORE}/events/portal-placed`, { token: edu })).json();
    expect(one).toMatchObject({
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name: 'portal-placed', namespace: 'edu', annotations: { 'polis.io/code': 'Placed' } },
      involvedObject: { kind: 'Application', name: 'enrolment-portal', namespace: 'edu' },
      reason: 'Placed',
      type: 'Normal',
      count: 2,
      source: { component: 'delivery', host: 'c1' },
    });
    expect(one.spec).toBeUndefined();
    const list = (await t.request('GET', `${CORE}/events`, { token: edu })).json();
    expect(list.kind).toBe('EventList');
    expect(list.items.some((e: { reason: string }) => e.reason === 'Placed')).toBe(true);
    const tbl = (await t.request('GET', `${CORE}/events`, { token: edu, headers: { accept: TABLE } })).json();
    expect(tbl.columnDefinitions.map((c: { name: string }) => c.name)).toEqual([
      'Name',
      'Last seen',
      'Type',
      'Reason',
      'Object',
      'Kind',
      'Source',
      'Count',
      'Message',
      'Age',
    ]);
    const row = tbl.rows.find((r: { cells: unknown[] }) => r.cells[0] === 'portal-placed');
    expect(row.cells.slice(2, 5)).toEqual(['Normal', 'Placed', 'enrolment-portal']);
    // What kubectl describe sends to find an object's events (polis's events carry no uid: that term lets them pass).
    const about = (sel: string) =>
      t
        .request('GET', `${CORE}/events?fieldSelector=${encodeURIComponent(sel)}`, { token: edu })
        .then((r) => r.json().items.map((e: { metadata: { name: string } }) => e.metadata.name));
    expect(
      await about(
        'involvedObject.name=enrolment-portal,involvedObject.namespace=edu,involvedObject.kind=Application,involvedObject.uid=x',
      ),
    ).toContain('portal-placed');
    expect(await about('involvedObject.name=another-app')).toEqual([]);
    expect(await about('type=Warning,metadata.name=portal-placed')).toEqual([]);
    expect(await about('reason=Placed,metadata.name=portal-placed')).toEqual(['portal-placed']);
    const badWatch = await t.request('GET', `${CORE}/events?watch=true&fieldSelector=type%3DWarning`, { token: edu });
    expect(badWatch.statusCode).toBe(400);
    const all = (await t.request('GET', '/api/v1/events', { token: edu })).json();
    expect(new Set(all.items.map((e: { metadata: { namespace: string } }) => e.metadata.namespace))).toEqual(
      new Set(['edu']),
    );
    const watch = await t.request('GET', `${CORE}/events?watch=true&timeoutSeconds=1`, { token: edu });
    const first = events(watch.body).find((e) => e.object.metadata?.name === 'portal-placed');
    expect(first).toMatchObject({ type: 'ADDED', object: { apiVersion: 'v1', reason: 'Placed' } });
    const post = await t.request('POST', `${CORE}/events`, { token: t.adminToken, body: event });
    expect([404, 405]).toContain(post.statusCode);
  });

  it('serves their OpenAPI v3 schemas in the core document (kubectl explain secrets)', async () => {
    const doc = (await t.request('GET', '/openapi/v3/api/v1', { token: t.adminToken })).json();
    for (const kind of ['Namespace', 'Secret', 'Event'])
      expect(doc.components.schemas[`io.k8s.api.core.v1.${kind}`]['x-kubernetes-group-version-kind']).toEqual([
        { group: '', version: 'v1', kind },
      ]);
    expect(doc.paths['/api/v1/namespaces/{namespace}/secrets/{name}'].patch).toBeDefined();
  });
});
