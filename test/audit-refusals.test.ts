import { renderMessage, type Message } from '../src/kernel/messages/index.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../src/kernel/clock.ts';
import type { TestPolis } from './support/test-polis.ts';
import { startTestPolis } from './support/test-polis.ts';

/**
 * Refused requests cannot flood another department's audit trail (issue 12, point 14): a refusal in a department
 * where the caller holds no role is recorded under the caller's own scope, each caller's failures pass a token
 * bucket (20 at once, then 2 a second), and what the bucket keeps out is counted in one summary entry per window
 * and in a Prometheus counter. The clock is manual, so the bucket does not refill during the burst.
 */
const clock = new ManualClock('2026-11-24T09:00:00Z');
let t: TestPolis;

interface Entry {
  actor: string;
  tenant: string;
  verb: string;
  kind: string;
  outcome: string;
  message: string;
  changes: { count?: number; byOutcome?: Record<string, number>; byTarget?: Record<string, number> } | null;
}

beforeAll(async () => {
  t = await startTestPolis({ clock });
});
afterAll(async () => {
  await t?.stop();
});

async function audit(user: string, query = ''): Promise<Entry[]> {
  const res = await t.request('GET', `/api/v1/audit?limit=5000${query}`, { token: t.tokens[user] });
  expect(res.statusCode).toBe(200);
  return res.json().items as Entry[];
}

const app = (name: string) => ({
  apiVersion: 'core.oam.dev/v1beta1',
  kind: 'Application',
  metadata: { name, tenant: 'tax' },
  spec: { components: [{ name: 'web', type: 'webservice', properties: { image: 'nginx:1.27' } }] },
});

describe('refused requests in the audit log', () => {
  it('keeps 300 refusals from another department out of the target department’s trail, without losing them', async () => {
    for (let i = 0; i < 300; i++) {
      const res = await t.request('POST', '/apis/core.oam.dev/v1beta1/tenants/tax/applications', {
        token: t.tokens['edu-admin'],
        body: app(`probe-${i % 7}`),
      });
      expect(res.statusCode).toBe(403);
    }
    // The tax bureau's admins see none of it.
    expect((await audit('tax-admin')).filter((e) => e.actor === 'edu-admin')).toEqual([]);
    // The caller's own department holds the ones written one by one, naming the department they aimed at.
    const own = (await audit('edu-admin', '&actor=edu-admin')).filter((e) => e.outcome === 'denied');
    expect(own).toHaveLength(20);
    expect(own.every((e) => e.tenant === 'edu' && e.message.startsWith('refused in department "tax"'))).toBe(true);
    // Coded as well: the department aimed at, then the RBAC refusal's own code, rendered in either language.
    const refusal = (own[0]!.changes as { refusal?: Message } | null)?.refusal;
    expect(refusal).toMatchObject({
      code: 'RefusedInDepartment',
      params: { department: 'tax', detail: { code: 'AccessDeniedIn' } },
    });
    expect(renderMessage({ ...refusal!, message: own[0]!.message }, 'en')).toBe(own[0]!.message);
    expect(renderMessage({ ...refusal!, message: own[0]!.message }, 'zh')).toMatch(
      /^在部门“tax”被拒绝：用户 "edu-admin"（edu 中的 tenant-admin）无权在 tax 中 create Application/,
    );

    // After the window, one summary entry counts the rest, by outcome and target; the auditor sees it.
    clock.advance(11_000);
    await t.polis.resources.flushRefusals();
    const summaries = (await audit('auditor', '&actor=edu-admin')).filter((e) => e.verb === 'suppress');
    expect(summaries).toHaveLength(1);
    expect(summaries[0]).toMatchObject({ tenant: 'edu', kind: 'FailedRequests', outcome: 'denied' });
    expect(summaries[0]!.changes).toMatchObject({ count: 280, byOutcome: { denied: 280 } });
    const targets = summaries[0]!.changes!.byTarget!;
    expect(Object.values(targets).reduce((a, b) => a + b, 0)).toBe(280);
    expect(Object.keys(targets)).toContain('Application tax/probe-3');

    const metrics = (await t.request('GET', '/metrics', { token: t.adminToken })).body;
    expect(metrics).toMatch(/polis_audit_failed_requests_total\{recorded="false"\} 280/);
    expect(metrics).toMatch(/polis_audit_failed_requests_total\{recorded="true"\} 20/);

    const verified = await t.request('GET', '/api/v1/audit/verify', { token: t.tokens['auditor'] });
    expect(verified.json()).toMatchObject({ ok: true });
  });

  it('lets the bucket refill with time', async () => {
    clock.advance(60_000);
    const res = await t.request('POST', '/apis/core.oam.dev/v1beta1/tenants/tax/applications', {
      token: t.tokens['edu-admin'],
      body: app('after-a-minute'),
    });
    expect(res.statusCode).toBe(403);
    const entries = await audit('auditor', '&actor=edu-admin&name=after-a-minute');
    expect(entries).toHaveLength(1);
  });

  it('keeps a department member’s own refusals in that department’s trail', async () => {
    const res = await t.request('POST', '/apis/polis.io/v1/tenants/tax/rolebindings', {
      token: t.tokens['tax-staff'],
      body: {
        apiVersion: 'polis.io/v1',
        kind: 'RoleBinding',
        metadata: { name: 'self-promotion' },
        spec: { user: 'tax-staff', role: 'tenant-admin' },
      },
    });
    expect(res.statusCode).toBe(403);
    const entries = (await audit('tax-admin', '&actor=tax-staff')).filter((e) => e.outcome === 'denied');
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ tenant: 'tax', kind: 'RoleBinding' });
    // The refusal's code and parameters beside its English, so a reviewer reads it in their language.
    const refusal = (entries[0]!.changes as { refusal?: Message } | null)?.refusal;
    expect(refusal).toMatchObject({
      code: 'AccessDeniedIn',
      params: { user: '"tax-staff"', verb: 'create', department: 'tax' },
    });
    expect(renderMessage({ ...refusal!, message: entries[0]!.message }, 'en')).toBe(entries[0]!.message);
    expect(renderMessage({ ...refusal!, message: entries[0]!.message }, 'zh')).toMatch(
      /^用户 "tax-staff"（tax 中的 tenant-member）无权在 tax 中 create RoleBinding/,
    );
  });
});
