import { parseBytes, parseCpu } from '../kernel/quantity.ts';
import { isObject } from './apply-merge.ts';
import type { ClusterContext } from './cluster-context.ts';
import { readPath, templatePath } from './manifest-validation.ts';
import type { SimPod } from './pod.ts';
import { podTemplateInfo, type ContainerDefaults, type PodTemplateInfo } from './pod-template.ts';
import type { Workload } from './workload.ts';

type Json = Record<string, unknown>;

/** The workload's current pod template, read once per generation (with the namespace's LimitRange defaults). */
export function currentTemplate(ctx: ClusterContext, w: Workload): PodTemplateInfo {
  if (w.template === undefined || w.templateGeneration !== w.generation) {
    const next = podTemplateInfo(readPath(w.stored.obj, templatePath(w.kind)), limitDefaults(ctx, w.namespace));
    // Keep the old object when the template is the same, so pods and revisions compare by identity.
    if (w.template === undefined || w.template.hash !== next.hash) w.template = next;
    w.templateGeneration = w.generation;
  }
  return w.template;
}

function limitDefaults(ctx: ClusterContext, namespace: string): ContainerDefaults {
  for (const range of ctx.store.ofKind(namespace, 'LimitRange').sort((a, b) => (a.key < b.key ? -1 : 1))) {
    const limits = readPath(range.obj, ['spec', 'limits']);
    if (!Array.isArray(limits)) continue;
    for (const l of limits) {
      if (!isObject(l) || l.type !== 'Container') continue;
      const req = (isObject(l.defaultRequest) ? l.defaultRequest : {}) as Json;
      const lim = (isObject(l.default) ? l.default : {}) as Json;
      return {
        cpuMilli: req.cpu !== undefined ? parseCpu(req.cpu as string) : undefined,
        memoryBytes: req.memory !== undefined ? parseBytes(req.memory as string) : undefined,
        cpuLimitMilli: lim.cpu !== undefined ? parseCpu(lim.cpu as string) : undefined,
        memoryLimitBytes: lim.memory !== undefined ? parseBytes(lim.memory as string) : undefined,
      };
    }
  }
  return {};
}

/** An int-or-percent field (`maxSurge: 25%`) against a total, rounded up or down as Kubernetes does. */
export function intOrPercent(value: unknown, total: number, fallback: string, roundUp: boolean): number {
  const v = value ?? fallback;
  if (typeof v === 'number') return Math.max(0, Math.floor(v));
  const m = /^(\d+)%$/.exec(String(v));
  if (m === null) return Math.max(0, Math.floor(Number(v)) || 0);
  const exact = (Number(m[1]) * total) / 100;
  return roundUp ? Math.ceil(exact) : Math.floor(exact);
}

/**
 * Pods in the order a ReplicaSet deletes them: unscheduled first, then not ready, then the most recently ready;
 * newest first within a rank (Kubernetes' ActivePods ordering, shortened).
 */
export function deletionOrder(pods: readonly SimPod[]): SimPod[] {
  const rank = (p: SimPod) => (p.node === undefined ? 0 : p.ready ? 2 : 1);
  return [...pods].sort((a, b) => {
    const ra = rank(a);
    const rb = rank(b);
    if (ra !== rb) return ra - rb;
    if (a.ready && b.ready && a.readyAt !== b.readyAt) return b.readyAt - a.readyAt;
    return b.createdAt - a.createdAt;
  });
}

/** `web-7d9c5b8f6c-x2k9p`: owner, revision and a random suffix, like a ReplicaSet's pods. */
export function podName(ctx: ClusterContext, owner: string, revision?: string): string {
  return revision === undefined ? `${owner}-${ctx.rng.suffix()}` : `${owner}-${revision}-${ctx.rng.suffix()}`;
}

export interface Condition {
  readonly type: string;
  readonly status: 'True' | 'False';
  readonly reason: string;
  readonly message: string;
}

/** Status conditions with lastTransitionTime kept from the previous status while a condition's status holds. */
export function conditions(previous: Json | undefined, next: readonly Condition[], at: number): Json[] {
  const old = Array.isArray(previous?.conditions) ? (previous.conditions as Json[]) : [];
  const iso = new Date(at).toISOString().replace(/\.\d{3}Z$/, 'Z');
  return next.map((c) => {
    const was = old.find((o) => o.type === c.type);
    const same = was !== undefined && was.status === c.status;
    const sameReason = same && was.reason === c.reason;
    return {
      type: c.type,
      status: c.status,
      reason: c.reason,
      message: c.message,
      lastTransitionTime: same ? was.lastTransitionTime : iso,
      lastUpdateTime: sameReason ? (was.lastUpdateTime ?? iso) : iso,
    };
  });
}

/** An RFC 3339 time to the second, the way Kubernetes writes timestamps. */
export function isoSeconds(at: number): string {
  return new Date(at).toISOString().replace(/\.\d{3}Z$/, 'Z');
}
