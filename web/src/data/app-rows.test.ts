import { describe, expect, it } from 'vitest';
import type { Application } from '../api/types.ts';
import type { AppRow } from './app-rows.ts';
import { appRow, countByPhase, filterApps, sortRows } from './app-rows.ts';

function app(tenant: string, name: string, phase: string, placement: Record<string, Record<string, number>>): Application {
  return {
    apiVersion: 'core.oam.dev/v1beta1',
    kind: 'Application',
    metadata: { name, tenant, generation: 1, annotations: { 'polis.io/description': `${name} 服务` } },
    spec: { components: [{ name: 'web', type: 'webservice' }] },
    status: {
      phase: phase as 'Running',
      healthy: phase === 'Running',
      placement,
      components: [{ name: 'web', desiredReplicas: 4, readyReplicas: phase === 'Running' ? 4 : 1, phase, clusters: [], excluded: [] }],
    },
  };
}

const rows: AppRow[] = [
  appRow(app('tax', 'e-invoice', 'Running', { gateway: { 'gov-east': 4, 'gov-west': 2 } })),
  appRow(app('edu', 'portal', 'Degraded', { web: { 'gov-east': 3 } })),
  appRow(app('edu', 'meals', 'Running', { web: { 'gov-west': 2 } })),
  appRow(app('health', 'appointment', 'Pending', {})),
];

describe('application rows and the list’s filters', () => {
  it('sums replicas per cluster over components', () => {
    expect(rows[0]!.clusters).toEqual({ 'gov-east': 4, 'gov-west': 2 });
    expect(rows[0]).toMatchObject({ key: 'tax/e-invoice', healthy: true, desired: 4, ready: 4 });
  });

  it('filters by department, health, cluster and text, together', () => {
    const names = (f: Parameters<typeof filterApps>[1]) => filterApps(rows, f).map((r) => r.key);
    expect(names({ tenant: 'edu' })).toEqual(['edu/portal', 'edu/meals']);
    expect(names({ health: 'healthy' })).toEqual(['tax/e-invoice', 'edu/meals']);
    expect(names({ health: 'unhealthy' })).toEqual(['edu/portal', 'health/appointment']);
    expect(names({ health: 'Degraded' })).toEqual(['edu/portal']);
    expect(names({ cluster: 'gov-west' })).toEqual(['tax/e-invoice', 'edu/meals']);
    expect(names({ tenant: 'edu', cluster: 'gov-east' })).toEqual(['edu/portal']);
    expect(names({ text: 'MEALS' })).toEqual(['edu/meals']);
    expect(names({ text: '服务', tenant: 'health' })).toEqual(['health/appointment']);
    expect(names({})).toHaveLength(4);
  });

  it('sorts by department then name, and counts phases', () => {
    expect(sortRows(rows).map((r) => r.key)).toEqual(['edu/meals', 'edu/portal', 'health/appointment', 'tax/e-invoice']);
    expect(countByPhase(rows)).toEqual({ Running: 2, Degraded: 1, Pending: 1 });
  });

  it('filters 10,000 rows by text and health together', () => {
    const many = Array.from({ length: 10_000 }, (_, i) => ({ ...rows[i % 4]!, key: `d${i % 20}/app-${i}`, search: `app-${i}` }));
    // app-99, app-990…app-999, app-9900…app-9999, of which the healthy ones (i % 4 is 0 or 2).
    const out = filterApps(many, { text: 'app-99', health: 'healthy' });
    expect(out.every((r) => r.healthy && r.search.startsWith('app-99'))).toBe(true);
    expect(out.length).toBe([99, ...Array.from({ length: 10 }, (_, i) => 990 + i), ...Array.from({ length: 100 }, (_, i) => 9900 + i)].filter((i) => i % 2 === 0).length);
  });
});
