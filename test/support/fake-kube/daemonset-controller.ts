/**
 * DaemonSets, simulated: one pod per Ready, schedulable node, bound directly to it (no node affinity, taints or
 * resource checks); pods of an outdated template are replaced all at once.
 */
import {
  type Any,
  type ControllerContext,
  CONTROLLER_MANAGER,
  NODES,
  PODS,
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

const DAEMONSETS = def('apps/v1', 'DaemonSet');

export function reconcileDaemonSet(ctx: ControllerContext, ns: string, name: string): void {
  const ds = ctx.registry.store.get(DAEMONSETS, ns, name) as Any | undefined;
  if (!ds || ds.metadata.deletionTimestamp) return;
  const revision = templateHash(ds.spec.template);
  const nodes = (ctx.registry.store.list(NODES) as Any[]).filter(
    (n) =>
      !n.spec?.unschedulable &&
      (n.status?.conditions ?? []).some((c: Any) => c.type === 'Ready' && c.status === 'True'),
  );
  const eligible = new Set(nodes.map((n) => n.metadata.name));
  const pods = owned(ctx, PODS, ns, ds.metadata.uid).filter(isPodActive);
  const kept: Any[] = [];
  for (const p of pods) {
    if (!eligible.has(p.spec.nodeName) || p.metadata.labels?.['controller-revision-hash'] !== revision)
      quietly(() => ctx.remove(PODS, ns, p.metadata.name));
    else kept.push(p);
  }
  for (const node of nodes) {
    if (kept.some((p) => p.spec.nodeName === node.metadata.name)) continue;
    quietly(() => {
      const pod = podFromTemplate(ds, ds.spec.template, {
        nodeName: node.metadata.name,
        labels: { 'controller-revision-hash': revision },
      });
      kept.push(ctx.registry.create(PODS, ns, pod, { manager: CONTROLLER_MANAGER }));
    });
  }
  const ready = kept.filter(isPodReady).length;
  writeStatus(
    ctx,
    DAEMONSETS,
    ds,
    omitZero(
      {
        currentNumberScheduled: kept.length,
        numberMisscheduled: 0,
        desiredNumberScheduled: nodes.length,
        numberReady: ready,
        observedGeneration: ds.metadata.generation,
        updatedNumberScheduled: kept.length,
        numberAvailable: ready,
        numberUnavailable: nodes.length - ready,
      },
      ['updatedNumberScheduled', 'numberAvailable', 'numberUnavailable'],
    ),
  );
}
