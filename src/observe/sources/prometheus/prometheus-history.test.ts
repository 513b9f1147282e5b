import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { PrometheusHistory } from './prometheus-history.ts';

/** The Prometheus history backend against a stub Prometheus on loopback that records the queries it is sent. */
const servers: Server[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    await new Promise((r) => s.close(r));
  }
});

async function stub(queries: string[]): Promise<string> {
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      const p = new URLSearchParams(body);
      queries.push(p.get('query')!);
      const start = Number(p.get('start'));
      const step = Number(p.get('step'));
      res.setHeader('content-type', 'application/json');
      res.end(
        JSON.stringify({
          status: 'success',
          data: {
            resultType: 'matrix',
            result: [{ metric: {}, values: [0, 1, 2].map((i) => [start + i * step, String(10 + i)]) }],
          },
        }),
      );
    });
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const inventory = {
  components: () =>
    Promise.resolve([
      { tenant: 'edu', app: 'portal', namespace: 'edu-portal', component: 'web' },
      { tenant: 'tax', app: 'filing', namespace: 'tax-filing', component: 'api' },
    ]),
  clusters: () => Promise.resolve([{ cluster: 'gov-a', nodes: ['n1'] }]),
};

describe('history from Prometheus', () => {
  it("sends one range query per series of the caller's departments, with the series' labels filled in", async () => {
    const sent: string[] = [];
    const history = new PrometheusHistory({
      url: await stub(sent),
      inventory,
      queries: { polis_component_requests_per_second: 'sum(rate(reqs{ns="$namespace", c="$component"}[$window]))' },
    });
    const from = Date.parse('2026-12-01T00:00:00Z');
    const r = await history.range(
      [{ label: '__name__', op: '=', value: 'polis_component_requests_per_second' }],
      { tenants: ['edu'], platform: false },
      from,
      from + 120_000,
      60_000,
    );
    expect(sent).toEqual(['sum(rate(reqs{ns="edu-portal", c="web"}[1m]))']);
    expect(r.series).toEqual([
      {
        labels: {
          __name__: 'polis_component_requests_per_second',
          tenant: 'edu',
          app: 'portal',
          namespace: 'edu-portal',
          component: 'web',
        },
        values: [10, 11, 12],
      },
    ]);
  });

  it('offers cluster and node series only to platform-wide readers', async () => {
    const history = new PrometheusHistory({ url: await stub([]), inventory });
    const all = [{ label: '__name__', op: '=~' as const, value: 'polis_(cluster|node)_pods' }];
    expect(await history.select(all, { tenants: 'all', platform: false })).toEqual([]);
    expect(await history.select(all, { tenants: 'all', platform: true })).toEqual([
      { __name__: 'polis_cluster_pods', cluster: 'gov-a' },
      { __name__: 'polis_node_pods', cluster: 'gov-a', node: 'n1' },
    ]);
  });
});
