/**
 * The simulated control plane: a work queue keyed by object, fed by every change in the store, running the
 * workload controllers, the scheduler/kubelets, the namespace controller's defaults (ServiceAccount `default`,
 * ConfigMap `kube-root-ca.crt`) and a volume binder that binds every claim at once. Their writes go straight to the
 * registry under their own manager names; they are not client requests.
 */
import { formatQuantity, quotaUsed } from './admission.ts';
import { bootstrapCluster } from './cluster-bootstrap.ts';
import {
  type Any,
  type ControllerContext,
  CONTROLLER_MANAGER,
  PODS,
  def,
  quietly,
  writeStatus,
} from './controller-kit.ts';
import { reconcileDaemonSet } from './daemonset-controller.ts';
import { reconcileDeployment, reconcileReplicaSet } from './deployment-controller.ts';
import type { GarbageCollector } from './garbage-collector.ts';
import { reconcileJob } from './job-controller.ts';
import type { Registry } from './registry.ts';
import { Scheduler } from './scheduler.ts';
import { reconcileStatefulSet } from './statefulset-controller.ts';
import type { StoreEvent } from './store.ts';
import type { FakeKubeOptions } from './types.ts';

const CLAIMS = def('v1', 'PersistentVolumeClaim');
const SERVICE_ACCOUNTS = def('v1', 'ServiceAccount');
const CONFIG_MAPS = def('v1', 'ConfigMap');
const NAMESPACES = def('v1', 'Namespace');
const QUOTAS = def('v1', 'ResourceQuota');
const REPLICASETS = def('apps/v1', 'ReplicaSet');

const failing = (rs: Readonly<Any>): boolean =>
  ((rs.status?.conditions ?? []) as Any[]).some((c) => c.type === 'ReplicaFailure' && c.status === 'True');

/** The quota controller: status.hard as specified, status.used from the namespace's unfinished pods. */
function quotaStatus(ctx: ControllerContext, ns: string, name: string): void {
  const q = ctx.registry.store.get(QUOTAS, ns, name) as Any | undefined;
  if (!q || q.metadata.deletionTimestamp) return;
  const used = quotaUsed(ctx.registry.store, ns, q);
  const hard = q.spec?.hard ?? {};
  writeStatus(ctx, QUOTAS, q, {
    hard: { ...hard },
    used: Object.fromEntries(
      Object.keys(hard).map((k) => [k, used[k] !== undefined ? formatQuantity(k, used[k]) : '0']),
    ),
  });
}

const ROOT_CA = `-----BEGIN CERTIFICATE-----
MIIBdzCCAR2gAwIBAgIBADAKBggqhkjOPQQDAjAjMSEwHwYDVQQDDBhmYWtlLWt1
YmUtY2xpZW50LWNhIChmYWtlKTAeFw0yNDAxMDEwMDAwMDBaFw0zNDAxMDEwMDAw
MDBaMCMxITAfBgNVBAMMGGZha2Uta3ViZS1jbGllbnQtY2EgKGZha2UpMA==
-----END CERTIFICATE-----
`;

export function startControllers(registry: Registry, gc: GarbageCollector, opts: FakeKubeOptions): { stop(): void } {
  const timers = new Set<NodeJS.Timeout>();
  let stopped = false;
  const ctx: ControllerContext = {
    registry,
    opts,
    remove: (d, ns, name) => gc.delete(d, ns, name, { propagationPolicy: 'Background' }),
    later: (ms, fn) => {
      const t = setTimeout(() => {
        timers.delete(t);
        if (!stopped) fn();
      }, ms);
      timers.add(t);
    },
  };
  const scheduler = new Scheduler(ctx);
  const reconcilers: Record<string, (ns: string, name: string) => void> = {
    Deployment: (ns, n) => reconcileDeployment(ctx, ns, n),
    ReplicaSet: (ns, n) => reconcileReplicaSet(ctx, ns, n),
    StatefulSet: (ns, n) => reconcileStatefulSet(ctx, ns, n),
    DaemonSet: (ns, n) => reconcileDaemonSet(ctx, ns, n),
    Job: (ns, n) => reconcileJob(ctx, ns, n),
    Pod: (ns, n) => scheduler.reconcile(ns, n),
    Namespace: (_ns, n) => namespaceDefaults(ctx, n),
    PersistentVolumeClaim: (ns, n) => bindClaim(ctx, ns, n),
    ResourceQuota: (ns, n) => quotaStatus(ctx, ns, n),
  };

  const queue = new Map<string, [string, string, string]>();
  let scheduled: NodeJS.Immediate | undefined;
  const enqueue = (kind: string, ns: string, name: string): void => {
    if (!reconcilers[kind] || stopped) return;
    queue.set(`${kind}/${ns}/${name}`, [kind, ns, name]);
    scheduled ??= setImmediate(drain);
  };
  const drain = (): void => {
    scheduled = undefined;
    // Items enqueued while draining wait for the next turn, so timers and client requests interleave.
    const batch = [...queue.values()];
    queue.clear();
    for (const [kind, ns, name] of batch) {
      if (stopped) return;
      try {
        reconcilers[kind]?.(ns, name);
      } catch (e) {
        // A bug in a simulated controller must not crash the test run that uses the fake; say it loudly instead.
        console.error(`fake-kube: ${kind} ${ns}/${name} controller failed:`, e);
      }
    }
  };

  const onEvent = (e: StoreEvent): void => {
    const meta = e.object.metadata ?? {};
    const ns = meta.namespace ?? '';
    enqueue(e.def.kind, ns, meta.name ?? '');
    for (const ref of [...(meta.ownerReferences ?? []), ...(e.prev?.metadata?.ownerReferences ?? [])])
      if (ref.controller) enqueue(ref.kind, ns, ref.name);
    // Freed or added capacity: pending pods get another scheduling attempt, DaemonSets follow the nodes.
    if ((e.def.kind === 'Pod' && e.type === 'DELETED') || e.def.kind === 'Node')
      for (const p of registry.store.list(PODS) as Any[])
        if (!p.spec.nodeName) enqueue('Pod', p.metadata.namespace, p.metadata.name);
    // Quotas count the namespace's pods; ReplicaSets refused a pod try again when quotas, limits or pods change.
    if (e.def.kind === 'Pod' || e.def.kind === 'ResourceQuota' || e.def.kind === 'LimitRange') {
      for (const q of registry.store.list(QUOTAS, ns)) enqueue('ResourceQuota', ns, q.metadata?.name ?? '');
      if (e.def.kind !== 'Pod' || e.type === 'DELETED')
        for (const rs of registry.store.list(REPLICASETS, ns, failing))
          enqueue('ReplicaSet', ns, rs.metadata?.name ?? '');
    }
    if (e.def.kind === 'Node')
      for (const ds of registry.store.list(def('apps/v1', 'DaemonSet')))
        enqueue('DaemonSet', ds.metadata?.namespace ?? '', ds.metadata?.name ?? '');
  };
  const unsubscribe = registry.store.subscribe(onEvent);
  bootstrapCluster(registry, opts);

  return {
    stop: () => {
      stopped = true;
      unsubscribe();
      scheduler.stop();
      if (scheduled) clearImmediate(scheduled);
      for (const t of timers) clearTimeout(t);
      timers.clear();
    },
  };
}

function namespaceDefaults(ctx: ControllerContext, name: string): void {
  const ns = ctx.registry.store.get(NAMESPACES, undefined, name);
  if (!ns || ns.metadata?.deletionTimestamp) return;
  if (!ctx.registry.store.get(SERVICE_ACCOUNTS, name, 'default'))
    quietly(() =>
      ctx.registry.create(
        SERVICE_ACCOUNTS,
        name,
        { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'default' } },
        { manager: CONTROLLER_MANAGER },
      ),
    );
  if (!ctx.registry.store.get(CONFIG_MAPS, name, 'kube-root-ca.crt'))
    quietly(() =>
      ctx.registry.create(
        CONFIG_MAPS,
        name,
        {
          apiVersion: 'v1',
          kind: 'ConfigMap',
          metadata: {
            name: 'kube-root-ca.crt',
            annotations: {
              'kubernetes.io/description':
                'Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints such as the internal service IP or kubernetes.default.svc. No other usage is guaranteed across distributions of Kubernetes clusters.',
            },
          },
          data: { 'ca.crt': ROOT_CA },
        },
        { manager: CONTROLLER_MANAGER },
      ),
    );
}

function bindClaim(ctx: ControllerContext, ns: string, name: string): void {
  const claim = ctx.registry.store.get(CLAIMS, ns, name) as Any | undefined;
  if (!claim || claim.metadata.deletionTimestamp || claim.status?.phase === 'Bound') return;
  quietly(() => {
    if (!claim.spec.volumeName) {
      claim.spec.volumeName = `pvc-${claim.metadata.uid}`;
      ctx.registry.update(CLAIMS, ns, name, claim, { manager: 'kube-controller-manager' });
    }
    const bound = ctx.registry.get(CLAIMS, ns, name) as Any;
    writeStatus(ctx, CLAIMS, bound, {
      phase: 'Bound',
      accessModes: bound.spec.accessModes ?? ['ReadWriteOnce'],
      capacity: { storage: bound.spec.resources?.requests?.storage ?? '1Gi' },
    });
  });
}
