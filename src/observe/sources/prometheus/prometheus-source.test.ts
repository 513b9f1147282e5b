import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { InputError } from '../../../kernel/errors.ts';
import { ManualClock } from '../../../kernel/clock.ts';
import type { ComponentRef } from '../../metrics-source.ts';
import { PrometheusMetricsSource } from './prometheus-source.ts';

/**
 * The Prometheus source's edges: what it does when the server fails, stalls or answers oddly. A stub HTTP server
 * plays Prometheus here because a real one cannot be made to fail on cue; test/metrics-sources.test.ts runs the
 * source against a real Prometheus.
 */

const WEB: ComponentRef = { tenant: 'edu', app: 'portal', namespace: 'edu-portal', component: 'web' };

type Handler = (path: string, params: URLSearchParams, req: IncomingMessage, res: ServerResponse) => void;

const servers: Server[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    await new Promise((r) => s.close(r));
  }
});

async function stub(handler: Handler): Promise<string> {
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => handler(req.url!, new URLSearchParams(body), req, res));
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const vector = (result: { metric: Record<string, string>; value: string }[]) =>
  JSON.stringify({
    status: 'success',
    data: { resultType: 'vector', result: result.map((r) => ({ metric: r.metric, value: [0, r.value] })) },
  });

function problems() {
  const told: string[] = [];
  return { told, onProblem: (_: ComponentRef, signal: string, reason: string) => told.push(`${signal}: ${reason}`) };
}

describe('the Prometheus metrics source', () => {
  it('answers undefined, and tells why, when Prometheus cannot be reached', async () => {
    const url = await stub(() => {});
    await new Promise((r) => servers.pop()!.close(r)); // nobody listens there now
    const p = problems();
    const source = new PrometheusMetricsSource({ url, onProblem: p.onProblem });
    expect(await source.signals(WEB)).toBeUndefined();
    expect(p.told[0]).toMatch(/^readyPods: .*\/api\/v1\/query: /);
    expect(await source.history(WEB, 'cpuUtilization', 0, 60_000, 15_000)).toEqual([]);
    expect(p.told.at(-1)).toMatch(/^history: cpuUtilization: /);
  });

  it('gives up on a query after timeoutMs', async () => {
    const url = await stub(() => {}); // never answers
    const p = problems();
    const source = new PrometheusMetricsSource({ url, timeoutMs: 200, onProblem: p.onProblem });
    const started = Date.now();
    expect(await source.signals(WEB)).toBeUndefined();
    expect(Date.now() - started).toBeLessThan(5000);
    expect(p.told[0]).toMatch(/no answer within 200 ms/);
  });

  it('keeps the signals it could read and gives reasons for the others', async () => {
    const seen: string[] = [];
    const url = await stub((path, params, req, res) => {
      const q = params.get('query')!;
      seen.push(`${req.headers.authorization} ${params.get('timeout')} ${params.get('time')}`);
      if (q.includes('http_requests_total')) return void res.writeHead(503).end('overloaded');
      if (q.includes('histogram_quantile')) return void res.writeHead(200).end(vector([{ metric: {}, value: 'NaN' }]));
      const value = q.includes('kube_pod_status_ready') && !q.includes('/') ? '3' : '0.5';
      res.writeHead(200).end(vector([{ metric: {}, value }])); // no cluster label: one cluster's own Prometheus
    });
    const p = problems();
    const source = new PrometheusMetricsSource({
      url,
      bearerToken: 'sekret',
      timeoutMs: 2500,
      clusterName: 'only',
      clock: new ManualClock('2026-03-02T00:00:00Z'),
      onProblem: p.onProblem,
    });
    const s = (await source.signals(WEB))!;
    expect(s).toMatchObject({ at: Date.parse('2026-03-02T00:00:00Z'), readyPods: 3, cpuUtilization: 0.5 });
    expect(s.perCluster).toEqual({ only: { readyPods: 3, cpuUtilization: 0.5 } });
    expect(s.requestsPerSecond).toBeUndefined();
    expect(s.reasons?.requestsPerSecond).toMatch(/HTTP 503/);
    expect(s.reasons?.latencyP99Ms).toBe('no data');
    expect(p.told).toHaveLength(1);
    expect(new Set(seen)).toEqual(new Set([`Bearer sekret 2.5 ${Date.parse('2026-03-02T00:00:00Z') / 1000}`]));
  });

  it('reads each node’s CPU and its pods’ (node-cpu-above-normal), a node without its pods’ share still counting', async () => {
    const url = await stub((path, params, req, res) => {
      const q = params.get('query')!;
      if (q.includes('node_cpu_seconds_total'))
        return void res.writeHead(200).end(
          vector([
            { metric: { cluster: 'gov-east', node: 'n1' }, value: '0.92' },
            { metric: { cluster: 'gov-east', node: 'n2' }, value: '0.3' },
            { metric: { cluster: 'gov-east' }, value: '0.5' }, // no node label: not a node
          ]),
        );
      if (q.includes('kube_node_status_allocatable'))
        return void res.writeHead(200).end(vector([{ metric: { cluster: 'gov-east', node: 'n1' }, value: '0.02' }]));
      res.writeHead(404).end();
    });
    const source = new PrometheusMetricsSource({ url });
    expect(await source.nodes()).toEqual([
      { cluster: 'gov-east', node: 'n1', cpu: 0.92, podsCpu: 0.02 },
      { cluster: 'gov-east', node: 'n2', cpu: 0.3 },
    ]);
  });

  it('asks for a long history in pieces Prometheus accepts, aligned on the grid', async () => {
    const ranges: string[] = [];
    const url = await stub((path, params, _req, res) => {
      const [start, end, step] = ['start', 'end', 'step'].map((k) => Number(params.get(k)));
      ranges.push(`${start}-${end}`);
      const values: [number, string][] = [];
      // Every other step, as Prometheus leaves out instants without data.
      for (let t = start!; t <= end!; t += 2 * step!) values.push([t, String(t)]);
      res
        .writeHead(200)
        .end(JSON.stringify({ status: 'success', data: { resultType: 'matrix', result: [{ metric: {}, values }] } }));
    });
    const source = new PrometheusMetricsSource({ url });
    const values = await source.history(WEB, 'requestsPerSecond', 0, 24_999_000, 1000);
    expect(values).toHaveLength(25_000);
    expect(ranges).toEqual(['0-10999', '11000-21999', '22000-24999']);
    expect(values.slice(0, 3)).toEqual([0, NaN, 2]);
    expect(values[11_000]).toBe(11_000);
    expect(values[24_999]).toBeNaN();
  });

  it('refuses a configuration that could never work, naming each field', () => {
    try {
      new PrometheusMetricsSource({
        url: 'ftp://x',
        window: '60',
        timeoutMs: 0,
        queries: { cpu: 'x' } as never,
      });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(InputError);
      expect((e as InputError).causes.map((c) => c.path)).toEqual(['url', 'window', 'queries.cpu', 'timeoutMs']);
    }
  });
});
