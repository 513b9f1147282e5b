import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestPolis } from './support/test-polis.ts';
import { startTestPolis } from './support/test-polis.ts';

interface View {
  tenant?: string;
  nodes: { id: string; department?: string; application: string; opaque?: true }[];
  edges: { from: string; to: string }[];
}

/** The service graph across applications (issue 15 point 3): one department's, others' services opaque. */
describe('GET /api/v1/topology?tenant=', () => {
  let t: TestPolis;
  beforeAll(async () => {
    t = await startTestPolis();
  });
  afterAll(async () => t.stop());

  it('gives one department’s applications, what they call shown opaque, to whoever may read it', async () => {
    for (const token of [t.adminToken, t.tokens['edu-admin']!]) {
      const r = await t.request('GET', '/api/v1/topology?tenant=edu', { token });
      expect(r.statusCode, r.body).toBe(200);
      const v = r.json() as View;
      expect(v.tenant).toBe('edu');
      const own = v.nodes.filter((n) => !n.opaque);
      expect(own.length).toBeGreaterThan(0);
      expect(new Set(own.map((n) => n.department))).toEqual(new Set(['edu']));
      const ids = new Set(v.nodes.map((n) => n.id));
      for (const e of v.edges) expect(ids.has(e.from) && ids.has(e.to)).toBe(true);
    }
  });

  it('refuses another department’s graph with a coded 403', async () => {
    const r = await t.request('GET', '/api/v1/topology?tenant=tax', { token: t.tokens['edu-admin'] });
    expect(r.statusCode).toBe(403);
    expect(r.body).toContain('TopologyDepartmentNotAllowed');
    expect(r.body).not.toContain('e-invoice');
  });
});
