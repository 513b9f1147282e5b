/**
 * StatefulSets, simulated: pods `<name>-<ordinal>` created in order (OrderedReady: the next only once the previous is
 * Ready; Parallel: all at once), claims `<template>-<name>-<ordinal>` from volumeClaimTemplates (kept on scale-down,
 * as with the default Retain policy), scale-down from the highest ordinal, and a rolling update that replaces
 * outdated pods from the highest ordinal, one at a time, once all others are Ready. No ControllerRevision objects.
 */
import { copyJson } from './copy.ts';
import {
  type Any,
  type ControllerContext,
  CONTROLLER_MANAGER,
  PODS,
  def,
  isPodActive,
  isPodReady,
  owned,
  podFromTemplate,
  quietly,
  templateHash,
  writeStatus,
} from './controller-kit.ts';

const STATEFULSETS = def('apps/v1', 'StatefulSet');
const CLAIMS = def('v1', 'PersistentVolumeClaim');

export function reconcileStatefulSet(ctx: ControllerContext, ns: string, name: string): void {
  const sts = ctx.registry.store.get(STATEFULSETS, ns, name) as Any | undefined;
  if (!sts || sts.metadata.deletionTimestamp) return;
  const replicas: number = sts.spec.replicas ?? 1;
  const revision = `${name}-${templateHash(sts.spec.template)}`;
  const ordered = sts.spec.podManagementPolicy !== 'Parallel';
  const pods = new Map<number, Any>();
  for (const p of owned(ctx, PODS, ns, sts.metadata.uid)) {
    const ordinal = Number(p.metadata.name.slice(name.length + 1));
    if (isPodActive(p)) pods.set(ordinal, p);
  }

  for (const [ordinal, p] of [...pods.entries()].sort(([a], [b]) => b - a)) {
    if (ordinal >= replicas) {
      quietly(() => ctx.remove(PODS, ns, p.metadata.name));
      pods.delete(ordinal);
    }
  }
  for (let i = 0; i < replicas; i++) {
    const existing = pods.get(i);
    if (existing) {
      if (ordered && !isPodReady(existing)) break;
      continue;
    }
    const podName = `${name}-${i}`;
    const volumes = [...(sts.spec.template.spec.volumes ?? [])];
    for (const t of (sts.spec.volumeClaimTemplates ?? []) as Any[]) {
      const claimName = `${t.metadata.name}-${podName}`;
      if (!ctx.registry.store.get(CLAIMS, ns, claimName))
        quietly(() =>
          ctx.registry.create(
            CLAIMS,
            ns,
            {
              apiVersion: 'v1',
              kind: 'PersistentVolumeClaim',
              metadata: { name: claimName, labels: { ...(sts.spec.selector?.matchLabels ?? {}) } },
              spec: copyJson(t.spec),
            },
            { manager: CONTROLLER_MANAGER },
          ),
        );
      volumes.push({ name: t.metadata.name, persistentVolumeClaim: { claimName } });
    }
    quietly(() => {
      const pod = podFromTemplate(sts, sts.spec.template, {
        name: podName,
        labels: {
          'controller-revision-hash': revision,
          'statefulset.kubernetes.io/pod-name': podName,
          'apps.kubernetes.io/pod-index': String(i),
        },
        spec: {
          hostname: podName,
          ...(sts.spec.serviceName ? { subdomain: sts.spec.serviceName } : {}),
          ...(volumes.length ? { volumes } : {}),
        },
      });
      pods.set(i, ctx.registry.create(PODS, ns, pod, { manager: CONTROLLER_MANAGER }));
    });
    if (ordered) break;
  }

  const all = [...pods.values()];
  const outdated = [...pods.entries()]
    .filter(([, p]) => p.metadata.labels?.['controller-revision-hash'] !== revision)
    .sort(([a], [b]) => b - a);
  if (
    outdated.length > 0 &&
    all.length === replicas &&
    all.every(isPodReady) &&
    sts.spec.updateStrategy?.type !== 'OnDelete'
  ) {
    const [ordinal, p] = outdated[0] as [number, Any];
    quietly(() => ctx.remove(PODS, ns, p.metadata.name));
    pods.delete(ordinal);
  }

  const current = [...pods.values()];
  const updated = current.filter((p) => p.metadata.labels?.['controller-revision-hash'] === revision).length;
  const ready = current.filter(isPodReady).length;
  const currentRevision = updated === current.length ? revision : (sts.status?.currentRevision ?? revision);
  const status: Any = {
    observedGeneration: sts.metadata.generation,
    replicas: current.length,
    ...(ready ? { readyReplicas: ready } : {}),
    ...(updated === current.length ? { currentReplicas: current.length } : {}),
    ...(updated ? { updatedReplicas: updated } : {}),
    currentRevision,
    updateRevision: revision,
    collisionCount: 0,
    availableReplicas: ready,
  };
  if (updated !== current.length) status.currentReplicas = current.length - updated;
  if (status.currentReplicas === 0) delete status.currentReplicas;
  writeStatus(ctx, STATEFULSETS, sts, status);
}
