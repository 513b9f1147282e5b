import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestPolis } from './support/test-polis.ts';
import { startTestPolis } from './support/test-polis.ts';

/** Display names of vendors, regions, zones and network zones (the DisplayName kind), and the one search box. */
let t: TestPolis;

beforeAll(async () => {
  t = await startTestPolis();
});
afterAll(async () => {
  await t.stop();
});

const DN = '/apis/polis.io/v1/displaynames';

function dn(name: string, spec: Record<string, unknown>) {
  return { apiVersion: 'polis.io/v1', kind: 'DisplayName', metadata: { name }, spec };
}

interface Hit {
  kind: string;
  id: string;
  tenant?: string;
  zh?: string;
  en?: string;
  matched: string;
}

async function searchAs(token: string, q: string): Promise<Hit[]> {
  const r = await t.request('GET', `/api/v1/search?q=${encodeURIComponent(q)}`, { token });
  expect(r.statusCode).toBe(200);
  return (r.json() as { items: Hit[] }).items;
}

describe('display names', () => {
  it('are seeded in the demo city for every vendor, region, zone and network zone of the sandbox', async () => {
    const r = await t.request('GET', DN, { token: t.tokens['edu-admin'] });
    expect(r.statusCode).toBe(200);
    const items = (r.json() as { items: { spec: { subject: string; id: string; zh: string; en: string } }[] }).items;
    const byId = new Map(items.map((i) => [`${i.spec.subject}/${i.spec.id}`, i.spec]));
    expect(byId.get('vendor/aliyun')).toMatchObject({ zh: '阿里云', en: 'Alibaba Cloud' });
    expect(byId.get('networkZone/e-gov-extranet')).toMatchObject({ zh: '政务外网', en: 'E-government extranet' });
    const clusters = (
      (await t.request('GET', '/apis/polis.io/v1/clusters', { token: t.adminToken })).json() as {
        items: { spec: Record<string, string> }[];
      }
    ).items;
    for (const c of clusters)
      for (const subject of ['vendor', 'region', 'zone', 'networkZone'])
        expect(byId.has(`${subject}/${c.spec[subject]}`), `${subject} ${c.spec[subject]}`).toBe(true);
  });

  it('are set by the data bureau, audited, and refused to a department admin', async () => {
    const body = dn('vendor-tencent', { subject: 'vendor', id: 'tencent', zh: '腾讯云', en: 'Tencent Cloud' });
    const denied = await t.request('POST', DN, { token: t.tokens['edu-admin'], body });
    expect(denied.statusCode).toBe(403);
    const ok = await t.request('POST', DN, { token: t.adminToken, body });
    expect(ok.statusCode).toBe(201);
    const audit = await t.request('GET', '/api/v1/audit?kind=DisplayName&order=desc&limit=5', {
      token: t.adminToken,
    });
    expect(audit.statusCode).toBe(200);
    expect(audit.body).toContain('vendor-tencent');
  });

  it('reject bad input naming the field and what is accepted, writing nothing', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ subject: 'planet', id: 'x', zh: '某', en: 'x' }, 'spec.subject'],
      [{ subject: 'vendor', id: 'Not_DNS', zh: '某', en: 'x' }, 'spec.id'],
      [{ subject: 'vendor', id: 'blank', zh: '  ', en: 'x' }, 'spec.zh'],
      [{ subject: 'vendor', id: 'long', zh: '长'.repeat(101), en: 'x' }, 'spec.zh'],
      [{ subject: 'vendor', id: 'noen', zh: '某' }, 'spec.en'],
      [{ subject: 'vendor', id: 'extra', zh: '某', en: 'x', colour: 'red' }, 'spec'],
    ];
    for (const [spec, path] of cases) {
      const r = await t.request('POST', DN, {
        token: t.adminToken,
        body: dn(`bad-${String(spec.id)}`.toLowerCase().replace(/_/g, '-'), spec),
      });
      expect(r.statusCode, JSON.stringify(spec)).toBe(422);
      expect(r.body, JSON.stringify(spec)).toContain(path);
    }
    const after = await t.request('GET', DN, { token: t.adminToken });
    const names = (after.json() as { items: { metadata: { name: string } }[] }).items.map((x) => x.metadata.name);
    expect(names.filter((n) => n.startsWith('bad-'))).toEqual([]);
  });

  it('allow one object per subject and id, and say which one holds it', async () => {
    const r = await t.request('POST', DN, {
      token: t.adminToken,
      body: dn('aliyun-again', { subject: 'vendor', id: 'aliyun', zh: '阿里', en: 'Aliyun' }),
    });
    expect(r.statusCode).toBe(409);
    const body = r.json() as { details?: { causes?: { field?: string; reason?: string }[] }; message: string };
    expect(r.body).toContain('DisplayNameTaken');
    expect(body.message).toContain('vendor-aliyun');
    // The same id under another subject is another name.
    const region = await t.request('POST', DN, {
      token: t.adminToken,
      body: dn('region-aliyun', { subject: 'region', id: 'aliyun', zh: '阿里区', en: 'Aliyun region' }),
    });
    expect(region.statusCode).toBe(201);
  });
});

describe('search', () => {
  it('finds a department by Chinese name, English name, id and pinyin initials', async () => {
    for (const q of ['教育局', 'Education', 'edu', 'jyj', 'JYJ']) {
      const hits = await searchAs(t.adminToken, q);
      expect(hits[0], q).toMatchObject({ kind: 'Tenant', id: 'edu', zh: '教育局' });
    }
    expect((await searchAs(t.adminToken, 'jyj'))[0]!.matched).toBe('pinyin');
  });

  it('finds applications by their description and clusters by id', async () => {
    expect(await searchAs(t.adminToken, '招生')).toContainEqual(
      expect.objectContaining({ kind: 'Application', id: 'enrolment-portal', tenant: 'edu' }),
    );
    expect(await searchAs(t.tokens['edu-admin']!, 'gov-east')).toContainEqual(
      expect.objectContaining({ kind: 'Cluster', id: 'gov-east' }),
    );
  });

  it("shows a department admin only its own department's names and applications", async () => {
    const all = await searchAs(t.adminToken, '局');
    expect(all.filter((h) => h.kind === 'Tenant').length).toBeGreaterThan(2);
    for (const q of ['局', 'swj', 'tax', 'Bureau', 'e']) {
      const hits = await searchAs(t.tokens['edu-admin']!, q);
      const foreign = hits.filter((h) => (h.kind === 'Tenant' ? h.id : (h.tenant ?? 'edu')) !== 'edu');
      expect(foreign, q).toEqual([]);
    }
    expect((await searchAs(t.tokens['edu-admin']!, '局')).map((h) => h.id)).toEqual(['edu']);
  });

  it('refuses a query longer than 100 characters or a bad limit, naming the parameter', async () => {
    const long = await t.request('GET', `/api/v1/search?q=${'a'.repeat(101)}`, { token: t.adminToken });
    expect(long.statusCode).toBe(400);
    expect(long.body).toContain('query.q');
    const limit = await t.request('GET', '/api/v1/search?q=a&limit=0', { token: t.adminToken });
    expect(limit.statusCode).toBe(400);
    expect(limit.body).toContain('query.limit');
    expect(await searchAs(t.adminToken, '   ')).toEqual([]);
  });
});
