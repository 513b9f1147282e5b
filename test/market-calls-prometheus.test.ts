import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from './setup/temp-postgres.ts';
import type { TempPrometheus } from './support/prometheus.ts';
import { prometheusBinary, startPrometheus } from './support/prometheus.ts';
import { skipTitle } from './support/skip.ts';
import type { TestPolis } from './support/test-polis.ts';
import { startTestPolis } from './support/test-polis.ts';

/**
 * Calls to a shared API counted from a real Prometheus: a small exporter serves Istio's `istio_requests_total`
 * counters for two subscribing applications (hrss at 10 calls/s, 1 of them failing; edu at 4/s) calling tax's
 * gateway, Prometheus scrapes it, and polis (POLIS_METRICS=prometheus) counts them per subscription: the owner sees
 * both, each subscriber its own, and neither subscriber the other's.
 */
const bin = prometheusBinary();
const M = '/apis/market.polis.io/v1';
let t: TestPolis;
let prom: TempPrometheus;
let server: Server;
/** Istio series served: source namespace/workload → destination namespace/workload, calls/s per response code. */
let flows: Array<{ from: [string, string]; to: [string, string]; code: string; perSecond: number }> = [];
const started = Date.now();

beforeAll(async () => {
  if (!bin) return;
  const port = await freePort();
  server = createServer((_req, res) => {
    const s = (Date.now() - started) / 1000;
    const lines = ['# TYPE istio_requests_total counter'];
    for (const f of flows) {
      const l =
        `source_workload_namespace="${f.from[0]}",source_workload="${f.from[1]}",` +
        `destination_workload_namespace="${f.to[0]}",destination_workload="${f.to[1]}",response_code="${f.code}",reporter="source"`;
      lines.push(`istio_requests_total{${l}} ${Math.floor(f.perSecond * s)}`);
    }
    res.setHeader('content-type', 'text/plain; version=0.0.4');
    res.end(`${lines.join('\n')}\n`);
  });
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
  prom = await startPrometheus({ scrapeTargets: [`127.0.0.1:${port}`], scrapeIntervalMs: 1000, bin });
  t = await startTestPolis({
    controllers: true,
    config: { prometheusUrl: prom.url, metrics: 'prometheus', metricsWindow: '10s' },
  });
}, 90_000);

afterAll(async () => {
  await new Promise((r) => (server ? server.close(r) : r(undefined)));
  await t?.stop();
  await prom?.stop();
});

async function req(method: string, url: string, token: string, body?: unknown) {
  const r = await t.request(method, url, { token, body });
  return { status: r.statusCode, body: r.json() as Record<string, unknown> };
}

/** Polls `check` until it holds, for at most `limitMs` (generous: the machine is shared). */
async function until<T>(what: string, check: () => Promise<T | undefined>, limitMs = 120_000): Promise<T> {
  const deadline = Date.now() + limitMs;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`not reached within ${limitMs} ms: ${what}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

async function namespaceOf(tenant: string, app: string): Promise<string | undefined> {
  const r = await req('GET', `/apis/core.oam.dev/v1beta1/tenants/${tenant}/applications/${app}`, t.adminToken);
  return (r.body.status as { namespace?: string } | undefined)?.namespace;
}

async function subscribe(tenant: string, name: string, application: string): Promise<void> {
  const sub = await req('POST', `${M}/tenants/${tenant}/apisubscriptions`, t.tokens[`${tenant}-admin`]!, {
    apiVersion: 'market.polis.io/v1',
    kind: 'APISubscription',
    metadata: { name },
    spec: { department: 'tax', api: 'invoice-verify', application },
  });
  expect(sub.status, JSON.stringify(sub.body)).toBe(201);
  await until(`${tenant} subscription requested`, async () => {
    const r = await req('POST', `${M}/tenants/tax/sharedapis/invoice-verify/approve`, t.tokens['tax-admin']!, {
      department: tenant,
      subscription: name,
    });
    return r.status === 200 ? true : undefined;
  });
  await until(`${tenant} subscription approved`, async () => {
    const r = await req('GET', `${M}/tenants/${tenant}/apisubscriptions/${name}`, t.adminToken);
    return (r.body.status as { phase?: string } | undefined)?.phase === 'Approved' ? true : undefined;
  });
}

describe.skipIf(!bin)(
  skipTitle(
    'shared-API calls counted from Istio metrics in a real Prometheus',
    !bin && 'no Prometheus (apt-get install prometheus, or set POLIS_PROMETHEUS_BIN)',
  ),
  () => {
    it('counts each subscription’s calls for the owner and that subscriber only', { timeout: 300_000 }, async () => {
      const tax = await until('tax e-invoice placed', () => namespaceOf('tax', 'e-invoice'));
      const hrss = await until('hrss application placed', () => namespaceOf('hrss', 'social-security-query'));
      const edu = await until('edu application placed', () => namespaceOf('edu', 'enrolment-portal'));
      const pub = await req('POST', `${M}/tenants/tax/sharedapis`, t.tokens['tax-admin']!, {
        apiVersion: 'market.polis.io/v1',
        kind: 'SharedAPI',
        metadata: { name: 'invoice-verify' },
        spec: {
          application: 'e-invoice',
          component: 'gateway',
          port: 8443,
          displayName: { zh: '发票查验', en: 'Invoice verification' },
          description: { zh: '按发票号查验真伪', en: 'Checks an invoice by its number' },
        },
      });
      expect(pub.status, JSON.stringify(pub.body)).toBe(201);
      await subscribe('hrss', 'invoice-check', 'social-security-query');
      await subscribe('edu', 'invoice-lookup', 'enrolment-portal');
      flows = [
        { from: [hrss, 'query'], to: [tax, 'gateway'], code: '200', perSecond: 9 },
        { from: [hrss, 'query'], to: [tax, 'gateway'], code: '503', perSecond: 1 },
        { from: [edu, 'web'], to: [tax, 'gateway'], code: '200', perSecond: 4 },
        // Not to the shared API: never counted.
        { from: [hrss, 'query'], to: [tax, 'other'], code: '200', perSecond: 100 },
      ];
      type Item = { department: string; calls: number; perSecond: number; errorRate?: number; measured: boolean };
      const items = await until('both subscriptions measured', async () => {
        const r = await req(
          'GET',
          `${M}/tenants/tax/sharedapis/invoice-verify/calls?minutes=10`,
          t.tokens['tax-admin']!,
        );
        expect(r.status, JSON.stringify(r.body)).toBe(200);
        const its = r.body.items as Item[];
        const ok = its.length === 2 && its.every((i) => i.measured && i.calls > 0 && i.perSecond > 0);
        return ok ? its : undefined;
      });
      const of = (d: string) => items.find((i) => i.department === d)!;
      expect(of('hrss').perSecond).toBeGreaterThan(10 * 0.7);
      expect(of('hrss').perSecond).toBeLessThan(10 * 1.3);
      expect(of('hrss').errorRate).toBeGreaterThan(0.05);
      expect(of('hrss').errorRate).toBeLessThan(0.15);
      expect(of('edu').perSecond).toBeGreaterThan(4 * 0.7);
      expect(of('edu').perSecond).toBeLessThan(4 * 1.3);
      expect(of('edu').errorRate).toBe(0);
      // Each subscriber its own count.
      const mine = await req(
        'GET',
        `${M}/tenants/hrss/apisubscriptions/invoice-check/calls?minutes=10`,
        t.tokens['hrss-admin']!,
      );
      expect(mine.status).toBe(200);
      expect(mine.body).toMatchObject({ kind: 'APISubscriptionCalls', measured: true });
      expect(mine.body.perSecond as number).toBeGreaterThan(10 * 0.7);
      expect(mine.body.perSecond as number).toBeLessThan(10 * 1.3);
      const theirs = await req(
        'GET',
        `${M}/tenants/edu/apisubscriptions/invoice-lookup/calls?minutes=10`,
        t.tokens['edu-admin']!,
      );
      expect(theirs.status).toBe(200);
      expect(theirs.body.perSecond as number).toBeGreaterThan(4 * 0.7);
      expect(theirs.body.perSecond as number).toBeLessThan(4 * 1.3);
      // Neither subscriber sees the other's count, nor the owner's list of all.
      const calls = (tenant: string, name: string) => `${M}/tenants/${tenant}/apisubscriptions/${name}/calls`;
      expect((await req('GET', calls('edu', 'invoice-lookup'), t.tokens['hrss-admin']!)).status).toBe(403);
      expect((await req('GET', calls('hrss', 'invoice-check'), t.tokens['edu-admin']!)).status).toBe(403);
      for (const d of ['hrss', 'edu'])
        expect(
          (await req('GET', `${M}/tenants/tax/sharedapis/invoice-verify/calls`, t.tokens[`${d}-admin`]!)).status,
        ).toBe(403);
    });
  },
);
