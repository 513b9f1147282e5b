import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestPolis } from './support/test-polis.ts';
import { startTestPolis } from './support/test-polis.ts';

/** Writes as Kubernetes clients send them, through Fastify's inject (kubectl itself: test/kubectl-writes.test.ts). */
let t: TestPolis;
const NS = '/apis/core.oam.dev/v1beta1/namespaces/edu/applications';

const app = (name: string, image = 'nginx:1.27') => ({
  apiVersion: 'core.oam.dev/v1beta1',
  kind: 'Application',
  metadata: { name },
  spec: { components: [{ name: 'web', type: 'webservice', properties: { image, cpu: '100m', memory: '64Mi' } }] },
});

const as = (token: string) => ({ token });
let edu: string;

beforeAll(async () => {
  t = await startTestPolis();
  edu = t.tokens['edu-admin']!;
});
afterAll(async () => {
  await t?.stop();
});

describe('JSON patch (RFC 6902) and strategic merge patch', () => {
  it('applies add, replace, remove, copy, move and test in order', async () => {
    expect((await t.request('POST', NS, { ...as(edu), body: app('jp') })).statusCode).toBe(201);
    const ops = [
      { op: 'test', path: '/metadata/namespace', value: 'edu' },
      { op: 'add', path: '/metadata/labels', value: { tier: 'web' } },
      { op: 'replace', path: '/spec/components/0/properties/image', value: 'nginx:1.28' },
      { op: 'copy', from: '/metadata/labels/tier', path: '/metadata/labels/copied' },
      { op: 'move', from: '/metadata/labels/copied', path: '/metadata/labels/moved' },
      { op: 'add', path: '/metadata/annotations', value: { 'a~b/c': 'x' } },
      { op: 'remove', path: '/metadata/annotations/a~0b~1c' },
    ];
    const r = await t.request('PATCH', `${NS}/jp`, {
      ...as(edu),
      body: ops,
      contentType: 'application/json-patch+json',
    });
    expect(r.statusCode, r.body).toBe(200);
    const obj = r.json();
    expect(obj.metadata.labels).toEqual({ tier: 'web', moved: 'web' });
    expect(obj.metadata.annotations).toBeUndefined();
    expect(obj.metadata.namespace).toBe('edu');
    expect(obj.spec.components[0].properties.image).toBe('nginx:1.28');
  });

  it('refuses the whole patch with a 400 naming the operation and the path, writing nothing', async () => {
    const before = (await t.request('GET', `${NS}/jp`, as(edu))).json();
    const ops = [
      { op: 'replace', path: '/spec/components/0/properties/image', value: 'nginx:9' },
      { op: 'remove', path: '/spec/nothing/here' },
    ];
    const r = await t.request('PATCH', `${NS}/jp`, {
      ...as(edu),
      body: ops,
      contentType: 'application/json-patch+json',
    });
    expect(r.statusCode).toBe(400);
    expect(r.json().causes).toEqual([
      expect.objectContaining({
        path: 'patch[1].path',
        code: 'JsonPatchPathMissing',
        params: expect.objectContaining({ index: 1, pointer: '/spec/nothing/here' }),
      }),
    ]);
    const failedTest = await t.request('PATCH', `${NS}/jp`, {
      ...as(edu),
      body: [{ op: 'test', path: '/metadata/labels/tier', value: 'db' }],
      contentType: 'application/json-patch+json',
    });
    expect(failedTest.statusCode).toBe(400);
    expect(failedTest.json().causes[0]).toMatchObject({ path: 'patch[0].path', code: 'JsonPatchTestFailed' });
    const badOp = await t.request('PATCH', `${NS}/jp`, {
      ...as(edu),
      body: [{ op: 'frobnicate', path: '/spec' }],
      contentType: 'application/json-patch+json',
    });
    expect(badOp.json().causes[0]).toMatchObject({ path: 'patch[0].op', code: 'JsonPatchUnknownOp' });
    const after = (await t.request('GET', `${NS}/jp`, as(edu))).json();
    expect(after.metadata.resourceVersion).toBe(before.metadata.resourceVersion);
  });

  it('merges a strategic merge patch by the lists keys (components by name), and 415 names what else to send', async () => {
    const sm = 'application/strategic-merge-patch+json';
    expect((await t.request('POST', NS, { ...as(edu), body: app('smp') })).statusCode).toBe(201);
    const r = await t.request('PATCH', `${NS}/smp`, {
      ...as(edu),
      body: {
        metadata: { labels: { x: 'y' } },
        spec: {
          components: [
            { name: 'web', traits: [{ type: 'scaler', properties: { replicas: 2 } }] },
            { name: 'worker', type: 'worker', properties: { image: 'busybox:1.36', cpu: '50m', memory: '32Mi' } },
          ],
        },
      },
      contentType: sm,
    });
    expect(r.statusCode, r.body).toBe(200);
    const after = r.json();
    expect(after.metadata.labels).toEqual({ x: 'y' });
    expect(after.spec.components).toEqual([
      {
        name: 'web',
        type: 'webservice',
        properties: { image: 'nginx:1.27', cpu: '100m', memory: '64Mi' },
        traits: [{ type: 'scaler', properties: { replicas: 2 } }],
      },
      { name: 'worker', type: 'worker', properties: { image: 'busybox:1.36', cpu: '50m', memory: '32Mi' } },
    ]);
    const del = await t.request('PATCH', `${NS}/smp`, {
      ...as(edu),
      body: { spec: { components: [{ name: 'worker', $patch: 'delete' }] } },
      contentType: sm,
    });
    expect(del.json().spec.components.map((c: { name: string }) => c.name)).toEqual(['web']);
    const keyless = await t.request('PATCH', `${NS}/smp`, {
      ...as(edu),
      body: { spec: { components: [{ type: 'worker' }] } },
      contentType: sm,
    });
    expect(keyless.statusCode).toBe(400);
    expect(keyless.json().details).toMatchObject({ code: 'StrategicMergeKeyMissing', params: { key: 'name' } });
    const other = await t.request('PATCH', `${NS}/smp`, { ...as(edu), body: 'a: 1', contentType: 'application/yaml' });
    expect(other.statusCode).toBe(415);
    expect(other.json()).toMatchObject({
      kind: 'Status',
      reason: 'UnsupportedMediaType',
      details: { code: 'PatchTypeUnsupported', params: { type: 'application/yaml' } },
    });
    expect(other.json().message).toContain('application/strategic-merge-patch+json');
  });
});

describe('server-side apply', () => {
  const apply = (name: string, body: unknown, query: string) =>
    t.request('PATCH', `${NS}/${name}?${query}`, {
      ...as(edu),
      body: JSON.stringify(body),
      contentType: 'application/apply-patch+yaml',
    });

  it('creates if absent, records the manager, and needs a fieldManager', async () => {
    expect((await apply('ssa', app('ssa'), '')).json().causes[0]).toMatchObject({
      path: 'query.fieldManager',
      code: 'FieldManagerRequired',
    });
    const r = await apply('ssa', app('ssa'), 'fieldManager=alice');
    expect(r.statusCode, r.body).toBe(200);
    const mf = r.json().metadata.managedFields;
    expect(mf).toEqual([
      expect.objectContaining({
        manager: 'alice',
        operation: 'Apply',
        fieldsType: 'FieldsV1',
        fieldsV1: {
          'f:spec': {
            'f:components': {
              'k:{"name":"web"}': {
                '.': {},
                'f:type': {},
                'f:properties': { 'f:image': {}, 'f:cpu': {}, 'f:memory': {} },
              },
            },
          },
        },
      }),
    ]);
  });

  it('answers a conflict with 409 naming the field and its manager; force takes the field', async () => {
    const other = app('ssa', 'nginx:2');
    const r = await apply('ssa', other, 'fieldManager=bob');
    expect(r.statusCode).toBe(409);
    expect(r.json()).toMatchObject({ reason: 'Conflict', details: { code: 'ApplyConflicts', params: { count: 1 } } });
    expect(r.json().details.causes).toEqual([
      expect.objectContaining({
        reason: 'FieldManagerConflict',
        field: '.spec.components[name="web"].properties.image',
        message: 'conflict with "alice": .spec.components[name="web"].properties.image',
      }),
    ]);
    const forced = await apply('ssa', other, 'fieldManager=bob&force=true');
    expect(forced.statusCode, forced.body).toBe(200);
    expect(forced.json().spec.components[0].properties.image).toBe('nginx:2');
    // Bob took the image only: the fields both applied with the same value stay Alice's too.
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- test reads of FieldsV1 JSON
    const mf = forced.json().metadata.managedFields as { manager: string; fieldsV1: Record<string, any> }[];
    expect(mf.map((m) => m.manager)).toEqual(['alice', 'bob']);
    const web = (m: (typeof mf)[number]) => m.fieldsV1['f:spec']['f:components']['k:{"name":"web"}'];
    expect(web(mf[0]!)['f:properties']).toEqual({ 'f:cpu': {}, 'f:memory': {} });
    expect(web(mf[1]!)['f:properties']).toHaveProperty('f:image');
  });

  it('removes the fields a manager stops applying, and keeps the ones others own', async () => {
    const labelled = { ...app('ssa', 'nginx:2'), metadata: { name: 'ssa', labels: { team: 'a', keep: 'b' } } };
    expect((await apply('ssa', labelled, 'fieldManager=bob')).statusCode).toBe(200);
    const carol = {
      apiVersion: 'core.oam.dev/v1beta1',
      kind: 'Application',
      metadata: { name: 'ssa', labels: { keep: 'b' } },
    };
    expect((await apply('ssa', carol, 'fieldManager=carol')).statusCode).toBe(200);
    const dropped = { ...app('ssa', 'nginx:2'), metadata: { name: 'ssa' } };
    const r = await apply('ssa', dropped, 'fieldManager=bob');
    expect(r.statusCode, r.body).toBe(200);
    expect(r.json().metadata.labels).toEqual({ keep: 'b' });
  });

  it('merges keyed lists item by item between managers, and owns atomic lists whole', async () => {
    const component = (name: string, props: Record<string, unknown>) => ({
      apiVersion: 'core.oam.dev/v1beta1',
      kind: 'Application',
      metadata: { name: 'ssa-map' },
      spec: { components: [{ name, type: 'webservice', properties: { cpu: '100m', memory: '64Mi', ...props } }] },
    });
    const a = await apply(
      'ssa-map',
      component('web', { image: 'nginx:1.27', cmd: ['nginx', '-g'] }),
      'fieldManager=alice',
    );
    expect(a.statusCode, a.body).toBe(200);
    // Bob applies another component: no conflict, both stay (spec.components is a map list keyed by name).
    const b = await apply('ssa-map', component('api', { image: 'api:1' }), 'fieldManager=bob');
    expect(b.statusCode, b.body).toBe(200);
    expect(b.json().spec.components.map((c: { name: string }) => c.name)).toEqual(['web', 'api']);
    // A list without a key (a command line) is atomic: another manager's different list is a conflict on the whole.
    const c = await apply('ssa-map', component('web', { image: 'nginx:1.27', cmd: ['nginx'] }), 'fieldManager=carol');
    expect(c.statusCode).toBe(409);
    expect(c.json().details.causes.map((x: { field: string }) => x.field)).toEqual([
      '.spec.components[name="web"].properties.cmd',
    ]);
    // Alice stops applying her component: it goes, Bob's stays.
    const gone = await apply('ssa-map', { ...component('web', {}), spec: { components: [] } }, 'fieldManager=alice');
    expect(gone.statusCode, gone.body).toBe(200);
    expect(gone.json().spec.components.map((x: { name: string }) => x.name)).toEqual(['api']);
  });

  it('stores nothing on dryRun=All', async () => {
    const r = await apply('ssa-dry', app('ssa-dry'), 'fieldManager=alice&dryRun=All');
    expect(r.statusCode, r.body).toBe(200);
    expect((await t.request('GET', `${NS}/ssa-dry`, as(edu))).statusCode).toBe(404);
  });

  it('refuses to create in another department', async () => {
    const r = await t.request('PATCH', '/apis/core.oam.dev/v1beta1/namespaces/tax/applications/x?fieldManager=m', {
      token: edu,
      body: JSON.stringify(app('x')),
      contentType: 'application/apply-patch+yaml',
    });
    expect(r.statusCode).toBe(403);
  });
});

describe('dry runs and unknown fields on the namespaced paths', () => {
  it('stores nothing on dryRun=All for create, JSON patch and delete', async () => {
    const c = await t.request('POST', `${NS}?dryRun=All`, { token: edu, body: app('dry') });
    expect(c.statusCode, c.body).toBe(201);
    expect((await t.request('GET', `${NS}/dry`, { token: edu })).statusCode).toBe(404);
    expect((await t.request('POST', NS, { token: edu, body: app('dry') })).statusCode).toBe(201);
    const p = await t.request('PATCH', `${NS}/dry?dryRun=All`, {
      token: edu,
      body: [{ op: 'add', path: '/metadata/labels', value: { a: 'b' } }],
      contentType: 'application/json-patch+json',
    });
    expect(p.json().metadata.labels).toEqual({ a: 'b' });
    expect((await t.request('GET', `${NS}/dry`, { token: edu })).json().metadata.labels).toBeUndefined();
    expect((await t.request('DELETE', `${NS}/dry?dryRun=All`, { token: edu })).statusCode).toBe(200);
    expect((await t.request('GET', `${NS}/dry`, { token: edu })).statusCode).toBe(200);
  });
});

describe('fieldValidation', () => {
  const odd = (name: string) => ({
    ...app(name),
    metadata: { name, colour: 'red' },
    spec: { ...app(name).spec, surprise: 1 },
  });
  const warnings = (r: { headers: Record<string, unknown> }) => {
    const h = r.headers.warning;
    return h === undefined ? [] : Array.isArray(h) ? h.map(String) : [String(h)];
  };

  it('Strict refuses unknown fields with a 400 naming each path, writing nothing', async () => {
    const r = await t.request('POST', `${NS}?fieldValidation=Strict`, { token: edu, body: odd('strict') });
    expect(r.statusCode, r.body).toBe(400);
    expect(r.json()).toMatchObject({ reason: 'BadRequest', details: { code: 'UnknownFields' } });
    expect(r.json().causes).toEqual([
      expect.objectContaining({ path: 'spec.surprise', code: 'UnknownField', params: { field: 'spec.surprise' } }),
      expect.objectContaining({ path: 'metadata.colour', code: 'UnknownField' }),
    ]);
    expect(r.json().details.causes.map((c: { field: string }) => c.field)).toEqual([
      'spec.surprise',
      'metadata.colour',
    ]);
    expect((await t.request('GET', `${NS}/strict`, as(edu))).statusCode).toBe(404);
  });

  it('Strict refuses a key given twice, naming its path', async () => {
    const text = JSON.stringify(app('dup')).replace('"name":"dup"', '"name":"dup","name":"dup"');
    const r = await t.request('POST', `${NS}?fieldValidation=Strict`, { token: edu, body: text });
    expect(r.statusCode).toBe(400);
    expect(r.json().causes[0].path).toBe('metadata.name');
  });

  it('Warn (the default on the namespaced paths) drops them and answers a Warning header per field', async () => {
    for (const [name, query] of [
      ['warned', '?fieldValidation=Warn'],
      ['defaulted', ''],
    ] as const) {
      const r = await t.request('POST', `${NS}${query}`, { token: edu, body: odd(name) });
      expect(r.statusCode, r.body).toBe(201);
      expect(warnings(r)).toEqual([
        '299 - "unknown field \\"spec.surprise\\""',
        '299 - "unknown field \\"metadata.colour\\""',
      ]);
      expect(r.json().spec.surprise).toBeUndefined();
      expect(r.json().metadata.colour).toBeUndefined();
    }
    const text = JSON.stringify(app('dup-w')).replace('"name":"dup-w"', '"name":"x","name":"dup-w"');
    const d = await t.request('POST', `${NS}?fieldValidation=Warn`, { token: edu, body: text });
    expect(d.statusCode, d.body).toBe(201);
    expect(warnings(d)).toEqual(['299 - "duplicate field \\"metadata.name\\""']);
  });

  it('Warn and Ignore apply to replace, merge patch, JSON patch and server-side apply', async () => {
    const cur = (await t.request('GET', `${NS}/warned`, as(edu))).json();
    const put = await t.request('PUT', `${NS}/warned?fieldValidation=Warn`, {
      token: edu,
      body: { ...cur, spec: { ...cur.spec, extra: true } },
    });
    expect(put.statusCode, put.body).toBe(200);
    expect(warnings(put)).toEqual(['299 - "unknown field \\"spec.extra\\""']);
    const merge = await t.request('PATCH', `${NS}/warned?fieldValidation=Warn`, {
      token: edu,
      body: { spec: { more: 1 }, metadata: { labels: { a: 'b' } } },
      contentType: 'application/merge-patch+json',
    });
    expect(merge.statusCode, merge.body).toBe(200);
    expect(warnings(merge)).toEqual(['299 - "unknown field \\"spec.more\\""']);
    expect(merge.json().metadata.labels).toEqual({ a: 'b' });
    const json = await t.request('PATCH', `${NS}/warned?fieldValidation=Ignore`, {
      token: edu,
      body: [{ op: 'add', path: '/spec/other', value: 1 }],
      contentType: 'application/json-patch+json',
    });
    expect(json.statusCode, json.body).toBe(200);
    expect(warnings(json)).toEqual([]);
    expect(json.json().spec.other).toBeUndefined();
    const ssa = await t.request('PATCH', `${NS}/ssa-fv?fieldManager=m&fieldValidation=Warn`, {
      token: edu,
      body: JSON.stringify(odd('ssa-fv')),
      contentType: 'application/apply-patch+yaml',
    });
    expect(ssa.statusCode, ssa.body).toBe(200);
    expect(warnings(ssa)).toHaveLength(2);
    expect(JSON.stringify(ssa.json().metadata.managedFields)).not.toMatch(/surprise/);
    const strict = await t.request('PATCH', `${NS}/warned?fieldValidation=Strict`, {
      token: edu,
      body: { spec: { more: 1 } },
      contentType: 'application/merge-patch+json',
    });
    expect(strict.statusCode).toBe(400);
  });

  it('keeps refusing unknown fields on polis own paths unless asked otherwise, and names a bad directive', async () => {
    const own = '/apis/core.oam.dev/v1beta1/tenants/edu/applications';
    expect((await t.request('POST', own, { token: edu, body: odd('own') })).statusCode).toBe(422);
    const ignored = await t.request('POST', `${own}?fieldValidation=Ignore`, { token: edu, body: odd('own') });
    expect(ignored.statusCode, ignored.body).toBe(201);
    const bad = await t.request('POST', `${NS}?fieldValidation=Loose`, { token: edu, body: app('loose') });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().causes[0]).toMatchObject({ path: 'query.fieldValidation', code: 'QueryValueInvalid' });
  });
});

describe('delete options', () => {
  const held = (name: string, finalizers: string[]) => ({ ...app(name), metadata: { name, finalizers } });
  const del = (name: string, body?: unknown, query = '') =>
    t.request('DELETE', `${NS}/${name}${query}`, { token: edu, ...(body ? { body } : {}) });

  it('Orphan drops the delivery finalizer, so the delivered objects stay and the Application goes', async () => {
    expect((await t.request('POST', NS, { token: edu, body: held('orph', ['polis.io/delivery']) })).statusCode).toBe(
      201,
    );
    const r = await del('orph', { kind: 'DeleteOptions', apiVersion: 'v1', propagationPolicy: 'Orphan' });
    expect(r.statusCode, r.body).toBe(200);
    expect((await t.request('GET', `${NS}/orph`, as(edu))).statusCode).toBe(404);
    // Other finalizers still hold the object, as in Kubernetes.
    await t.request('POST', NS, { token: edu, body: held('orph2', ['polis.io/delivery', 'example.com/hold']) });
    const q = await del('orph2', undefined, '?propagationPolicy=Orphan');
    expect(q.statusCode, q.body).toBe(200);
    expect(q.json().metadata.finalizers).toEqual(['example.com/hold']);
    expect(q.json().metadata.deletionTimestamp).toBeDefined();
  });

  it('Foreground and Background leave the finalizers to remove the dependants first', async () => {
    for (const policy of ['Foreground', 'Background']) {
      const name = `prop-${policy.toLowerCase()}`;
      await t.request('POST', NS, { token: edu, body: held(name, ['polis.io/delivery']) });
      const r = await del(name, {
        kind: 'DeleteOptions',
        apiVersion: 'v1',
        propagationPolicy: policy,
        gracePeriodSeconds: 0,
      });
      expect(r.statusCode, r.body).toBe(200);
      expect(r.json().metadata).toMatchObject({ finalizers: ['polis.io/delivery'] });
      expect(r.json().metadata.deletionTimestamp).toBeDefined();
    }
  });

  it('refuses with 409 when the uid or resourceVersion precondition differs, deleting nothing', async () => {
    const made = (await t.request('POST', NS, { token: edu, body: app('pre') })).json();
    const uid = await del('pre', { preconditions: { uid: 'not-the-uid' } });
    expect(uid.statusCode).toBe(409);
    expect(uid.json()).toMatchObject({ reason: 'Conflict', details: { code: 'PreconditionUidMismatch' } });
    expect(uid.json().causes[0].path).toBe('preconditions.uid');
    const rv = await del('pre', { preconditions: { resourceVersion: '1' } });
    expect(rv.statusCode).toBe(409);
    expect(rv.json().details.code).toBe('PreconditionResourceVersionMismatch');
    expect((await t.request('GET', `${NS}/pre`, as(edu))).statusCode).toBe(200);
    const ok = await del('pre', {
      preconditions: { uid: made.metadata.uid, resourceVersion: made.metadata.resourceVersion },
    });
    expect(ok.statusCode, ok.body).toBe(200);
    expect((await t.request('GET', `${NS}/pre`, as(edu))).statusCode).toBe(404);
  });

  it('names a bad option and what it accepts, and takes dryRun from the body', async () => {
    await t.request('POST', NS, { token: edu, body: app('opts') });
    const bad = await del('opts', { propagationPolicy: 'Sideways' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().causes[0]).toMatchObject({ path: 'body.propagationPolicy', code: 'QueryValueInvalid' });
    const grace = await del('opts', undefined, '?gracePeriodSeconds=soon');
    expect(grace.json().causes[0].path).toBe('query.gracePeriodSeconds');
    expect((await del('opts', { dryRun: ['All'] })).statusCode).toBe(200);
    expect((await t.request('GET', `${NS}/opts`, as(edu))).statusCode).toBe(200);
  });
});

describe('deletecollection', () => {
  const labelled = (name: string, tier: string) => ({ ...app(name), metadata: { name, labels: { dc: 'yes', tier } } });
  const names = async () =>
    (await t.request('GET', `${NS}?labelSelector=dc%3Dyes`, as(edu)))
      .json()
      .items.map((o: { metadata: { name: string } }) => o.metadata.name)
      .sort();
  const audit = async (name: string) =>
    (await t.request('GET', `/api/v1/audit?kind=Application&name=${name}`, as(t.tokens.auditor!))).json().items as {
      verb: string;
      outcome: string;
      code: number;
    }[];

  it('deletes what labelSelector and fieldSelector match, each with its own audit entry, and answers the list', async () => {
    for (const [n, tier] of [
      ['dc-a', 'web'],
      ['dc-b', 'web'],
      ['dc-c', 'db'],
    ])
      expect((await t.request('POST', NS, { ...as(edu), body: labelled(n!, tier!) })).statusCode).toBe(201);
    // Another department may not, and nothing goes.
    const other = await t.request('DELETE', `${NS}?labelSelector=dc%3Dyes`, as(t.tokens['tax-admin']!));
    expect(other.statusCode).toBe(403);
    // dryRun deletes nothing.
    const dry = await t.request('DELETE', `${NS}?labelSelector=dc%3Dyes&dryRun=All`, as(edu));
    expect(dry.statusCode).toBe(200);
    expect(dry.json().items).toHaveLength(3);
    expect(await names()).toEqual(['dc-a', 'dc-b', 'dc-c']);
    const web = await t.request('DELETE', `${NS}?labelSelector=dc%3Dyes,tier%3Dweb`, as(edu));
    expect(web.statusCode, web.body).toBe(200);
    expect(web.json()).toMatchObject({ apiVersion: 'core.oam.dev/v1beta1', kind: 'ApplicationList' });
    expect(web.json().items.map((o: { metadata: { namespace: string } }) => o.metadata.namespace)).toEqual([
      'edu',
      'edu',
    ]);
    expect(await names()).toEqual(['dc-c']);
    for (const n of ['dc-a', 'dc-b'])
      expect(await audit(n)).toContainEqual(expect.objectContaining({ verb: 'delete' }));
    // A field selector naming another namespace matches nothing here; metadata.name picks one.
    const elsewhere = await t.request('DELETE', `${NS}?fieldSelector=metadata.namespace%3Dtax`, as(edu));
    expect(elsewhere.json().items).toEqual([]);
    const one = await t.request('DELETE', `${NS}?fieldSelector=metadata.name%3Ddc-c`, as(edu));
    expect(one.json().items.map((o: { metadata: { name: string } }) => o.metadata.name)).toEqual(['dc-c']);
    expect(await names()).toEqual([]);
    const bad = await t.request('DELETE', `${NS}?fieldSelector=spec.owner%3Dx`, as(edu));
    expect(bad.statusCode).toBe(400);
    expect(bad.json().details.causes[0]).toMatchObject({ field: 'query.fieldSelector' });
    expect(bad.json().message).toContain('spec.owner=x');
  });

  it('ends at the first failing object with its Status, as kube-apiserver does: those before stay deleted', async () => {
    for (const n of ['dc-d', 'dc-e', 'dc-f'])
      expect((await t.request('POST', NS, { ...as(edu), body: labelled(n, 'web') })).statusCode).toBe(201);
    const d = (await t.request('GET', `${NS}/dc-d`, as(edu))).json();
    // A precondition only dc-d meets: dc-d goes, dc-e fails with 409 and its audit entry; dc-f is not reached.
    const r = await t.request('DELETE', `${NS}?labelSelector=dc%3Dyes`, {
      ...as(edu),
      body: { kind: 'DeleteOptions', apiVersion: 'v1', preconditions: { uid: d.metadata.uid } },
    });
    expect(r.statusCode).toBe(409);
    expect(r.json()).toMatchObject({ kind: 'Status', status: 'Failure', reason: 'Conflict' });
    expect(await names()).toEqual(['dc-e', 'dc-f']);
    const refused = (await audit('dc-e')).filter((e) => e.verb === 'delete');
    expect(refused).toEqual([expect.objectContaining({ outcome: 'conflict', code: 409 })]);
    // One failure entry, naming the object: none without a name for the request as a whole.
    const recent = (
      await t.request('GET', '/api/v1/audit?kind=Application&order=desc&limit=20', as(t.tokens.auditor!))
    ).json().items as { verb: string; name?: string; outcome: string }[];
    expect(recent.filter((e) => e.verb === 'delete' && e.outcome === 'conflict' && !e.name)).toEqual([]);
    expect((await audit('dc-f')).filter((e) => e.verb === 'delete')).toEqual([]);
  });

  it('is in discovery as the deletecollection verb', async () => {
    const list = (await t.request('GET', '/apis/core.oam.dev/v1beta1', as(edu))).json();
    const apps = list.resources.find((r: { name: string }) => r.name === 'applications');
    expect(apps.verbs).toContain('deletecollection');
  });
});
