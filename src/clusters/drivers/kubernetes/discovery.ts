import { ClusterUnreachableError } from '../../driver.ts';
import type { KubeHttp, KubeResponse } from './kube-http.ts';
import { statusMessage } from './kube-http.ts';

/** One resource the API server serves: how to address it and whether it lives in a namespace. */
export interface ResourceInfo {
  readonly group: string;
  readonly version: string;
  /** `apps/v1`, or `v1` for the core group. */
  readonly apiVersion: string;
  readonly kind: string;
  /** The plural path segment: `deployments`. */
  readonly plural: string;
  readonly namespaced: boolean;
}

interface GroupVersionDoc {
  readonly fetchedAt: number;
  readonly resources: readonly ResourceInfo[];
}

/** A kind polis renders, by the apiVersion it renders it with. */
export interface RenderedKind {
  readonly apiVersion: string;
  readonly kind: string;
  /** Its resource name, as RBAC rules name it (the driver still takes the path from discovery). */
  readonly plural: string;
  /** Whether inventory and prune read this kind from here (false for a second version of the same kind). */
  readonly inventory: boolean;
}

/**
 * The kinds polis renders (apps/render), each watched by label so that a reconcile that changes nothing needs no
 * request. HorizontalPodAutoscaler comes in two versions (cpuscaler renders v1, hpa renders v2): both are watched
 * so that each manifest is compared with the object as its own version shows it; v2 alone feeds the inventory.
 */
export const RENDERED_KINDS: readonly RenderedKind[] = [
  { apiVersion: 'v1', kind: 'Namespace', plural: 'namespaces', inventory: true },
  { apiVersion: 'v1', kind: 'ServiceAccount', plural: 'serviceaccounts', inventory: true },
  { apiVersion: 'v1', kind: 'ConfigMap', plural: 'configmaps', inventory: true },
  { apiVersion: 'v1', kind: 'Secret', plural: 'secrets', inventory: true },
  { apiVersion: 'v1', kind: 'Service', plural: 'services', inventory: true },
  { apiVersion: 'v1', kind: 'PersistentVolumeClaim', plural: 'persistentvolumeclaims', inventory: true },
  { apiVersion: 'v1', kind: 'ResourceQuota', plural: 'resourcequotas', inventory: true },
  { apiVersion: 'v1', kind: 'LimitRange', plural: 'limitranges', inventory: true },
  { apiVersion: 'apps/v1', kind: 'Deployment', plural: 'deployments', inventory: true },
  { apiVersion: 'apps/v1', kind: 'StatefulSet', plural: 'statefulsets', inventory: true },
  { apiVersion: 'apps/v1', kind: 'DaemonSet', plural: 'daemonsets', inventory: true },
  { apiVersion: 'batch/v1', kind: 'Job', plural: 'jobs', inventory: true },
  { apiVersion: 'batch/v1', kind: 'CronJob', plural: 'cronjobs', inventory: true },
  { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', plural: 'ingresses', inventory: true },
  { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', plural: 'networkpolicies', inventory: true },
  {
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    plural: 'horizontalpodautoscalers',
    inventory: true,
  },
  {
    apiVersion: 'autoscaling/v1',
    kind: 'HorizontalPodAutoscaler',
    plural: 'horizontalpodautoscalers',
    inventory: false,
  },
  { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', plural: 'poddisruptionbudgets', inventory: true },
];

/**
 * What the driver watches besides the kinds it renders, never writing them: every pod (workload status, requested
 * capacity) and every node (allocatable capacity, readiness).
 */
export const OBSERVED_KINDS: readonly Omit<RenderedKind, 'inventory'>[] = [
  { apiVersion: 'v1', kind: 'Pod', plural: 'pods' },
  { apiVersion: 'v1', kind: 'Node', plural: 'nodes' },
];

/** A group-version's resource list is fetched again for an unknown kind once it is this old (CRDs come and go). */
const REFETCH_AFTER_MS = 30_000;

/**
 * Discovery: which group-versions the cluster serves (`/api`, `/apis`) and, per group-version, its resources.
 * Answers are kept; a kind not found is looked up again only after a while.
 */
export class Discovery {
  private readonly http: KubeHttp;
  private readonly docs = new Map<string, GroupVersionDoc>();
  private served: string[] | undefined;

  constructor(http: KubeHttp) {
    this.http = http;
  }

  /** Every group-version served (`v1`, `apps/v1`, `metrics.k8s.io/v1beta1` …), sorted; fetched again when asked. */
  async refreshGroups(): Promise<string[]> {
    const [core, groups] = await Promise.all([this.http.request('GET', '/api'), this.http.request('GET', '/apis')]);
    // Discovery refused (403 while a server starts and has no RBAC roles yet) or failed (500) says nothing about
    // what the cluster serves: nothing is remembered, and the caller tries again.
    for (const answer of [core, groups]) if (answer.status !== 200) throw discoveryFailed(this.http, answer);
    const out = new Set<string>();
    const versions = (core.body as { versions?: unknown } | undefined)?.versions;
    if (core.status === 200 && Array.isArray(versions)) for (const v of versions) out.add(String(v));
    const list = (groups.body as { groups?: { versions?: { groupVersion?: string }[] }[] } | undefined)?.groups;
    if (groups.status === 200 && Array.isArray(list)) {
      for (const g of list) for (const v of g.versions ?? []) if (v.groupVersion) out.add(v.groupVersion);
    }
    this.served = [...out].sort();
    return this.served;
  }

  /** The group-versions from the last refresh (empty before the first). */
  groups(): string[] {
    return this.served ?? [];
  }

  async groupsOnce(): Promise<string[]> {
    return this.served ?? (await this.refreshGroups());
  }

  serves(apiVersion: string): boolean {
    return (this.served ?? []).includes(apiVersion);
  }

  /** How to address `kind` in `apiVersion`, or undefined when the cluster does not serve it. */
  async resource(apiVersion: string, kind: string): Promise<ResourceInfo | undefined> {
    let doc = await this.groupVersion(apiVersion, false);
    let found = doc.resources.find((r) => r.kind === kind);
    if (!found && Date.now() - doc.fetchedAt > REFETCH_AFTER_MS) {
      doc = await this.groupVersion(apiVersion, true);
      found = doc.resources.find((r) => r.kind === kind);
    }
    return found;
  }

  private async groupVersion(apiVersion: string, fresh: boolean): Promise<GroupVersionDoc> {
    if (!fresh && this.docs.has(apiVersion)) return this.docs.get(apiVersion)!;
    const slash = apiVersion.indexOf('/');
    const group = slash < 0 ? '' : apiVersion.slice(0, slash);
    const version = slash < 0 ? apiVersion : apiVersion.slice(slash + 1);
    const answer = await this.http.request('GET', group === '' ? `/api/${version}` : `/apis/${apiVersion}`);
    if (answer.status !== 200 && answer.status !== 404) throw discoveryFailed(this.http, answer);
    const list = (answer.body as { resources?: Record<string, unknown>[] } | undefined)?.resources;
    // A group-version the cluster does not serve (404) is remembered as serving nothing.
    const resources = (answer.status === 200 && Array.isArray(list) ? list : [])
      .filter((r) => typeof r.name === 'string' && !r.name.includes('/') && typeof r.kind === 'string')
      .map((r) => ({
        group,
        version,
        apiVersion,
        kind: r.kind as string,
        plural: r.name as string,
        namespaced: r.namespaced === true,
      }));
    const doc = { fetchedAt: Date.now(), resources };
    this.docs.set(apiVersion, doc);
    return doc;
  }
}

function discoveryFailed(http: KubeHttp, answer: KubeResponse): ClusterUnreachableError {
  return new ClusterUnreachableError(
    http.cluster,
    `the API server did not answer discovery (${answer.status}): ${statusMessage(answer)}`,
  );
}

/** `/api/v1/namespaces/ns/pods` or `/apis/apps/v1/deployments` (all namespaces). */
export function collectionPath(r: ResourceInfo, namespace?: string): string {
  const root = r.group === '' ? `/api/${r.version}` : `/apis/${r.group}/${r.version}`;
  return r.namespaced && namespace ? `${root}/namespaces/${namespace}/${r.plural}` : `${root}/${r.plural}`;
}

export function objectPath(r: ResourceInfo, namespace: string | undefined, name: string): string {
  return `${collectionPath(r, namespace)}/${encodeURIComponent(name)}`;
}
