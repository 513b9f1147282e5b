import { describe, expect, it } from 'vitest';
import type { PrintColumn } from '../../resources/registry.ts';
import { toKubeObject } from './kube-objects.ts';
import type { TableSource } from './kube-table.ts';
import { table, tableText } from './kube-table.ts';

const columns: readonly PrintColumn[] = [
  { name: 'COMPONENTS', path: 'spec.components.length' },
  { name: 'PHASE', path: 'status.phase' },
  { name: 'FIRST', path: 'spec.components[0].name', wide: true },
];
const objects = Array.from({ length: 5 }, (_, i) => ({
  apiVersion: 'core.oam.dev/v1beta1',
  kind: 'Application',
  metadata: {
    name: `app-${i}`,
    tenant: `dept-${i % 2}`,
    creationTimestamp: '2026-12-01T00:00:00Z',
    labels: { app: 'portal' },
  },
  spec: { components: Array.from({ length: i }, (_, c) => ({ name: `c${c}`, type: 'webservice' })) },
  ...(i % 2 === 0 ? { status: { phase: 'Running\nnow' } } : {}),
}));
const view = (o: TableSource) => toKubeObject(o);

describe('tableText', () => {
  it('writes the same bytes as the Table of the parsed objects, for every includeObject and with a continue', () => {
    const now = new Date('2026-12-07T00:00:00Z');
    for (const include of ['None', 'Metadata', 'Object'] as const)
      for (const page of [{}, { resourceVersion: '42', continue: 'abc' }]) {
        const opts = { include, now, ...page };
        const raw = objects.map((o) => JSON.stringify(o));
        const text = tableText({ printColumns: columns }, raw, view, opts);
        expect(text).toBe(JSON.stringify(table({ printColumns: columns }, objects.map(view), opts)));
        expect(JSON.parse(text).rows).toHaveLength(objects.length);
      }
  });

  it('writes an empty Table for an empty page', () => {
    const opts = { include: 'Metadata' as const, now: new Date(), resourceVersion: '7' };
    expect(JSON.parse(tableText({ printColumns: columns }, [], view, opts))).toEqual(
      table({ printColumns: columns }, [], opts),
    );
  });
});
