import { describe, expect, it } from 'vitest';
import { InputError } from '../../kernel/errors.ts';
import { kubeRawItem, watchProtocol } from './kube-negotiation.ts';
import { fromKubeBody, parseFieldSelector, toKubeObject } from './kube-objects.ts';
import { age, table, wantsTable } from './kube-table.ts';

const stored = {
  apiVersion: 'core.oam.dev/v1beta1',
  kind: 'Application',
  metadata: {
    name: 'portal',
    tenant: 'edu',
    uid: 'u1',
    resourceVersion: '7',
    creationTimestamp: '2026-01-01T00:00:00Z',
  },
  spec: { components: [] },
};

describe('the Kubernetes view of polis objects', () => {
  it('names the department as metadata.namespace beside tenant', () => {
    expect(toKubeObject(stored).metadata).toEqual({ ...stored.metadata, namespace: 'edu' });
    const platform = { kind: 'Cluster', metadata: { name: 'east' } };
    expect(toKubeObject(platform)).toBe(platform);
  });

  it('splices the namespace into stored JSON text exactly as parsing would', () => {
    const raw = JSON.stringify(stored);
    expect(JSON.parse(kubeRawItem(raw))).toEqual(toKubeObject(stored));
    const kubevela = JSON.stringify({ ...stored, metadata: { name: 'portal', tenant: 'edu', namespace: 'default' } });
    expect(JSON.parse(kubeRawItem(kubevela)).metadata).toEqual({ name: 'portal', tenant: 'edu', namespace: 'edu' });
    // Another key order (PostgreSQL jsonb) takes the slow path to the same result.
    const reordered = JSON.stringify({ kind: stored.kind, metadata: stored.metadata, apiVersion: stored.apiVersion });
    expect(JSON.parse(kubeRawItem(reordered)).metadata.namespace).toBe('edu');
  });

  it('takes a body sent to a namespaced path into the path department, refusing another', () => {
    expect(fromKubeBody({ kind: 'Application', metadata: { name: 'a', namespace: 'edu' } }, 'edu')).toEqual({
      kind: 'Application',
      metadata: { name: 'a', tenant: 'edu' },
    });
    expect(fromKubeBody({ metadata: { name: 'a' } }, 'edu')).toEqual({ metadata: { name: 'a', tenant: 'edu' } });
    expect(() => fromKubeBody({ metadata: { name: 'a', namespace: 'tax' } }, 'edu')).toThrow(InputError);
    expect(() => fromKubeBody({ metadata: { name: 'a', tenant: 'tax' } }, 'edu')).toThrow(InputError);
  });

  it('reads metadata.name and metadata.namespace field selectors and refuses others, naming the term', () => {
    expect(parseFieldSelector('metadata.name=a,metadata.namespace==edu')).toEqual({ name: 'a', namespace: 'edu' });
    expect(parseFieldSelector(undefined)).toEqual({});
    try {
      parseFieldSelector('status.phase=Running');
      expect.unreachable();
    } catch (e) {
      expect((e as InputError).causes[0]).toMatchObject({
        path: 'query.fieldSelector',
        code: 'FieldSelectorUnsupported',
      });
    }
  });
});

describe('content negotiation', () => {
  it('asks for a Table only with as=Table of meta.k8s.io', () => {
    expect(wantsTable('application/json;as=Table;v=v1;g=meta.k8s.io,application/json')).toBe(true);
    expect(wantsTable('application/json')).toBe(false);
    expect(wantsTable(undefined)).toBe(false);
  });

  it('keeps server-sent events for who asks for them, and for polis paths without an Accept header', () => {
    expect(watchProtocol('text/event-stream', true)).toBe('sse');
    expect(watchProtocol(undefined, false)).toBe('sse');
    expect(watchProtocol(undefined, true)).toBe('ndjson');
    expect(watchProtocol('application/json', false)).toBe('ndjson');
    expect(watchProtocol('*/*', false)).toBe('ndjson');
  });
});

describe('Tables', () => {
  it('has the columns of polis get, wide ones at priority 1, and metadata-only rows', () => {
    const now = new Date('2026-01-01T00:05:00Z');
    const t = table(
      {
        printColumns: [
          { name: 'COMPONENTS', path: 'spec.components.length' },
          { name: 'PHASE', path: 'status.phase', wide: true },
        ],
      },
      [toKubeObject(stored)],
      { include: 'Metadata', now, resourceVersion: '7' },
    );
    expect((t.columnDefinitions as Array<{ name: string; priority: number }>).map((c) => [c.name, c.priority])).toEqual(
      [
        ['Name', 0],
        ['Components', 0],
        ['Phase', 1],
        ['Age', 0],
      ],
    );
    expect(t.rows).toEqual([
      {
        cells: ['portal', 0, '<none>', '5m'],
        object: {
          apiVersion: 'meta.k8s.io/v1',
          kind: 'PartialObjectMetadata',
          metadata: toKubeObject(stored).metadata,
        },
      },
    ]);
    expect(age('2026-01-01T00:00:00Z', new Date('2026-01-03T00:00:00Z'))).toBe('2d');
  });
});
