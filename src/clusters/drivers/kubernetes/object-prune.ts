import type { Owner, PruneReport } from '../../driver.ts';
import { OWNER_LABELS } from '../../driver.ts';
import { failureMessage } from './api-errors.ts';
import type { ClusterCache } from './cluster-cache.ts';
import { ownerIndexKey } from './cluster-cache.ts';
import type { ResourceInfo } from './discovery.ts';
import { collectionPath, objectPath } from './discovery.ts';
import type { KubeHttp } from './kube-http.ts';

type Json = Record<string, unknown>;

/** Label values that keep an object through prune on update (garbage-collect policy), as in the simulated driver. */
const GC_LABEL = 'polis.io/gc-strategy';

export interface PruneDeps {
  readonly http: KubeHttp;
  readonly cache: ClusterCache;
  readonly extraKinds: ReadonlyMap<string, ResourceInfo>;
  /** Called for each object deleted, so the driver forgets what it applied there. */
  readonly deleted: (key: string) => void;
}

interface Candidate {
  readonly key: string;
  readonly obj: Json;
  readonly resource: ResourceInfo;
}

/**
 * The owner's objects in the cluster: from the watches for every kind polis renders, and by a labelled list for
 * the other kinds it applied here (or that the cluster would not let it watch).
 */
export async function ownerObjects(deps: PruneDeps, owner: Owner): Promise<Candidate[]> {
  const out: Candidate[] = [];
  for (const informer of deps.cache.inventoryInformers()) {
    for (const o of informer.byIndex(ownerIndexKey(owner.app, owner.tenant)))
      out.push({ key: o.key, obj: o.obj, resource: informer.resource });
  }
  const selector = `${OWNER_LABELS.app}=${owner.app},${OWNER_LABELS.tenant}=${owner.tenant}`;
  for (const resource of [...deps.extraKinds.values(), ...deps.cache.unlisted()]) {
    const answer = await deps.http.request(
      'GET',
      `${collectionPath(resource)}?labelSelector=${encodeURIComponent(selector)}`,
    );
    if (answer.status !== 200) continue;
    for (const item of (answer.body as { items?: Json[] }).items ?? []) {
      const meta = item.metadata as Json;
      const key = `${resource.apiVersion}/${resource.kind}/${String(meta.namespace ?? '')}/${String(meta.name)}`;
      out.push({ key, obj: { apiVersion: resource.apiVersion, kind: resource.kind, ...item }, resource });
    }
  }
  return out.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

/**
 * Deletes the owner's objects that are not in `keep`, in the background (their dependents follow), with the
 * simulated driver's rules: `gc-strategy: never` always stays, `onAppDelete` stays until everything goes (keep
 * empty), and the Namespace goes last and only then. Keys match across versions of one kind (an HPA applied as
 * autoscaling/v1 is the same object as its autoscaling/v2 view).
 */
export async function pruneObjects(deps: PruneDeps, owner: Owner, keep: ReadonlySet<string>): Promise<PruneReport> {
  const final = keep.size === 0;
  const kept = new Set([...keep].map(unversioned));
  const candidates = await ownerObjects(deps, owner);
  candidates.sort((a, b) => (a.obj.kind === 'Namespace' ? 1 : 0) - (b.obj.kind === 'Namespace' ? 1 : 0));
  const deleted: string[] = [];
  const problems: string[] = [];
  for (const c of candidates) {
    if (kept.has(unversioned(c.key))) continue;
    const meta = c.obj.metadata as Json;
    const gc = (meta.labels as Record<string, string> | undefined)?.[GC_LABEL];
    if (gc === 'never' || (gc === 'onAppDelete' && !final)) continue;
    if (c.obj.kind === 'Namespace' && gc === undefined && !final) continue;
    const namespace = c.resource.namespaced ? String(meta.namespace) : undefined;
    const answer = await deps.http.request('DELETE', objectPath(c.resource, namespace, String(meta.name)), {
      body: { apiVersion: 'v1', kind: 'DeleteOptions', propagationPolicy: 'Background' },
    });
    if (answer.status === 200 || answer.status === 202) {
      deleted.push(c.key);
      deps.deleted(c.key);
      deps.cache.informer(c.resource.apiVersion, c.resource.kind)?.forget(namespace, String(meta.name));
    } else if (answer.status !== 404) problems.push(`${c.key}: ${failureMessage(answer)}`);
  }
  // PruneReport has no place for refusals: they fail the prune, loudly, naming the cluster (what was deleted stays
  // deleted, and the next prune tries the rest again).
  if (problems.length > 0) throw new Error(`cluster ${deps.http.cluster}: could not delete ${problems.join('; ')}`);
  return { deleted };
}

/** A key without the version of its apiVersion: `apps/Deployment/ns/name`. */
function unversioned(key: string): string {
  const parts = key.split('/');
  // apiVersion is `v1` (core) or `group/version`: the last three parts are kind, namespace and name.
  const rest = parts.slice(-3).join('/');
  const group = parts.length === 5 ? parts[0] : '';
  return `${group}/${rest}`;
}
