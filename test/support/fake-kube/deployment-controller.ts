/**
 * Deployments and ReplicaSets, simulated: a Deployment owns one ReplicaSet per pod template (`<name>-<hash>`,
 * labelled pod-template-hash); the current one is scaled to spec.replicas and older ones to 0 at once (no gradual
 * rolling update); a ReplicaSet creates or deletes pods to match its replicas. Statuses are computed as the real
 * controllers do (zero counts omitted, Available/Progressing conditions).
 */
import {
  type Any,
  type ControllerContext,
  CONTROLLER_MANAGER,
  PODS,
  condition,
  controllerRef,
  def,
  isPodActive,
  isPodReady,
  omitZero,
  owned,
  podFromTemplate,
  quietly,
  templateHash,
  writeStatus,
} from './controller-kit.ts';
import { KubeError } from './status.ts';

const DEPLOYMENTS = def('apps/v1', 'Deployment');
const REPLICASETS = def('apps/v1', 'ReplicaSet');

/** maxUnavailable as a number of pods (an int, or a percentage rounded down). */
function maxUnavailable(d: Any, replicas: number): number {
  const v = d.spec.strategy?.type === 'Recreate' ? 0 : (d.spec.strategy?.rollingUpdate?.maxUnavailable ?? '25%');
  if (typeof v === 'number') return v;
  const pct = /^(\d+)%$/.exec(String(v));
  return pct ? Math.floor((Number(pct[1]) * replicas) / 100) : Number(v) || 0;
}

export function reconcileDeployment(ctx: ControllerContext, ns: string, name: string): void {
  const d = ctx.registry.store.get(DEPLOYMENTS, ns, name) as Any | undefined;
  if (!d || d.metadata.deletionTimestamp) return;
  const replicas: number = d.spec.replicas ?? 1;
  const hash = templateHash(d.spec.template);
  const sets = owned(ctx, REPLICASETS, ns, d.metadata.uid);
  let current = sets.find((rs) => rs.metadata.labels?.['pod-template-hash'] === hash);
  if (!d.spec.paused) {
    if (!current) {
      const revision =
        Math.max(0, ...sets.map((rs) => Number(rs.metadata.annotations?.['deployment.kubernetes.io/revision'] ?? 0))) +
        1;
      const labels = { ...(d.spec.template.metadata?.labels ?? {}), 'pod-template-hash': hash };
      quietly(() => {
        current = ctx.registry.create(
          REPLICASETS,
          ns,
          {
            apiVersion: 'apps/v1',
            kind: 'ReplicaSet',
            metadata: {
              name: `${name}-${hash}`,
              labels,
              annotations: {
                'deployment.kubernetes.io/desired-replicas': String(replicas),
                'deployment.kubernetes.io/max-replicas': String(replicas + Math.ceil(replicas / 4)),
                'deployment.kubernetes.io/revision': String(revision),
              },
              ownerReferences: [controllerRef(d)],
            },
            spec: {
              replicas,
              ...(d.spec.minReadySeconds ? { minReadySeconds: d.spec.minReadySeconds } : {}),
              selector: {
                ...d.spec.selector,
                matchLabels: { ...(d.spec.selector.matchLabels ?? {}), 'pod-template-hash': hash },
              },
              template: { ...d.spec.template, metadata: { ...(d.spec.template.metadata ?? {}), labels } },
            },
          },
          { manager: CONTROLLER_MANAGER },
        ) as Any;
      });
    } else if (current.spec.replicas !== replicas) {
      scale(ctx, current, replicas);
    }
    for (const rs of sets) if (rs !== current && rs.spec.replicas !== 0) scale(ctx, rs, 0);
  }

  const all = owned(ctx, REPLICASETS, ns, d.metadata.uid);
  const now = all.find((rs) => rs.metadata.labels?.['pod-template-hash'] === hash);
  const sum = (f: (rs: Any) => number): number => all.reduce((n, rs) => n + f(rs), 0);
  const available = sum((rs) => rs.status?.availableReplicas ?? 0);
  const total = sum((rs) => rs.status?.replicas ?? 0);
  const updated = now?.status?.replicas ?? 0;
  const specTotal = sum((rs) => rs.spec.replicas ?? 0);
  const complete = updated === replicas && available === replicas && total === replicas;
  const rsName = now?.metadata.name ?? `${name}-${hash}`;
  const prev = d.status?.conditions;
  // The Deployment controller copies a ReplicaSet's ReplicaFailure condition into the Deployment's conditions.
  const failure = all
    .flatMap((rs) => (rs.status?.conditions ?? []) as Any[])
    .find((c) => c.type === 'ReplicaFailure' && c.status === 'True');
  const isAvailable = available >= replicas - maxUnavailable(d, replicas);
  const status = omitZero(
    {
      observedGeneration: d.metadata.generation,
      replicas: total,
      updatedReplicas: updated,
      readyReplicas: sum((rs) => rs.status?.readyReplicas ?? 0),
      availableReplicas: available,
      unavailableReplicas: Math.max(0, specTotal - available),
      conditions: [
        isAvailable
          ? condition(prev, 'Available', 'True', 'MinimumReplicasAvailable', 'Deployment has minimum availability.', {
              updateTime: true,
            })
          : condition(
              prev,
              'Available',
              'False',
              'MinimumReplicasUnavailable',
              'Deployment does not have minimum availability.',
              { updateTime: true },
            ),
        complete
          ? condition(
              prev,
              'Progressing',
              'True',
              'NewReplicaSetAvailable',
              `ReplicaSet "${rsName}" has successfully progressed.`,
              { updateTime: true },
            )
          : condition(prev, 'Progressing', 'True', 'ReplicaSetUpdated', `ReplicaSet "${rsName}" is progressing.`, {
              updateTime: true,
            }),
        ...(failure
          ? [
              condition(prev, 'ReplicaFailure', 'True', String(failure.reason), String(failure.message), {
                updateTime: true,
              }),
            ]
          : []),
      ],
    },
    ['replicas', 'updatedReplicas', 'readyReplicas', 'availableReplicas', 'unavailableReplicas'],
  );
  writeStatus(ctx, DEPLOYMENTS, d, status);
}

function scale(ctx: ControllerContext, rs: Any, replicas: number): void {
  quietly(() => {
    const current = ctx.registry.get(REPLICASETS, rs.metadata.namespace, rs.metadata.name) as Any;
    current.spec.replicas = replicas;
    current.metadata.annotations = {
      ...(current.metadata.annotations ?? {}),
      'deployment.kubernetes.io/desired-replicas': String(replicas),
    };
    ctx.registry.update(REPLICASETS, rs.metadata.namespace, rs.metadata.name, current, { manager: CONTROLLER_MANAGER });
  });
}

export function reconcileReplicaSet(ctx: ControllerContext, ns: string, name: string): void {
  const rs = ctx.registry.store.get(REPLICASETS, ns, name) as Any | undefined;
  if (!rs || rs.metadata.deletionTimestamp) return;
  const pods = owned(ctx, PODS, ns, rs.metadata.uid).filter(isPodActive);
  const want: number = rs.spec.replicas ?? 1;
  // A pod refused at creation (a ResourceQuota, a terminating namespace) is reported as the ReplicaSet controller
  // does: condition ReplicaFailure, reason FailedCreate, the API server's message; it is tried again when the
  // namespace's quotas, limit ranges or pods change.
  let failedCreate: string | undefined;
  for (let i = pods.length; i < want && failedCreate === undefined; i++) {
    try {
      pods.push(ctx.registry.create(PODS, ns, podFromTemplate(rs, rs.spec.template), { manager: CONTROLLER_MANAGER }));
    } catch (e) {
      if (!(e instanceof KubeError)) throw e;
      failedCreate = e.message;
    }
  }
  if (pods.length > want) {
    // Unscheduled, then not ready, then the newest pods go first, as the ReplicaSet controller ranks them.
    const rank = (p: Any): number => (p.spec.nodeName ? 0 : 2) + (isPodReady(p) ? 0 : 1);
    const doomed = [...pods]
      .sort(
        (a, b) =>
          rank(b) - rank(a) || String(b.metadata.creationTimestamp).localeCompare(String(a.metadata.creationTimestamp)),
      )
      .slice(0, pods.length - want);
    for (const p of doomed) {
      quietly(() => ctx.remove(PODS, ns, p.metadata.name));
      pods.splice(pods.indexOf(p), 1);
    }
  }
  const ready = pods.filter(isPodReady).length;
  writeStatus(
    ctx,
    REPLICASETS,
    rs,
    omitZero(
      {
        replicas: pods.length,
        fullyLabeledReplicas: pods.length,
        readyReplicas: ready,
        availableReplicas: ready,
        observedGeneration: rs.metadata.generation,
        ...(failedCreate !== undefined
          ? {
              conditions: [condition(rs.status?.conditions, 'ReplicaFailure', 'True', 'FailedCreate', failedCreate)],
            }
          : {}),
      },
      ['fullyLabeledReplicas', 'readyReplicas', 'availableReplicas'],
    ),
  );
}
