import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../src/kernel/clock.ts';
import type { TestPolis } from './support/test-polis.ts';
import { startTestPolis } from './support/test-polis.ts';

let t: TestPolis;
const clock = new ManualClock('2026-11-24T09:00:00Z');
const TENANTS = '/apis/polis.io/v1/tenants';
const tenant = (name: string, spec: Record<string, unknown> = {}) => ({
  apiVersion: 'polis.io/v1',
  kind: 'Tenant',
  metadata: { name },
  spec: { displayName: { zh: name, en: name }, ...spec },
});
const app = (tenantName: string, name: string, cpu: string, replicas = 1) => ({
  apiVersion: 'core.oam.dev/v1beta1',
  kind: 'Application',
  metadata: { name, tenant: tenantName },
  spec: {
    components: [
      {
        name: 'web',
        type: 'webservice',
        properties: { image: 'nginx:1.27', cpu, memory: '128Mi' },
        traits: [{ type: 'scaler', properties: { replicas } }],
      },
    ],
  },
});

beforeAll(async () => {
  t = await startTestPolis({ clock });
});
afterAll(async () => {
  await t?.stop();
});

describe('first start', () => {
  it('writes the platform-admin token to a file only its owner can read', () => {
    const file = join(t.dataDir, 'admin.token');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readFileSync(file, 'utf8').trim()).toMatch(/^polis_[a-z0-9]{12}_[A-Za-z0-9_-]{43}$/);
  });

  it('seeds the demo city: five departments with quotas, their users and role bindings', async () => {
    const list = (await t.request('GET', TENANTS, { token: t.adminToken })).json() as {
      items: Array<{ metadata: { name: string }; spec: { displayName: { zh: string }; quota: unknown } }>;
    };
    expect(list.items.map((i) => i.spec.displayName.zh).sort()).toEqual(
      ['人社局', '卫健委', '市场监管局', '教育局', '税务局'].sort(),
    );
    expect(list.items.every((i) => i.spec.quota)).toBe(true);
    const who = (await t.request('GET', '/api/v1/whoami', { token: t.tokens['edu-admin'] })).json();
    expect(who).toMatchObject({ user: 'edu-admin', bindings: [{ role: 'tenant-admin', tenant: 'edu' }] });
  });
});

describe('API tokens', () => {
  it('shows a new token once, keeps only its hash, and honours it until revoked', async () => {
    const issued = await t.request('POST', '/api/v1/tokens', {
      token: t.tokens['edu-staff'],
      body: { description: 'laptop' },
    });
    expect(issued.statusCode).toBe(201);
    const { token, id } = issued.json() as { token: string; id: string };
    expect((await t.request('GET', '/api/v1/whoami', { token })).statusCode).toBe(200);
    const listed = await t.request('GET', '/api/v1/tokens', { token });
    // polis_<id>_<secret>: the secret is base64url and may itself hold '_', so it is all that follows the id.
    const secret = token.slice(token.indexOf('_', 'polis_'.length) + 1);
    expect(secret.length).toBeGreaterThan(40);
    expect(listed.body).not.toContain(secret);
    expect(listed.body).toContain(id);
    expect((await t.request('DELETE', `/api/v1/tokens/${id}`, { token })).statusCode).toBe(200);
    const after = await t.request('GET', '/api/v1/whoami', { token });
    expect(after.statusCode).toBe(401);
    expect(after.json()).toMatchObject({ reason: 'Unauthorized', message: expect.stringContaining('revoked') });
  });

  it('refuses a token after its expiry', async () => {
    const { token } = (
      await t.request('POST', '/api/v1/tokens', { token: t.tokens['edu-staff'], body: { ttlSeconds: 3600 } })
    ).json() as { token: string };
    expect((await t.request('GET', '/api/v1/whoami', { token })).statusCode).toBe(200);
    clock.advance(3601 * 1000);
    const r = await t.request('GET', '/api/v1/whoami', { token });
    expect(r.statusCode).toBe(401);
    expect(r.json()).toMatchObject({ message: expect.stringContaining('expired') });
  });

  it('refuses a malformed token request naming the field', async () => {
    const r = await t.request('POST', '/api/v1/tokens', {
      token: t.tokens['edu-staff'],
      body: { ttlSeconds: -5, color: 'red' },
    });
    expect(r.statusCode).toBe(422);
    expect((r.json() as { causes: Array<{ path: string }> }).causes.map((c) => c.path).sort()).toEqual([
      'color',
      'ttlSeconds',
    ]);
  });

  it('locks out a disabled user at once', async () => {
    await t.request('POST', '/apis/polis.io/v1/users', {
      token: t.adminToken,
      body: { apiVersion: 'polis.io/v1', kind: 'User', metadata: { name: 'temp-user' }, spec: { displayName: '临时' } },
    });
    const { token } = (
      await t.request('POST', '/api/v1/tokens', { token: t.adminToken, body: { user: 'temp-user' } })
    ).json() as { token: string };
    expect((await t.request('GET', '/api/v1/whoami', { token })).statusCode).toBe(200);
    await t.request('PATCH', '/apis/polis.io/v1/users/temp-user', {
      token: t.adminToken,
      body: { spec: { disabled: true } },
      contentType: 'application/merge-patch+json',
    });
    expect((await t.request('GET', '/api/v1/whoami', { token })).statusCode).toBe(401);
  });

  it('gives a new role binding effect on the very next request', async () => {
    await t.request('POST', '/apis/polis.io/v1/users', {
      token: t.adminToken,
      body: { apiVersion: 'polis.io/v1', kind: 'User', metadata: { name: 'newcomer' }, spec: { displayName: '新人' } },
    });
    const { token } = (
      await t.request('POST', '/api/v1/tokens', { token: t.adminToken, body: { user: 'newcomer' } })
    ).json() as { token: string };
    expect((await t.request('GET', '/apis/core.oam.dev/v1beta1/tenants/samr/applications', { token })).statusCode).toBe(
      403,
    );
    await t.request('POST', '/apis/polis.io/v1/tenants/samr/rolebindings', {
      token: t.tokens['samr-admin'],
      body: {
        apiVersion: 'polis.io/v1',
        kind: 'RoleBinding',
        metadata: { name: 'newcomer' },
        spec: { user: 'newcomer', role: 'tenant-member' },
      },
    });
    expect((await t.request('GET', '/apis/core.oam.dev/v1beta1/tenants/samr/applications', { token })).statusCode).toBe(
      200,
    );
  });
});

describe('departments and quotas', () => {
  it('refuses growth past the quota naming the dimension, and allows shrinking when over it', async () => {
    await t.request('POST', TENANTS, {
      token: t.adminToken,
      body: tenant('quota-test', { quota: { cpu: '2', memory: '1Gi', applications: 2 } }),
    });
    const base = '/apis/core.oam.dev/v1beta1/tenants/quota-test/applications';
    expect(
      (await t.request('POST', base, { token: t.adminToken, body: app('quota-test', 'a', '500m', 2) })).statusCode,
    ).toBe(201);
    const over = await t.request('POST', base, { token: t.adminToken, body: app('quota-test', 'b', '600m', 2) });
    expect(over.statusCode).toBe(403);
    expect(over.json()).toMatchObject({
      reason: 'QuotaExceeded',
      causes: [{ path: 'quota.cpu' }],
      message: expect.stringContaining('cpu'),
    });
    expect((await t.request('GET', `${base}/b`, { token: t.adminToken })).statusCode).toBe(404);
    expect(
      (await t.request('POST', base, { token: t.adminToken, body: app('quota-test', 'b', '100m', 1) })).statusCode,
    ).toBe(201);
    const third = await t.request('POST', base, { token: t.adminToken, body: app('quota-test', 'c', '10m', 1) });
    expect(third.json()).toMatchObject({ causes: [{ path: 'quota.applications' }] });
    // The data bureau lowers the quota below current use: growth is refused, shrinking still allowed.
    await t.request('PATCH', `${TENANTS}/quota-test`, {
      token: t.adminToken,
      body: { spec: { quota: { cpu: '1' } } },
      contentType: 'application/merge-patch+json',
    });
    expect(
      (await t.request('PUT', `${base}/a`, { token: t.adminToken, body: app('quota-test', 'a', '500m', 1) }))
        .statusCode,
    ).toBe(200);
    expect(
      (await t.request('PUT', `${base}/a`, { token: t.adminToken, body: app('quota-test', 'a', '500m', 3) }))
        .statusCode,
    ).toBe(403);
  });

  it('lets no two concurrent writers squeeze past the quota together', async () => {
    await t.request('POST', TENANTS, { token: t.adminToken, body: tenant('race-test', { quota: { cpu: '1' } }) });
    const base = '/apis/core.oam.dev/v1beta1/tenants/race-test/applications';
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        t.request('POST', base, { token: t.adminToken, body: app('race-test', `r${i}`, '300m') }),
      ),
    );
    expect(results.filter((r) => r.statusCode === 201)).toHaveLength(3);
    expect(results.filter((r) => r.statusCode === 403)).toHaveLength(7);
  });

  it('keeps the hierarchy sound: a parent must exist and no department is its own ancestor', async () => {
    const orphan = await t.request('POST', TENANTS, {
      token: t.adminToken,
      body: tenant('orphan', { parent: 'nowhere' }),
    });
    expect(orphan.json()).toMatchObject({ causes: [{ path: 'spec.parent' }] });
    await t.request('POST', TENANTS, { token: t.adminToken, body: tenant('edu-schools', { parent: 'edu' }) });
    const loop = await t.request('PATCH', `${TENANTS}/edu`, {
      token: t.adminToken,
      body: { spec: { parent: 'edu-schools' } },
      contentType: 'application/merge-patch+json',
    });
    expect(loop.statusCode).toBe(422);
    expect(loop.json()).toMatchObject({ causes: [{ path: 'spec.parent', message: expect.stringContaining('loop') }] });
  });

  it('deletes a department only once it is empty and has no sub-departments', async () => {
    await t.request('POST', TENANTS, { token: t.adminToken, body: tenant('short-lived') });
    await t.request('POST', '/apis/core.oam.dev/v1beta1/tenants/short-lived/applications', {
      token: t.adminToken,
      body: app('short-lived', 'x', '100m'),
    });
    const refused = await t.request('DELETE', `${TENANTS}/short-lived`, { token: t.adminToken });
    expect(refused.statusCode).toBe(409);
    expect(refused.json()).toMatchObject({ message: expect.stringContaining('1 Application') });
    await t.request('DELETE', '/apis/core.oam.dev/v1beta1/tenants/short-lived/applications/x', { token: t.adminToken });
    expect((await t.request('DELETE', `${TENANTS}/short-lived`, { token: t.adminToken })).statusCode).toBe(200);
    expect((await t.request('DELETE', `${TENANTS}/edu`, { token: t.adminToken })).statusCode).toBe(409);
  });

  it('refuses objects in a department that does not exist', async () => {
    const r = await t.request('POST', '/apis/core.oam.dev/v1beta1/tenants/ghost/applications', {
      token: t.adminToken,
      body: app('ghost', 'x', '100m'),
    });
    expect(r.statusCode).toBe(404);
    expect(r.json()).toMatchObject({ message: expect.stringContaining('department "ghost" does not exist') });
  });
});

describe('secrets at rest', () => {
  it('stores secret values only encrypted', async () => {
    const marker = 'Plain-Text-Marker-7f3a';
    await t.request('POST', '/apis/polis.io/v1/tenants/edu/secrets', {
      token: t.tokens['edu-admin'],
      body: { apiVersion: 'polis.io/v1', kind: 'Secret', metadata: { name: 'at-rest' }, stringData: { token: marker } },
    });
    const { DatabaseSync } = await import('node:sqlite');
    const db = new DatabaseSync(join(t.dataDir, 'polis.db'), { readOnly: true });
    const dump = JSON.stringify([
      db.prepare('SELECT * FROM objects').all(),
      db.prepare('SELECT * FROM events').all(),
      db.prepare('SELECT * FROM audit').all(),
    ]);
    db.close();
    expect(dump).toContain('at-rest');
    expect(dump).toContain('AES-256-GCM');
    expect(dump).not.toContain(marker);
    expect(dump).not.toContain(Buffer.from(marker).toString('base64'));
  });
});
