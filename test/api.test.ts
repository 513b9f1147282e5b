import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSse } from './support/sse.ts';
import type { TestPolis } from './support/test-polis.ts';
import { startTestPolis } from './support/test-polis.ts';

let t: TestPolis;
let base: string;
const APPS = '/apis/core.oam.dev/v1beta1/tenants/edu/applications';
const app = (name: string, replicas = 1, labels: Record<string, string> = {}) => ({
  apiVersion: 'core.oam.dev/v1beta1',
  kind: 'Application',
  metadata: { name, tenant: 'edu', labels },
  spec: {
    components: [
      {
        name: 'web',
        type: 'webservice',
        properties: { image: 'nginx:1.27', cpu: '100m' },
        traits: [{ type: 'scaler', properties: { replicas } }],
      },
    ],
  },
});

beforeAll(async () => {
  t = await startTestPolis({ listen: true });
  base = t.polis.url!;
});
afterAll(async () => {
  await t?.stop();
});

describe('the HTTP API', () => {
  it('serves health, readiness and version without a token, and metrics to a platform reader', async () => {
    expect((await t.request('GET', '/healthz')).json()).toEqual({ status: 'ok' });
    expect((await t.request('GET', '/readyz')).json()).toEqual({ status: 'ready' });
    const metrics = (await t.request('GET', '/metrics', { token: t.adminToken })).body;
    for (const name of [
      'polis_http_requests_total',
      'polis_http_request_duration_seconds_bucket',
      'polis_store_revision',
      'polis_store_objects',
      'polis_watchers',
      'polis_audit_entries',
    ]) {
      expect(metrics).toContain(name);
    }
    expect((await t.request('GET', '/version')).json()).toHaveProperty('version');
  });

  it('publishes an OpenAPI document listing every kind route, and a browsable UI', async () => {
    const doc = (await t.request('GET', '/openapi.json')).json() as { openapi: string; paths: Record<string, unknown> };
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/apis/polis.io/v1/tenants',
        '/apis/core.oam.dev/v1beta1/tenants/{tenant}/applications/{name}',
        '/api/v1/apply',
        '/api/v1/audit',
      ]),
    );
    expect((await t.request('GET', '/docs/')).statusCode).toBe(200);
  });

  it('lists the served kinds for clients', async () => {
    const d = (await t.request('GET', '/apis', { token: t.tokens['edu-staff'] })).json() as {
      resources: Array<{ kind: string; scope: string }>;
    };
    expect(d.resources.map((r) => r.kind)).toEqual(
      expect.arrayContaining([
        'Tenant',
        'User',
        'RoleBinding',
        'PlatformRoleBinding',
        'Token',
        'Secret',
        'Application',
      ]),
    );
  });

  it('echoes a request id and puts it in error bodies', async () => {
    const r = await t.request('GET', `${APPS}/missing`, {
      token: t.tokens['edu-staff'],
      headers: { 'x-request-id': 'trace-123' },
    });
    expect(r.statusCode).toBe(404);
    expect(r.headers['x-request-id']).toBe('trace-123');
    expect(r.json()).toMatchObject({ kind: 'Status', code: 404, reason: 'NotFound', requestId: 'trace-123' });
  });

  it('answers 409 to a write based on a stale resourceVersion', async () => {
    const created = (
      await t.request('POST', APPS, { token: t.tokens['edu-staff'], body: app('stale-test') })
    ).json() as { metadata: { resourceVersion: string } };
    const fresh = await t.request('PUT', `${APPS}/stale-test`, {
      token: t.tokens['edu-staff'],
      body: {
        ...app('stale-test', 2),
        metadata: { ...app('stale-test').metadata, resourceVersion: created.metadata.resourceVersion },
      },
    });
    expect(fresh.statusCode).toBe(200);
    const stale = await t.request('PUT', `${APPS}/stale-test`, {
      token: t.tokens['edu-staff'],
      body: {
        ...app('stale-test', 3),
        metadata: { ...app('stale-test').metadata, resourceVersion: created.metadata.resourceVersion },
      },
    });
    expect(stale.statusCode).toBe(409);
    expect(stale.json()).toMatchObject({ reason: 'Conflict', causes: [{ path: 'metadata.resourceVersion' }] });
  });

  it('serves a read as the stored object, the same as its list item, in either view, to the department only', async () => {
    const staff = { token: t.tokens['edu-staff'] };
    expect((await t.request('POST', APPS, { ...staff, body: app('stored-text', 2) })).statusCode).toBe(201);
    const read = await t.request('GET', `${APPS}/stored-text`, staff);
    expect(read.statusCode).toBe(200);
    expect(read.headers['content-type']).toBe('application/json; charset=utf-8');
    const listed = (
      (await t.request('GET', `${APPS}?fieldSelector=metadata.name%3Dstored-text`, staff)).json() as {
        items: unknown[];
      }
    ).items;
    expect(listed).toEqual([read.json()]);
    expect(read.json()).toMatchObject({ metadata: { name: 'stored-text', tenant: 'edu' } });
    // The Kubernetes view on the namespaced path: the department as metadata.namespace, as its list shows it.
    const kube = await t.request('GET', '/apis/core.oam.dev/v1beta1/namespaces/edu/applications/stored-text', staff);
    expect(kube.statusCode).toBe(200);
    expect(kube.json()).toMatchObject({ metadata: { name: 'stored-text', namespace: 'edu' } });
    // A Table (kubectl get) still gets its Table.
    const asTable = await t.request('GET', `${APPS}/stored-text`, {
      ...staff,
      headers: { accept: 'application/json;as=Table;g=meta.k8s.io;v=v1' },
    });
    expect(asTable.json()).toMatchObject({ kind: 'Table' });
    // Another department's user is refused before anything is read; a missing object is 404.
    expect((await t.request('GET', `${APPS}/stored-text`, { token: t.tokens['tax-admin'] })).statusCode).toBe(403);
    expect((await t.request('GET', `${APPS}/no-such-app`, staff)).statusCode).toBe(404);
  });

  it('pages a list with limit and continue, and filters by label selector', async () => {
    await t.request('POST', '/api/v1/apply', {
      token: t.tokens['edu-staff'],
      body: Array.from({ length: 7 }, (_, i) =>
        app(`paged-${i}`, 1, { batch: 'paging', parity: i % 2 ? 'odd' : 'even' }),
      ),
    });
    const names: string[] = [];
    let next: string | undefined;
    do {
      const r = (
        await t.request(
          'GET',
          `${APPS}?labelSelector=batch%3Dpaging&limit=3${next ? `&continue=${encodeURIComponent(next)}` : ''}`,
          { token: t.tokens['edu-staff'] },
        )
      ).json() as {
        items: Array<{ metadata: { name: string } }>;
        metadata: { continue?: string };
      };
      names.push(...r.items.map((i) => i.metadata.name));
      next = r.metadata.continue;
    } while (next);
    expect(names).toEqual(Array.from({ length: 7 }, (_, i) => `paged-${i}`));
    const odd = (
      await t.request('GET', `${APPS}?labelSelector=${encodeURIComponent('batch=paging,parity in (odd)')}`, {
        token: t.tokens['edu-staff'],
      })
    ).json() as { items: unknown[] };
    expect(odd.items).toHaveLength(3);
  });

  it('never returns secret values in lists, and only to those who may read them', async () => {
    await t.request('POST', '/apis/polis.io/v1/tenants/edu/secrets', {
      token: t.tokens['edu-admin'],
      body: {
        apiVersion: 'polis.io/v1',
        kind: 'Secret',
        metadata: { name: 'db-password' },
        stringData: { password: 'Zh3ngWu!' },
      },
    });
    const list = await t.request('GET', '/apis/polis.io/v1/tenants/edu/secrets', { token: t.tokens['edu-admin'] });
    expect(list.body).not.toContain('Zh3ngWu');
    expect(list.body).not.toContain(Buffer.from('Zh3ngWu!').toString('base64'));
    const own = (
      await t.request('GET', '/apis/polis.io/v1/tenants/edu/secrets/db-password', { token: t.tokens['edu-admin'] })
    ).json() as { data: Record<string, string> };
    expect(Buffer.from(own.data.password!, 'base64').toString()).toBe('Zh3ngWu!');
    const vendor = (
      await t.request('GET', '/apis/polis.io/v1/tenants/edu/secrets/db-password', { token: t.tokens['vendor-dev'] })
    ).json() as Record<string, unknown>;
    expect(vendor).not.toHaveProperty('data');
    const audit = await t.request('GET', '/api/v1/audit?kind=Secret&name=db-password', { token: t.tokens.auditor });
    expect(audit.body).not.toContain('Zh3ngWu');
    expect(audit.body).toContain('***');
  });

  it('keeps secret values when a secret is applied back from a list, where values are never shown', async () => {
    const token = t.tokens['edu-admin']!;
    await t.request('POST', '/apis/polis.io/v1/tenants/edu/secrets', {
      token,
      body: {
        apiVersion: 'polis.io/v1',
        kind: 'Secret',
        metadata: { name: 'round-trip' },
        stringData: { k: 'keep-me' },
      },
    });
    const listed = (
      await t.request('GET', '/apis/polis.io/v1/tenants/edu/secrets?fieldSelector=metadata.name%3Dround-trip', {
        token,
      })
    ).json() as { items: unknown[] };
    expect(listed.items).toHaveLength(1);
    const applied = await t.request('POST', '/api/v1/apply', { token, body: listed.items });
    expect((applied.json() as { items: Array<{ action: string }> }).items[0]!.action).toBe('unchanged');
    const read = (await t.request('GET', '/apis/polis.io/v1/tenants/edu/secrets/round-trip', { token })).json() as {
      data: { k: string };
    };
    expect(Buffer.from(read.data.k, 'base64').toString()).toBe('keep-me');
    await t.request('PUT', '/apis/polis.io/v1/tenants/edu/secrets/round-trip', {
      token,
      body: { apiVersion: 'polis.io/v1', kind: 'Secret', metadata: { name: 'round-trip' }, data: {} },
    });
    expect(
      (
        (await t.request('GET', '/apis/polis.io/v1/tenants/edu/secrets/round-trip', { token })).json() as {
          data: object;
        }
      ).data,
    ).toEqual({});
  });

  it('reads the audit log newest first, page by page', async () => {
    const first = (await t.request('GET', '/api/v1/audit?order=desc&limit=3', { token: t.tokens.auditor })).json() as {
      items: Array<{ seq: number }>;
      next: number;
    };
    const seqs = first.items.map((e) => e.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => b - a));
    const second = (
      await t.request('GET', `/api/v1/audit?order=desc&limit=3&before=${first.next}`, { token: t.tokens.auditor })
    ).json() as { items: Array<{ seq: number }> };
    expect(second.items[0]!.seq).toBe(seqs[2]! - 1);
    expect((await t.request('GET', '/api/v1/audit?order=sideways', { token: t.tokens.auditor })).statusCode).toBe(400);
  });

  it('streams changes over SSE, filtered by label', async () => {
    const stream = openSse(`${base}${APPS}?watch=true&labelSelector=stream%3Dyes`, t.tokens['edu-staff']!);
    expect((await stream.status).code).toBe(200);
    await t.request('POST', APPS, { token: t.tokens['edu-staff'], body: app('watched', 1, { stream: 'yes' }) });
    await t.request('POST', APPS, { token: t.tokens['edu-staff'], body: app('not-watched', 1, { stream: 'no' }) });
    await t.request('PATCH', `${APPS}/watched`, {
      token: t.tokens['edu-staff'],
      body: { spec: app('watched', 4).spec },
      contentType: 'application/merge-patch+json',
    });
    await t.request('DELETE', `${APPS}/watched`, { token: t.tokens['edu-staff'] });
    await stream.until((e) => e.filter((x) => x.event !== 'BOOKMARK').length >= 3);
    const changes = stream.events.filter((x) => x.event !== 'BOOKMARK');
    expect(
      changes.map((e) => [e.event, e.data.object.metadata && (e.data.object.metadata as { name: string }).name]),
    ).toEqual([
      ['ADDED', 'watched'],
      ['MODIFIED', 'watched'],
      ['DELETED', 'watched'],
    ]);
    stream.close();
  });

  it('never sends secret values in watch events, even to those who may read them', async () => {
    const s = openSse(`${base}/apis/polis.io/v1/tenants/edu/secrets?watch=true`, t.tokens['edu-admin']!);
    await t.request('POST', '/apis/polis.io/v1/tenants/edu/secrets', {
      token: t.tokens['edu-admin'],
      body: {
        apiVersion: 'polis.io/v1',
        kind: 'Secret',
        metadata: { name: 'watched-secret' },
        stringData: { key: 'Mi4Yao-watched' },
      },
    });
    await s.until((e) =>
      e.some((x) => (x.data.object.metadata as { name?: string } | undefined)?.name === 'watched-secret'),
    );
    const event = s.events.find(
      (x) => (x.data.object.metadata as { name?: string } | undefined)?.name === 'watched-secret',
    )!;
    expect(Object.keys(event.data.object)).not.toContain('data');
    expect(Object.keys(event.data.object)).not.toContain('encryptedData');
    expect(JSON.stringify(s.events)).not.toContain(Buffer.from('Mi4Yao-watched').toString('base64'));
    s.close();
  });

  it('resumes a watch from a resourceVersion, or Last-Event-ID, without gap or repeat', async () => {
    const a = (await t.request('POST', APPS, { token: t.tokens['edu-staff'], body: app('resume-a') })).json() as {
      metadata: { resourceVersion: string };
    };
    await t.request('POST', APPS, { token: t.tokens['edu-staff'], body: app('resume-b') });
    await t.request('POST', APPS, { token: t.tokens['edu-staff'], body: app('resume-c') });
    const variants: Array<{ query: string; headers: Record<string, string> }> = [
      { query: `&resourceVersion=${a.metadata.resourceVersion}`, headers: {} },
      { query: '', headers: { 'last-event-id': a.metadata.resourceVersion } },
    ];
    for (const opts of variants) {
      const s = openSse(`${base}${APPS}?watch=true${opts.query}`, t.tokens['edu-staff']!, opts.headers);
      await s.until(
        (e) =>
          e.filter(
            (x) =>
              x.event === 'ADDED' && String((x.data.object.metadata as { name: string }).name).startsWith('resume-'),
          ).length >= 2,
      );
      const names = s.events
        .filter((x) => x.event === 'ADDED')
        .map((x) => (x.data.object.metadata as { name: string }).name);
      expect(names).toEqual(['resume-b', 'resume-c']);
      s.close();
    }
  });

  it('opens a watch without a resourceVersion with the current objects, then the changes', async () => {
    const s = openSse(`${base}${APPS}?watch=true&labelSelector=batch%3Dpaging`, t.tokens['edu-staff']!);
    await s.until((e) => e.filter((x) => x.event === 'ADDED').length >= 7);
    s.close();
  });

  it('answers 410 Gone to a watch from a compacted revision', async () => {
    await t.polis.store.compact(1);
    const later = await t.polis.store.currentRevision();
    expect(later).toBeGreaterThan(5);
    // A feed that has not buffered the history (a restart) must go to the store, which no longer has it.
    const { ChangeFeed } = await import('../src/resources/change-feed.ts');
    const fresh = new ChangeFeed({ store: t.polis.store });
    await fresh.start();
    let gone: Error | undefined;
    fresh.subscribe({ from: 1, filter: { kind: 'Application' }, onEvent: () => {}, onError: (e) => (gone = e) });
    for (const end = Date.now() + 30_000; !gone && Date.now() < end;) await new Promise((r) => setTimeout(r, 10));
    fresh.stop();
    expect(gone?.message).toMatch(/too old|compacted/i);
  });

  it('shows a department member only its own department in a watch across departments', async () => {
    const s = openSse(`${base}/apis/core.oam.dev/v1beta1/applications?watch=true`, t.tokens['edu-staff']!);
    await s.until((e) => e.some((x) => x.event === 'ADDED'));
    await t.request('POST', '/apis/core.oam.dev/v1beta1/tenants/tax/applications', {
      token: t.tokens['tax-admin'],
      body: { ...app('tax-only'), metadata: { name: 'tax-only', tenant: 'tax' } },
    });
    await t.request('POST', APPS, { token: t.tokens['edu-staff'], body: app('edu-after-tax') });
    await s.until((e) =>
      e.some((x) => (x.data.object.metadata as { name?: string } | undefined)?.name === 'edu-after-tax'),
    );
    expect(
      s.events.every((x) => x.event === 'BOOKMARK' || (x.data.object.metadata as { tenant: string }).tenant === 'edu'),
    ).toBe(true);
    s.close();
  });
});
