import { describe, expect, it } from 'vitest';
import { edgeLabel, layoutTopology } from './topology-model.ts';

describe('the service graph layout', () => {
  it('puts callers left of their callees, an opaque service as one box, the same way every time', () => {
    const view = {
      nodes: [
        { id: 'ns/signer', application: 'e-invoice', component: 'signer' },
        { id: 'ns/gateway', application: 'e-invoice', component: 'gateway' },
        {
          id: 'shared:acme/pg',
          application: 'pg',
          opaque: true as const,
          kind: 'shared-instance' as const,
          owner: 'acme',
        },
      ],
      edges: [
        { from: 'ns/signer', to: 'shared:acme/pg', sources: ['binding'] },
        { from: 'ns/gateway', to: 'ns/signer', sources: ['env', 'traffic'], rps: 12.5, errorRate: 0.02, p50Ms: 38 },
      ],
    };
    const a = layoutTopology(view);
    const x = Object.fromEntries(a.nodes.map((n) => [n.label, n.x]));
    expect(x.gateway).toBeLessThan(x.signer!);
    expect(x.signer).toBeLessThan(x.pg!);
    expect(a.nodes.find((n) => n.label === 'pg')!.opaque).toBe(true);
    expect(layoutTopology({ nodes: [...view.nodes].reverse(), edges: [...view.edges].reverse() })).toEqual(a);
  });

  it('survives a cycle', () => {
    const a = layoutTopology({
      nodes: [
        { id: 'a', application: 'x', component: 'a' },
        { id: 'b', application: 'x', component: 'b' },
      ],
      edges: [
        { from: 'a', to: 'b', sources: [] },
        { from: 'b', to: 'a', sources: [] },
      ],
    });
    expect(a.nodes).toHaveLength(2);
  });

  it('labels an observed edge with rate, errors and latency; a declared one has none', () => {
    expect(edgeLabel({ from: 'a', to: 'b', sources: [], rps: 12.5, errorRate: 0.02, p50Ms: 38 }, 'en')).toBe(
      '12.5 req/s · 2% · 38 ms',
    );
    expect(edgeLabel({ from: 'a', to: 'b', sources: ['env'] }, 'en')).toBeUndefined();
  });

  it('names components with their application across a department’s applications', () => {
    const view = {
      nodes: [
        { id: 'edu--a/web', department: 'edu', application: 'a', component: 'web' },
        { id: 'edu--b/web', department: 'edu', application: 'b', component: 'web' },
        { id: 'shared:acme/pg', application: 'pg', opaque: true as const, kind: 'shared-instance' as const },
      ],
      edges: [
        { from: 'edu--a/web', to: 'edu--b/web', sources: ['traffic'], rps: 3, errorRate: 0, p50Ms: 12 },
        { from: 'edu--b/web', to: 'shared:acme/pg', sources: ['binding'] },
      ],
    };
    const labels = layoutTopology(view, { acrossApplications: true }).nodes.map((n) => n.label);
    expect(labels).toEqual(['a/web', 'b/web', 'pg']);
    expect(layoutTopology(view).nodes.map((n) => n.label)).toEqual(['web', 'web', 'pg']);
  });
});
