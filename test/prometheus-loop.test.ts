import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SIM_METRICS_CONTENT_TYPE, simMetricsText } from '../src/sim/index.ts';
import { freePort } from './setup/temp-postgres.ts';
import type { TempPrometheus } from './support/prometheus.ts';
import { prometheusBinary, startPrometheus } from './support/prometheus.ts';
import type { TestPolis } from './support/test-polis.ts';
import { startTestPolis } from './support/test-polis.ts';
import { skipTitle } from './support/skip.ts';

/**
 * The whole autoscaling loop through a real Prometheus, in real time: the simulated cloud's metrics are scraped by
 * Prometheus, polis reads them back through its Prometheus source (POLIS_METRICS=prometheus), the autoscaler
 * decides, delivery places the new replicas.
 */
const bin = prometheusBinary();
let t: TestPolis;
let prom: TempPrometheus;
let server: Server;

beforeAll(async () => {
  if (!bin) return;
  const port = await freePort();
  prom = await startPrometheus({ scrapeTargets: [`127.0.0.1:${port}`], scrapeIntervalMs: 1000, bin });
  t = await startTestPolis({
    controllers: true,
    config: { prometheusUrl: prom.url, metrics: 'prometheus', metricsWindow: '5s', heartbeatMs: 500 },
  });
  server = createServer((_req, res) => {
    res.setHeader('content-type', SIM_METRICS_CONTENT_TYPE);
    res.end(simMetricsText(t.polis.sim!));
  });
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
}, 60_000);

afterAll(async () => {
  await new Promise((r) => (server ? server.close(r) : r(undefined)));
  await t?.stop();
  await prom?.stop();
});

async function desired(): Promise<number | undefined> {
  const r = await t.request('GET', '/apis/core.oam.dev/v1beta1/tenants/edu/applications/enrolment-portal', {
    token: t.adminToken,
  });
  return (r.json().status?.scaling?.components?.web?.desired as number | undefined) ?? undefined;
}

describe.skipIf(!bin)(
  skipTitle(
    'autoscaling through a real Prometheus',
    !bin && 'no Prometheus (apt-get install prometheus, or set POLIS_PROMETHEUS_BIN)',
  ),
  () => {
    it(
      'scales the enrolment portal up after a x10 load, reading CPU from Prometheus',
      { timeout: 90_000 },
      async () => {
        expect(t.polis.metricsSource?.name).toMatch(/prometheus/i);
        // Wait for the portal to run, then give it its base load and ten times that.
        for (let i = 0; i < 120; i++) {
          const r = await t.request('GET', '/apis/core.oam.dev/v1beta1/tenants/edu/applications/enrolment-portal', {
            token: t.adminToken,
          });
          if (r.json().status?.phase === 'Running') break;
          await new Promise((res) => setTimeout(res, 500));
        }
        const load = await t.request('POST', '/api/v1/sandbox/tenants/edu/applications/enrolment-portal/load', {
          token: t.tokens['edu-admin'],
          body: { factor: 10, component: 'web' },
        });
        expect(load.statusCode, load.body).toBe(200);
        let seen: number | undefined;
        for (let i = 0; i < 120; i++) {
          seen = await desired();
          if (seen !== undefined && seen > 3) break;
          await new Promise((res) => setTimeout(res, 500));
        }
        expect(seen).toBeGreaterThan(3);
        const signals = await t.request(
          'GET',
          '/apis/core.oam.dev/v1beta1/tenants/edu/applications/enrolment-portal/metrics',
          {
            token: t.tokens['edu-admin'],
          },
        );
        const web = (signals.json().components as { component: string; signals: { cpuUtilization: number } }[]).find(
          (c) => c.component === 'web',
        )!;
        expect(web.signals.cpuUtilization).toBeGreaterThan(0.6);
      },
    );
  },
);
