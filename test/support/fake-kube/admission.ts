/**
 * The two admission plugins that act on pods in every namespace that has their objects, as kube-apiserver runs
 * them at pod creation: LimitRanger (containers without requests or limits get the namespace LimitRange's
 * `defaultRequest` and `default`) and ResourceQuota (a pod whose requests would take a namespace past a quota's
 * `hard` is refused 403 with the plugin's message). Usage is counted from the pods that are not finished.
 */
import { parseQuantity } from './quantity.ts';
import type { ResourceDef } from './resources.ts';
import { RESOURCES } from './resources.ts';
import { KubeError } from './status.ts';
import type { Store } from './store.ts';
import type { KubeObject } from './types.ts';

type Any = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const byKind = (kind: string): ResourceDef => RESOURCES.find((d) => d.kind === kind && d.group === '') as ResourceDef;
const PODS = byKind('Pod');
const LIMIT_RANGES = byKind('LimitRange');
const QUOTAS = byKind('ResourceQuota');

/** Pod-level resources a quota can limit, with how a pod uses them. */
const TRACKED: Record<string, { of: 'requests' | 'limits' | 'count'; resource: string }> = {
  pods: { of: 'count', resource: 'pods' },
  cpu: { of: 'requests', resource: 'cpu' },
  memory: { of: 'requests', resource: 'memory' },
  'requests.cpu': { of: 'requests', resource: 'cpu' },
  'requests.memory': { of: 'requests', resource: 'memory' },
  'limits.cpu': { of: 'limits', resource: 'cpu' },
  'limits.memory': { of: 'limits', resource: 'memory' },
};

/** LimitRanger and ResourceQuota on a pod about to be created in `ns` (changes `pod`; throws 403 when refused). */
export function admitPod(store: Store, ns: string, pod: KubeObject): void {
  defaultFromLimitRanges(store, ns, pod);
  checkQuotas(store, ns, pod);
}

function containersOf(pod: Any): Any[] {
  return [...((pod.spec?.containers ?? []) as Any[]), ...((pod.spec?.initContainers ?? []) as Any[])];
}

function defaultFromLimitRanges(store: Store, ns: string, pod: KubeObject): void {
  const set: { request: string[]; limit: string[] } = { request: [], limit: [] };
  for (const lr of store.list(LIMIT_RANGES, ns) as Any[])
    for (const item of (lr.spec?.limits ?? []) as Any[]) {
      if (item.type !== 'Container') continue;
      // As the LimitRange's own defaulting does: defaultRequest falls back to default, default to max.
      const limits: Any = { ...(item.max ?? {}), ...(item.default ?? {}) };
      const requests: Any = { ...limits, ...(item.defaultRequest ?? {}) };
      for (const c of containersOf(pod)) {
        const r = (c.resources ??= {});
        const changedRequests: string[] = [];
        const changedLimits: string[] = [];
        for (const [k, v] of Object.entries(requests)) {
          // A container's own limit is its request when it sets none (API defaulting, before admission).
          if (r.requests?.[k] !== undefined) continue;
          (r.requests ??= {})[k] = r.limits?.[k] ?? v;
          if (r.limits?.[k] === undefined) changedRequests.push(k);
        }
        for (const [k, v] of Object.entries(limits)) {
          if (r.limits?.[k] !== undefined) continue;
          (r.limits ??= {})[k] = v;
          changedLimits.push(k);
        }
        if (changedRequests.length)
          set.request.push(`${changedRequests.sort().join(', ')} request for container ${c.name}`);
        if (changedLimits.length) set.limit.push(`${changedLimits.sort().join(', ')} limit for container ${c.name}`);
      }
    }
  const parts = [...set.request, ...set.limit];
  if (parts.length === 0) return;
  const meta = (pod.metadata ??= {});
  meta.annotations = {
    ...(meta.annotations ?? {}),
    'kubernetes.io/limit-ranger': `LimitRanger plugin set: ${parts.join('; ')}`,
  };
}

/** What one pod uses of a tracked quota resource (cores, bytes, pods). */
function podUsage(pod: Any, key: string): number {
  const t = TRACKED[key];
  if (!t) return 0;
  if (t.of === 'count') return 1;
  let sum = 0;
  for (const c of (pod.spec?.containers ?? []) as Any[]) {
    const res = c.resources ?? {};
    const v = t.of === 'requests' ? (res.requests?.[t.resource] ?? res.limits?.[t.resource]) : res.limits?.[t.resource];
    sum += parseQuantity(v ?? 0) || 0;
  }
  return sum;
}

/** The quota's usage in `ns` now, by the keys of its `hard`, from the pods that are not finished. */
export function quotaUsed(store: Store, ns: string, quota: Any): Record<string, number> {
  const pods = (store.list(PODS, ns) as Any[]).filter(
    (p) => !p.metadata?.deletionTimestamp && p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed',
  );
  const used: Record<string, number> = {};
  for (const key of Object.keys(quota.spec?.hard ?? {}))
    if (TRACKED[key]) used[key] = pods.reduce((n, p) => n + podUsage(p, key), 0);
  return used;
}

function checkQuotas(store: Store, ns: string, pod: KubeObject): void {
  const name = pod.metadata?.name || pod.metadata?.generateName || '';
  const refuse = (message: string): KubeError =>
    new KubeError(403, 'Forbidden', `pods "${name}" is forbidden: ${message}`, { name, kind: 'pods' });
  for (const quota of store.list(QUOTAS, ns) as Any[]) {
    const hard: Record<string, string> = quota.spec?.hard ?? {};
    const keys = Object.keys(hard)
      .filter((k) => TRACKED[k])
      .sort();
    // A quota on requests or limits needs every container to state them.
    const missing: string[] = [];
    for (const key of keys) {
      const t = TRACKED[key]!;
      if (t.of === 'count') continue;
      const lacking = (((pod as Any).spec?.containers ?? []) as Any[])
        .filter((c) => {
          const res = c.resources ?? {};
          return t.of === 'requests'
            ? (res.requests?.[t.resource] ?? res.limits?.[t.resource]) === undefined
            : res.limits?.[t.resource] === undefined;
        })
        .map((c) => String(c.name));
      if (lacking.length) missing.push(`${key} for: ${lacking.join(',')}`);
    }
    if (missing.length) throw refuse(`failed quota: ${quota.metadata.name}: must specify ${missing.join('; ')}`);
    const used = quotaUsed(store, ns, quota);
    const exceeded = keys.filter((k) => (used[k] ?? 0) + podUsage(pod, k) > (parseQuantity(hard[k]) || 0) + 1e-9);
    if (exceeded.length === 0) continue;
    const show = (f: (k: string) => string): string => exceeded.map((k) => `${k}=${f(k)}`).join(',');
    throw refuse(
      `exceeded quota: ${quota.metadata.name}, requested: ${show((k) => formatQuantity(k, podUsage(pod, k)))}, ` +
        `used: ${show((k) => formatQuantity(k, used[k] ?? 0))}, limited: ${show((k) => String(hard[k]))}`,
    );
  }
}

/** A quantity as kube-apiserver prints it: cores as `2` or `500m`, bytes as `1Gi`/`64Mi`/`512Ki` when whole, counts. */
export function formatQuantity(key: string, value: number): string {
  const t = TRACKED[key];
  if (t?.resource === 'cpu') {
    const milli = Math.round(value * 1000);
    return milli % 1000 === 0 ? String(milli / 1000) : `${milli}m`;
  }
  if (t?.resource === 'memory') {
    const bytes = Math.round(value);
    for (const [suffix, size] of [
      ['Gi', 2 ** 30],
      ['Mi', 2 ** 20],
      ['Ki', 2 ** 10],
    ] as const)
      if (bytes !== 0 && bytes % size === 0) return `${bytes / size}${suffix}`;
    return String(bytes);
  }
  return String(Math.round(value));
}
