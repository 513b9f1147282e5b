import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { openTestStore } from '../../../../test/setup/backends.ts';
import { ManualClock } from '../../../kernel/clock.ts';
import { MeterController } from '../../../operations/metering/meter-controller.ts';
import type { StoredObject } from '../../../resources/envelope.ts';
import { DEFAULT_METER_MEMORY_QUERY, prometheusMemoryUse } from './memory-use.ts';

/** A stub Prometheus (a real one cannot be given these series on cue): answers every instant query with `series`. */
const servers: Server[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    await new Promise((r) => s.close(r));
  }
});

async function prometheus(series: { metric: Record<string, string>; value: string }[], queries: string[]) {
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      queries.push(new URLSearchParams(body).get('query') ?? '');
      res.setHeader('content-type', 'application/json');
      res.end(
        JSON.stringify({
          status: 'success',
          data: { resultType: 'vector', result: series.map((s) => ({ metric: s.metric, value: [0, s.value] })) },
        }),
      );
    });
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const GIB = 2 ** 30;
const SERIES: { metric: Record<string, string>; value: string }[] = [
  { metric: { cluster: 'east', namespace: 'edu-enrol', label_app_oam_dev_component: 'web' }, value: String(GIB) },
  { metric: { namespace: 'edu-enrol', component: 'web' }, value: String(GIB / 2) },
  { metric: { cluster: 'east', namespace: 'edu-enrol' }, value: '99' }, // no component: not a component's use
];

describe("the meter's memory use from Prometheus", () => {
  it('reads bytes per component and cluster with the default query, or the one configured', async () => {
    const queries: string[] = [];
    const url = await prometheus(SERIES, queries);
    const use = await prometheusMemoryUse({ url, clusterName: 'local' })();
    expect([...use]).toEqual([
      ['edu-enrol/web\u0000east', GIB],
      ['edu-enrol/web\u0000local', GIB / 2],
    ]);
    await prometheusMemoryUse({ url, query: 'sum by (cluster, namespace, component) (my_memory_bytes)' })();
    expect(queries).toEqual([DEFAULT_METER_MEMORY_QUERY, 'sum by (cluster, namespace, component) (my_memory_bytes)']);
  });

  it('fills the metering roll-ups with the memory used', async () => {
    const url = await prometheus(SERIES, []);
    const store = await openTestStore();
    try {
      const T0 = '2026-12-01T00:00:00Z';
      const meta = { uid: 'u', resourceVersion: '1', generation: 1, creationTimestamp: T0 };
      const objects: StoredObject[] = [
        {
          apiVersion: 'polis.io/v1',
          kind: 'Cluster',
          metadata: { name: 'east', ...meta, uid: 'c' },
          spec: {},
          status: { health: 'Ready', allocatable: { cpuMilli: 8000, memoryBytes: 16 * GIB, pods: 110 } },
        },
        {
          apiVersion: 'core.oam.dev/v1beta1',
          kind: 'Application',
          metadata: { name: 'enrol', tenant: 'edu', ...meta, annotations: {} },
          spec: {
            components: [
              { name: 'web', type: 'webservice', properties: { image: 'nginx:1.27', cpu: '500m', memory: '2Gi' } },
            ],
          },
          status: { placement: { web: { east: 1 } }, namespace: 'edu-enrol' },
        },
      ];
      await store.transaction(async (tx) => {
        for (const o of objects)
          await tx.put(
            { ...o, metadata: { ...o.metadata, resourceVersion: String(await tx.nextRevision()) } },
            'ADDED',
          );
      });
      const clock = new ManualClock(new Date(Date.parse(T0) + 60_000));
      const meter = new MeterController({ store, clock, memoryUse: prometheusMemoryUse({ url, clock }) });
      expect((await meter.tick()).recorded).toBe(true);
      const rows = await store.ledger.meterRows({ period: 'day', from: '2026-12-01', to: '2026-12-01' });
      expect(rows.map((r) => [r.tenant, r.cluster, r.memRequest, r.memUsage])).toEqual([['edu', 'east', 2048, 1024]]);
    } finally {
      await store.close();
    }
  });
});
