import { describe, expect, it } from 'vitest';
import {
  buildTopology,
  declaredEdges,
  edgesFromIstio,
  edgesFromServiceGraph,
  nodesOf,
  viewFor,
  type DeclaredApp,
} from './topology.ts';
import { declaredApp, declaredAppHolding } from './declared-apps.ts';
import type { StoredObject } from '../../resources/envelope.ts';

const APPS: DeclaredApp[] = [
  {
    department: 'tax',
    application: 'e-invoice',
    namespace: 'tax--e-invoice',
    components: [
      {
        name: 'gateway',
        traits: [
          {
            type: 'env',
            properties: { env: { SIGNER_ADDR: 'signer:7000', LICENSE: 'http://license.samr--biz:8080/v1' } },
          },
        ],
      },
      { name: 'signer', properties: { env: [{ name: 'PG', value: 'postgres.market-pg.svc.cluster.local:5432' }] } },
      { name: 'worker', dependsOn: ['signer'] },
    ],
  },
  { department: 'samr', application: 'biz', namespace: 'samr--biz', components: [{ name: 'license' }, { name: 'db' }] },
  {
    department: 'bureau',
    application: 'pg',
    namespace: 'market-pg',
    publisher: 'db-vendor',
    components: [{ name: 'postgres' }],
  },
];

describe('the service graph', () => {
  it('reads calls from env references (same application, service.namespace, FQDN) and dependsOn', () => {
    expect(declaredEdges(APPS).map((e) => `${e.from} → ${e.to} (${e.sources.join(',')})`)).toEqual([
      'tax--e-invoice/gateway → samr--biz/license (env)',
      'tax--e-invoice/gateway → tax--e-invoice/signer (env)',
      'tax--e-invoice/signer → market-pg/postgres (env)',
      'tax--e-invoice/worker → tax--e-invoice/signer (dependsOn)',
    ]);
  });

  it('adds observed traffic from Istio and OpenTelemetry service-graph metrics to the edges', () => {
    const istio = edgesFromIstio([
      {
        labels: {
          source_workload_namespace: 'tax--e-invoice',
          source_workload: 'gateway',
          destination_workload_namespace: 'tax--e-invoice',
          destination_workload: 'signer',
          response_code: '200',
        },
        value: 90,
      },
      {
        labels: {
          source_workload_namespace: 'tax--e-invoice',
          source_workload: 'gateway',
          destination_workload_namespace: 'tax--e-invoice',
          destination_workload: 'signer',
          response_code: '503',
        },
        value: 10,
      },
    ]);
    expect(istio).toEqual([{ from: 'tax--e-invoice/gateway', to: 'tax--e-invoice/signer', rps: 100, errorRate: 0.1 }]);
    const otel = edgesFromServiceGraph(
      [{ labels: { client: 'samr--biz/license', server: 'samr--biz/db' }, value: 4 }],
      [{ labels: { client: 'samr--biz/license', server: 'samr--biz/db' }, value: 1 }],
    );
    const t = buildTopology(nodesOf(APPS), declaredEdges(APPS), [...istio, ...otel]);
    expect(t.edges.find((e) => e.to === 'tax--e-invoice/signer' && e.from.endsWith('gateway'))).toMatchObject({
      sources: ['env', 'traffic'],
      rps: 100,
      errorRate: 0.1,
    });
    expect(t.edges.find((e) => e.from === 'samr--biz/license')).toMatchObject({
      sources: ['traffic'],
      errorRate: 0.25,
    });
  });

  it('shows a department its own components, and what it calls outside as opaque nodes without their insides', () => {
    const t = buildTopology(nodesOf(APPS), declaredEdges(APPS), [
      { from: 'samr--biz/license', to: 'samr--biz/db', rps: 4 },
    ]);
    const v = viewFor(t, ['tax']);
    expect(v.nodes.map((n) => n.id)).toEqual([
      'service:samr/biz',
      'shared:db-vendor/pg',
      'tax--e-invoice/gateway',
      'tax--e-invoice/signer',
      'tax--e-invoice/worker',
    ]);
    expect(v.nodes.find((n) => n.id === 'service:samr/biz')).toMatchObject({ opaque: true, owner: 'samr' });
    // samr's own call (license → db) is not shown to tax.
    expect(v.edges.some((e) => e.from.startsWith('samr'))).toBe(false);
    expect(JSON.stringify(v)).not.toContain('samr--biz/db');
    expect(viewFor(t, 'all')).toBe(t);
  });

  it('reads the same edges and owners from the compact holding an index keeps as from the stored application', () => {
    const stored = (a: DeclaredApp, vendor?: string): StoredObject =>
      ({
        apiVersion: 'core.oam.dev/v1beta1',
        kind: 'Application',
        metadata: {
          name: a.application,
          tenant: a.department,
          ...(vendor ? { labels: { 'polis.io/vendor': vendor } } : {}),
        },
        spec: {
          components: a.components.map((c) => ({
            ...c,
            type: 'webservice',
            properties: { image: 'x', cpu: '1', ...c.properties },
            traits: [...(c.traits ?? []), { type: 'scaler', properties: { replicas: 2 } }],
          })),
        },
        status: { namespace: a.namespace },
      }) as unknown as StoredObject;
    const objects = APPS.map((a, i) => stored(a, i === 0 ? 'acme' : undefined));
    const full = objects.map(declaredApp);
    const held = objects.map(declaredAppHolding);
    expect(declaredEdges(held.map((h) => h.app))).toEqual(declaredEdges(full.map((f) => f.app)));
    expect(declaredEdges(held.map((h) => h.app))).toHaveLength(4);
    expect(held.map((h) => h.owners)).toEqual(full.map((f) => f.owners));
    expect(JSON.stringify(held)).not.toContain('image');
  });
});
