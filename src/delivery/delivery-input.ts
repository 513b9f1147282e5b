import { hash } from 'node:crypto';
import { APPROVALS_ANNOTATION } from '../apps/approvals.ts';
import { FORCE_CONFLICTS_ANNOTATION } from '../kernel/ownership.ts';
import type { StoredObject } from '../resources/envelope.ts';

/**
 * The annotations a reconcile reads (approvals of workflow steps, force on server-side apply conflicts). Delivery
 * reads an application's annotations only through `deliveryAnnotations`, so a change to any other one alone (a note,
 * a description, a tool's bookkeeping) cannot change what a reconcile does.
 */
export const DELIVERY_ANNOTATIONS: readonly string[] = [APPROVALS_ANNOTATION, FORCE_CONFLICTS_ANNOTATION];

/** The annotations of `app` that delivery acts on (see DELIVERY_ANNOTATIONS). */
export function deliveryAnnotations(app: StoredObject): Readonly<Record<string, string>> | undefined {
  const all = app.metadata.annotations;
  if (!all) return undefined;
  const kept = DELIVERY_ANNOTATIONS.filter((a) => all[a] !== undefined).map((a) => [a, all[a]!] as const);
  return kept.length === 0 ? undefined : Object.fromEntries(kept);
}

/**
 * A digest of everything of an application a reconcile reads: the whole object except its resourceVersion, its
 * managedFields and the annotations delivery does not act on. Two versions with the same digest reconcile alike
 * (as a Kubernetes controller skips an update whose generation it has observed, but here labels, finalizers, the
 * deletion mark and status written by others count too), so a change event with the digest of the version the
 * last reconcile read, or of the status delivery itself wrote, needs no reconcile. What a reconcile reads elsewhere
 * (clusters, workloads, the department) brings the application back through its own triggers.
 */
export function deliveryInputDigest(app: StoredObject): string {
  const { resourceVersion: _rv, managedFields: _mf, annotations: _a, ...metadata } = app.metadata;
  const annotations = deliveryAnnotations(app);
  const input = { ...app, metadata: annotations ? { ...metadata, annotations } : metadata };
  return hash('sha1', JSON.stringify(input));
}
