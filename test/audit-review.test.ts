import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCsv } from '../src/audit/csv.ts';
import { parseExport } from '../src/audit/export-format.ts';
import { checkExport } from '../src/audit/export-verify.ts';
import { AUDIT_SUMMARY_CODES } from '../src/audit/summary.ts';
import { AUDIT_TEMPLATES, renderSummary } from '../src/audit/summary-templates.ts';
import { renderSummary as renderConsoleSummary } from '../web/src/pages/audit/audit-messages.ts';
import { readZip } from '../src/audit/zip.ts';
import type { TestPolis } from './support/test-polis.ts';
import { startTestPolis } from './support/test-polis.ts';

/**
 * The audit log as a 等保 2.0 reviewer reads it: people first, filters checked, a readable summary per entry under
 * the verb the person used, a department admin confined to its department, and exports that verify.
 */
interface Entry {
  seq: number;
  actor: string;
  verb: string;
  kind: string;
  tenant: string;
  name: string;
  outcome: string;
  time: string;
  summary: { code: string; params: Record<string, string | number>; message: string };
}

let t: TestPolis;
const APPS = '/apis/core.oam.dev/v1beta1/tenants/edu/applications';

const app = (name: string, image: string, extra: Record<string, unknown> = {}) => ({
  apiVersion: 'core.oam.dev/v1beta1',
  kind: 'Application',
  metadata: { name, tenant: 'edu' },
  spec: {
    components: [{ name: 'web', type: 'webservice', properties: { image, cpu: '100m', memory: '64Mi' } }],
    ...extra,
  },
});

async function ok(method: string, url: string, body?: unknown, user = 'edu-admin') {
  const r = await t.request(method, url, { token: t.tokens[user], body });
  if (r.statusCode >= 300) throw new Error(`${method} ${url}: ${r.statusCode} ${r.body}`);
  return r;
}

async function audit(query: string, user = 'auditor'): Promise<Entry[]> {
  const r = await t.request('GET', `/api/v1/audit?limit=5000&${query}`, { token: t.tokens[user] });
  expect(r.statusCode, r.body).toBe(200);
  return (r.json() as { items: Entry[] }).items;
}

beforeAll(async () => {
  t = await startTestPolis();
  // school-meals: revision 1, then 2, then rolled back to 1.
  await ok('POST', APPS, app('school-meals', 'nginx:1.26'));
  await ok('PUT', `${APPS}/school-meals`, app('school-meals', 'nginx:1.27'));
  await ok('POST', `${APPS}/school-meals/rollback`, { revision: 1 });
  // A gated application, approved at its suspend step.
  await ok('POST', APPS, app('gated', 'nginx:1.27', { workflow: { steps: [{ name: 'approve', type: 'suspend' }] } }));
  await ok('POST', `${APPS}/gated/resume`, { step: 'approve' });
  // A dry run that does not pass, and a real apply refused for the same reason.
  const bad = app('broken', 'nginx:1.27');
  (bad.spec.components[0] as { type: string }).type = 'no-such-type';
  expect(
    (await t.request('POST', '/api/v1/apply?dryRun=All', { token: t.tokens['edu-admin'], body: bad })).statusCode,
  ).toBe(422);
  expect((await t.request('POST', '/api/v1/apply', { token: t.tokens['edu-admin'], body: bad })).statusCode).toBe(422);
  // The tax bureau's admin acts in its own department.
  await ok(
    'POST',
    '/apis/core.oam.dev/v1beta1/tenants/tax/applications',
    { ...app('tax-app', 'nginx:1.27'), metadata: { name: 'tax-app', tenant: 'tax' } },
    'tax-admin',
  );
  // A token made and revoked.
  const token = (await ok('POST', '/api/v1/tokens', { description: 'audit test' })).json() as { id: string };
  await ok('DELETE', `/api/v1/tokens/${token.id}`);
});

afterAll(async () => {
  await t?.stop();
});

describe('the audit log for review', () => {
  it('shows people first: controllers and seeding only behind system=true', async () => {
    const people = await audit('');
    expect(people.length).toBeGreaterThan(0);
    expect(people.filter((e) => e.actor.startsWith('system:'))).toEqual([]);
    const all = await audit('system=true');
    expect(all.some((e) => e.actor === 'system:demo' || e.actor === 'system:bootstrap')).toBe(true);
    // Naming a controller as the actor asks for it.
    expect((await audit('actor=system:demo')).length).toBeGreaterThan(0);
  });

  it('records a rollback as a rollback, and summarizes it with the revision', async () => {
    const [rollback, ...more] = await audit('action=rollback');
    expect(more).toEqual([]);
    expect(rollback).toMatchObject({ verb: 'rollback', actor: 'edu-admin', kind: 'Application', name: 'school-meals' });
    expect(rollback!.summary).toMatchObject({
      code: 'AuditRollback',
      params: { actor: '王芳', actorId: 'edu-admin', object: 'edu/school-meals', revision: 1 },
      message: '王芳 rolled edu/school-meals back to revision 1',
    });
    // The update before it is an update, not a rollback.
    const updates = await audit('action=update&name=school-meals');
    expect(updates.map((e) => e.verb)).toEqual(['update']);
  });

  it('records an approval of a suspend step under resume, naming the step', async () => {
    const [resume] = await audit('action=resume');
    expect(resume).toMatchObject({ verb: 'resume', name: 'gated' });
    expect(resume!.summary).toMatchObject({ code: 'AuditApprove', params: { step: 'approve' } });
  });

  it('tells a dry run that did not pass from a refused apply, and names the objects of the documents', async () => {
    const dry = await audit('action=dry-run');
    expect(dry).toHaveLength(1);
    expect(dry[0]).toMatchObject({ verb: 'dry-run-apply', outcome: 'invalid', name: 'Application/edu/broken' });
    expect(dry[0]!.summary).toMatchObject({
      code: 'AuditDryRunRefused',
      params: { action: 'apply', kind: 'Application', object: 'edu/broken' },
    });
    const refused = (await audit('action=apply&outcome=invalid'))[0]!;
    expect(refused.summary).toMatchObject({ code: 'AuditRefused', params: { action: 'apply', object: 'edu/broken' } });
    expect(JSON.stringify(await audit('system=true'))).not.toContain('(unparsed)');
  });

  it('summarizes token creation and revocation', async () => {
    expect((await audit('action=token-create&actor=edu-admin'))[0]!.summary).toMatchObject({
      code: 'AuditTokenCreate',
      params: { user: 'edu-admin' },
    });
    expect((await audit('action=token-revoke&actor=edu-admin'))[0]!.summary.code).toBe('AuditTokenRevoke');
  });

  it('filters by actor, department, kind, outcome and time', async () => {
    expect(new Set((await audit('actor=tax-admin')).map((e) => e.actor))).toEqual(new Set(['tax-admin']));
    expect(new Set((await audit('tenant=tax')).map((e) => e.tenant))).toEqual(new Set(['tax']));
    expect(new Set((await audit('kind=Token')).map((e) => e.kind))).toEqual(new Set(['Token']));
    expect(new Set((await audit('outcome=invalid')).map((e) => e.outcome))).toEqual(new Set(['invalid']));
    const all = await audit('');
    const mid = all[Math.floor(all.length / 2)]!.time;
    const since = await audit(`since=${encodeURIComponent(mid)}`);
    expect(since.length).toBeGreaterThan(0);
    expect(since.every((e) => e.time >= mid)).toBe(true);
    expect((await audit(`until=${encodeURIComponent(mid)}`)).every((e) => e.time <= mid)).toBe(true);
  });

  it('answers a bad filter with a 400 naming the parameter and what it accepts', async () => {
    const cases: Array<[string, string, RegExp]> = [
      ['outcome=maybe', 'query.outcome', /success, denied/],
      ['action=frobnicate', 'query.action', /rollback/],
      ['kind=Nope', 'query.kind', /Application/],
      ['since=yesterday', 'query.since', /ISO 8601/],
      ['since=2026-02-01T00:00:00Z&until=2026-01-01T00:00:00Z', 'query.until', /at or after since/],
      ['tenant=Edu%20Bureau', 'query.tenant', /department id/],
      ['system=perhaps', 'query.system', /true or false/],
    ];
    for (const [query, path, accepted] of cases) {
      for (const url of [`/api/v1/audit?${query}`, `/api/v1/audit/export?${query}`]) {
        const r = await t.request('GET', url, { token: t.tokens.auditor });
        expect(r.statusCode, `${url}: ${r.body}`).toBe(400);
        const cause = (r.json() as { causes: Array<{ path: string; message: string }> }).causes[0];
        expect(cause?.path, url).toBe(path);
        expect(cause?.message, url).toMatch(accepted);
      }
    }
    const r = await t.request('GET', '/api/v1/audit/export?format=pdf', { token: t.tokens.auditor });
    expect(r.statusCode).toBe(400);
  });

  it('confines a department admin to its department, in the list, the export and the head', async () => {
    const own = await audit('system=true', 'edu-admin');
    expect(own.length).toBeGreaterThan(0);
    expect(new Set(own.map((e) => e.tenant))).toEqual(new Set(['edu']));
    expect((await t.request('GET', '/api/v1/audit?tenant=tax', { token: t.tokens['edu-admin'] })).statusCode).toBe(403);
    const csv = await t.request('GET', '/api/v1/audit/export?format=csv&system=true', { token: t.tokens['edu-admin'] });
    expect(csv.statusCode).toBe(200);
    const { rows } = parseCsv(csv.body);
    const tenantCol = rows[0]!.indexOf('tenant');
    expect(new Set(rows.slice(1).map((r) => r[tenantCol]))).toEqual(new Set(['edu']));
    expect(csv.body).not.toContain('tax-app');
    expect(
      (await t.request('GET', '/api/v1/audit/export?tenant=tax', { token: t.tokens['edu-admin'] })).statusCode,
    ).toBe(403);
    for (const url of ['/api/v1/audit/export', '/api/v1/audit/head', '/api/v1/audit'])
      expect((await t.request('GET', url, { token: t.tokens['edu-staff'] })).statusCode, url).toBe(403);
    const head = await t.request('GET', '/api/v1/audit/head', { token: t.tokens['edu-admin'] });
    expect(head.json()).toMatchObject({ kind: 'AuditChainHead', head: { seq: expect.any(Number) } });
  });

  it('exports CSV that parses, carries the chain head, and verifies row by row', async () => {
    const r = await t.request('GET', '/api/v1/audit/export?format=csv&lang=en', { token: t.tokens.auditor });
    expect(r.statusCode).toBe(200);
    expect(r.headers['content-type']).toMatch(/^text\/csv/);
    expect(r.headers['content-disposition']).toMatch(/attachment; filename="polis-audit-.*\.csv"/);
    const { comments, rows } = parseCsv(r.body);
    expect(comments).toContain('format=polis-audit-export/v1');
    const headSeq = Number(comments.find((c) => c.startsWith('chainHeadSeq='))!.split('=')[1]);
    const verified = (await t.request('GET', '/api/v1/audit/verify', { token: t.tokens.auditor })).json() as {
      headSeq: number;
      headHash: string;
    };
    expect(headSeq).toBeLessThanOrEqual(verified.headSeq);
    expect(rows[0]).toEqual(expect.arrayContaining(['seq', 'summary', 'prevHash', 'hash', 'changes']));
    const summary = rows[0]!.indexOf('summary');
    expect(rows.slice(1).map((x) => x[summary])).toContain('王芳 rolled edu/school-meals back to revision 1');
    const parsed = parseExport(Buffer.from(r.body, 'utf8'));
    expect(parsed.entries.length).toBe(rows.length - 1);
    expect(checkExport(parsed)).toMatchObject({ ok: true, problems: [], recomputed: parsed.entries.length });

    // A changed cell no longer gives its hash.
    const tampered = r.body.replace('"school-meals"', '"school-lunch"');
    expect(tampered).not.toBe(r.body);
    const check = checkExport(parseExport(Buffer.from(tampered, 'utf8')));
    expect(check.ok).toBe(false);
    expect(check.problems[0]).toMatchObject({ code: 'HashMismatch' });
  });

  it('exports XLSX: a ZIP whose sheet XML holds the rows in Chinese, and which verifies', async () => {
    const r = await t.request('GET', '/api/v1/audit/export?format=xlsx&lang=zh-CN&action=rollback', {
      token: t.tokens.auditor,
    });
    expect(r.statusCode).toBe(200);
    expect(r.headers['content-type']).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    const zip = readZip(r.rawPayload);
    expect([...zip.keys()]).toEqual(
      expect.arrayContaining([
        '[Content_Types].xml',
        'xl/workbook.xml',
        'xl/worksheets/sheet1.xml',
        'xl/worksheets/sheet2.xml',
      ]),
    );
    const sheet = zip.get('xl/worksheets/sheet1.xml')!.toString('utf8');
    expect(sheet).toContain('<t xml:space="preserve">摘要 (summary)</t>');
    expect(sheet).toContain('王芳 将 edu/school-meals 回滚到版本 1');
    expect(sheet.match(/<row /g)).toHaveLength(2);
    const chain = zip.get('xl/worksheets/sheet2.xml')!.toString('utf8');
    expect(chain).toContain('chainHeadHash');
    const parsed = parseExport(r.rawPayload);
    expect(parsed.meta.filters).toBe('action=rollback');
    expect(checkExport(parsed)).toMatchObject({ ok: true, entries: 1, recomputed: 1 });
  });

  it('has a zh-CN and an English template for every summary code, and the console renders the same sentences', () => {
    for (const lang of ['zh-CN', 'en'] as const)
      for (const code of AUDIT_SUMMARY_CODES) expect(AUDIT_TEMPLATES[lang][code], `${lang} ${code}`).toBeTruthy();
    const rollback = {
      code: 'AuditRollback',
      params: { actor: 'edu-admin', object: 'school-meals', revision: 1 },
      message: '',
    };
    expect(renderConsoleSummary(rollback, 'zh')).toBe(renderSummary(rollback as never, 'zh-CN'));
    expect(renderConsoleSummary(rollback, 'zh')).toBe('edu-admin 将 school-meals 回滚到版本 1');
    expect(renderConsoleSummary({ code: 'AuditFromANewerServer', params: {}, message: 'as sent' }, 'zh')).toBe(
      'as sent',
    );
  });
});
