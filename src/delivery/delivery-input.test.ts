import { describe, expect, it } from 'vitest';
import type { StoredObject } from '../resources/envelope.ts';
import { deliveryAnnotations, deliveryInputDigest } from './delivery-input.ts';

const app = (metadata: Partial<StoredObject['metadata']>, status?: unknown): StoredObject =>
  ({
    apiVersion: 'core.oam.dev/v1beta1',
    kind: 'Application',
    metadata: { name: 'portal', tenant: 'edu', resourceVersion: '7', generation: 1, ...metadata },
    spec: { components: [{ name: 'web', type: 'webservice', properties: { image: 'nginx' } }] },
    ...(status ? { status } : {}),
  }) as StoredObject;

describe('what a reconcile reads of an application', () => {
  it('ignores the resourceVersion, managedFields and annotations delivery does not act on', () => {
    const base = deliveryInputDigest(app({ annotations: { note: 'a' } }));
    expect(deliveryInputDigest(app({ resourceVersion: '9', annotations: { note: 'b', other: 'c' } }))).toBe(base);
    expect(deliveryInputDigest(app({ managedFields: [{ manager: 'kubectl' }] }))).toBe(base);
  });

  it('counts the spec, labels, finalizers, the deletion mark, status and the annotations delivery reads', () => {
    const base = deliveryInputDigest(app({}));
    const changed = [
      app({ generation: 2 }),
      app({ labels: { 'polis.io/priority': 'high' } }),
      app({ finalizers: ['polis.io/delivery'] }),
      app({ deletionTimestamp: '2026-12-07T08:00:00Z' }),
      app({}, { scaling: { components: { web: { desired: 3 } } } }),
      app({ annotations: { 'polis.io/force-conflicts': 'true' } }),
      app({ annotations: { 'polis.io/approvals': 'deploy' } }),
    ];
    for (const a of changed) expect(deliveryInputDigest(a)).not.toBe(base);
  });

  it('hands out only the annotations it acts on', () => {
    expect(deliveryAnnotations(app({ annotations: { note: 'a' } }))).toBeUndefined();
    expect(deliveryAnnotations(app({ annotations: { note: 'a', 'polis.io/force-conflicts': 'true' } }))).toEqual({
      'polis.io/force-conflicts': 'true',
    });
  });
});
