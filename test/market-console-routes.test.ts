import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { ManualClock } from '../src/kernel/clock.ts';
import type { TestPolis } from './support/test-polis.ts';
import { startTestPolis } from './support/test-polis.ts';

/**
 * What the marketplace console needs of the server: an instance's parameters checked at admission with one coded
 * cause per field (so the form puts each under its field), and an audited route that reveals a binding's credentials.
 */
let t: TestPolis;
const M = '/apis/market.polis.io/v1';
const dir = join(import.meta.dirname, '..', 'examples', 'market');
const seed = readdirSync(dir)
  .filter((f) => f.endsWith('.yaml'))
  .sort()
  .flatMap((f) => parseAllDocuments(readFileSync(join(dir, f), 'utf8')).map((d) => d.toJSON() as unknown));

async function req(method: string, url: string, token: string, body?: unknown) {
  const r = await t.request(method, url, {
    token,
    body,
    ...(method === 'PATCH' ? { contentType: 'application/merge-patch+json' } : {}),
  });
  return { status: r.statusCode, body: r.json() as Record<string, unknown> };
}

async function settle(until: () => Promise<boolean>, rounds = 300): Promise<void> {
  const p = t.polis;
  for (let i = 0; i < rounds; i++) {
    await p.clusters.probeAll();
    await p.market.idle();
    await p.delivery.idle();
    p.sim!.advance(1000);
    if (await until()) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error('condition not reached');
}

const instance = (name: string, parameters: Record<string, unknown>) => ({
  apiVersion: 'market.polis.io/v1',
  kind: 'MarketInstance',
  metadata: { name },
  spec: { item: 'postgresql', version: '16.4.0', parameters },
});

beforeAll(async () => {
  t = await startTestPolis({
    controllers: true,
    virtualTime: true,
    clock: new ManualClock('2026-12-01T08:00:00Z'),
    market: { maxAttempts: 4, retryBaseMs: 20 },
  });
  expect((await req('POST', '/api/v1/apply', t.adminToken, seed)).status).toBe(200);
  expect((await req('POST', `${M}/catalogitemversions/postgresql-16-4-0/submit`, t.tokens.publisher!)).status).toBe(
    200,
  );
  expect((await req('POST', `${M}/catalogitemversions/postgresql-16-4-0/approve`, t.adminToken)).status).toBe(200);
}, 120_000);

afterAll(async () => {
  await t?.stop();
});

describe('instance parameters at admission', () => {
  it('refuses parameters outside the schema with one coded cause per field, and makes nothing', async () => {
    const r = await req(
      'POST',
      `${M}/tenants/edu/marketinstances`,
      t.tokens['edu-admin']!,
      instance('bad-db', { replicas: 9, cpu: '3', extra: true }),
    );
    expect(r.status).toBe(422);
    const causes = r.body.causes as Array<{ path: string; code: string }>;
    expect(causes.map((c) => `${c.path} ${c.code}`).sort()).toEqual([
      'spec.parameters.cpu MarketParameterEnum',
      'spec.parameters.extra MarketParameterUnknown',
      'spec.parameters.replicas MarketParameterMaximum',
    ]);
    expect((await req('GET', `${M}/tenants/edu/marketinstances/bad-db`, t.adminToken)).status).toBe(404);
    // Fixed, it is accepted; a later change of parameters alone is checked too.
    const ok = await req(
      'POST',
      `${M}/tenants/edu/marketinstances`,
      t.tokens['edu-admin']!,
      instance('bad-db', { replicas: 2 }),
    );
    expect(ok.status).toBe(201);
    const p = await req('PATCH', `${M}/tenants/edu/marketinstances/bad-db`, t.tokens['edu-admin']!, {
      spec: { parameters: { replicas: 0 } },
    });
    expect(p.status).toBe(422);
    expect(JSON.stringify(p.body)).toContain('MarketParameterMinimum');
    expect((await req('DELETE', `${M}/tenants/edu/marketinstances/bad-db`, t.tokens['edu-admin']!)).status).toBe(200);
  });
});

describe('revealing a binding credential', () => {
  it('shows the values to the department, records the reveal, and refuses other departments and readers', async () => {
    expect(
      (await req('POST', `${M}/tenants/edu/marketinstances`, t.tokens['edu-admin']!, instance('db', {}))).status,
    ).toBe(201);
    const bound = await req('POST', `${M}/tenants/edu/servicebindings`, t.tokens['edu-admin']!, {
      apiVersion: 'market.polis.io/v1',
      kind: 'ServiceBinding',
      metadata: { name: 'portal-db' },
      spec: { instance: 'db', application: 'enrolment-portal' },
    });
    expect(bound.status, JSON.stringify(bound.body)).toBe(201);
    const url = `${M}/tenants/edu/servicebindings/portal-db/reveal`;
    await settle(async () => (await req('POST', url, t.tokens['edu-admin']!)).status === 200);
    const r = await req('POST', url, t.tokens['edu-admin']!);
    const values = r.body.values as Record<string, string>;
    expect(values.PORTAL_DB_TYPE).toBe('postgresql');
    expect(values.PORTAL_DB_PASSWORD!.length).toBeGreaterThan(10);
    // Another department, and a role that never reads secret values, are refused (and the refusal recorded).
    const other = await req('POST', url, t.tokens['tax-admin']!);
    expect(other.status).toBe(403);
    const auditor = await req('POST', url, t.tokens.auditor!);
    expect(auditor.status).toBe(403);
    expect(JSON.stringify(auditor.body)).toContain('MarketRevealNotAllowed');
    expect((await req('POST', `${M}/tenants/edu/servicebindings/none/reveal`, t.tokens['edu-admin']!)).status).toBe(
      404,
    );
    const audit = await req('GET', '/api/v1/audit?limit=1000', t.adminToken);
    const entries = (
      audit.body.items as Array<{ actor: string; verb: string; name: string; outcome: string; changes: unknown }>
    ).filter((e) => e.verb === 'reveal' && e.name === 'portal-db');
    const mine = entries.filter((e) => e.actor === 'edu-admin' && e.outcome === 'success');
    expect(mine.length).toBeGreaterThanOrEqual(1);
    // The audit entry names the keys shown, never a value.
    expect(JSON.stringify(mine)).not.toContain(values.PORTAL_DB_PASSWORD!);
    expect(entries.some((e) => e.actor === 'auditor' && e.outcome === 'denied')).toBe(true);
  });
});

describe('catalog usage for publishers', () => {
  it('counts instances, bindings and departments per item, for who reads publishing only', async () => {
    const r = await req('GET', `${M}/catalog-usage`, t.tokens.publisher!);
    expect(r.status).toBe(200);
    const pg = (r.body.items as Array<Record<string, unknown>>).find((i) => i.item === 'postgresql');
    expect(pg).toMatchObject({ instances: 1, bindings: 1, departments: 1 });
    // Counts only: no department is named.
    expect(JSON.stringify(r.body)).not.toContain('edu');
    expect((await req('GET', `${M}/catalog-usage`, t.tokens['edu-admin']!)).status).toBe(403);
  });
});
